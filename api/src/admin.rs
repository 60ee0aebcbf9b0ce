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

/// `GET /api/v1/admin/report`: the period of the encryption report.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportQuery {
    /// Start of the period (default: 7 days before `until`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<Timestamp>,
    /// End of the period, exclusive (default: now).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<Timestamp>,
}

impl ReportQuery {
    /// The query string (`"?from=…&until=…"`, or `""`), percent-encoded.
    pub fn to_query_string(&self) -> String {
        crate::routes::query_string(&[
            ("from", self.from.as_ref().map(|t| t.0.clone())),
            ("until", self.until.as_ref().map(|t| t.0.clone())),
        ])
    }
}

/// The encryption report over a period.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// Start of the period.
    pub from: Timestamp,
    /// End of the period (exclusive).
    pub until: Timestamp,
    /// The whole period.
    pub totals: ReportCounts,
    /// Per UTC day, oldest first, every day of the period (zeros included).
    pub per_day: Vec<ReportDay>,
    /// The recipient domains that received the most messages in the period,
    /// most first (at most 10).
    pub top_recipient_domains: Vec<DomainCount>,
}

/// What happened in a period. Each event counts on the day it happened:
/// a message sent on Monday and revoked on Tuesday counts as sent on Monday
/// and revoked on Tuesday.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportCounts {
    /// Messages sent (replies from recipients not counted).
    pub sent: u64,
    /// Messages opened for the first time (by any recipient).
    pub opened: u64,
    /// Messages revoked (whole messages; one recipient's revoke does not count).
    pub revoked: u64,
    /// Messages that expired.
    pub expired: u64,
}

/// One day of the report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportDay {
    /// The UTC date, `"2026-11-23"`.
    pub date: String,
    /// What happened that day.
    #[serde(flatten)]
    pub counts: ReportCounts,
}

/// How many messages went to one recipient domain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainCount {
    /// The domain (`"example.net"`), lower case.
    pub domain: String,
    /// Messages sent in the period with at least one recipient there.
    pub messages: u64,
}

/// What an audit event records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditKind {
    /// A recipient asked for a passcode (outcome `failure`: refused, e.g. rate-limited).
    PasscodeRequested,
    /// A recipient entered a passcode (`success`: a session opened; `failure`: wrong, expired or locked).
    PasscodeEntered,
    /// A recipient opened the message (the decrypted message was sent to them).
    MessageOpened,
    /// A recipient downloaded an attachment.
    AttachmentDownloaded,
    /// A recipient sent a reply.
    ReplySent,
    /// A sender or administrator revoked the message, or one recipient's access.
    Revoked,
    /// A sender or administrator changed the message's expiry.
    ExpiryChanged,
    /// Someone tried to sign in as a sender (`recipient` is empty; `actor` the address tried).
    SignIn,
}

impl AuditKind {
    /// Every kind, in declaration order.
    pub const ALL: [AuditKind; 8] = [
        AuditKind::PasscodeRequested,
        AuditKind::PasscodeEntered,
        AuditKind::MessageOpened,
        AuditKind::AttachmentDownloaded,
        AuditKind::ReplySent,
        AuditKind::Revoked,
        AuditKind::ExpiryChanged,
        AuditKind::SignIn,
    ];

    /// The kind as it appears on the wire and in CSV (`"message_opened"`).
    pub const fn as_str(self) -> &'static str {
        match self {
            AuditKind::PasscodeRequested => "passcode_requested",
            AuditKind::PasscodeEntered => "passcode_entered",
            AuditKind::MessageOpened => "message_opened",
            AuditKind::AttachmentDownloaded => "attachment_downloaded",
            AuditKind::ReplySent => "reply_sent",
            AuditKind::Revoked => "revoked",
            AuditKind::ExpiryChanged => "expiry_changed",
            AuditKind::SignIn => "sign_in",
        }
    }
}

/// Whether the audited action succeeded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditOutcome {
    /// It did.
    Success,
    /// It was refused; `detail` holds the error code.
    Failure,
}

impl AuditOutcome {
    /// The outcome as it appears on the wire and in CSV.
    pub const fn as_str(self) -> &'static str {
        match self {
            AuditOutcome::Success => "success",
            AuditOutcome::Failure => "failure",
        }
    }
}

/// One access-audit event. Never holds a secret: no passcode, link token,
/// password, body or attachment content.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEvent {
    /// The event's sequence number (increasing).
    pub id: u64,
    /// When it happened.
    pub at: Timestamp,
    /// What happened.
    pub kind: AuditKind,
    /// Whether it succeeded.
    pub outcome: AuditOutcome,
    /// The message's RFC 5322 Message-ID, if the event concerns one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    /// The recipient's address, if a recipient acted or was acted on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient: Option<String>,
    /// The signed-in sender or administrator who acted (or the address tried
    /// at sign-in), if not the recipient.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    /// The client's IP address, as the server saw it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_address: Option<String>,
    /// More about it: the error code of a failure, the attachment's name, the new expiry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// `GET /api/v1/admin/audit`: filters of the access audit. Every filter is optional.
/// With `format=csv` the answer is `text/csv` (every matching event, no paging)
/// instead of an [`AuditPage`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditQuery {
    /// At or after this time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<Timestamp>,
    /// Before this time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<Timestamp>,
    /// Only this kind of event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<AuditKind>,
    /// Only this outcome.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<AuditOutcome>,
    /// Only events of this message (its Message-ID, with or without `<>`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    /// Only events whose recipient address contains this (case-insensitive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient: Option<String>,
    /// Where to continue: the `next_cursor` of the previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// At most this many events (default 100, at most 1000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// `"csv"` for a CSV download; JSON otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
}

impl AuditQuery {
    /// The query string (`"?kind=message_opened"`, or `""`), percent-encoded.
    pub fn to_query_string(&self) -> String {
        crate::routes::query_string(&[
            ("since", self.since.as_ref().map(|t| t.0.clone())),
            ("until", self.until.as_ref().map(|t| t.0.clone())),
            ("kind", self.kind.map(|k| k.as_str().to_owned())),
            ("outcome", self.outcome.map(|o| o.as_str().to_owned())),
            ("message_id", self.message_id.clone()),
            ("recipient", self.recipient.clone()),
            ("cursor", self.cursor.clone()),
            ("limit", self.limit.map(|l| l.to_string())),
            ("format", self.format.clone()),
        ])
    }
}

/// One page of the access audit, newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    /// The events on this page.
    pub events: Vec<AuditEvent>,
    /// Pass this as `cursor` for the next page; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// The column names of the audit CSV, in order (the fields of [`AuditEvent`]).
pub const AUDIT_CSV_HEADER: [&str; 9] = [
    "id",
    "at",
    "kind",
    "outcome",
    "message_id",
    "recipient",
    "actor",
    "client_address",
    "detail",
];

/// A branding template: the modelled product's OME configuration. Messages
/// sent with it show its branding on the portal and in the notification mail,
/// and get its expiry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrandingTemplate {
    /// Opaque id (what [`crate::sender::ComposeRequest::branding_template`] names).
    pub id: String,
    /// The template's name, unique (`"Contoso legal"`).
    pub name: String,
    /// Whether messages sent without a template use this one. Exactly one
    /// template is the default while any exist.
    pub is_default: bool,
    /// The template's settings.
    #[serde(flatten)]
    pub fields: BrandingFields,
    /// URL of the uploaded logo image (served by Sealmail), if any; set with
    /// `PUT` [`crate::routes::ADMIN_BRANDING_LOGO`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo_url: Option<String>,
}

/// The editable settings of a branding template (OME configuration fields).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrandingFields {
    /// Background colour of the portal's header and the mail's banner, `#rrggbb`.
    pub background_color: String,
    /// Text above the message's details on the portal and in the mail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub introduction_text: Option<String>,
    /// Text of the "Read the message" button in the notification mail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_button_text: Option<String>,
    /// Extra text of the notification mail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_text: Option<String>,
    /// Disclaimer at the foot of the portal and the mail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disclaimer_text: Option<String>,
    /// Text shown on the portal's pages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub portal_text: Option<String>,
    /// Link to the privacy statement (`https://…`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub privacy_statement_url: Option<String>,
    /// Whether recipients sign in with a one-time passcode (OME's OTP
    /// enabled). Passcodes are Sealmail's only recipient sign-in, so a
    /// template with `false` is refused (`invalid_request`) for now.
    pub passcode_enabled: bool,
    /// Messages sent with this template expire this many days after sending,
    /// unless the sender chose an expiry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiry_days: Option<u32>,
}

/// `POST /api/v1/admin/branding` (create) and `PUT /api/v1/admin/branding/{id}`
/// (replace): a template's name, whether it is the default, and its settings.
/// Making a template the default makes the previous default an ordinary one;
/// the default cannot be un-made except by making another the default.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrandingTemplateInput {
    /// The template's name, unique.
    pub name: String,
    /// Make this the default template.
    #[serde(default)]
    pub is_default: bool,
    /// The settings.
    #[serde(flatten)]
    pub fields: BrandingFields,
}
