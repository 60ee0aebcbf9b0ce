//! The API tokens page: the signed-in user's tokens listed, a new one made
//! (checked here first) with its secret shown once and selected for copying,
//! a token revoked after a confirmation; the admin scope offered only to an
//! administrator; the page in every language.

mod common;

use common::*;
use sealmail_api::ErrorCode;
use sealmail_api::tokens::{
    ApiToken, CreatedApiToken, NewApiToken, TokenExpiry, TokenScope, TokenState,
};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const SECRET: &str = "smt_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG";

fn choose_expiry(value: &str) {
    let select = testid("token-expiry").unwrap();
    select
        .unchecked_ref::<web_sys::HtmlSelectElement>()
        .set_value(value);
    dispatch(&select, "change");
}

fn created_calls(api: &FakeApi) -> Vec<NewApiToken> {
    api.calls()
        .into_iter()
        .filter_map(|c| match c {
            Call::CreateToken(token) => Some(token),
            _ => None,
        })
        .collect()
}

#[wasm_bindgen_test]
async fn a_new_token_is_checked_made_and_its_secret_shown_once_selected_for_copying() {
    let made = api_token(2, "deploy script", &[TokenScope::Send, TokenScope::Revoke]);
    let api = FakeApi::new()
        .me(vec![Ok(sender_me())])
        .tokens(vec![Ok(vec![api_token(
            1,
            "nightly",
            &[TokenScope::Status],
        )])])
        .create_token(vec![Ok(CreatedApiToken {
            token: made,
            secret: SECRET.into(),
        })]);
    let _page = mount_portal(&api, "/tokens", Some("en"));
    find("token-row").await;
    assert_eq!(text("token-name"), "nightly");
    assert_eq!(
        text("token-scopes"),
        "Read the Sent list and the status of messages"
    );
    assert_eq!(text("token-state"), "Active");
    assert_eq!(text("token-last-used"), "Never");
    assert_eq!(text("token-hint"), "smt_Ab3x…");
    // Not an administrator: the admin API is not offered.
    assert!(testid("token-scope-send").is_some());
    assert!(testid("token-scope-admin").is_none());
    assert!(testid("token-secret").is_none());

    // Said here, before anything is sent.
    click("token-create");
    wait_text("token-form-error", "Give the token a name.").await;
    fill_in("token-name-input", "  deploy script ");
    click("token-create");
    wait_text(
        "token-form-error",
        "Choose at least one thing the token may do.",
    )
    .await;
    assert!(created_calls(&api).is_empty());

    click("token-scope-revoke");
    click("token-scope-send");
    choose_expiry("30");
    click("token-create");
    let secret = find("token-secret").await;
    assert_eq!(
        created_calls(&api),
        [NewApiToken {
            name: "deploy script".into(),
            scopes: vec![TokenScope::Revoke, TokenScope::Send],
            expires: TokenExpiry::Days(30),
        }]
    );
    let input = secret.unchecked_into::<web_sys::HtmlInputElement>();
    assert_eq!(input.value(), SECRET);
    assert!(input.read_only());
    wait_focus("token-secret").await;
    assert_eq!(input.selection_start().unwrap(), Some(0));
    assert_eq!(input.selection_end().unwrap(), Some(SECRET.len() as u32));
    assert_eq!(
        text("token-created"),
        "Your new token. Copy it now: it is shown only this once."
    );
    assert_eq!(text("token-form-error"), "");

    // The new token heads the list; the form is empty again.
    until("two rows", || all("token-row").len() == 2).await;
    assert_eq!(text("token-name"), "deploy script");
    let name = testid("token-name-input")
        .unwrap()
        .unchecked_into::<web_sys::HtmlInputElement>();
    assert_eq!(name.value(), "");
    assert!(
        !testid("token-scope-send")
            .unwrap()
            .unchecked_into::<web_sys::HtmlInputElement>()
            .checked()
    );
}

#[wasm_bindgen_test]
async fn a_token_is_revoked_after_a_confirmation_and_shown_revoked() {
    let token = api_token(4, "ci", &[TokenScope::Status]);
    let revoked = ApiToken {
        state: TokenState::Revoked,
        revoked_at: Some(sealmail_api::Timestamp("2026-11-22T10:00:00Z".into())),
        ..token.clone()
    };
    let api = FakeApi::new()
        .me(vec![Ok(sender_me())])
        .tokens(vec![Ok(vec![token])])
        .revoke_token(vec![Err(error(ErrorCode::Internal)), Ok(revoked)]);
    let _page = mount_portal(&api, "/tokens", Some("en"));
    find("token-revoke").await;
    click("token-revoke");
    until("the dialog", || dialog_open("confirm-dialog")).await;
    assert_eq!(
        text("confirm-body"),
        "Scripts that use “ci” will be refused from now on. This cannot be undone."
    );
    // A failure is said in the dialog, which stays open.
    click("confirm-revoke");
    wait_text_contains("confirm-error", "try again").await;
    assert!(dialog_open("confirm-dialog"));
    click("confirm-revoke");
    wait_text("tokens-status", "The token was revoked.").await;
    assert!(!dialog_open("confirm-dialog"));
    wait_text("token-state", "Revoked").await;
    assert!(testid("token-revoke").is_none());
    let revokes: Vec<Call> = api
        .calls()
        .into_iter()
        .filter(|c| matches!(c, Call::RevokeToken(_)))
        .collect();
    assert_eq!(revokes, [Call::RevokeToken(4), Call::RevokeToken(4)]);
}

#[wasm_bindgen_test]
async fn an_administrator_is_offered_the_admin_api_and_a_refusal_is_said() {
    let api = FakeApi::new()
        .me(vec![Ok(admin_me())])
        .create_token(vec![Err(error(ErrorCode::Forbidden))]);
    let _page = mount_portal(&api, "/tokens", Some("en"));
    find("tokens-empty").await;
    assert_eq!(text("tokens-empty"), "You have no API tokens.");
    fill_in("token-name-input", "ops");
    click("token-scope-admin");
    choose_expiry("never");
    click("token-create");
    wait_text("token-form-error", "Only administrators can use this page.").await;
    assert_eq!(
        created_calls(&api),
        [NewApiToken {
            name: "ops".into(),
            scopes: vec![TokenScope::Admin],
            expires: TokenExpiry::Never,
        }]
    );
    assert!(testid("token-secret").is_none());
}

#[wasm_bindgen_test]
async fn the_page_and_its_link_speak_every_language() {
    for (lang, title, send) in [
        ("en", "API tokens", "Send messages"),
        ("nl", "API-tokens", "Berichten versturen"),
        ("da", "API-tokens", "Sende meddelelser"),
        ("ja", "API トークン", "メッセージの送信"),
    ] {
        let api = FakeApi::new()
            .me(vec![Ok(sender_me())])
            .tokens(vec![Ok(vec![api_token(1, "x", &[TokenScope::Send])])]);
        let _page = mount_portal(&api, "/tokens", Some(lang));
        find("token-row").await;
        let heading = query("[data-testid=page-tokens] h1").unwrap();
        assert_eq!(heading.text_content().unwrap(), title, "{lang}");
        assert_eq!(text("nav-tokens"), title, "{lang}");
        assert_eq!(
            testid("nav-tokens")
                .unwrap()
                .get_attribute("aria-current")
                .as_deref(),
            Some("page")
        );
        assert_eq!(text("token-scopes"), send, "{lang}");
        assert!(document().title().starts_with(title), "{lang}");
    }
}
