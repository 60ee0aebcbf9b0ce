//! One connection's bytes: what came in and is not yet parsed, what goes
//! out and is not yet written. Replies to pipelined commands (RFC 2920) are
//! gathered and written when the client's input runs dry.
//!
//! While a message comes in, what was received is acknowledged at once: a
//! client with Nagle's algorithm on (lettre's, many MTAs') writes the final
//! `.` only once the mail's last bytes are acknowledged, and Linux, seeing an
//! interactive connection, delays that ACK by 40 ms. That wait was most of
//! the time a 50 KB mail took to arrive over loopback (42 ms of ~47 ms).

use std::time::Duration;

use smtp_proto::request::receiver::LineReceiver;
use tokio::io::{AsyncRead, AsyncReadExt as _, AsyncWrite, AsyncWriteExt as _};
use tokio::net::TcpStream;
use tokio::sync::watch;

use super::reply::Reply;

/// Bytes read at once.
const READ_SIZE: usize = 64 * 1024;

/// What a session is spoken over: a TCP socket, or TLS on one.
pub trait Stream: AsyncRead + AsyncWrite + Unpin {
    /// Acknowledges what the socket has received now, not when the
    /// delayed-ACK timer runs out.
    fn ack_now(&self);
}

impl Stream for TcpStream {
    fn ack_now(&self) {
        // Linux's TCP_QUICKACK sends an ACK that is due at once; it does not
        // last (the kernel may go back to delaying), hence once per wait.
        #[cfg(any(target_os = "linux", target_os = "android"))]
        let _ = self.set_quickack(true);
    }
}

impl Stream for tokio_rustls::server::TlsStream<TcpStream> {
    fn ack_now(&self) {
        self.get_ref().0.ack_now();
    }
}

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

impl<'s, S: Stream> Conn<'s, S> {
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
    /// a command (`between_commands`), a stop of the server ends the wait;
    /// otherwise (inside a message, where no reply carries the ACK) what
    /// came so far is acknowledged first.
    pub async fn fill(&mut self, timeout: Duration, between_commands: bool) -> Result<(), Stalled> {
        self.flush().await.map_err(|_| Stalled::Closed)?;
        if !between_commands {
            self.io.ack_now();
        }
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
