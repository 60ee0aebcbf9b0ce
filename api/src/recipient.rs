//! The recipient's API: open a link, get a passcode, open a session, read, reply.

use serde::{Deserialize, Serialize};

use crate::common::{Branding, Language, Mailbox, Protection, Timestamp};

/// `GET /api/v1/links/{token}`: what the portal shows before the recipient signs in.
///
/// Fetching this does not count as opening the message: mail scanners pre-open links.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LinkInfo {
    /// Who sent the message.
    pub sender: Mailbox,
    /// The address the link was sent to, masked (`"b•••@example.net"`).
    pub recipient_masked: String,
    /// The protection the sender chose.
    pub protection: Protection,
    /// The branding to show.
    pub branding: Branding,
    /// When the message expires, if it does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<Timestamp>,
    /// Whether this browser already holds a valid session for this link.
    pub session_open: bool,
    /// Until when this client is locked out of the link after too many wrong
    /// passcodes; absent when it is not locked (now).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locked_until: Option<Timestamp>,
}

/// `POST /api/v1/links/{token}/passcode`: the optional JSON body. Without a
/// body (or without `language`) the passcode mail is in the message's language.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasscodeRequest {
    /// The language the portal shows, so the mail matches the page that asked for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<Language>,
}

/// The answer to `POST /api/v1/links/{token}/passcode`: the passcode was mailed.
///
/// It always goes to the address bound to the link, never to one the request names.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasscodeSent {
    /// Where it went, masked (`"b•••@example.net"`).
    pub sent_to_masked: String,
    /// How long the passcode stays valid, in seconds.
    pub valid_for_secs: u32,
}

/// `POST /api/v1/links/{token}/session`: the passcode the recipient typed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasscodeSubmit {
    /// The 8 digits from the mail (spaces and dashes are ignored by the server).
    pub passcode: String,
}

/// The answer to a correct passcode; the session itself travels in an
/// HttpOnly cookie the portal cannot read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionOpened {
    /// When the session ends; after that the recipient needs a new passcode.
    pub expires_at: Timestamp,
}

/// `GET /api/v1/links/{token}/message`: the decrypted message, for a recipient with a session.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MessageView {
    /// The RFC 5322 Message-ID (`"<...@...>"`).
    pub message_id: String,
    /// The sender.
    pub from: Mailbox,
    /// The To recipients.
    pub to: Vec<Mailbox>,
    /// The Cc recipients.
    #[serde(default)]
    pub cc: Vec<Mailbox>,
    /// When it was sent.
    pub sent_at: Timestamp,
    /// The subject line.
    pub subject: String,
    /// The body: the text inline; the HTML only as a marker, its document
    /// comes from [`crate::routes::LINK_BODY`].
    pub body: BodyView,
    /// The attachments, in the order the sender added them.
    #[serde(default)]
    pub attachments: Vec<AttachmentInfo>,
    /// The protection in force.
    pub protection: Protection,
    /// When the message expires, if it does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<Timestamp>,
}

/// A message body: plain text, HTML, or both.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Body {
    /// The plain-text body, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// The HTML body, if any, already sanitised by the server: no script, no event
    /// handlers, no `javascript:` URLs, no remote content.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub html: Option<String>,
}

/// A message body as the message view describes it. The HTML is not in the
/// JSON: it is its own document ([`crate::routes::LINK_BODY`]), served with a
/// policy of its own, so it is neither sent twice nor ever put into the
/// portal's page.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BodyView {
    /// The plain-text body, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Whether there is an HTML body (then the portal shows it rather than the text).
    #[serde(default)]
    pub html: bool,
}

/// An attachment's description; the bytes come from `GET .../attachments/{id}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttachmentInfo {
    /// Opaque id, unique within the message.
    pub id: String,
    /// The file name the sender gave it.
    pub name: String,
    /// Its MIME type (`"application/pdf"`).
    pub content_type: String,
    /// Its size in bytes.
    pub size: u64,
}

/// `POST /api/v1/links/{token}/reply`: an encrypted reply to the sender.
///
/// Sent as JSON, or as `multipart/form-data` with this JSON in a part named
/// [`crate::routes::REPLY_PART`] followed by one part per attached file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReplyRequest {
    /// The reply's text.
    pub text: String,
}

/// The reply was stored and the sender notified.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReplySent {
    /// The reply's RFC 5322 Message-ID.
    pub message_id: String,
}
