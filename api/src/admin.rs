//! The admin API's types: a message's status (the shape of the modelled
//! product's `Get-OMEMessageStatus`, printed by `sealmail status --json`) and
//! the message trace here; the encryption report, the access audit and the
//! branding templates in submodules, re-exported here (`sealmail_api::admin::X`).

mod audit;
mod branding;
mod report;

pub use audit::*;
pub use branding::*;
pub use report::*;

use serde::{Deserialize, Serialize};

use crate::common::{Mailbox, Timestamp};

/// A message's state as a whole.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageState {
    /// Its recipients can read it.
    Active,
    /// Revoked by the sender or an administrator: its key and content are destroyed.
    Revoked,
    /// Past its expiry date: its key and content are destroyed.
    Expired,
}

/// One recipient's state, as the Sent list and `sealmail status` show it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecipientState {
    /// Sent to them, not opened yet (opening the link alone does not count:
    /// mail scanners pre-open links). Whether the relay has taken the
    /// notification mail is [`RecipientStatus::delivery`].
    Sent,
    /// The recipient entered a correct passcode at least once.
    Opened,
    /// The message, or this recipient's access, was revoked.
    Revoked,
    /// The message expired.
    Expired,
}

/// Whether a recipient was in To or Cc.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecipientKind {
    /// A To recipient.
    To,
    /// A Cc recipient.
    Cc,
}

/// One recipient of a message and where they stand.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecipientStatus {
    /// The recipient's address and name.
    pub recipient: Mailbox,
    /// To or Cc.
    pub kind: RecipientKind,
    /// Sent, opened, revoked or expired.
    pub state: RecipientState,
    /// When they first opened it, if they did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opened_at: Option<Timestamp>,
    /// Where the notification mail to them stands (absent for a message sent
    /// before Sealmail had a mail queue).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery: Option<Delivery>,
}

/// Where the notification mail to one recipient stands: every mail goes
/// through Sealmail's queue, which retries it until the relay takes it.
/// On the wire an object whose `state` names the variant:
/// `{"state": "deferred", "last_error": "…", "next_try_at": "…", "attempts": 2}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Delivery {
    /// Waiting for its first try.
    Queued,
    /// The relay accepted it.
    Sent {
        /// When the relay accepted it.
        at: Timestamp,
    },
    /// A try failed for a reason that may pass (relay down or busy, a 4xx
    /// answer, a timeout); it will be tried again.
    Deferred {
        /// Why the last try failed.
        last_error: String,
        /// When it will be tried again.
        next_try_at: Timestamp,
        /// Tries so far.
        attempts: u32,
    },
    /// The relay refused it for good (a 5xx answer), or a bounce came back.
    Bounced {
        /// When it bounced.
        at: Timestamp,
        /// The relay's answer, or the bounce's diagnostic.
        reason: String,
    },
    /// Tried for as long as the server's limit allows, without success.
    GaveUp {
        /// When it was given up.
        at: Timestamp,
        /// Why the last try failed.
        last_error: String,
        /// Tries made.
        attempts: u32,
    },
}

/// A message's status (`sealmail status --message-id ID --json`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
        crate::routes::query_string(&[
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
