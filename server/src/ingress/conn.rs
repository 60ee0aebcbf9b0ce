//! One connection's bytes: what came in and is not yet parsed, what goes
//! out and is not yet written. Replies to pipelined commands (RFC 2920) are
//! gathered and written when the client's input runs dry.

use std::time::Duration;

use smtp_proto::request::receiver::LineReceiver;
use tokio::io::{AsyncRead, AsyncReadExt as _, AsyncWrite, AsyncWriteExt as _};
use tokio::sync::watch;

use super::reply::Reply;

/// Bytes read at once.
const READ_SIZE: usize = 64 * 1024;

/// Why no more bytes came.
pub enum Stalled {
    /// The client closed the connection (or it broke).
    Closed,
    /// Nothing came within the timeout.
    TimedOut,
    /// The server is stopping.
    Stopping,
}

/// A connection being spoken to.
pub struct Conn<'s, S> {
    io: &'s mut S,
    /// Received, not yet parsed.
    pub inbuf: Vec<u8>,
    /// Replies not yet written.
    out: Vec<u8>,
    stop: watch::Receiver<bool>,
}

impl<'s, S: AsyncRead + AsyncWrite + Unpin> Conn<'s, S> {
    pub fn new(io: &'s mut S, stop: watch::Receiver<bool>) -> Self {
        Conn {
            io,
            inbuf: Vec::new(),
            out: Vec::new(),
            stop,
        }
    }

    /// Queues a reply.
    pub fn reply(&mut self, reply: &Reply) {
        reply.write(&mut self.out);
    }

    /// Queues raw reply bytes (a greeting, a challenge).
    pub fn reply_raw(&mut self, bytes: &[u8]) {
        self.out.extend_from_slice(bytes);
    }

    /// Writes what is queued.
    pub async fn flush(&mut self) -> std::io::Result<()> {
        if !self.out.is_empty() {
            self.io.write_all(&self.out).await?;
            self.io.flush().await?;
            self.out.clear();
        }
        Ok(())
    }

    /// Flushes, then waits up to `timeout` for more bytes. While waiting for
    /// a command (`between_commands`), a stop of the server ends the wait.
    pub async fn fill(&mut self, timeout: Duration, between_commands: bool) -> Result<(), Stalled> {
        self.flush().await.map_err(|_| Stalled::Closed)?;
        self.inbuf.reserve(READ_SIZE);
        let mut stop = self.stop.clone();
        let stopping = async move {
            if between_commands {
                let _ = stop.wait_for(|s| *s).await;
            } else {
                std::future::pending::<()>().await;
            }
        };
        tokio::select! {
            read = tokio::time::timeout(timeout, self.io.read_buf(&mut self.inbuf)) => match read {
                Ok(Ok(0)) | Ok(Err(_)) => Err(Stalled::Closed),
                Ok(Ok(_)) => Ok(()),
                Err(_) => Err(Stalled::TimedOut),
            },
            () = stopping => Err(Stalled::Stopping),
        }
    }

    /// One line (an AUTH response), without its line break.
    pub async fn line(&mut self, timeout: Duration) -> Result<Vec<u8>, Stalled> {
        let mut line = LineReceiver::new(());
        loop {
            let mut bytes = self.inbuf.iter();
            let done = line.ingest(&mut bytes);
            let used = self.inbuf.len() - bytes.len();
            self.inbuf.drain(..used);
            if done {
                return Ok(line.buf);
            }
            self.fill(timeout, false).await?;
        }
    }
}
