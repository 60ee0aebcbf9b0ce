//! Delivery through an SMTP relay, over one pool of connections that the
//! delivery worker's concurrent sends share and reuse.

use std::time::Duration;

use lettre::address::Envelope;
use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncSmtpTransport, AsyncTransport as _, Tokio1Executor};

use super::{MailError, MailFuture, Mailer, SendError};

/// Sends mail through an SMTP relay given as a URL.
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
}

impl SmtpMailer {
    /// A mailer for `smtp://host:port[?tls=required|opportunistic]` or
    /// `smtps://user:pass@host`; `connections` at most open at once, each
    /// command waiting at most `timeout` for the relay.
    pub fn new(url: &str, connections: u32, timeout: Duration) -> Result<Self, MailError> {
        // The URL can hold a password: the error never repeats it.
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|_| MailError("the SMTP URL is not valid".to_owned()))?
            .timeout(Some(timeout))
            .pool_config(PoolConfig::new().max_size(connections.max(1)))
            .build();
        Ok(SmtpMailer { transport })
    }
}

impl Mailer for SmtpMailer {
    fn send<'a>(&'a self, envelope: &'a Envelope, message: &'a [u8]) -> MailFuture<'a> {
        Box::pin(async move {
            self.transport
                .send_raw(envelope, message)
                .await
                .map(|_| ())
                .map_err(classify)
        })
    }
}

/// A 5xx answer is final — except those about our own credentials or TLS
/// (530, 534, 535, 538: a configuration to fix, after which the mail should
/// go); everything else (4xx, refused connections, TLS and I/O errors,
/// timeouts) may pass and is tried again.
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
