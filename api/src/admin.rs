//! What administrators see of a message: the shape of the modelled product's
//! `Get-OMEMessageStatus`, printed by `sealmail status --json`.

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
    /// The notification went out; the recipient has not opened the message
    /// (opening the link alone does not count: mail scanners pre-open links).
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
