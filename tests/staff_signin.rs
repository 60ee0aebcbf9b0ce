//! Signing in and out, the session check that sends a signed-out user to
//! sign in and back, the navigation bar, and the forbidden page.

mod common;

use common::*;
use sealmail_api::ErrorCode;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn a_signed_out_user_is_sent_to_sign_in_and_comes_back_afterwards() {
    let api = FakeApi::new().me(vec![Err(error(ErrorCode::NotSignedIn))]);
    let _page = mount_portal(&api, "/sent", Some("en"));
    find("page-signin").await;
    assert_eq!(current_url(), "/signin?next=/sent");
    wait_focus("signin-email").await;

    fill_in("signin-email", "alice@contoso.example");
    fill_in("signin-password", "correct horse");
    click("signin-submit");
    find("page-sent").await;
    assert_eq!(current_url(), "/sent");
    assert!(api.calls().contains(&Call::SignIn {
        email: "alice@contoso.example".into(),
        password: "correct horse".into(),
    }));
    // The navigation bar: Sent (current), Compose, no Admin for a sender.
    find("nav").await;
    assert_eq!(
        testid("nav-sent")
            .unwrap()
            .get_attribute("aria-current")
            .as_deref(),
        Some("page")
    );
    assert!(testid("nav-compose").is_some());
    assert!(testid("nav-admin").is_none());
    assert_eq!(text("nav-who"), "Alice Example");
}

#[wasm_bindgen_test]
async fn a_wrong_password_says_so_and_the_password_is_cleared() {
    let api = FakeApi::new().sign_in(vec![Err(error(ErrorCode::CredentialsWrong))]);
    let _page = mount_portal(&api, "/signin", Some("en"));
    find("page-signin").await;
    fill_in("signin-email", "alice@contoso.example");
    fill_in("signin-password", "wrong");
    click("signin-submit");
    wait_text("signin-error", "The email address or password is wrong.").await;
    assert_eq!(
        testid("signin-error")
            .unwrap()
            .get_attribute("role")
            .as_deref(),
        Some("alert")
    );
    wait_focus("signin-password").await;
    assert_eq!(current_url(), "/signin");
}

#[wasm_bindgen_test]
async fn sign_in_errors_are_explained_by_their_code() {
    let api = FakeApi::new().sign_in(vec![
        Err(retry_after(ErrorCode::RateLimited, 300)),
        Err(sealmail_portal::api::ApiError::Unreachable),
    ]);
    let _page = mount_portal(&api, "/signin", Some("en"));
    find("page-signin").await;

    click("signin-submit");
    wait_text("signin-error", "Enter your email address and password.").await;
    assert!(!api.calls().iter().any(|c| matches!(c, Call::SignIn { .. })));

    fill_in("signin-email", "alice@contoso.example");
    fill_in("signin-password", "pw");
    click("signin-submit");
    wait_text("signin-error", "Too many attempts. Try again in 5 minutes.").await;

    fill_in("signin-password", "pw");
    click("signin-submit");
    wait_text(
        "signin-error",
        "That did not work. Check your connection and try again.",
    )
    .await;
}

#[wasm_bindgen_test]
async fn next_cannot_send_the_user_to_another_site() {
    let api = FakeApi::new();
    let _page = mount_portal(&api, "/signin?next=//evil.example/x", Some("en"));
    find("page-signin").await;
    fill_in("signin-email", "alice@contoso.example");
    fill_in("signin-password", "pw");
    click("signin-submit");
    find("page-sent").await;
    assert_eq!(current_url(), "/sent");
}

#[wasm_bindgen_test]
async fn signing_out_ends_the_session_and_says_so() {
    let api = FakeApi::new();
    let _page = mount_portal(&api, "/sent", Some("en"));
    find("nav-sign-out").await;
    click("nav-sign-out");
    find("page-signin").await;
    assert!(api.calls().contains(&Call::SignOut));
    assert_eq!(text("signin-signed-out"), "You have signed out.");
    assert!(testid("nav").is_none());
}

#[wasm_bindgen_test]
async fn a_sender_gets_the_forbidden_page_on_an_admin_page() {
    let api = FakeApi::new();
    let _page = mount_portal(&api, "/admin", Some("en"));
    find("page-forbidden").await;
    assert_eq!(text("page-title"), "You do not have access to this page");
    assert!(testid("page-admin-status").is_none());
    assert!(
        !api.calls()
            .iter()
            .any(|c| matches!(c, Call::AdminMessage(_)))
    );
}

#[wasm_bindgen_test]
async fn an_admin_sees_the_admin_link_and_page() {
    let api = FakeApi::new().me(vec![Ok(admin_me())]);
    let _page = mount_portal(&api, "/sent", Some("en"));
    find("nav-admin").await;
    click("nav-admin");
    find("page-admin-status").await;
    assert_eq!(current_url(), "/admin");
    assert_eq!(
        testid("nav-admin")
            .unwrap()
            .get_attribute("aria-current")
            .as_deref(),
        Some("page")
    );
}

#[wasm_bindgen_test]
async fn the_sign_in_page_and_the_navigation_speak_japanese() {
    let api = FakeApi::new();
    let page = mount_portal(&api, "/signin", Some("ja"));
    find("page-signin").await;
    wait_text("signin-submit", "サインイン").await;
    until("<html lang=ja>", || html_lang() == "ja").await;
    let label = query("label[for=signin-password]").unwrap();
    assert_eq!(label.text_content().unwrap(), "パスワード");
    drop(page);

    let _page = mount_portal(&api, "/sent", Some("ja"));
    find("nav").await;
    assert_eq!(text("nav-sent"), "送信済みアイテム");
    find("revoke-message").await;
    assert_eq!(text("revoke-message"), "外部アクセスを削除");
}

#[wasm_bindgen_test]
async fn single_sign_on_is_offered_beside_the_password_only_when_configured() {
    use sealmail_api::sso::{SignInOptions, SingleSignOn};
    let api = FakeApi::new();
    let _page = mount_portal(&api, "/signin", Some("en"));
    find("page-signin").await;
    find("signin-submit").await;
    until("the sign-in page asks how", || {
        api.calls().contains(&Call::SignInOptions)
    })
    .await;
    sleep(50).await;
    assert!(testid("signin-sso").is_none(), "not configured: no button");
    drop(_page);

    let api = FakeApi::new().sign_in_options(vec![Ok(SignInOptions {
        single_sign_on: Some(SingleSignOn {
            provider_name: "Contoso ID".into(),
        }),
    })]);
    let _page = mount_portal(&api, "/signin?next=/compose", Some("nl"));
    let link = find("signin-sso").await;
    assert_eq!(link.tag_name(), "A");
    assert_eq!(text("signin-sso"), "Aanmelden met Contoso ID");
    assert_eq!(
        link.get_attribute("href").as_deref(),
        Some("/api/v1/oidc/start?next=%2Fcompose")
    );
    // The router leaves it to the browser: the server sends it on.
    assert_eq!(link.get_attribute("rel").as_deref(), Some("external"));
    assert!(testid("signin-email").is_some(), "the password form stays");
}

#[wasm_bindgen_test]
async fn a_refused_single_sign_on_is_explained_in_the_readers_language() {
    let cases = [
        (
            "sso_state_invalid",
            "en",
            "That sign-in was not begun here, was already used or took too long. Sign in again.",
        ),
        (
            "sso_account_refused",
            "da",
            "Din konto hos identitetsudbyderen må ikke logge på Sealmail. Spørg din administrator.",
        ),
        (
            "sso_token_invalid",
            "nl",
            "Sealmail kon het antwoord van uw identiteitsprovider niet controleren. Probeer het opnieuw; blijft het misgaan, laat het uw beheerder weten.",
        ),
        (
            "rate_limited",
            "en",
            "Too many attempts. Try again in 10 minutes.",
        ),
        (
            "sso_unavailable",
            "ja",
            "ID プロバイダーでのサインインに失敗しました。利用できないか、サインインが取り消された可能性があります。もう一度お試しいただくか、パスワードでサインインしてください。",
        ),
    ];
    for (code, lang, said) in cases {
        let api = FakeApi::new();
        let page = mount_portal(&api, &format!("/signin?sso_error={code}"), Some(lang));
        find("signin-sso-error").await;
        assert_eq!(text("signin-sso-error"), said, "{code}");
        assert_eq!(
            testid("signin-sso-error")
                .unwrap()
                .get_attribute("role")
                .as_deref(),
            Some("alert")
        );
        drop(page);
    }
}
