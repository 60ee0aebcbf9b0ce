//! The recipient's first calls are read without serde_json
//! (`sealmail_portal::api::wire`): what serde writes for each contract type,
//! the portal reads back the same, every optional field present and absent.

mod common;

use common::*;
use sealmail_api::common::{Branding, Mailbox};
use sealmail_api::recipient::{PasscodeRequest, PasscodeSent, PasscodeSubmit, SessionOpened};
use sealmail_api::{ErrorBody, ErrorCode, Language, Timestamp};
use sealmail_portal::api::wire::{self, FromJs};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// `value` through serde's JSON and back through the portal's reader.
fn round_trip<T: serde::Serialize + FromJs + PartialEq + std::fmt::Debug>(value: T) {
    let json = serde_json::to_string(&value).unwrap();
    assert_eq!(wire::parse::<T>(&json).as_ref(), Some(&value), "{json}");
}

#[wasm_bindgen_test]
fn the_link_info_reads_back_with_every_field_and_without_the_optional_ones() {
    let mut full = link_info();
    full.expires_at = Some(Timestamp("2026-12-01T10:00:00Z".into()));
    full.locked_until = Some(Timestamp("2026-11-23T10:45:00Z".into()));
    full.session_open = true;
    full.branding = Branding {
        organisation: "Contoso \"Bank\" \\ 日本".into(),
        background_color: "#0b5394".into(),
        logo_url: Some("/logo".into()),
        introduction_text: Some("intro".into()),
        read_button_text: Some("read".into()),
        portal_text: Some("portal".into()),
        disclaimer_text: Some("disclaimer".into()),
        privacy_statement_url: Some("https://example.org/privacy".into()),
    };
    round_trip(full.clone());

    let mut bare = full;
    bare.expires_at = None;
    bare.locked_until = None;
    bare.session_open = false;
    bare.sender = Mailbox {
        name: None,
        address: "a@example.org".into(),
    };
    bare.protection = sealmail_api::Protection::DoNotForward;
    bare.branding = Branding {
        organisation: "Sealmail".into(),
        background_color: "#000000".into(),
        logo_url: None,
        introduction_text: None,
        read_button_text: None,
        portal_text: None,
        disclaimer_text: None,
        privacy_statement_url: None,
    };
    round_trip(bare);
}

#[wasm_bindgen_test]
fn passcode_answers_and_every_error_code_read_back() {
    round_trip(passcode_sent());
    round_trip(PasscodeSent {
        sent_to_masked: "b•••@example.net".into(),
        valid_for_secs: u32::MAX,
    });
    round_trip(SessionOpened {
        expires_at: Timestamp("2026-11-23T10:30:00Z".into()),
    });
    for code in ErrorCode::ALL {
        round_trip(ErrorBody::new(code, "said in English"));
    }
    let mut detailed = ErrorBody::new(ErrorCode::PasscodeWrong, "wrong");
    detailed.tries_left = Some(2);
    detailed.retry_after_secs = Some(900);
    round_trip(detailed);
}

#[wasm_bindgen_test]
fn what_is_not_the_contracts_shape_is_refused() {
    assert_eq!(wire::parse::<PasscodeSent>("not json"), None);
    assert_eq!(
        wire::parse::<PasscodeSent>(r#"{"sent_to_masked":"x"}"#),
        None
    );
    assert_eq!(
        wire::parse::<PasscodeSent>(r#"{"sent_to_masked":"x","valid_for_secs":1.5}"#),
        None
    );
    assert_eq!(
        wire::parse::<ErrorBody>(r#"{"code":"no_such_code","message":""}"#),
        None
    );
}

#[wasm_bindgen_test]
fn the_request_bodies_are_what_serde_writes() {
    for request in [
        PasscodeRequest { language: None },
        PasscodeRequest {
            language: Some(Language::Ja),
        },
    ] {
        assert_eq!(
            wire::passcode_request(&request),
            serde_json::to_string(&request).unwrap()
        );
    }
    let submit = PasscodeSubmit {
        passcode: "12\"34\\5678".into(),
    };
    assert_eq!(
        wire::passcode_submit(&submit),
        serde_json::to_string(&submit).unwrap()
    );
}
