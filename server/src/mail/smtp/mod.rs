//! Delivery through an SMTP relay: each mail in flight holds one connection
//! of a small pool and hands it back when done, so the delivery worker's
//! concurrent sends each reuse their own (one connection per worker slot).

mod relay;

use std::sync::Mutex;
use std::time::{Duration, Instant};

use lettre::address::Envelope;
use lettre::transport::smtp::client::AsyncSmtpConnection;
use lettre::transport::smtp::commands::{Data, Mail, Rcpt};
use lettre::transport::smtp::extension::{Extension, MailBodyParameter, MailParameter};

use super::{MailError, MailFuture, Mailer, SendError};
use relay::Relay;

/// A connection idle for less than this is used as it is: the relay very
/// likely still holds it open, and a NOOP before every mail (what lettre's
/// pool does) would add a round trip to each. Older ones are checked first.
const TRUSTED_IDLE: Duration = Duration::from_secs(5);

/// A connection idle for longer than this is closed, not checked: relays
/// drop idle clients after a minute or a few (RFC 5321 §4.5.3.2.7: 5 min).
const MAX_IDLE: Duration = Duration::from_secs(60);

/// Sends mail through an SMTP relay given as a URL.
pub struct SmtpMailer {
    relay: Relay,
    /// Connections between two mails, the most recently used last.
    idle: Mutex<Vec<(AsyncSmtpConnection, Instant)>>,
    connections: usize,
    timeout: Duration,
}

impl SmtpMailer {
    /// A mailer for `smtp://host:port[?tls=required|opportunistic]` or
    /// `smtps://user:pass@host`; `connections` at most kept open, one mail's
    /// whole SMTP exchange taking at most `timeout`.
    pub fn new(url: &str, connections: u32, timeout: Duration) -> Result<Self, MailError> {
        Ok(SmtpMailer {
            relay: Relay::parse(url)?,
            idle: Mutex::new(Vec::new()),
            connections: usize::try_from(connections.max(1)).unwrap_or(usize::MAX),
            timeout,
        })
    }

    async fn deliver(&self, envelope: &Envelope, message: &[u8]) -> Result<(), SendError> {
        if let Some(mut conn) = self.reuse().await {
            match transaction(&mut conn, envelope, message).await {
                Ok(()) => {
                    self.park(conn).await;
                    return Ok(());
                }
                // A relay that closed an idle connection fails it at MAIL
                // FROM, before any of the mail went out: a new one tries.
                Err(Failed::AtMailFrom(_)) => conn.abort().await,
                Err(Failed::Later(e)) => {
                    conn.abort().await;
                    return Err(e);
                }
            }
        }
        let mut conn = self.relay.connect(self.timeout).await?;
        match transaction(&mut conn, envelope, message).await {
            Ok(()) => {
                self.park(conn).await;
                Ok(())
            }
            Err(Failed::AtMailFrom(e) | Failed::Later(e)) => {
                conn.abort().await;
                Err(e)
            }
        }
    }

    /// An idle connection that should still work, if there is one.
    async fn reuse(&self) -> Option<AsyncSmtpConnection> {
        loop {
            let (mut conn, since) = self.idle.lock().expect("pool lock").pop()?;
            let idle = since.elapsed();
            if idle < TRUSTED_IDLE || (idle < MAX_IDLE && conn.test_connected().await) {
                return Some(conn);
            }
            conn.abort().await;
        }
    }

    /// Hands a connection that just sent a mail back to the pool (or closes
    /// it when the pool is full).
    async fn park(&self, conn: AsyncSmtpConnection) {
        let extra = {
            let mut idle = self.idle.lock().expect("pool lock");
            if idle.len() < self.connections {
                idle.push((conn, Instant::now()));
                None
            } else {
                Some(conn)
            }
        };
        if let Some(mut conn) = extra {
            conn.abort().await;
        }
    }
}

impl Mailer for SmtpMailer {
    fn send<'a>(&'a self, envelope: &'a Envelope, message: &'a [u8]) -> MailFuture<'a> {
        Box::pin(async move {
            // A relay that stops answering is cut off here; the connection
            // it held is dropped with the future, never handed back.
            match tokio::time::timeout(self.timeout, self.deliver(envelope, message)).await {
                Ok(sent) => sent,
                Err(_) => Err(SendError::Transient(format!(
                    "SMTP delivery failed: the relay did not answer within {}s (timed out)",
                    self.timeout.as_secs()
                ))),
            }
        })
    }
}

/// Where a mail's SMTP transaction failed.
enum Failed {
    /// At its first command: nothing of the mail reached the relay.
    AtMailFrom(SendError),
    /// Further on.
    Later(SendError),
}

/// One mail on an open connection: MAIL FROM, RCPT TO, DATA (what lettre's
/// `send` does, with the failure's place told apart).
async fn transaction(
    conn: &mut AsyncSmtpConnection,
    envelope: &Envelope,
    message: &[u8],
) -> Result<(), Failed> {
    let later = |e| Failed::Later(classify(e));
    let mut options = Vec::new();
    let non_ascii_address = envelope
        .from()
        .into_iter()
        .chain(envelope.to())
        .any(|a: &lettre::Address| !AsRef::<str>::as_ref(a).is_ascii());
    if non_ascii_address {
        if !conn.server_info().supports_feature(Extension::SmtpUtfEight) {
            return Err(Failed::Later(SendError::Transient(
                "SMTP delivery failed: the relay does not take non-ASCII addresses (no SMTPUTF8)"
                    .to_owned(),
            )));
        }
        options.push(MailParameter::SmtpUtfEight);
    }
    if !message.is_ascii() {
        if !conn.server_info().supports_feature(Extension::EightBitMime) {
            return Err(Failed::Later(SendError::Transient(
                "SMTP delivery failed: the relay does not take 8-bit mail (no 8BITMIME)".to_owned(),
            )));
        }
        options.push(MailParameter::Body(MailBodyParameter::EightBitMime));
    }
    conn.command(Mail::new(envelope.from().cloned(), options))
        .await
        .map_err(|e| Failed::AtMailFrom(classify(e)))?;
    for to in envelope.to() {
        conn.command(Rcpt::new(to.clone(), Vec::new()))
            .await
            .map_err(later)?;
    }
    conn.command(Data).await.map_err(later)?;
    conn.message(message).await.map_err(later)?;
    Ok(())
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
