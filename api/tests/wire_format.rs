//! Pins the exact JSON of every type on the wire. A failing test here means a
//! change would break deployed clients: change the client too, on purpose.

use sealmail_api::common::Branding;
use sealmail_api::recipient::*;
use sealmail_api::{ErrorBody, ErrorCode, Language, Mailbox, Protection, Timestamp};
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
            "method_not_allowed",
            "payload_too_large",
            "rate_limited",
            "internal",
            "link_blocked",
            "token_invalid",
            "token_scope",
            "sso_state_invalid",
            "sso_token_invalid",
            "sso_account_refused",
            "sso_unavailable",
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
    assert_eq!(ErrorCode::LinkBlocked.http_status(), 423);
    assert_eq!(ErrorCode::TokenInvalid.http_status(), 401);
    assert_eq!(ErrorCode::TokenScope.http_status(), 403);
    assert_eq!(ErrorCode::Internal.http_status(), 500);
    assert_eq!(ErrorCode::SsoStateInvalid.http_status(), 400);
    assert_eq!(ErrorCode::SsoTokenInvalid.http_status(), 401);
    assert_eq!(ErrorCode::SsoAccountRefused.http_status(), 403);
    assert_eq!(ErrorCode::SsoUnavailable.http_status(), 502);
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
            locked_until: None,
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
fn link_info_of_a_locked_link() {
    pins(
        &LinkInfo {
            sender: alice(),
            recipient_masked: "b•••@example.net".into(),
            protection: Protection::EncryptOnly,
            branding: branding(),
            expires_at: None,
            session_open: false,
            locked_until: Some(Timestamp("2026-11-23T10:45:00Z".into())),
        },
        json!({
            "sender": {"name": "Alice", "address": "alice@contoso.example"},
            "recipient_masked": "b•••@example.net",
            "protection": "encrypt_only",
            "branding": {
                "organisation": "Contoso",
                "background_color": "#0b5cab",
                "introduction_text": "Contoso sent you a protected message.",
                "privacy_statement_url": "https://contoso.example/privacy"
            },
            "session_open": false,
            "locked_until": "2026-11-23T10:45:00Z"
        }),
    );
}

#[test]
fn languages_are_their_bcp47_primary_tags() {
    for (language, wire) in [
        (Language::En, "en"),
        (Language::Nl, "nl"),
        (Language::Da, "da"),
        (Language::Ja, "ja"),
    ] {
        pins(&language, json!(wire));
        assert_eq!(language.code(), wire);
        assert_eq!(wire.parse::<Language>(), Ok(language));
    }
    assert_eq!(Language::ALL.len(), 4);
    // Only the exact lowercase tag on the wire; the lenient parse is for flags and headers.
    assert!(serde_json::from_value::<Language>(json!("nl-BE")).is_err());
    assert!(serde_json::from_value::<Language>(json!("de")).is_err());
    assert_eq!(Language::from_tag("nl-BE"), Some(Language::Nl));
    assert_eq!(Language::from_tag("DA_dk"), Some(Language::Da));
    assert_eq!(Language::from_tag("de"), None);
}

#[test]
fn passcode_request_carries_the_portal_language_or_nothing() {
    pins(
        &PasscodeRequest {
            language: Some(Language::Nl),
        },
        json!({"language": "nl"}),
    );
    pins(&PasscodeRequest::default(), json!({}));
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
            body: BodyView {
                text: Some("Hello".into()),
                html: true,
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
            "body": {"text": "Hello", "html": true},
            "attachments": [{"id": "a1", "name": "contract.pdf", "content_type": "application/pdf", "size": 1234}],
            "protection": "encrypt_only"
        }),
    );
}

#[test]
fn a_message_view_body_marks_html_without_carrying_it() {
    // The HTML is its own document (routes::LINK_BODY), never in the JSON.
    pins(
        &BodyView {
            text: Some("Hello".into()),
            html: false,
        },
        json!({"text": "Hello", "html": false}),
    );
    pins(
        &BodyView {
            text: None,
            html: true,
        },
        json!({"html": true}),
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
fn every_delivery_state_is_pinned() {
    use sealmail_api::admin::Delivery;
    let at = || Timestamp("2026-11-23T09:30:00Z".into());
    pins(&Delivery::Queued, json!({"state": "queued"}));
    pins(
        &Delivery::Sent { at: at() },
        json!({"state": "sent", "at": "2026-11-23T09:30:00Z"}),
    );
    pins(
        &Delivery::Deferred {
            last_error: "Connection refused".into(),
            next_try_at: at(),
            attempts: 3,
        },
        json!({"state": "deferred", "last_error": "Connection refused",
               "next_try_at": "2026-11-23T09:30:00Z", "attempts": 3}),
    );
    pins(
        &Delivery::Bounced {
            at: at(),
            reason: "550 5.1.1 No such user".into(),
        },
        json!({"state": "bounced", "at": "2026-11-23T09:30:00Z",
               "reason": "550 5.1.1 No such user"}),
    );
    pins(
        &Delivery::Cancelled { at: at() },
        json!({"state": "cancelled", "at": "2026-11-23T09:30:00Z"}),
    );
    pins(
        &Delivery::GaveUp {
            at: at(),
            last_error: "Connection refused".into(),
            attempts: 40,
        },
        json!({"state": "gave_up", "at": "2026-11-23T09:30:00Z",
               "last_error": "Connection refused", "attempts": 40}),
    );
}

#[test]
fn message_status() {
    use sealmail_api::admin::{
        Delivery, MessageState, MessageStatus, RecipientKind, RecipientState, RecipientStatus,
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
                    delivery: Some(Delivery::Sent {
                        at: Timestamp("2026-11-23T09:30:02Z".into()),
                    }),
                },
                RecipientStatus {
                    recipient: Mailbox {
                        name: Some("Carol".into()),
                        address: "carol@example.org".into(),
                    },
                    kind: RecipientKind::Cc,
                    state: RecipientState::Revoked,
                    opened_at: None,
                    delivery: None,
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
                 "opened_at": "2026-11-23T10:00:00Z",
                 "delivery": {"state": "sent", "at": "2026-11-23T09:30:02Z"}},
                {"recipient": {"name": "Carol", "address": "carol@example.org"}, "kind": "cc", "state": "revoked"}
            ]
        }),
    );
}

// ---- The sender's API ----

#[test]
fn sign_in_and_me() {
    use sealmail_api::sender::{Me, SignIn};
    let sign_in = SignIn {
        email: "alice@contoso.example".into(),
        password: "correct horse".into(),
    };
    pins(
        &sign_in,
        json!({"email": "alice@contoso.example", "password": "correct horse"}),
    );
    assert!(
        !format!("{sign_in:?}").contains("horse"),
        "Debug hides the password"
    );
    pins(
        &Me {
            name: Some("Alice".into()),
            address: "alice@contoso.example".into(),
            is_admin: false,
            max_message_bytes: Some(25 * 1024 * 1024),
            read_receipts: true,
        },
        json!({"name": "Alice", "address": "alice@contoso.example", "is_admin": false,
               "max_message_bytes": 26214400, "read_receipts": true}),
    );
    // A server that does not announce its limit.
    let older: Me =
        serde_json::from_value(json!({"address": "alice@contoso.example", "is_admin": false}))
            .unwrap();
    assert_eq!(older.max_message_bytes, None);
    assert!(!older.read_receipts);
}

#[test]
fn single_sign_on_options_and_the_two_navigations() {
    use sealmail_api::routes::*;
    use sealmail_api::sso::*;
    pins(
        &SignInOptions {
            single_sign_on: Some(SingleSignOn {
                provider_name: "Contoso ID".into(),
            }),
        },
        json!({"single_sign_on": {"provider_name": "Contoso ID"}}),
    );
    pins(
        &SignInOptions {
            single_sign_on: None,
        },
        json!({}),
    );
    assert_eq!(SIGN_IN_OPTIONS, "/api/v1/sign-in-options");
    assert_eq!(OIDC_START, "/api/v1/oidc/start");
    assert_eq!(OIDC_CALLBACK, "/api/v1/oidc/callback");
    assert_eq!(OIDC_FLOW_COOKIE, "sealmail_oidc");
    assert_eq!(OIDC_FLOW_COOKIE_HTTPS, "__Secure-sealmail_oidc");
    assert_eq!(SIGN_IN_ERROR_PARAM, "sso_error");
    assert_eq!(oidc_start(&SsoStart::default()), "/api/v1/oidc/start");
    assert_eq!(
        oidc_start(&SsoStart {
            next: Some("/compose?x=1".into())
        }),
        "/api/v1/oidc/start?next=%2Fcompose%3Fx%3D1"
    );
    pins(
        &SsoCallback {
            code: Some("c".into()),
            state: Some("s".into()),
            iss: Some("https://id.contoso.example".into()),
            error: None,
            error_description: None,
        },
        json!({"code": "c", "state": "s", "iss": "https://id.contoso.example"}),
    );
}

#[test]
fn compose_request_and_answer() {
    use sealmail_api::sender::{ComposeRequest, Composed, Expiry};
    assert_eq!(sealmail_api::routes::COMPOSE_PART, "message");
    pins(
        &ComposeRequest {
            to: vec![Mailbox {
                name: None,
                address: "bob@example.net".into(),
            }],
            cc: vec![],
            subject: "Contract".into(),
            body: Body {
                text: Some("Hello".into()),
                html: None,
            },
            protection: Protection::DoNotForward,
            expiry: Expiry::At(Timestamp("2026-12-01T00:00:00Z".into())),
            branding_template: Some("3".into()),
            language: Some(Language::Ja),
            read_receipt: Some(true),
        },
        json!({
            "to": [{"address": "bob@example.net"}],
            "cc": [],
            "subject": "Contract",
            "body": {"text": "Hello"},
            "protection": "do_not_forward",
            "expiry": {"at": "2026-12-01T00:00:00Z"},
            "branding_template": "3",
            "language": "ja",
            "read_receipt": true
        }),
    );
    // cc, expiry, template and language may be left out.
    let minimal: ComposeRequest = serde_json::from_value(json!({
        "to": [{"address": "bob@example.net"}],
        "subject": "Hi",
        "body": {"html": "<p>Hi</p>"},
        "protection": "encrypt_only"
    }))
    .unwrap();
    assert!(minimal.cc.is_empty());
    assert_eq!(minimal.expiry, Expiry::TemplateDefault);
    assert_eq!(minimal.language, None);
    for (expiry, wire) in [
        (Expiry::TemplateDefault, json!("template_default")),
        (Expiry::Never, json!("never")),
        (
            Expiry::At(Timestamp("2026-12-01T00:00:00Z".into())),
            json!({"at": "2026-12-01T00:00:00Z"}),
        ),
    ] {
        pins(&expiry, wire);
    }
    pins(
        &Composed {
            id: "m1".into(),
            message_id: "<abc@sealmail.test>".into(),
        },
        json!({"id": "m1", "message_id": "<abc@sealmail.test>"}),
    );
}

#[test]
fn sent_page() {
    use sealmail_api::admin::{
        Delivery, MessageState, RecipientKind, RecipientState, RecipientStatus,
    };
    use sealmail_api::sender::{ReplySummary, SentMessage, SentPage, SentQuery};
    pins(
        &SentQuery {
            q: Some("contract".into()),
            cursor: Some("c1".into()),
            limit: Some(20),
        },
        json!({"q": "contract", "cursor": "c1", "limit": 20}),
    );
    pins(&SentQuery::default(), json!({}));
    pins(
        &SentPage {
            messages: vec![SentMessage {
                id: "m1".into(),
                message_id: "<abc@sealmail.test>".into(),
                subject: "Contract".into(),
                sent_at: Timestamp("2026-11-23T09:30:00Z".into()),
                protection: Protection::EncryptOnly,
                expires_at: None,
                state: MessageState::Active,
                is_revocable: true,
                recipients: vec![
                    RecipientStatus {
                        recipient: Mailbox {
                            name: None,
                            address: "bob@example.net".into(),
                        },
                        kind: RecipientKind::To,
                        state: RecipientState::Opened,
                        opened_at: Some(Timestamp("2026-11-23T10:00:00Z".into())),
                        delivery: Some(Delivery::Sent {
                            at: Timestamp("2026-11-23T09:30:01Z".into()),
                        }),
                    },
                    RecipientStatus {
                        recipient: Mailbox {
                            name: None,
                            address: "carol@example.org".into(),
                        },
                        kind: RecipientKind::To,
                        state: RecipientState::Revoked,
                        opened_at: None,
                        delivery: Some(Delivery::Deferred {
                            last_error: "451 4.3.0 Try again later".into(),
                            next_try_at: Timestamp("2026-11-23T09:32:00Z".into()),
                            attempts: 1,
                        }),
                    },
                ],
                replies: vec![ReplySummary {
                    message_id: "<r1@sealmail.test>".into(),
                    from: Mailbox {
                        name: None,
                        address: "bob@example.net".into(),
                    },
                    sent_at: Timestamp("2026-11-23T10:05:00Z".into()),
                    subject: "Re: Contract".into(),
                }],
            }],
            next_cursor: Some("c2".into()),
        },
        json!({
            "messages": [{
                "id": "m1",
                "message_id": "<abc@sealmail.test>",
                "subject": "Contract",
                "sent_at": "2026-11-23T09:30:00Z",
                "protection": "encrypt_only",
                "state": "active",
                "is_revocable": true,
                "recipients": [
                    {"recipient": {"address": "bob@example.net"}, "kind": "to", "state": "opened",
                     "opened_at": "2026-11-23T10:00:00Z",
                     "delivery": {"state": "sent", "at": "2026-11-23T09:30:01Z"}},
                    {"recipient": {"address": "carol@example.org"}, "kind": "to", "state": "revoked",
                     "delivery": {"state": "deferred", "last_error": "451 4.3.0 Try again later",
                                  "next_try_at": "2026-11-23T09:32:00Z", "attempts": 1}}
                ],
                "replies": [{
                    "message_id": "<r1@sealmail.test>",
                    "from": {"address": "bob@example.net"},
                    "sent_at": "2026-11-23T10:05:00Z",
                    "subject": "Re: Contract"
                }]
            }],
            "next_cursor": "c2"
        }),
    );
    pins(
        &SentPage {
            messages: vec![],
            next_cursor: None,
        },
        json!({"messages": []}),
    );
}

#[test]
fn revoke_and_expiry_change() {
    use sealmail_api::sender::{ExpiryChange, RevokeRequest};
    pins(&RevokeRequest::default(), json!({}));
    pins(
        &sealmail_api::sender::ResendRequest {
            recipient: "bob@example.net".into(),
        },
        json!({"recipient": "bob@example.net"}),
    );
    pins(
        &RevokeRequest {
            recipient: Some("bob@example.net".into()),
        },
        json!({"recipient": "bob@example.net"}),
    );
    pins(
        &ExpiryChange {
            expires_at: Some(Timestamp("2026-12-01T00:00:00Z".into())),
        },
        json!({"expires_at": "2026-12-01T00:00:00Z"}),
    );
    pins(
        &ExpiryChange { expires_at: None },
        json!({"expires_at": null}),
    );
}

// ---- The admin API ----

#[test]
fn trace_query_and_page() {
    use sealmail_api::admin::{TracePage, TraceQuery};
    pins(
        &TraceQuery {
            sender: Some("alice".into()),
            recipient: Some("example.net".into()),
            subject: Some("contract".into()),
            from: Some(Timestamp("2026-11-01T00:00:00Z".into())),
            until: Some(Timestamp("2026-12-01T00:00:00Z".into())),
            cursor: Some("c1".into()),
            limit: Some(10),
        },
        json!({
            "sender": "alice", "recipient": "example.net", "subject": "contract",
            "from": "2026-11-01T00:00:00Z", "until": "2026-12-01T00:00:00Z",
            "cursor": "c1", "limit": 10
        }),
    );
    pins(
        &TracePage {
            messages: vec![],
            next_cursor: None,
        },
        json!({"messages": []}),
    );
}

#[test]
fn report() {
    use sealmail_api::admin::{DomainCount, Report, ReportCounts, ReportDay, ReportQuery};
    pins(&ReportQuery::default(), json!({}));
    pins(
        &ReportQuery {
            from: Some(Timestamp("2026-11-16T00:00:00Z".into())),
            until: Some(Timestamp("2026-11-23T00:00:00Z".into())),
        },
        json!({"from": "2026-11-16T00:00:00Z", "until": "2026-11-23T00:00:00Z"}),
    );
    let counts = ReportCounts {
        sent: 5,
        opened: 3,
        revoked: 1,
        expired: 0,
    };
    pins(
        &Report {
            from: Timestamp("2026-11-22T00:00:00Z".into()),
            until: Timestamp("2026-11-23T00:00:00Z".into()),
            totals: counts,
            per_day: vec![ReportDay {
                date: "2026-11-22".into(),
                counts,
            }],
            top_recipient_domains: vec![DomainCount {
                domain: "example.net".into(),
                messages: 4,
            }],
        },
        json!({
            "from": "2026-11-22T00:00:00Z",
            "until": "2026-11-23T00:00:00Z",
            "totals": {"sent": 5, "opened": 3, "revoked": 1, "expired": 0},
            "per_day": [{"date": "2026-11-22", "sent": 5, "opened": 3, "revoked": 1, "expired": 0}],
            "top_recipient_domains": [{"domain": "example.net", "messages": 4}]
        }),
    );
}

#[test]
fn audit_kinds_and_outcomes() {
    use sealmail_api::admin::{AuditKind, AuditOutcome};
    let names: Vec<&str> = AuditKind::ALL.iter().map(|k| k.as_str()).collect();
    assert_eq!(
        names,
        [
            "passcode_requested",
            "passcode_entered",
            "message_opened",
            "attachment_downloaded",
            "reply_sent",
            "revoked",
            "expiry_changed",
            "sign_in",
            "notification_resent",
            "message_status_viewed",
            "message_trace_searched",
            "audit_viewed",
            "audit_exported",
            "branding_template_created",
            "branding_template_changed",
            "branding_template_deleted",
            "branding_logo_uploaded",
            "branding_logo_removed",
            "mail_flow_rule_added",
            "mail_flow_rule_changed",
            "mail_flow_rule_moved",
            "mail_flow_rule_removed",
            "api_token_created",
            "api_token_revoked",
            "api_token_used",
        ]
    );
    for kind in AuditKind::ALL {
        assert_eq!(serde_json::to_value(kind).unwrap(), json!(kind.as_str()));
    }
    pins(&AuditOutcome::Success, json!("success"));
    pins(&AuditOutcome::Failure, json!("failure"));
}

#[test]
fn audit_event_query_and_page() {
    use sealmail_api::admin::{
        AUDIT_CSV_HEADER, AuditEvent, AuditKind, AuditOutcome, AuditPage, AuditQuery,
    };
    let event = AuditEvent {
        id: 17,
        at: Timestamp("2026-11-23T10:00:00Z".into()),
        kind: AuditKind::PasscodeEntered,
        outcome: AuditOutcome::Failure,
        message_id: Some("<abc@sealmail.test>".into()),
        recipient: Some("bob@example.net".into()),
        actor: None,
        client_address: Some("192.0.2.7".into()),
        detail: Some("passcode_wrong".into()),
    };
    pins(
        &event,
        json!({
            "id": 17,
            "at": "2026-11-23T10:00:00Z",
            "kind": "passcode_entered",
            "outcome": "failure",
            "message_id": "<abc@sealmail.test>",
            "recipient": "bob@example.net",
            "client_address": "192.0.2.7",
            "detail": "passcode_wrong"
        }),
    );
    pins(
        &AuditPage {
            events: vec![event],
            next_cursor: Some("16".into()),
        },
        json!({
            "events": [{
                "id": 17, "at": "2026-11-23T10:00:00Z", "kind": "passcode_entered",
                "outcome": "failure", "message_id": "<abc@sealmail.test>",
                "recipient": "bob@example.net", "client_address": "192.0.2.7",
                "detail": "passcode_wrong"
            }],
            "next_cursor": "16"
        }),
    );
    pins(
        &AuditQuery {
            since: Some(Timestamp("2026-11-01T00:00:00Z".into())),
            until: None,
            kind: Some(AuditKind::MessageOpened),
            outcome: Some(AuditOutcome::Success),
            message_id: Some("<abc@sealmail.test>".into()),
            recipient: Some("bob".into()),
            cursor: None,
            limit: Some(50),
            format: Some("csv".into()),
        },
        json!({
            "since": "2026-11-01T00:00:00Z",
            "kind": "message_opened",
            "outcome": "success",
            "message_id": "<abc@sealmail.test>",
            "recipient": "bob",
            "limit": 50,
            "format": "csv"
        }),
    );
    assert_eq!(
        AUDIT_CSV_HEADER,
        [
            "id",
            "at",
            "kind",
            "outcome",
            "message_id",
            "recipient",
            "actor",
            "client_address",
            "detail"
        ]
    );
}

#[test]
fn branding_template_and_input() {
    use sealmail_api::admin::{BrandingFields, BrandingTemplate, BrandingTemplateInput};
    let fields = BrandingFields {
        organisation: Some("Contoso Legal".into()),
        background_color: "#0b5cab".into(),
        introduction_text: Some("Contoso sent you a protected message.".into()),
        read_button_text: Some("Read the message".into()),
        email_text: Some("Questions? Call us.".into()),
        disclaimer_text: Some("Confidential.".into()),
        portal_text: Some("Contoso secure mail".into()),
        privacy_statement_url: Some("https://contoso.example/privacy".into()),
        passcode_enabled: true,
        expiry_days: Some(30),
        language: Some(Language::Nl),
    };
    pins(
        &BrandingTemplate {
            id: "3".into(),
            name: "Contoso legal".into(),
            is_default: true,
            fields: fields.clone(),
            logo_url: Some("/api/v1/branding/3/logo".into()),
        },
        json!({
            "id": "3",
            "name": "Contoso legal",
            "is_default": true,
            "organisation": "Contoso Legal",
            "background_color": "#0b5cab",
            "introduction_text": "Contoso sent you a protected message.",
            "read_button_text": "Read the message",
            "email_text": "Questions? Call us.",
            "disclaimer_text": "Confidential.",
            "portal_text": "Contoso secure mail",
            "privacy_statement_url": "https://contoso.example/privacy",
            "passcode_enabled": true,
            "expiry_days": 30,
            "language": "nl",
            "logo_url": "/api/v1/branding/3/logo"
        }),
    );
    pins(
        &BrandingTemplateInput {
            name: "Plain".into(),
            is_default: false,
            fields: BrandingFields {
                organisation: None,
                background_color: "#ffffff".into(),
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
        },
        json!({"name": "Plain", "is_default": false, "background_color": "#ffffff", "passcode_enabled": true}),
    );
}

#[test]
fn logo_limits_are_what_the_routes_document() {
    use sealmail_api::admin::{LOGO_TYPES, MAX_LOGO_BYTES};
    assert_eq!(MAX_LOGO_BYTES, 512 * 1024);
    assert_eq!(
        LOGO_TYPES,
        ["image/png", "image/jpeg", "image/gif", "image/webp"]
    );
}

#[test]
fn sender_and_admin_routes() {
    use sealmail_api::routes::*;
    assert_eq!(SESSION, "/api/v1/session");
    assert_eq!(ME, "/api/v1/me");
    assert_eq!(MESSAGES, "/api/v1/messages");
    assert_eq!(message("m1"), "/api/v1/messages/m1");
    assert_eq!(message_revoke("m1"), "/api/v1/messages/m1/revoke");
    assert_eq!(SENT, "/api/v1/sent");
    assert_eq!(BRANDING_TEMPLATES, "/api/v1/branding");
    assert_eq!(branding_logo("3"), "/api/v1/branding/3/logo");
    assert_eq!(admin_message("abc@h"), "/api/v1/admin/messages/abc%40h");
    assert_eq!(
        admin_message_revoke("abc@h"),
        "/api/v1/admin/messages/abc%40h/revoke"
    );
    assert_eq!(ADMIN_TRACE, "/api/v1/admin/trace");
    assert_eq!(ADMIN_REPORT, "/api/v1/admin/report");
    assert_eq!(ADMIN_AUDIT, "/api/v1/admin/audit");
    assert_eq!(ADMIN_BRANDING, "/api/v1/admin/branding");
    assert_eq!(admin_branding_one("3"), "/api/v1/admin/branding/3");
    assert_eq!(admin_branding_logo("3"), "/api/v1/admin/branding/3/logo");
    assert_eq!(SENDER_SESSION_COOKIE, "sealmail_session");
    assert_eq!(SENDER_SESSION_COOKIE_HTTPS, "__Host-sealmail_session");
    assert_eq!(RECIPIENT_SESSION_COOKIE, "sealmail_link");
    assert_eq!(RECIPIENT_SESSION_COOKIE_HTTPS, "__Secure-sealmail_link");
}

#[test]
fn portal_pages_and_bundles() {
    use sealmail_api::routes::*;
    // The notification mail links to the link page; the link page sends the
    // recipient on to the reading page once the passcode opens a session.
    assert_eq!(PORTAL_LINK_PAGE, "/m/{token}");
    assert_eq!(portal_link_page("abc_-DEF"), "/m/abc_-DEF");
    assert_eq!(PORTAL_READ_PAGE, "/m/{token}/read");
    assert_eq!(portal_read_page("abc_-DEF"), "/m/abc_-DEF/read");
    assert_eq!(portal_read_page("a/b c"), "/m/a%2Fb%20c/read");
    // Where each bundle's files are served from (the recipient's at `/`).
    assert_eq!(pages::STAFF_BUNDLE, "/staff/");
    assert_eq!(pages::READER_BUNDLE, "/reader/");
    // Which bundle the server hands each page path.
    assert!(pages::is_reader("/m/abc_-DEF/read"));
    assert!(pages::is_reader("/m/abc_-DEF/read/"));
    assert!(!pages::is_reader("/m/abc_-DEF"));
    assert!(!pages::is_staff("/m/abc_-DEF/read"));
    assert!(pages::is_staff(pages::SIGN_IN));
    assert!(!pages::is_reader(pages::SIGN_IN));
}

#[test]
fn mail_flow_rules() {
    use sealmail_api::admin::*;
    // The default set's first rule, as `sealmail rule list --json` prints it
    // (and as its conditions and action are stored).
    pins(
        &MailFlowRule {
            id: 1,
            position: 1,
            name: "Protect tagged mail".into(),
            conditions: vec![
                MailFlowCondition::RecipientOutsideOrg,
                MailFlowCondition::SubjectContains {
                    words: vec!["[secure]".into(), "[encrypt]".into()],
                    strip: true,
                },
            ],
            action: MailFlowAction::Protect {
                protection: Protection::EncryptOnly,
                branding_template: None,
                expiry_days: None,
            },
        },
        // Rules stored before a protect action could name a template and an
        // expiry read as they did: both absent.
        json!({
            "id": 1,
            "position": 1,
            "name": "Protect tagged mail",
            "conditions": [
                {"kind": "recipient_outside_org"},
                {"kind": "subject_contains", "words": ["[secure]", "[encrypt]"], "strip": true}
            ],
            "action": {"kind": "protect", "protection": "encrypt_only"}
        }),
    );
    pins(
        &NewMailFlowRule {
            name: "Confidential stays inside".into(),
            conditions: vec![
                MailFlowCondition::HeaderMatches {
                    name: "Sensitivity".into(),
                    contains: "Company-Confidential".into(),
                },
                MailFlowCondition::RecipientInsideOrg,
                MailFlowCondition::Sender {
                    is: "corp.example".into(),
                },
            ],
            action: MailFlowAction::Reject {
                reason: "not outside".into(),
            },
            position: None,
        },
        json!({
            "name": "Confidential stays inside",
            "conditions": [
                {"kind": "header_matches", "name": "Sensitivity", "contains": "Company-Confidential"},
                {"kind": "recipient_inside_org"},
                {"kind": "sender", "is": "corp.example"}
            ],
            "action": {"kind": "reject", "reason": "not outside"}
        }),
    );
    pins(
        &NewMailFlowRule {
            name: "Large or attached contracts".into(),
            conditions: vec![
                MailFlowCondition::BodyContains {
                    words: vec!["contract".into(), "NDA".into()],
                },
                MailFlowCondition::HasAttachments { has: true },
                MailFlowCondition::SizeOver { bytes: 1_048_576 },
            ],
            action: MailFlowAction::Protect {
                protection: Protection::DoNotForward,
                branding_template: Some("2".into()),
                expiry_days: Some(30),
            },
            position: Some(1),
        },
        json!({
            "name": "Large or attached contracts",
            "conditions": [
                {"kind": "body_contains", "words": ["contract", "NDA"]},
                {"kind": "has_attachments", "has": true},
                {"kind": "size_over", "bytes": 1_048_576}
            ],
            "action": {
                "kind": "protect",
                "protection": "do_not_forward",
                "branding_template": "2",
                "expiry_days": 30
            },
            "position": 1
        }),
    );
    pins(
        &MailFlowVerdict {
            recipient: "dave@corp.example".into(),
            rule: Some(MailFlowRuleRef {
                id: 2,
                name: "Relay the rest".into(),
            }),
            action: MailFlowAction::Relay,
            because: vec![],
            passed_over: vec![MailFlowMiss {
                rule: MailFlowRuleRef {
                    id: 1,
                    name: "Protect tagged mail".into(),
                },
                failed: MailFlowReason::RecipientOutsideOrg {
                    domain: "corp.example".into(),
                },
            }],
        },
        json!({
            "recipient": "dave@corp.example",
            "rule": {"id": 2, "name": "Relay the rest"},
            "action": {"kind": "relay"},
            "passed_over": [{
                "rule": {"id": 1, "name": "Protect tagged mail"},
                "failed": {"kind": "recipient_outside_org", "domain": "corp.example"}
            }]
        }),
    );
    // Why a rule matched: each condition's kind with what the mail had,
    // as facts a client words in its own language.
    pins(
        &MailFlowVerdict {
            recipient: "bob@example.net".into(),
            rule: Some(MailFlowRuleRef {
                id: 3,
                name: "Confidential or large".into(),
            }),
            action: MailFlowAction::Relay,
            because: vec![
                MailFlowReason::RecipientOutsideOrg {
                    domain: "example.net".into(),
                },
                MailFlowReason::RecipientInsideOrg {
                    domain: "corp.example".into(),
                },
                MailFlowReason::SubjectContains {
                    subject: "[secure] Q3".into(),
                    found: Some("[secure]".into()),
                },
                MailFlowReason::HeaderMatches {
                    name: "Sensitivity".into(),
                    value: Some("Company-Confidential".into()),
                },
                MailFlowReason::Sender {
                    address: "alice@corp.example".into(),
                },
                MailFlowReason::BodyContains {
                    found: Some("NDA".into()),
                },
                MailFlowReason::HasAttachments { count: 2 },
                MailFlowReason::SizeOver {
                    size: 1_258_291,
                    bytes: 1_048_576,
                },
            ],
            passed_over: vec![],
        },
        json!({
            "recipient": "bob@example.net",
            "rule": {"id": 3, "name": "Confidential or large"},
            "action": {"kind": "relay"},
            "because": [
                {"kind": "recipient_outside_org", "domain": "example.net"},
                {"kind": "recipient_inside_org", "domain": "corp.example"},
                {"kind": "subject_contains", "subject": "[secure] Q3", "found": "[secure]"},
                {"kind": "header_matches", "name": "Sensitivity", "value": "Company-Confidential"},
                {"kind": "sender", "address": "alice@corp.example"},
                {"kind": "body_contains", "found": "NDA"},
                {"kind": "has_attachments", "count": 2},
                {"kind": "size_over", "size": 1_258_291, "bytes": 1_048_576}
            ]
        }),
    );
    // A failed condition: what was not found is absent.
    pins(
        &MailFlowMiss {
            rule: MailFlowRuleRef {
                id: 4,
                name: "Confidential".into(),
            },
            failed: MailFlowReason::HeaderMatches {
                name: "Sensitivity".into(),
                value: None,
            },
        },
        json!({
            "rule": {"id": 4, "name": "Confidential"},
            "failed": {"kind": "header_matches", "name": "Sensitivity"}
        }),
    );
    for (failed, wire) in [
        (
            MailFlowReason::SubjectContains {
                subject: "Q3".into(),
                found: None,
            },
            json!({"kind": "subject_contains", "subject": "Q3"}),
        ),
        (
            MailFlowReason::BodyContains { found: None },
            json!({"kind": "body_contains"}),
        ),
    ] {
        pins(&failed, wire);
    }
    pins(&MoveMailFlowRule { position: 1 }, json!({"position": 1}));
    pins(
        &MailFlowTest {
            eml: "Subject: [secure] x\r\n\r\nhi\r\n".into(),
            recipients: vec![],
            sender: None,
        },
        json!({"eml": "Subject: [secure] x\r\n\r\nhi\r\n"}),
    );
    pins(
        &MailFlowTest {
            eml: "Subject: x\r\n\r\n".into(),
            recipients: vec!["bob@example.net".into()],
            sender: Some("alice@corp.example".into()),
        },
        json!({"eml": "Subject: x\r\n\r\n", "recipients": ["bob@example.net"], "sender": "alice@corp.example"}),
    );
    {
        use sealmail_api::routes::*;
        assert_eq!(ADMIN_MAIL_FLOW_RULES, "/api/v1/admin/mail-flow-rules");
        // GET/POST the list; PUT (edit) and DELETE one rule.
        assert_eq!(ADMIN_MAIL_FLOW_RULE, "/api/v1/admin/mail-flow-rules/{id}");
        assert_eq!(admin_mail_flow_rule("3"), "/api/v1/admin/mail-flow-rules/3");
        assert_eq!(
            admin_mail_flow_rule_move("3"),
            "/api/v1/admin/mail-flow-rules/3/move"
        );
        assert_eq!(ADMIN_MAIL_FLOW_TEST, "/api/v1/admin/mail-flow-test");
    }
    // A condition the server does not know is refused, not ignored: an
    // ignored condition would widen what a rule matches.
    assert!(
        serde_json::from_value::<MailFlowCondition>(
            json!({"kind": "sensitivity_label", "is": "x"})
        )
        .is_err()
    );
    assert!(
        serde_json::from_value::<MailFlowCondition>(json!({"kind": "size_over"})).is_err(),
        "a size condition without its size"
    );
    assert!(
        serde_json::from_value::<MailFlowAction>(
            json!({"kind": "protect", "protection": "encrypt_only", "expiry": 3})
        )
        .is_err()
    );
    assert!(
        serde_json::from_value::<MailFlowCondition>(
            json!({"kind": "sender", "is": "a.example", "extra": true})
        )
        .is_err()
    );
}

#[test]
fn api_token_scopes_and_states() {
    use sealmail_api::tokens::{TokenScope, TokenState};
    let names: Vec<&str> = TokenScope::ALL.iter().map(|s| s.as_str()).collect();
    assert_eq!(names, ["send", "status", "revoke", "admin"]);
    for scope in TokenScope::ALL {
        pins(&scope, json!(scope.as_str()));
        assert_eq!(TokenScope::from_name(scope.as_str()), Some(scope));
    }
    assert_eq!(TokenScope::from_name("Send"), None);
    assert!(serde_json::from_value::<TokenScope>(json!("everything")).is_err());
    pins(&TokenState::Active, json!("active"));
    pins(&TokenState::Expired, json!("expired"));
    pins(&TokenState::Revoked, json!("revoked"));
}

#[test]
fn api_tokens_listed_created_and_their_expiry() {
    use sealmail_api::tokens::*;
    let token = ApiToken {
        id: 7,
        name: "deploy script".into(),
        hint: "smt_Ab3x".into(),
        scopes: vec![TokenScope::Send, TokenScope::Status],
        state: TokenState::Active,
        created_at: Timestamp("2026-12-01T09:00:00Z".into()),
        expires_at: Some(Timestamp("2027-03-01T09:00:00Z".into())),
        last_used_at: None,
        revoked_at: None,
    };
    pins(
        &token,
        json!({
            "id": 7,
            "name": "deploy script",
            "hint": "smt_Ab3x",
            "scopes": ["send", "status"],
            "state": "active",
            "created_at": "2026-12-01T09:00:00Z",
            "expires_at": "2027-03-01T09:00:00Z"
        }),
    );
    let revoked = ApiToken {
        state: TokenState::Revoked,
        expires_at: None,
        last_used_at: Some(Timestamp("2026-12-02T10:00:00Z".into())),
        revoked_at: Some(Timestamp("2026-12-03T11:00:00Z".into())),
        ..token.clone()
    };
    pins(
        &revoked,
        json!({
            "id": 7,
            "name": "deploy script",
            "hint": "smt_Ab3x",
            "scopes": ["send", "status"],
            "state": "revoked",
            "created_at": "2026-12-01T09:00:00Z",
            "last_used_at": "2026-12-02T10:00:00Z",
            "revoked_at": "2026-12-03T11:00:00Z"
        }),
    );
    pins(
        &CreatedApiToken {
            token,
            secret: "smt_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG".into(),
        },
        json!({
            "token": {
                "id": 7,
                "name": "deploy script",
                "hint": "smt_Ab3x",
                "scopes": ["send", "status"],
                "state": "active",
                "created_at": "2026-12-01T09:00:00Z",
                "expires_at": "2027-03-01T09:00:00Z"
            },
            "secret": "smt_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG"
        }),
    );

    pins(
        &NewApiToken {
            name: "ci".into(),
            scopes: vec![TokenScope::Revoke],
            expires: TokenExpiry::Days(30),
        },
        json!({"name": "ci", "scopes": ["revoke"], "expires": {"days": 30}}),
    );
    pins(
        &NewApiToken {
            name: "ci".into(),
            scopes: vec![TokenScope::Admin],
            expires: TokenExpiry::Never,
        },
        json!({"name": "ci", "scopes": ["admin"], "expires": "never"}),
    );
    // No expiry said: the default, 90 days.
    let said_nothing: NewApiToken =
        serde_json::from_value(json!({"name": "ci", "scopes": ["send"]})).unwrap();
    assert_eq!(said_nothing.expires, TokenExpiry::Days(90));
    assert_eq!(DEFAULT_TOKEN_DAYS, 90);
    assert_eq!(TOKEN_PREFIX, "smt_");
    assert_eq!(TOKEN_LENGTH, 47);
}

#[test]
fn api_token_routes_and_what_each_route_needs_of_a_token() {
    use sealmail_api::routes::*;
    use sealmail_api::tokens::{TokenNeeds, TokenScope};
    assert_eq!(TOKENS, "/api/v1/tokens");
    assert_eq!(token(12), "/api/v1/tokens/12");
    assert_eq!(pages::TOKENS, "/tokens");
    assert!(pages::is_staff(pages::TOKENS));

    let scope = |method, route| token_needs(method, route);
    assert_eq!(scope("GET", ME), Some(TokenNeeds::AnyScope));
    assert_eq!(scope("HEAD", ME), Some(TokenNeeds::AnyScope));
    assert_eq!(
        scope("POST", MESSAGES),
        Some(TokenNeeds::Scope(TokenScope::Send))
    );
    assert_eq!(
        scope("GET", SENT),
        Some(TokenNeeds::Scope(TokenScope::Status))
    );
    assert_eq!(
        scope("GET", MESSAGE),
        Some(TokenNeeds::Scope(TokenScope::Status))
    );
    assert_eq!(
        scope("PATCH", MESSAGE),
        Some(TokenNeeds::Scope(TokenScope::Revoke))
    );
    assert_eq!(
        scope("POST", MESSAGE_REVOKE),
        Some(TokenNeeds::Scope(TokenScope::Revoke))
    );
    assert_eq!(
        scope("POST", ADMIN_MESSAGE_REVOKE),
        Some(TokenNeeds::Scope(TokenScope::Admin))
    );
    // Closed to tokens: signing in, the tokens themselves, the recipient's
    // routes, anything not listed.
    for (method, route) in [
        ("POST", SESSION),
        ("DELETE", SESSION),
        ("GET", TOKENS),
        ("POST", TOKENS),
        ("DELETE", TOKEN),
        ("GET", LINK_MESSAGE),
        ("POST", LINK_REPLY),
        ("GET", HEALTH),
        ("DELETE", MESSAGE),
    ] {
        assert_eq!(scope(method, route), None, "{method} {route}");
    }
    // Every admin route needs the admin scope, and only they do.
    for route in TOKEN_ROUTES {
        let admin = route.route.starts_with("/api/v1/admin/");
        assert_eq!(
            route.needs == TokenNeeds::Scope(TokenScope::Admin),
            admin,
            "{} {}",
            route.method.as_str(),
            route.route
        );
    }
}
