//! Pins the exact JSON of every type on the wire. A failing test here means a
//! change would break deployed clients: change the client too, on purpose.

use sealmail_api::common::Branding;
use sealmail_api::recipient::*;
use sealmail_api::{ErrorBody, ErrorCode, Mailbox, Protection, Timestamp};
use serde::{Serialize, de::DeserializeOwned};
use serde_json::{Value, json};

/// Serialises `value`, compares with `expected`, and parses `expected` back to `value`.
fn pins<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(value: &T, expected: Value) {
    assert_eq!(
        serde_json::to_value(value).unwrap(),
        expected,
        "serialised form changed"
    );
    let back: T = serde_json::from_value(expected).unwrap();
    assert_eq!(&back, value, "round trip changed the value");
}

#[test]
fn every_error_code_is_snake_case_and_matches_as_str() {
    for code in ErrorCode::ALL {
        assert_eq!(serde_json::to_value(code).unwrap(), json!(code.as_str()));
        assert!(
            code.as_str()
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '_')
        );
    }
    let names: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(
        names,
        [
            "link_unknown",
            "message_revoked",
            "message_expired",
            "passcode_wrong",
            "passcode_expired",
            "too_many_attempts",
            "session_expired",
            "not_signed_in",
            "credentials_wrong",
            "forbidden",
            "not_found",
            "already_revoked",
            "invalid_request",
            "payload_too_large",
            "rate_limited",
            "internal",
        ]
    );
}

#[test]
fn error_codes_map_to_fitting_statuses() {
    assert_eq!(ErrorCode::MessageRevoked.http_status(), 410);
    assert_eq!(ErrorCode::LinkUnknown.http_status(), 404);
    assert_eq!(ErrorCode::PasscodeWrong.http_status(), 401);
    assert_eq!(ErrorCode::TooManyAttempts.http_status(), 429);
    assert_eq!(ErrorCode::PayloadTooLarge.http_status(), 413);
    assert_eq!(ErrorCode::Internal.http_status(), 500);
    for code in ErrorCode::ALL {
        assert!((400..600).contains(&code.http_status()), "{code}");
    }
}

#[test]
fn unknown_error_code_is_rejected() {
    assert!(serde_json::from_value::<ErrorCode>(json!("message_gone")).is_err());
}

#[test]
fn error_body_plain() {
    pins(
        &ErrorBody::new(
            ErrorCode::MessageRevoked,
            "The message has been revoked by the sender",
        ),
        json!({"code": "message_revoked", "message": "The message has been revoked by the sender"}),
    );
}

#[test]
fn error_body_with_details() {
    let mut wrong = ErrorBody::new(ErrorCode::PasscodeWrong, "wrong passcode");
    wrong.tries_left = Some(3);
    pins(
        &wrong,
        json!({"code": "passcode_wrong", "message": "wrong passcode", "tries_left": 3}),
    );
    let mut locked = ErrorBody::new(ErrorCode::TooManyAttempts, "locked");
    locked.retry_after_secs = Some(900);
    pins(
        &locked,
        json!({"code": "too_many_attempts", "message": "locked", "retry_after_secs": 900}),
    );
}

fn branding() -> Branding {
    Branding {
        organisation: "Contoso".into(),
        background_color: "#0b5cab".into(),
        logo_url: None,
        introduction_text: Some("Contoso sent you a protected message.".into()),
        read_button_text: None,
        portal_text: None,
        disclaimer_text: None,
        privacy_statement_url: Some("https://contoso.example/privacy".into()),
    }
}

fn alice() -> Mailbox {
    Mailbox {
        name: Some("Alice".into()),
        address: "alice@contoso.example".into(),
    }
}

#[test]
fn protection_names() {
    pins(&Protection::EncryptOnly, json!("encrypt_only"));
    pins(&Protection::DoNotForward, json!("do_not_forward"));
}

#[test]
fn mailbox_without_name_omits_it() {
    pins(
        &Mailbox {
            name: None,
            address: "b@example.net".into(),
        },
        json!({"address": "b@example.net"}),
    );
}

#[test]
fn link_info() {
    pins(
        &LinkInfo {
            sender: alice(),
            recipient_masked: "b•••@example.net".into(),
            protection: Protection::DoNotForward,
            branding: branding(),
            expires_at: Some(Timestamp("2026-12-01T00:00:00Z".into())),
            session_open: false,
        },
        json!({
            "sender": {"name": "Alice", "address": "alice@contoso.example"},
            "recipient_masked": "b•••@example.net",
            "protection": "do_not_forward",
            "branding": {
                "organisation": "Contoso",
                "background_color": "#0b5cab",
                "introduction_text": "Contoso sent you a protected message.",
                "privacy_statement_url": "https://contoso.example/privacy"
            },
            "expires_at": "2026-12-01T00:00:00Z",
            "session_open": false
        }),
    );
}

#[test]
fn passcode_sent_and_submit_and_session() {
    pins(
        &PasscodeSent {
            sent_to_masked: "b•••@example.net".into(),
            valid_for_secs: 600,
        },
        json!({"sent_to_masked": "b•••@example.net", "valid_for_secs": 600}),
    );
    pins(
        &PasscodeSubmit {
            passcode: "12345678".into(),
        },
        json!({"passcode": "12345678"}),
    );
    pins(
        &SessionOpened {
            expires_at: Timestamp("2026-11-23T10:00:00Z".into()),
        },
        json!({"expires_at": "2026-11-23T10:00:00Z"}),
    );
}

#[test]
fn message_view() {
    pins(
        &MessageView {
            message_id: "<abc@sealmail.test>".into(),
            from: alice(),
            to: vec![Mailbox {
                name: None,
                address: "bob@example.net".into(),
            }],
            cc: vec![],
            sent_at: Timestamp("2026-11-23T09:30:00Z".into()),
            subject: "Contract".into(),
            body: Body {
                text: Some("Hello".into()),
                html: Some("<p>Hello</p>".into()),
            },
            attachments: vec![AttachmentInfo {
                id: "a1".into(),
                name: "contract.pdf".into(),
                content_type: "application/pdf".into(),
                size: 1234,
            }],
            protection: Protection::EncryptOnly,
            expires_at: None,
        },
        json!({
            "message_id": "<abc@sealmail.test>",
            "from": {"name": "Alice", "address": "alice@contoso.example"},
            "to": [{"address": "bob@example.net"}],
            "cc": [],
            "sent_at": "2026-11-23T09:30:00Z",
            "subject": "Contract",
            "body": {"text": "Hello", "html": "<p>Hello</p>"},
            "attachments": [{"id": "a1", "name": "contract.pdf", "content_type": "application/pdf", "size": 1234}],
            "protection": "encrypt_only"
        }),
    );
}

#[test]
fn reply() {
    pins(
        &ReplyRequest {
            text: "Thanks".into(),
        },
        json!({"text": "Thanks"}),
    );
    pins(
        &ReplySent {
            message_id: "<r1@sealmail.test>".into(),
        },
        json!({"message_id": "<r1@sealmail.test>"}),
    );
}

#[test]
fn admin_states_are_snake_case() {
    use sealmail_api::admin::{MessageState, RecipientKind, RecipientState};
    assert_eq!(
        serde_json::to_value(MessageState::Active).unwrap(),
        json!("active")
    );
    assert_eq!(
        serde_json::to_value(MessageState::Revoked).unwrap(),
        json!("revoked")
    );
    assert_eq!(
        serde_json::to_value(MessageState::Expired).unwrap(),
        json!("expired")
    );
    assert_eq!(
        serde_json::to_value(RecipientState::Sent).unwrap(),
        json!("sent")
    );
    assert_eq!(
        serde_json::to_value(RecipientState::Opened).unwrap(),
        json!("opened")
    );
    assert_eq!(
        serde_json::to_value(RecipientState::Revoked).unwrap(),
        json!("revoked")
    );
    assert_eq!(
        serde_json::to_value(RecipientState::Expired).unwrap(),
        json!("expired")
    );
    assert_eq!(
        serde_json::to_value(RecipientKind::To).unwrap(),
        json!("to")
    );
    assert_eq!(
        serde_json::to_value(RecipientKind::Cc).unwrap(),
        json!("cc")
    );
}

#[test]
fn message_status() {
    use sealmail_api::admin::{
        MessageState, MessageStatus, RecipientKind, RecipientState, RecipientStatus,
    };
    pins(
        &MessageStatus {
            message_id: "<abc@sealmail.test>".into(),
            subject: "Test message".into(),
            sender: Mailbox {
                name: Some("Alice".into()),
                address: "alice@contoso.example".into(),
            },
            sent_at: Timestamp("2026-11-23T09:30:00Z".into()),
            expires_at: Some(Timestamp("2026-11-30T09:30:00Z".into())),
            state: MessageState::Revoked,
            is_revocable: false,
            revoked: true,
            recipients: vec![
                RecipientStatus {
                    recipient: Mailbox {
                        name: None,
                        address: "bob@example.net".into(),
                    },
                    kind: RecipientKind::To,
                    state: RecipientState::Revoked,
                    opened_at: Some(Timestamp("2026-11-23T10:00:00Z".into())),
                },
                RecipientStatus {
                    recipient: Mailbox {
                        name: Some("Carol".into()),
                        address: "carol@example.org".into(),
                    },
                    kind: RecipientKind::Cc,
                    state: RecipientState::Revoked,
                    opened_at: None,
                },
            ],
        },
        json!({
            "message_id": "<abc@sealmail.test>",
            "subject": "Test message",
            "sender": {"name": "Alice", "address": "alice@contoso.example"},
            "sent_at": "2026-11-23T09:30:00Z",
            "expires_at": "2026-11-30T09:30:00Z",
            "state": "revoked",
            "is_revocable": false,
            "revoked": true,
            "recipients": [
                {"recipient": {"address": "bob@example.net"}, "kind": "to", "state": "revoked",
                 "opened_at": "2026-11-23T10:00:00Z"},
                {"recipient": {"name": "Carol", "address": "carol@example.org"}, "kind": "cc", "state": "revoked"}
            ]
        }),
    );
}
