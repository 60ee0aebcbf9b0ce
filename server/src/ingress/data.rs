//! DATA: the message is read to its end (dot-stuffing undone by smtp-proto)
//! and handled only once it is complete, so a client that drops mid-DATA
//! leaves nothing behind. Past the size limit the rest is read and thrown
//! away, and the answer is 552; past the listener's memory budget
//! (`--smtp-memory-mib`, shared by all sessions), 452.

use smtp_proto::request::receiver::{DataReceiver, DummyDataReceiver};

use super::MEMORY_UNIT;
use super::conn::{Conn, Stalled, Stream};
use super::reply::{self, Reply};
use super::session::{Envelope, Session};

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
        let mut message = Vec::new();
        let mut discard: Option<DummyDataReceiver> = None;
        // The budget this message holds, until it has been handled.
        let mut held: Option<tokio::sync::OwnedSemaphorePermit> = None;
        let mut out_of_memory = false;
        loop {
            let mut bytes = conn.inbuf.iter();
            let done = match discard.as_mut() {
                Some(discard) => discard.ingest(&mut bytes),
                None => receiver.ingest(&mut bytes, &mut message),
            };
            let used = conn.inbuf.len() - bytes.len();
            conn.inbuf.drain(..used);
            if discard.is_none() && !self.hold_memory(&mut held, message.len()) {
                out_of_memory = true;
            }
            if discard.is_none() && (message.len() > limit || out_of_memory) {
                discard = Some(DummyDataReceiver::new_data(&receiver));
                message = Vec::new();
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
        if out_of_memory {
            return Ok(reply::MEMORY_FULL);
        }
        if discard.is_some() {
            return Ok(reply::TOO_BIG);
        }
        let answer = self.accept(&envelope, &message).await;
        drop(held);
        Ok(answer)
    }

    /// Grows `held` to cover `bytes` of message from the shared budget;
    /// `false` if the budget has no room left.
    fn hold_memory(
        &self,
        held: &mut Option<tokio::sync::OwnedSemaphorePermit>,
        bytes: usize,
    ) -> bool {
        let needed = bytes.div_ceil(MEMORY_UNIT);
        let have = held.as_ref().map_or(0, |p| p.num_permits());
        if needed <= have {
            return true;
        }
        let more = u32::try_from(needed - have).unwrap_or(u32::MAX);
        match self.ingress.memory.clone().try_acquire_many_owned(more) {
            Ok(permit) => {
                match held {
                    Some(held) => held.merge(permit),
                    None => *held = Some(permit),
                }
                true
            }
            Err(_) => false,
        }
    }
}
