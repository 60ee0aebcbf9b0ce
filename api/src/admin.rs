//! The admin API's types: a message's status (the shape of the modelled
//! product's `Get-OMEMessageStatus`, printed by `sealmail status --json`) and
//! the message trace here; the encryption report, the access audit and the
//! branding templates and the mail-flow rules in submodules, re-exported
//! here (`sealmail_api::admin::X`).

mod audit;
mod branding;
mod mail_flow;
mod report;

pub use audit::*;
pub use branding::*;
pub use mail_flow::*;
pub use report::*;

use serde::{Deserialize, Serialize};

pub use crate::common::{Delivery, MessageState, RecipientKind, RecipientState, RecipientStatus};
use crate::common::{Mailbox, Timestamp};

/// A message's status (`sealmail status --message-id ID --json`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MessageStatus {
    /// The RFC 5322 Message-ID (`"<...@...>"`).
    pub message_id: String,
    /// The subject line (kept after a revoke, like the rest of the metadata).
    pub subject: String,
    /// The sender.
    pub sender: Mailbox,
    /// When it was sent.
    pub sent_at: Timestamp,
    /// When it expires (or expired), if it does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<Timestamp>,
    /// Active, revoked or expired.
    pub state: MessageState,
    /// Whether it can still be revoked (it is active).
    pub is_revocable: bool,
    /// Whether it was revoked.
    pub revoked: bool,
    /// Every recipient, To first, in the order the sender gave them.
    pub recipients: Vec<RecipientStatus>,
}

/// `GET /api/v1/admin/trace`: message trace — find messages by sender,
/// recipient, subject and date range. Every filter is optional; text filters
/// match case-insensitively anywhere in the field.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct TraceQuery {
    /// The sender's address contains this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender: Option<String>,
    /// A recipient's address contains this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient: Option<String>,
    /// The subject contains this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Sent at or after this time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<Timestamp>,
    /// Sent before this time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<Timestamp>,
    /// Where to continue: the `next_cursor` of the previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// At most this many messages (default 50, at most 200).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

impl TraceQuery {
    /// The query string (`"?sender=…"`, or `""`), percent-encoded.
    pub fn to_query_string(&self) -> String {
        crate::query::query_string(&[
            ("sender", self.sender.clone()),
            ("recipient", self.recipient.clone()),
            ("subject", self.subject.clone()),
            ("from", self.from.as_ref().map(|t| t.0.clone())),
            ("until", self.until.as_ref().map(|t| t.0.clone())),
            ("cursor", self.cursor.clone()),
            ("limit", self.limit.map(|l| l.to_string())),
        ])
    }
}

/// One page of a message trace, newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TracePage {
    /// The matching messages, each as its full status.
    pub messages: Vec<MessageStatus>,
    /// Pass this as `cursor` for the next page; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// `POST /api/v1/admin/messages/{message_id}/revoke`: like
/// `sealmail revoke --message-id ID [--recipient ADDR]`. The answer is the
/// message's [`MessageStatus`] after the revoke. (The body is
/// [`crate::sender::RevokeRequest`], or empty for the whole message.)
pub type AdminRevokeRequest = crate::sender::RevokeRequest;
