//! DATA: the message is read to its end (dot-stuffing undone by smtp-proto)
//! and handled only once it is complete, so a client that drops mid-DATA
//! leaves nothing behind. Past the size limit the rest is read and thrown
//! away, and the answer is 552.

use smtp_proto::request::receiver::{DataReceiver, DummyDataReceiver};
use tokio::io::{AsyncRead, AsyncWrite};

use super::conn::{Conn, Stalled};
use super::reply::{self, Reply};
use super::session::{Envelope, Session};

impl Session<'_> {
    /// Reads the message of `envelope` and hands it on; the reply to it.
    pub(super) async fn data<S: AsyncRead + AsyncWrite + Unpin>(
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
        loop {
            let mut bytes = conn.inbuf.iter();
            let done = match discard.as_mut() {
                Some(discard) => discard.ingest(&mut bytes),
                None => receiver.ingest(&mut bytes, &mut message),
            };
            let used = conn.inbuf.len() - bytes.len();
            conn.inbuf.drain(..used);
            if discard.is_none() && message.len() > limit {
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
        if discard.is_some() {
            return Ok(reply::TOO_BIG);
        }
        Ok(self.accept(&envelope, &message).await)
    }
}
