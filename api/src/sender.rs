//! The sender's API: sign in, compose, the Sent list, revoke ("Remove external
//! access"), change an expiry.

use serde::{Deserialize, Serialize};

use crate::common::{Language, Mailbox, MessageState, Protection, RecipientStatus, Timestamp};
use crate::recipient::Body;

/// `POST /api/v1/session`: a sender signs in.
///
/// A wrong address and a wrong password get the same answer
/// (`credentials_wrong`), so the form does not reveal who has an account.
/// `Debug` never prints the password.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignIn {
    /// The account's address.
    pub email: String,
    /// The password.
    pub password: String,
}

impl std::fmt::Debug for SignIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignIn")
            .field("email", &self.email)
            .field("password", &"***")
            .finish()
    }
}

/// `GET /api/v1/me`, and the answer to a successful sign-in: who is signed in.
/// The session itself travels in an HttpOnly cookie the portal cannot read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Me {
    /// The account's display name, if it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The account's address.
    pub address: String,
    /// Whether the account may use the admin API.
    pub is_admin: bool,
    /// The most a new message may hold, in bytes (its JSON and every file
    /// together): the server stops reading a bigger upload and answers
    /// `payload_too_large`, which a browser may see only as a broken
    /// connection, so the portal checks first. Absent from older servers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_message_bytes: Option<u64>,
    /// Whether this account's new messages ask for read receipts unless the
    /// sender says otherwise (`sealmail user add --read-receipts`); compose
    /// starts from it. `false` when absent (older servers).
    #[serde(default)]
    pub read_receipts: bool,
}

/// `POST /api/v1/messages`: a new message.
///
/// Sent as `multipart/form-data`: this JSON in a part named
/// [`crate::routes::COMPOSE_PART`] (it must come first), then one part per
/// attached file (any part name; the part's file name and content type are kept).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ComposeRequest {
    /// To recipients (at least one).
    pub to: Vec<Mailbox>,
    /// Cc recipients.
    #[serde(default)]
    pub cc: Vec<Mailbox>,
    /// The subject line.
    pub subject: String,
    /// The body: text, HTML (sanitised whenever it is shown), or both.
    pub body: Body,
    /// Encrypt-only or Do-not-forward.
    pub protection: Protection,
    /// When the message expires: as its branding template says (the
    /// default, also when absent), never, or at a time.
    #[serde(default)]
    pub expiry: Expiry,
    /// The id of the branding template to use ([`crate::admin::BrandingTemplate::id`]);
    /// if absent, the default template (or the server's own branding).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branding_template: Option<String>,
    /// The language of the recipients' notification and passcode mail; if
    /// absent, the branding template's, else the server's default
    /// (`sealmail serve --default-language`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<Language>,
    /// Mail the sender "… opened …" when each recipient first opens it; if
    /// absent, the sender's own default (off unless set for their account).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_receipt: Option<bool>,
}

/// When a new message expires. On the wire: `"template_default"`,
/// `"never"`, or `{"at": "2026-12-01T12:00:00Z"}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Expiry {
    /// As the branding template says (its `expiry_days` after sending);
    /// never if it says nothing, or there is no template.
    #[default]
    TemplateDefault,
    /// Never, even if the template sets an expiry.
    Never,
    /// At this time, which must be in the future (`invalid_request` otherwise).
    At(Timestamp),
}

/// The answer to a successful compose: the message is stored and the
/// notifications are sent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Composed {
    /// The message's id, for [`crate::routes::message`] and
    /// [`crate::routes::message_revoke`].
    pub id: String,
    /// The RFC 5322 Message-ID (`"<...@...>"`), for the admin API and `sealmail status`.
    pub message_id: String,
}

/// `GET /api/v1/sent`: query parameters of the Sent list.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct SentQuery {
    /// Only messages whose subject or a recipient's address or name contains
    /// this text (case-insensitive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub q: Option<String>,
    /// Where to continue: the `next_cursor` of the previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// At most this many messages (default 50, at most 200).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

impl SentQuery {
    /// The query string (`"?q=…&cursor=…"`, or `""`), percent-encoded.
    pub fn to_query_string(&self) -> String {
        crate::query::query_string(&[
            ("q", self.q.clone()),
            ("cursor", self.cursor.clone()),
            ("limit", self.limit.map(|l| l.to_string())),
        ])
    }
}

/// One page of the Sent list, newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SentPage {
    /// The messages on this page.
    pub messages: Vec<SentMessage>,
    /// Pass this as `cursor` for the next page; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// One message of the Sent list (also the answer to a revoke or an expiry change).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SentMessage {
    /// The message's id (for the revoke and expiry routes).
    pub id: String,
    /// The RFC 5322 Message-ID.
    pub message_id: String,
    /// The subject line.
    pub subject: String,
    /// When it was sent.
    pub sent_at: Timestamp,
    /// The protection.
    pub protection: Protection,
    /// When it expires (or expired), if it does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<Timestamp>,
    /// Active, revoked or expired.
    pub state: MessageState,
    /// Whether "Remove external access" still applies (the message is active).
    pub is_revocable: bool,
    /// Every recipient and their state (sent, opened with when, revoked, expired).
    pub recipients: Vec<RecipientStatus>,
    /// Encrypted replies to this message, oldest first.
    #[serde(default)]
    pub replies: Vec<ReplySummary>,
}

/// A reply to a sent message. Its content reaches the sender as an encrypted
/// message of its own (a notification with a link); this is its metadata.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReplySummary {
    /// The reply's RFC 5322 Message-ID.
    pub message_id: String,
    /// Who replied.
    pub from: Mailbox,
    /// When.
    pub sent_at: Timestamp,
    /// The reply's subject (`"Re: …"`).
    pub subject: String,
}

/// `POST /api/v1/messages/{id}/revoke` ("Remove external access").
///
/// An empty body (or `{}`) revokes the whole message: its key and content are
/// destroyed. With `recipient`, only that recipient loses access; the others
/// keep reading. Revoking what is already revoked answers `already_revoked`
/// and changes nothing.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RevokeRequest {
    /// Revoke only this recipient's access (their address).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient: Option<String>,
}

/// `POST /api/v1/messages/{id}/resend` (and the admin's by Message-ID):
/// mail one recipient a new link to an active message. Their old link stops
/// working at once; the answer is the message's status after it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResendRequest {
    /// The recipient's address.
    pub recipient: String,
}

/// `PATCH /api/v1/messages/{id}`: change the expiry of an active message.
/// The answer is the updated [`SentMessage`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExpiryChange {
    /// The new expiry (in the future); `null` for none.
    pub expires_at: Option<Timestamp>,
}
