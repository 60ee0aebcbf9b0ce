//! Delivery through an SMTP relay, over one pool of connections that the
//! delivery worker's concurrent sends share and reuse.

use std::sync::RwLock;
use std::time::Duration;

use lettre::address::Envelope;
use lettre::transport::smtp::{AsyncSmtpTransportBuilder, PoolConfig};
use lettre::{AsyncSmtpTransport, AsyncTransport as _, Tokio1Executor};

use super::{MailError, MailFuture, Mailer, SendError};

type Transport = AsyncSmtpTransport<Tokio1Executor>;

/// Sends mail through an SMTP relay given as a URL.
pub struct SmtpMailer {
    /// Kept to build a fresh pool after a send times out (see `send`).
    builder: AsyncSmtpTransportBuilder,
    transport: RwLock<Transport>,
    timeout: Duration,
}

impl SmtpMailer {
    /// A mailer for `smtp://host:port[?tls=required|opportunistic]` or
    /// `smtps://user:pass@host`; `connections` at most kept open, one mail's
    /// whole SMTP exchange taking at most `timeout`.
    pub fn new(url: &str, connections: u32, timeout: Duration) -> Result<Self, MailError> {
        // The URL can hold a password: the error never repeats it.
        let builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|_| MailError("the SMTP URL is not valid".to_owned()))?
            .timeout(Some(timeout))
            // lettre 0.11.23 leaves Nagle on: the five bytes ending DATA wait
            // for the relay's delayed ACK, ~40 ms a mail on each connection
            // (fixed upstream, lettre PR #1159, not released yet). Until then
            // throughput comes from connections sending side by side.
            .pool_config(PoolConfig::new().max_size(connections.max(1)));
        Ok(SmtpMailer {
            transport: RwLock::new(builder.clone().build()),
            builder,
            timeout,
        })
    }
}

impl Mailer for SmtpMailer {
    fn send<'a>(&'a self, envelope: &'a Envelope, message: &'a [u8]) -> MailFuture<'a> {
        Box::pin(async move {
            let transport = self.transport.read().expect("transport lock").clone();
            // lettre's async transport bounds only the connect with its
            // timeout, so a relay that stops answering is cut off here.
            match tokio::time::timeout(self.timeout, transport.send_raw(envelope, message)).await {
                Ok(sent) => sent.map(|_| ()).map_err(classify),
                Err(_) => {
                    // The connection cut off mid-command goes back to the
                    // pool looking healthy; a new pool leaves it (and the
                    // rest of the stuck relay's) behind.
                    *self.transport.write().expect("transport lock") = self.builder.clone().build();
                    Err(SendError::Transient(format!(
                        "SMTP delivery failed: the relay did not answer within {}s (timed out)",
                        self.timeout.as_secs()
                    )))
                }
            }
        })
    }
}

/// A 5xx answer is final — except those about our own credentials or TLS
/// (530, 534, 535, 538: a configuration to fix, after which the mail should
/// go); everything else (4xx, refused connections, TLS and I/O errors) may
/// pass and is tried again.
fn classify(e: lettre::transport::smtp::Error) -> SendError {
    let text = format!("SMTP delivery failed: {e}");
    let ours = e.status().is_some_and(|code| {
        let code = code.to_string();
        ["530", "534", "535", "538"].contains(&code.as_str())
    });
    if e.is_permanent() && !ours {
        SendError::Permanent(text)
    } else {
        SendError::Transient(text)
    }
}
