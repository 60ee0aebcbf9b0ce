//! Outgoing mail: notifications and passcodes. Every mail is queued in the
//! database ([`queue`]) and sent by the delivery worker ([`delivery`])
//! through an `Arc<dyn Mailer>`: SMTP when configured, else `.eml` files in
//! the local outbox; tests use [`RecordingMailer`].

pub mod bounce;
pub mod delivery;
mod outbox;
pub mod queue;
mod smtp;
pub mod templates;

pub use outbox::{OutboxMailer, list_outbox};
pub use smtp::SmtpMailer;

use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;

use lettre::address::Envelope;
use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Body, Mailbox as LettreMailbox};
use sealmail_api::Mailbox;

/// A mail could not be built or delivered.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct MailError(pub String);

/// A mail to send. Its text can hold a link token or a passcode, so `Debug`
/// leaves it out.
#[derive(Clone)]
pub struct OutgoingMail {
    /// The one recipient.
    pub to: Mailbox,
    /// The subject line.
    pub subject: String,
    /// The plain-text body.
    pub text: String,
}

impl std::fmt::Debug for OutgoingMail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutgoingMail")
            .field("text", &"***")
            .finish_non_exhaustive()
    }
}

/// Why a relay did not take a mail.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// It may pass: the relay is down or busy (4xx), the connection broke,
    /// a timeout. The mail is tried again later.
    #[error("{0}")]
    Transient(String),
    /// The relay refused this mail for good (5xx): it bounces.
    #[error("{0}")]
    Permanent(String),
}

/// The future a [`Mailer`] returns.
pub type MailFuture<'a> = Pin<Box<dyn Future<Output = Result<(), SendError>> + Send + 'a>>;

/// Something that delivers prepared mail: the delivery worker's transport.
pub trait Mailer: Send + Sync {
    /// Hands one mail, its envelope and its RFC 5322 bytes, to the relay.
    fn send<'a>(&'a self, envelope: &'a Envelope, message: &'a [u8]) -> MailFuture<'a>;
}

/// Builds the RFC 5322 message for `mail` from `from`.
pub fn build_message(
    from: &LettreMailbox,
    mail: &OutgoingMail,
) -> Result<lettre::Message, MailError> {
    let address = mail
        .to
        .address
        .parse()
        .map_err(|e| MailError(format!("bad recipient address: {e}")))?;
    let to = LettreMailbox::new(mail.to.name.clone(), address);
    // 8bit keeps links and passcodes readable in the .eml file (no
    // quoted-printable soft breaks); fall back to lettre's choice for long lines.
    let body = Body::new_with_encoding(mail.text.clone(), ContentTransferEncoding::EightBit)
        .unwrap_or_else(|_| Body::new(mail.text.clone()));
    lettre::Message::builder()
        .from(from.clone())
        .to(to)
        .subject(mail.subject.clone())
        .message_id(None)
        .header(ContentType::TEXT_PLAIN)
        .body(body)
        .map_err(|e| MailError(format!("building the mail: {e}")))
}

/// Parses the configured sender of Sealmail's own mail.
pub fn parse_from(text: &str) -> Result<LettreMailbox, MailError> {
    text.parse()
        .map_err(|e| MailError(format!("--mail-from `{text}` is not a mail address: {e}")))
}

/// Keeps every mail in memory instead of sending it (for tests), read back
/// into its recipient, subject and text.
#[derive(Default)]
pub struct RecordingMailer {
    sent: Mutex<Vec<OutgoingMail>>,
}

impl RecordingMailer {
    /// Every mail "sent" so far, oldest first.
    pub fn sent(&self) -> Vec<OutgoingMail> {
        self.sent.lock().expect("mailer lock").clone()
    }

    /// The newest mail to `address`, if any.
    pub fn last_to(&self, address: &str) -> Option<OutgoingMail> {
        self.sent()
            .into_iter()
            .rev()
            .find(|m| m.to.address.eq_ignore_ascii_case(address))
    }
}

impl Mailer for RecordingMailer {
    fn send<'a>(&'a self, envelope: &'a Envelope, message: &'a [u8]) -> MailFuture<'a> {
        let parsed = mail_parser::MessageParser::default().parse(message);
        let to = envelope.to().first().map(ToString::to_string);
        let result = match (parsed, to) {
            (Some(parsed), Some(address)) => {
                let name = parsed
                    .to()
                    .and_then(|to| to.first())
                    .and_then(|a| a.name())
                    .map(str::to_owned);
                let mail = OutgoingMail {
                    to: Mailbox { name, address },
                    subject: parsed.subject().unwrap_or_default().to_owned(),
                    text: parsed
                        .body_text(0)
                        .unwrap_or_default()
                        .replace("\r\n", "\n"),
                };
                self.sent.lock().expect("mailer lock").push(mail);
                Ok(())
            }
            _ => Err(SendError::Permanent(
                "not a mail with a recipient".to_owned(),
            )),
        };
        Box::pin(async { result })
    }
}
