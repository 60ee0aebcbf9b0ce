//! Canned `sealmail-api` values and error bodies.

use sealmail_api::admin::{BrandingFields, BrandingTemplate};
use sealmail_api::common::Branding;
use sealmail_api::recipient::{AttachmentInfo, BodyView, LinkInfo, MessageView, PasscodeSent};
use sealmail_api::tokens::{ApiToken, TokenScope, TokenState};
use sealmail_api::{ErrorBody, ErrorCode, Mailbox, Protection, Timestamp};
use sealmail_portal::api::ApiError;

/// The link token every test uses.
pub const TOKEN: &str = "tok-123";

pub fn alice() -> Mailbox {
    Mailbox {
        name: Some("Alice Example".into()),
        address: "alice@contoso.example".into(),
    }
}

pub fn link_info() -> LinkInfo {
    LinkInfo {
        sender: alice(),
        recipient_masked: "b•••@example.net".into(),
        protection: Protection::EncryptOnly,
        branding: Branding {
            organisation: "Contoso Bank".into(),
            background_color: "#0b5394".into(),
            logo_url: Some("data:image/gif;base64,R0lGODlhAQABAAAAACw=".into()),
            introduction_text: Some("Contoso protects your mail.".into()),
            read_button_text: None,
            portal_text: None,
            disclaimer_text: Some("Confidential.".into()),
            privacy_statement_url: Some("https://contoso.example/privacy".into()),
        },
        expires_at: Some(Timestamp("2026-12-01T12:00:00Z".into())),
        session_open: false,
        locked_until: None,
    }
}

pub fn passcode_sent() -> PasscodeSent {
    PasscodeSent {
        sent_to_masked: "b•••@example.net".into(),
        valid_for_secs: 600,
    }
}

pub fn message_view() -> MessageView {
    MessageView {
        message_id: "<m1@contoso.example>".into(),
        from: alice(),
        to: vec![Mailbox {
            name: Some("Bob".into()),
            address: "bob@example.net".into(),
        }],
        cc: vec![Mailbox {
            name: None,
            address: "carol@example.org".into(),
        }],
        sent_at: Timestamp("2026-11-23T09:30:00Z".into()),
        subject: "Your mortgage offer".into(),
        body: BodyView {
            text: Some("Dear Bob,\n\nThe offer is attached.".into()),
            html: false,
        },
        attachments: vec![AttachmentInfo {
            id: "a1".into(),
            name: "offer.pdf".into(),
            content_type: "application/pdf".into(),
            size: 1_572_864, // 1.5 MiB
        }],
        protection: Protection::EncryptOnly,
        expires_at: Some(Timestamp("2026-12-01T12:00:00Z".into())),
    }
}

/// An error body as the server sends it.
pub fn error(code: ErrorCode) -> ApiError {
    ApiError::Api(ErrorBody::new(code, "whatever the server says in English"))
}

pub fn wrong_passcode(tries_left: u32) -> ApiError {
    ApiError::Api(ErrorBody {
        tries_left: Some(tries_left),
        ..ErrorBody::new(ErrorCode::PasscodeWrong, "wrong")
    })
}

pub fn retry_after(code: ErrorCode, secs: u64) -> ApiError {
    ApiError::Api(ErrorBody {
        retry_after_secs: Some(secs),
        ..ErrorBody::new(code, "later")
    })
}

// The sender's and administrator's side.

use sealmail_api::admin::{
    Delivery, MessageState, MessageStatus, RecipientKind, RecipientState, RecipientStatus,
};
use sealmail_api::sender::{Me, SentMessage, SentPage};

pub fn sender_me() -> Me {
    Me {
        name: Some("Alice Example".into()),
        address: "alice@contoso.example".into(),
        is_admin: false,
        max_message_bytes: Some(25 * 1024 * 1024),
        read_receipts: false,
    }
}

pub fn admin_me() -> Me {
    Me {
        name: Some("Ada Admin".into()),
        address: "admin@contoso.example".into(),
        is_admin: true,
        max_message_bytes: Some(25 * 1024 * 1024),
        read_receipts: false,
    }
}

pub fn recipient(address: &str, kind: RecipientKind, state: RecipientState) -> RecipientStatus {
    RecipientStatus {
        recipient: Mailbox {
            name: None,
            address: address.into(),
        },
        kind,
        state,
        opened_at: (state == RecipientState::Opened)
            .then(|| Timestamp("2026-11-23T10:00:00Z".into())),
        delivery: None,
    }
}

/// A message to bob (To, not yet opened) and carol (Cc, opened).
pub fn sent_message(id: &str, subject: &str) -> SentMessage {
    SentMessage {
        id: id.into(),
        message_id: format!("<{id}@contoso.example>"),
        subject: subject.into(),
        sent_at: Timestamp("2026-11-23T09:30:00Z".into()),
        protection: Protection::EncryptOnly,
        expires_at: None,
        state: MessageState::Active,
        is_revocable: true,
        recipients: vec![
            RecipientStatus {
                delivery: Some(Delivery::Bounced {
                    at: Timestamp("2026-11-23T09:31:00Z".into()),
                    reason: "550 5.1.1 No such user here".into(),
                }),
                ..recipient("bob@example.net", RecipientKind::To, RecipientState::Sent)
            },
            RecipientStatus {
                delivery: Some(Delivery::Sent {
                    at: Timestamp("2026-11-23T09:30:05Z".into()),
                }),
                ..recipient(
                    "carol@example.org",
                    RecipientKind::Cc,
                    RecipientState::Opened,
                )
            },
        ],
        replies: Vec::new(),
    }
}

pub fn sent_page() -> SentPage {
    SentPage {
        messages: vec![
            sent_message("m2", "Your mortgage offer"),
            sent_message("m1", "Welcome"),
        ],
        next_cursor: None,
    }
}

/// `message` as the server answers after a revoke of `recipient` (or all).
pub fn revoked(mut message: SentMessage, recipient: Option<&str>) -> SentMessage {
    for status in &mut message.recipients {
        if recipient.is_none_or(|a| status.recipient.address == a) {
            status.state = RecipientState::Revoked;
        }
    }
    if recipient.is_none() {
        message.state = MessageState::Revoked;
        message.is_revocable = false;
    }
    message
}

pub fn message_status() -> MessageStatus {
    let message = sent_message("m2", "Your mortgage offer");
    MessageStatus {
        message_id: message.message_id,
        subject: message.subject,
        sender: alice(),
        sent_at: message.sent_at,
        expires_at: None,
        state: MessageState::Active,
        is_revocable: true,
        revoked: false,
        recipients: message.recipients,
    }
}

/// A branding template with the fields a fresh one has (no texts, no expiry,
/// no logo, passcodes on).
pub fn branding_template(id: &str, name: &str, is_default: bool) -> BrandingTemplate {
    BrandingTemplate {
        id: id.into(),
        name: name.into(),
        is_default,
        fields: BrandingFields {
            organisation: None,
            background_color: "#0b5394".into(),
            introduction_text: None,
            read_button_text: None,
            email_text: None,
            disclaimer_text: None,
            portal_text: None,
            privacy_statement_url: None,
            passcode_enabled: true,
            expiry_days: None,
            language: None,
        },
        logo_url: None,
    }
}

/// An active API token that was never used.
pub fn api_token(id: i64, name: &str, scopes: &[TokenScope]) -> ApiToken {
    ApiToken {
        id,
        name: name.into(),
        hint: "smt_Ab3x".into(),
        scopes: scopes.to_vec(),
        state: TokenState::Active,
        created_at: Timestamp("2026-11-20T09:00:00Z".into()),
        expires_at: Some(Timestamp("2027-02-18T09:00:00Z".into())),
        last_used_at: None,
        revoked_at: None,
    }
}
