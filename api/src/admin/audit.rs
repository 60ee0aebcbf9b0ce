//! The access audit: who accessed or changed which message, when, from
//! where; and what administrators looked up or changed (ASVS 7.2.2).

use serde::{Deserialize, Serialize};

use crate::common::Timestamp;

/// What an audit event records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    /// A sender or administrator sent a recipient a new link (their old one stopped working).
    NotificationResent,
    /// An administrator looked a message's status up by its Message-ID
    /// (`failure`: no such message, `detail` its error code).
    MessageStatusViewed,
    /// An administrator searched the message trace (`detail`: the filters;
    /// a subject searched for is noted, not repeated).
    MessageTraceSearched,
    /// An administrator read the access audit (`detail`: the filters). Each
    /// search counts once, not each page of it.
    AuditViewed,
    /// An administrator exported the access audit as CSV (`detail`: the filters).
    AuditExported,
    /// An administrator created a branding template (`detail`: its id and name).
    BrandingTemplateCreated,
    /// An administrator changed a branding template (`detail`: its id and name).
    BrandingTemplateChanged,
    /// An administrator deleted a branding template (`detail`: its id and name).
    BrandingTemplateDeleted,
    /// An administrator uploaded a branding template's logo (`detail`: the template's id and the image's type and size).
    BrandingLogoUploaded,
    /// An administrator removed a branding template's logo (`detail`: the template's id).
    BrandingLogoRemoved,
    /// An administrator added a mail-flow rule (`detail`: its id, name and place).
    MailFlowRuleAdded,
    /// An administrator changed a mail-flow rule (`detail`: its id and name).
    MailFlowRuleChanged,
    /// An administrator moved a mail-flow rule (`detail`: its id and new place).
    MailFlowRuleMoved,
    /// An administrator removed a mail-flow rule (`detail`: its id and name).
    MailFlowRuleRemoved,
    /// Someone created an API token (`actor`: who, `detail`: the token's id,
    /// name, scopes and expiry; never its secret).
    ApiTokenCreated,
    /// Someone revoked an API token (`detail`: its id and name).
    ApiTokenRevoked,
    /// A request came with an API token (`actor`: the account "via API
    /// token" its id and name; `detail`: the method and route). `failure`:
    /// refused — `detail` the error code and why (malformed, unknown,
    /// expired, revoked, a missing scope, not an administrator), never the
    /// token itself.
    ApiTokenUsed,
}

impl AuditKind {
    /// Every kind, in declaration order.
    pub const ALL: [AuditKind; 25] = [
        AuditKind::PasscodeRequested,
        AuditKind::PasscodeEntered,
        AuditKind::MessageOpened,
        AuditKind::AttachmentDownloaded,
        AuditKind::ReplySent,
        AuditKind::Revoked,
        AuditKind::ExpiryChanged,
        AuditKind::SignIn,
        AuditKind::NotificationResent,
        AuditKind::MessageStatusViewed,
        AuditKind::MessageTraceSearched,
        AuditKind::AuditViewed,
        AuditKind::AuditExported,
        AuditKind::BrandingTemplateCreated,
        AuditKind::BrandingTemplateChanged,
        AuditKind::BrandingTemplateDeleted,
        AuditKind::BrandingLogoUploaded,
        AuditKind::BrandingLogoRemoved,
        AuditKind::MailFlowRuleAdded,
        AuditKind::MailFlowRuleChanged,
        AuditKind::MailFlowRuleMoved,
        AuditKind::MailFlowRuleRemoved,
        AuditKind::ApiTokenCreated,
        AuditKind::ApiTokenRevoked,
        AuditKind::ApiTokenUsed,
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
            AuditKind::NotificationResent => "notification_resent",
            AuditKind::MessageStatusViewed => "message_status_viewed",
            AuditKind::MessageTraceSearched => "message_trace_searched",
            AuditKind::AuditViewed => "audit_viewed",
            AuditKind::AuditExported => "audit_exported",
            AuditKind::BrandingTemplateCreated => "branding_template_created",
            AuditKind::BrandingTemplateChanged => "branding_template_changed",
            AuditKind::BrandingTemplateDeleted => "branding_template_deleted",
            AuditKind::BrandingLogoUploaded => "branding_logo_uploaded",
            AuditKind::BrandingLogoRemoved => "branding_logo_removed",
            AuditKind::MailFlowRuleAdded => "mail_flow_rule_added",
            AuditKind::MailFlowRuleChanged => "mail_flow_rule_changed",
            AuditKind::MailFlowRuleMoved => "mail_flow_rule_moved",
            AuditKind::MailFlowRuleRemoved => "mail_flow_rule_removed",
            AuditKind::ApiTokenCreated => "api_token_created",
            AuditKind::ApiTokenRevoked => "api_token_revoked",
            AuditKind::ApiTokenUsed => "api_token_used",
        }
    }
}

/// Whether the audited action succeeded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    /// More about it: the error code of a failure, the attachment's name, the
    /// new expiry; for an administrator's own action, what it was done to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// `GET /api/v1/admin/audit`: filters of the access audit. Every filter is optional.
/// With `format=csv` the answer is `text/csv` (every matching event, no paging)
/// instead of an [`AuditPage`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
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
        crate::query::query_string(&[
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
