//! DATA: the message is read to its end (dot-stuffing undone by smtp-proto)
//! and handled only once it is complete, so a client that drops mid-DATA
//! leaves nothing behind. A large one is spooled as it comes ([`super::spool`]).
//! Past the size limit the rest is read and thrown away, and the answer is
//! 552; past the listener's memory budget (`--smtp-memory-mib`, shared by
//! all sessions), 452.

use smtp_proto::request::receiver::{DataReceiver, DummyDataReceiver};

use super::budget::Held;
use super::conn::{Conn, Stalled, Stream};
use super::reply::{self, Reply};
use super::session::{Envelope, Session};
use super::spool::Spool;

impl Session<'_> {
    /// Reads the message of `envelope` and hands it on; the reply to it.
    pub(super) async fn data<S: Stream>(
        &mut self,
        envelope: Envelope,
        conn: &mut Conn<'_, S>,
    ) -> Result<Reply, Stalled> {
        let limit = usize::try_from(self.ingress.settings.max_message_bytes).unwrap_or(usize::MAX);
        let timeout = self.ingress.settings.data_timeout;
        conn.reply_raw(reply::GO_AHEAD);
        let mut receiver = DataReceiver::new();
        let spool_dir = &self.ingress.state.settings.attachments_dir;
        let mut spool = Spool::new(spool_dir);
        // What has come and is not yet spooled.
        let mut message = Vec::new();
        let mut discard: Option<DummyDataReceiver> = None;
        // The budget this message holds, until it has been handled.
        let mut held = Held::new(&self.ingress.memory);
        let (mut out_of_memory, mut too_big, mut spool_failed) = (false, false, false);
        loop {
            let mut bytes = conn.inbuf.iter();
            let done = match discard.as_mut() {
                Some(discard) => discard.ingest(&mut bytes),
                None => receiver.ingest(&mut bytes, &mut message),
            };
            let used = conn.inbuf.len() - bytes.len();
            conn.inbuf.drain(..used);
            if discard.is_none() {
                if spool.len(&message) > limit as u64 {
                    too_big = true;
                } else if let Err(e) = spool.take(&mut message).await {
                    tracing::error!(error = %e, "a mail coming in over SMTP could not be spooled");
                    spool_failed = true;
                } else if !held.cover(message.len() + spool.memory()) {
                    out_of_memory = true;
                }
                if too_big || out_of_memory || spool_failed {
                    discard = Some(DummyDataReceiver::new_data(&receiver));
                    message = Vec::new();
                    spool = Spool::new(spool_dir);
                }
            }
            if done {
                break;
            }
            match conn.fill(timeout, false).await {
                Ok(()) => {}
                Err(Stalled::TimedOut) => {
                    conn.reply(&reply::DATA_TIMEOUT);
                    return Err(Stalled::Closed);
                }
                Err(stalled) => return Err(stalled),
            }
        }
        if spool_failed {
            return Ok(reply::LOCAL_ERROR);
        }
        if out_of_memory {
            return Ok(reply::MEMORY_FULL);
        }
        if too_big {
            return Ok(reply::TOO_BIG);
        }
        let received = match spool.finish(message).await {
            Ok(received) => received,
            Err(e) => {
                tracing::error!(error = %e, "a mail coming in over SMTP could not be spooled");
                return Ok(reply::LOCAL_ERROR);
            }
        };
        let answer = self.accept(&envelope, received, &mut held).await;
        drop(held);
        Ok(answer)
    }
}
