//! Outgoing mail: notifications and passcodes. Every mail is built (and
//! DKIM signed) by [`build_message`], queued in the database ([`queue`]) and
//! sent by the delivery worker ([`delivery`]) through an `Arc<dyn Mailer>`:
//! SMTP when configured, else `.eml` files in the local outbox; tests use
//! [`RecordingMailer`].

pub mod bounce;
pub mod brand;
pub mod delivery;
pub mod dkim;
pub mod i18n;
mod logo_gap;
mod outbox;
pub mod plain_reply;
pub mod queue;
mod smtp;
pub mod templates;

pub use brand::Brand;
pub use outbox::{OutboxMailer, list_outbox};
pub use smtp::SmtpMailer;

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use lettre::address::Envelope;
use lettre::message::header::{ContentTransferEncoding, ContentType, HeaderName, HeaderValue};
use lettre::message::{Attachment, Body, Mailbox as LettreMailbox, MultiPart, SinglePart};
use sealmail_api::{Language, Mailbox};

/// A mail could not be built or delivered.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct MailError(pub String);

/// A mail to send. Its text and HTML can hold a link token or a passcode,
/// so `Debug` leaves them out.
#[derive(Clone)]
pub struct OutgoingMail {
    /// The one recipient.
    pub to: Mailbox,
    /// The subject line.
    pub subject: String,
    /// The plain-text body (the whole mail, if there is no HTML).
    pub text: String,
    /// The same content as HTML: the mail is then multipart/alternative.
    pub html: Option<String>,
    /// An image the HTML shows as `cid:` (the branding template's logo).
    pub logo: Option<InlineImage>,
    /// The language it is written in (`Content-Language`).
    pub language: Language,
}

impl std::fmt::Debug for OutgoingMail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutgoingMail")
            .field("language", &self.language)
            .field("text", &"***")
            .field("html", &self.html.as_ref().map(|_| "***"))
            .finish_non_exhaustive()
    }
}

/// An image sent inside the mail (RFC 2392 `cid:`), never fetched from a
/// server: a mail that loads nothing remote cannot tell anyone it was opened.
#[derive(Clone)]
pub struct InlineImage {
    /// The `Content-ID`, without angle brackets.
    pub content_id: String,
    /// Its MIME type (`image/png`).
    pub content_type: String,
    /// The image, shared: every recipient's mail of a message carries the
    /// same logo, and a clone per recipient must not copy it.
    pub bytes: Arc<[u8]>,
}

impl std::fmt::Debug for InlineImage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InlineImage")
            .field("content_type", &self.content_type)
            .field("len", &self.bytes.len())
            .finish()
    }
}

/// Who Sealmail's own mail is from, and the key it is signed with.
#[derive(Clone, Debug)]
pub struct MailSender {
    /// The `From` of every mail (`--mail-from`).
    pub from: LettreMailbox,
    /// The DKIM signer (`--dkim-key`), if configured.
    pub dkim: Option<Arc<dkim::DkimSigner>>,
}

impl MailSender {
    /// Mail from `from`, unsigned.
    pub fn unsigned(from: LettreMailbox) -> Self {
        MailSender { from, dkim: None }
    }

    /// `--mail-from`, signed with `--dkim-key` when it is set.
    pub fn from_config(config: &crate::config::Config) -> Result<Self, MailError> {
        let from = parse_from(&config.mail_from)?;
        let dkim = match (&config.dkim_key, &config.dkim_selector) {
            (None, None) => None,
            (Some(_), None) | (None, Some(_)) => {
                return Err(MailError(
                    "--dkim-key and --dkim-selector go together: set both, or neither".into(),
                ));
            }
            (Some(key), Some(selector)) => {
                let domain = match &config.dkim_domain {
                    Some(domain) => domain.clone(),
                    None => from.email.domain().to_owned(),
                };
                let signer = dkim::DkimSigner::load(key, selector, &domain)?;
                tracing::info!(selector, domain, "signing mail with DKIM");
                Some(Arc::new(signer))
            }
        };
        Ok(MailSender { from, dkim })
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

/// Builds the RFC 5322 message for `mail` from `sender` (unsigned: the
/// delivery worker signs what it sends): text/plain alone, or multipart/alternative of the
/// text and the HTML (multipart/related with the logo, when there is one).
pub fn build_message(
    sender: &MailSender,
    mail: &OutgoingMail,
) -> Result<lettre::Message, MailError> {
    let address = mail
        .to
        .address
        .parse()
        .map_err(|e| MailError(format!("bad recipient address: {e}")))?;
    let to = LettreMailbox::new(mail.to.name.clone(), address);
    let builder = lettre::Message::builder()
        .from(sender.from.clone())
        .to(to)
        .subject(mail.subject.clone())
        .message_id(None)
        .header(ContentLanguage(mail.language));
    let built = match &mail.html {
        None => builder.singlepart(text_part(&mail.text)),
        Some(html) => {
            let html_part = SinglePart::html(html.clone());
            // Simplest first: clients show the last part they can.
            let alternative = MultiPart::alternative().singlepart(text_part(&mail.text));
            let alternative = match &mail.logo {
                Some(logo) => {
                    let content_type = ContentType::parse(&logo.content_type)
                        .map_err(|e| MailError(format!("the logo's type: {e}")))?;
                    alternative.multipart(
                        MultiPart::related().singlepart(html_part).singlepart(
                            Attachment::new_inline(logo.content_id.clone())
                                .body(logo.bytes.to_vec(), content_type),
                        ),
                    )
                }
                None => alternative.singlepart(html_part),
            };
            builder.multipart(alternative)
        }
    };
    built.map_err(|e| MailError(format!("building the mail: {e}")))
}

/// The text part. 8bit keeps links and passcodes readable in the .eml file;
/// when a line is too long for 8bit (a long public URL), base64, never
/// quoted-printable, whose soft line breaks can land inside a link.
fn text_part(text: &str) -> SinglePart {
    let body = Body::new_with_encoding(text.to_owned(), ContentTransferEncoding::EightBit)
        .unwrap_or_else(|_| {
            Body::new_with_encoding(text.to_owned(), ContentTransferEncoding::Base64)
                .expect("base64 can carry any text")
        });
    SinglePart::builder()
        .header(ContentType::TEXT_PLAIN)
        .body(body)
}

/// `Content-Language` (RFC 3282): the language the mail is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct ContentLanguage(Language);

impl lettre::message::header::Header for ContentLanguage {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Content-Language")
    }

    fn parse(text: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Language::from_tag(text)
            .map(ContentLanguage)
            .ok_or_else(|| format!("unknown language {text}").into())
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.code().to_owned())
    }
}

/// Parses the configured sender of Sealmail's own mail.
pub fn parse_from(text: &str) -> Result<LettreMailbox, MailError> {
    text.parse()
        .map_err(|e| MailError(format!("--mail-from `{text}` is not a mail address: {e}")))
}

/// Keeps every mail in memory instead of sending it (for tests), read back
/// from the bytes the queue prepared: recipient, subject, text, HTML, the
/// inline logo and the language.
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
        // One record per envelope recipient (a relayed mail may have several).
        let result = match read_back(message) {
            Some(mail) if !envelope.to().is_empty() => {
                let mut sent = self.sent.lock().expect("mailer lock");
                for address in envelope.to() {
                    let mut copy = mail.clone();
                    copy.to.address = address.to_string();
                    sent.push(copy);
                }
                Ok(())
            }
            _ => Err(SendError::Permanent(
                "not a mail with a recipient".to_owned(),
            )),
        };
        Box::pin(async { result })
    }
}

/// A prepared mail's parts, as a client would show them.
fn read_back(message: &[u8]) -> Option<OutgoingMail> {
    use mail_parser::MimeHeaders as _;
    let parsed = mail_parser::MessageParser::default().parse(message)?;
    let name = parsed
        .to()
        .and_then(|to| to.first())
        .and_then(|a| a.name())
        .map(str::to_owned);
    let language = parsed
        .header("Content-Language")
        .and_then(|h| h.as_text())
        .and_then(Language::from_tag)
        .unwrap_or(Language::En);
    let logo = parsed.attachments().find_map(|part| {
        let content_id = part.content_id()?.to_owned();
        let content_type = part.content_type()?;
        let content_type = match content_type.subtype() {
            Some(sub) => format!("{}/{sub}", content_type.ctype()),
            None => content_type.ctype().to_owned(),
        };
        Some(InlineImage {
            content_id,
            content_type,
            bytes: Arc::from(part.contents()),
        })
    });
    Some(OutgoingMail {
        to: Mailbox {
            name,
            address: String::new(),
        },
        subject: parsed.subject().unwrap_or_default().to_owned(),
        text: parsed
            .body_text(0)
            .unwrap_or_default()
            .replace("\r\n", "\n"),
        html: parsed.body_html(0).map(|h| h.into_owned()),
        logo,
        language,
    })
}
