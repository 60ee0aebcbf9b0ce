//! Canned `sealmail-api` values and error bodies.

use sealmail_api::common::Branding;
use sealmail_api::recipient::{AttachmentInfo, Body, LinkInfo, MessageView, PasscodeSent};
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
        body: Body {
            text: Some("Dear Bob,\n\nThe offer is attached.".into()),
            html: None,
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
