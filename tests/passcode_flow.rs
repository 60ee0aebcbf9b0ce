//! The link page and the passcode step, driven against the fake API.

mod common;

use common::*;
use sealmail_api::{ErrorCode, Timestamp};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn the_link_page_shows_the_branding_the_sender_the_protection_and_the_expiry() {
    let api = FakeApi::new();
    let _page = mount_flow(&api, Some("en"));

    find("page-link").await;
    assert_eq!(text("brand-organisation"), "Contoso Bank");
    assert!(testid("brand-logo").is_some());
    assert_eq!(text("brand-intro"), "Contoso protects your mail.");
    assert_eq!(text("brand-disclaimer"), "Confidential.");
    // The branded colour reaches the header through the CSSOM, with a text
    // colour that contrasts with it.
    let header = testid("brand-header").unwrap();
    let style = window().get_computed_style(&header).unwrap().unwrap();
    assert_eq!(
        style.get_property_value("background-color").unwrap(),
        "rgb(11, 83, 148)"
    );
    assert_eq!(
        style.get_property_value("color").unwrap(),
        "rgb(255, 255, 255)"
    );
    assert!(
        header
            .get_attribute("style")
            .is_some_and(|s| s.contains("background-color"))
    );

    assert_eq!(
        text("sender"),
        "Alice Example <alice@contoso.example> sent you an encrypted message."
    );
    assert!(text("protection").contains("Encrypt-only"));
    wait_text_contains("expires", "December 1, 2026").await;
    assert_eq!(text("send-passcode"), "Send me a one-time passcode");
    wait_focus("page-link-title").await;
    assert_eq!(api.calls(), vec![Call::Link]);
}

#[wasm_bindgen_test]
async fn asking_for_a_passcode_shows_the_masked_address_and_a_one_time_code_field() {
    let api = FakeApi::new();
    let _page = mount_flow(&api, Some("en"));
    find("send-passcode").await;

    click("send-passcode");

    find("page-passcode").await;
    assert_eq!(
        text("sent-to"),
        "A one-time passcode was sent to b•••@example.net"
    );
    let field = testid("passcode").unwrap();
    assert_eq!(field.get_attribute("inputmode").as_deref(), Some("numeric"));
    assert_eq!(
        field.get_attribute("autocomplete").as_deref(),
        Some("one-time-code")
    );
    assert_eq!(
        field.get_attribute("maxlength"),
        None,
        "pasting a spaced code must fit"
    );
    let label = query("label[for=passcode]").expect("the field has a label");
    assert_eq!(label.text_content().unwrap(), "One-time passcode");
    wait_focus("passcode").await;
    assert_eq!(api.calls(), vec![Call::Link, Call::SendPasscode]);
}

#[wasm_bindgen_test]
async fn a_pasted_passcode_with_spaces_opens_the_reader() {
    let api = FakeApi::new();
    let _page = mount_flow(&api, Some("en"));
    ask_and_submit_passcode(" 1234 5678 ").await;

    // The session is open: over to the reader bundle, which shows the message.
    wait_left_to("/m/tok-123/read").await;
    assert_eq!(
        api.calls(),
        vec![
            Call::Link,
            Call::SendPasscode,
            Call::OpenSession("12345678".into()),
        ]
    );
}

#[wasm_bindgen_test]
async fn a_wrong_passcode_says_how_many_tries_are_left() {
    let api = FakeApi::new().session(vec![
        Err(wrong_passcode(2)),
        Err(wrong_passcode(1)),
        Err(wrong_passcode(0)),
    ]);
    let _page = mount_flow(&api, Some("en"));
    ask_and_submit_passcode("11111111").await;
    wait_text("passcode-error", "The passcode is wrong. 2 tries left.").await;
    let field = testid("passcode").unwrap();
    assert_eq!(field.get_attribute("aria-invalid").as_deref(), Some("true"));
    assert_eq!(
        testid("passcode-error")
            .unwrap()
            .get_attribute("role")
            .as_deref(),
        Some("alert")
    );
    wait_focus("passcode").await;

    fill_in("passcode", "22222222");
    click("submit-passcode");
    wait_text("passcode-error", "The passcode is wrong. 1 try left.").await;

    fill_in("passcode", "33333333");
    click("submit-passcode");
    wait_text(
        "passcode-error",
        "The passcode is wrong. This passcode cannot be used any more. Send a new code.",
    )
    .await;
}

#[wasm_bindgen_test]
async fn a_wrong_passcode_in_japanese() {
    let api = FakeApi::new().session(vec![Err(wrong_passcode(4))]);
    let _page = mount_flow(&api, Some("ja"));
    find("send-passcode").await;
    assert_eq!(text("send-passcode"), "ワンタイム パスコードを送信");
    click("send-passcode");
    find("passcode").await;
    assert_eq!(
        text("sent-to"),
        "b•••@example.net にワンタイム パスコードを送信しました"
    );

    fill_in("passcode", "11111111");
    click("submit-passcode");

    wait_text(
        "passcode-error",
        "パスコードが正しくありません。 残り 4 回です。",
    )
    .await;
    assert_eq!(html_lang(), "ja");
}

#[wasm_bindgen_test]
async fn an_empty_passcode_is_caught_on_the_page() {
    let api = FakeApi::new();
    let _page = mount_flow(&api, Some("en"));
    find("send-passcode").await;
    click("send-passcode");
    find("passcode").await;

    click("submit-passcode");

    wait_text("passcode-error", "Enter the passcode from the email.").await;
    assert_eq!(api.calls(), vec![Call::Link, Call::SendPasscode]);
}

#[wasm_bindgen_test]
async fn an_expired_passcode_asks_for_a_new_one_and_a_new_code_can_be_sent() {
    let api = FakeApi::new()
        .session(vec![Err(error(ErrorCode::PasscodeExpired)), Ok(session())])
        .passcode(vec![
            Ok(passcode_sent()),
            Ok(sealmail_api::recipient::PasscodeSent {
                sent_to_masked: "b•••@example.net".into(),
                valid_for_secs: 300,
            }),
        ]);
    let _page = mount_flow(&api, Some("en"));
    ask_and_submit_passcode("12345678").await;
    wait_text(
        "passcode-error",
        "The passcode has expired. Send a new code.",
    )
    .await;

    click("new-code");

    wait_text("passcode-status", "A new passcode is on its way.").await;
    assert_eq!(text("passcode-error"), "");
    assert!(text("page-passcode").contains("It is valid for 5 minutes."));
    wait_focus("passcode").await;
    fill_in("passcode", "87654321");
    click("submit-passcode");
    wait_left_to("/m/tok-123/read").await;
    assert_eq!(
        api.calls()
            .iter()
            .filter(|c| **c == Call::SendPasscode)
            .count(),
        2
    );
}

#[wasm_bindgen_test]
async fn too_many_wrong_passcodes_lock_the_link() {
    let api = FakeApi::new().session(vec![Err(retry_after(ErrorCode::TooManyAttempts, 900))]);
    let _page = mount_flow(&api, Some("en"));
    ask_and_submit_passcode("12345678").await;

    find("page-locked").await;
    assert_eq!(text("page-title"), "Too many attempts");
    assert_eq!(text("locked-retry"), "Try again in 15 minutes.");
    wait_focus("page-title").await;
}

#[wasm_bindgen_test]
async fn the_locked_page_says_until_when_the_link_is_locked() {
    let mut locked = link_info();
    locked.locked_until = Some(Timestamp("2026-11-23T10:45:00Z".into()));
    // The server locks the link on the fifth wrong passcode; asked again,
    // the link's info says until when.
    let api = FakeApi::new()
        .link(vec![Ok(link_info()), Ok(locked)])
        .session(vec![Err(retry_after(ErrorCode::TooManyAttempts, 900))]);
    let _page = mount_flow(&api, Some("en"));
    ask_and_submit_passcode("12345678").await;

    find("page-locked").await;
    wait_text_contains("locked-until", "November 23, 2026").await;
    assert!(text("locked-until").starts_with("Locked until "));
    assert_eq!(text("locked-retry"), "Try again in 15 minutes.");
    assert_eq!(api.calls().last(), Some(&Call::Link));
}

#[wasm_bindgen_test]
async fn asking_for_too_many_passcodes_is_explained_on_the_link_page() {
    let api = FakeApi::new().passcode(vec![Err(retry_after(ErrorCode::RateLimited, 90))]);
    let _page = mount_flow(&api, Some("en"));
    find("send-passcode").await;

    click("send-passcode");

    wait_text(
        "link-error",
        "Too many passcodes were requested. Try again in 2 minutes.",
    )
    .await;
    assert!(testid("page-link").is_some());
}

#[wasm_bindgen_test]
async fn a_browser_with_an_open_session_goes_straight_to_the_reader() {
    let mut info = link_info();
    info.session_open = true;
    let api = FakeApi::new().link(vec![Ok(info)]);
    let _page = mount_flow(&api, Some("en"));

    wait_left_to("/m/tok-123/read").await;
    assert_eq!(api.calls(), vec![Call::Link]);
    assert!(testid("page-link").is_none());
}

fn session() -> sealmail_api::recipient::SessionOpened {
    sealmail_api::recipient::SessionOpened {
        expires_at: sealmail_api::Timestamp("2026-11-23T10:30:00Z".into()),
    }
}
