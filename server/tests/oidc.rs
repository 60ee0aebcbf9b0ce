//! Staff single sign-on with OpenID Connect (issue 20 item 5), against a
//! real provider (npm `oidc-provider`, run by `common/oidc.rs`): the happy
//! path first, then each refusal — its error code, for a browser and for a
//! program, and its line in the audit.

mod common;

use axum::http::{StatusCode, header};
use common::TestApp;
use common::oidc::{ANN, Browser, EVE, OidcProvider, SAM, UMA};
use sealmail_api::ErrorCode;
use sealmail_api::routes;
use sealmail_api::sender::Me;
use sealmail_api::sso::SignInOptions;

/// The `sign_in` audit lines, oldest first: (outcome, actor, detail).
async fn sign_in_audit(app: &TestApp) -> Vec<(String, Option<String>, String)> {
    sealmail::store::on_db!(&app.state.db, |c| sqlx::query_as(
        "SELECT outcome, actor, COALESCE(detail, '') FROM audit_events
         WHERE kind = 'sign_in' ORDER BY id",
    )
    .fetch_all(c)
    .await)
    .unwrap()
}

/// The one `sign_in` failure audited: its actor and detail.
async fn the_refusal(app: &TestApp) -> (Option<String>, String) {
    let audit = sign_in_audit(app).await;
    let failures: Vec<_> = audit.iter().filter(|(o, ..)| o == "failure").collect();
    assert_eq!(failures.len(), 1, "{audit:?}");
    (failures[0].1.clone(), failures[0].2.clone())
}

/// Where a refused browser is sent: the sign-in page, saying why.
fn sign_in_page_saying(code: ErrorCode) -> String {
    format!("{}?sso_error={code}", routes::pages::SIGN_IN)
}

#[tokio::test]
async fn the_sign_in_page_offers_single_sign_on_only_when_configured() {
    let plain = TestApp::new().await;
    let options: SignInOptions = plain.get(routes::SIGN_IN_OPTIONS, None).await.json();
    assert_eq!(options.single_sign_on, None);
    let start = plain.get(routes::OIDC_START, None).await;
    assert_eq!(start.code(), ErrorCode::NotFound);

    let provider = OidcProvider::start();
    let app = provider.app().await;
    let options: SignInOptions = app.get(routes::SIGN_IN_OPTIONS, None).await.json();
    assert_eq!(options.single_sign_on.unwrap().provider_name, "Contoso ID");
}

#[tokio::test]
async fn an_issuer_without_a_client_or_a_domain_is_refused_at_start_up() {
    use clap::Parser as _;
    use sealmail::config::Cli;
    let issuer_alone = Cli::try_parse_from([
        "sealmail",
        "--oidc-issuer",
        "https://id.contoso.example",
        "serve",
    ])
    .unwrap_err()
    .to_string();
    assert!(issuer_alone.contains("--oidc-client-id"), "{issuer_alone}");
    assert!(
        issuer_alone.contains("--oidc-allowed-domains"),
        "{issuer_alone}"
    );

    // Kept exactly as written: an issuer with a trailing slash (Auth0's
    // have one) must match its discovery document as a string.
    let with_slash = Cli::try_parse_from([
        "sealmail",
        "--oidc-issuer",
        "https://contoso.auth0.example/",
        "--oidc-client-id",
        "sealmail",
        "--oidc-allowed-domains",
        "contoso.example",
        "serve",
    ])
    .unwrap()
    .config;
    assert_eq!(
        with_slash.oidc.oidc_issuer.as_deref(),
        Some("https://contoso.auth0.example/")
    );
    let not_a_url = Cli::try_parse_from(["sealmail", "--oidc-issuer", "contoso", "serve"])
        .unwrap_err()
        .to_string();
    assert!(not_a_url.contains("is not an issuer URL"), "{not_a_url}");

    let no_domain = Cli::try_parse_from([
        "sealmail",
        "--oidc-issuer",
        "https://id.contoso.example",
        "--oidc-client-id",
        "sealmail",
        "--oidc-allowed-domains",
        " ,",
        "serve",
    ])
    .unwrap()
    .config;
    let refused = sealmail::oidc::Sso::from_config(&no_domain.oidc, "https://sealmail.test")
        .unwrap_err()
        .to_string();
    assert_eq!(
        refused,
        "single sign-on: --oidc-allowed-domains names no domain"
    );
}

#[tokio::test]
async fn a_new_person_signs_in_with_the_provider_and_the_admin_group_makes_an_administrator() {
    let provider = OidcProvider::start();
    let app = provider.app().await;
    let mut browser = Browser::new(&app);

    let to_provider = browser.start(Some("/admin/audit")).await;
    assert!(to_provider.starts_with(&format!("{}/auth?", provider.issuer())));
    for part in [
        "code_challenge_method=S256",
        "code_challenge=",
        "nonce=",
        "state=",
        "scope=openid",
    ] {
        assert!(to_provider.contains(part), "{part} in {to_provider}");
    }
    let callback = browser.at_provider(&to_provider, ANN).await;
    let signed_in = browser.open(&callback).await;
    assert_eq!(
        signed_in.status,
        StatusCode::SEE_OTHER,
        "{}",
        signed_in.text()
    );
    assert_eq!(signed_in.header(header::LOCATION), "/admin/audit");

    let cookie = browser.session_cookie().expect("the session cookie");
    let me: Me = app.get(routes::ME, Some(&cookie)).await.json();
    assert_eq!(me.address, ANN);
    assert_eq!(me.name.as_deref(), Some("Ann Admin"));
    assert!(me.is_admin);
    assert_eq!(
        sign_in_audit(&app).await,
        [(
            "success".to_owned(),
            Some(ANN.to_owned()),
            "oidc, account created, administrator".to_owned()
        )]
    );
}

#[tokio::test]
async fn someone_outside_the_admin_group_is_a_sender_and_the_group_decides_at_every_sign_in() {
    let provider = OidcProvider::start();
    let app = provider.app().await;
    // Made an administrator by hand; the provider says otherwise.
    app.add_user(SAM, "Sam", true).await;

    let mut browser = Browser::new(&app);
    let answer = browser.sign_in(SAM).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    assert_eq!(answer.header(header::LOCATION), routes::pages::SENT);
    let cookie = browser.session_cookie().unwrap();
    let me: Me = app.get(routes::ME, Some(&cookie)).await.json();
    assert_eq!(me.address, SAM);
    assert!(!me.is_admin, "the provider's groups decide");
    let admin_page = app.get(routes::ADMIN_TRACE, Some(&cookie)).await;
    assert_eq!(admin_page.code(), ErrorCode::Forbidden);
    assert_eq!(
        app.rows_in("users").await,
        1,
        "the existing account, not a new one"
    );
    assert_eq!(sign_in_audit(&app).await[0].2, "oidc");
}

#[tokio::test]
async fn what_the_id_token_leaves_out_is_asked_of_the_userinfo_endpoint() {
    let provider = OidcProvider::with_claims_in_userinfo();
    let app = provider.app().await;
    let mut browser = Browser::new(&app);
    let answer = browser.sign_in(ANN).await;
    assert_eq!(answer.header(header::LOCATION), routes::pages::SENT);
    let cookie = browser.session_cookie().expect("signed in");
    let me: Me = app.get(routes::ME, Some(&cookie)).await.json();
    assert_eq!(me.address, ANN);
    assert_eq!(me.name.as_deref(), Some("Ann Admin"));
    assert!(me.is_admin, "the groups came from UserInfo");

    // And its address is held to the same rules.
    let mut eve = Browser::new(&app);
    let refused = eve.sign_in(EVE).await;
    assert_eq!(
        refused.header(header::LOCATION),
        sign_in_page_saying(ErrorCode::SsoAccountRefused)
    );
}

#[tokio::test]
async fn a_program_following_the_callback_gets_json() {
    let provider = OidcProvider::start();
    let app = provider.app().await;
    let mut browser = Browser::new(&app);
    let to_provider = browser.start(None).await;
    let callback = browser.at_provider(&to_provider, SAM).await;
    let answer = browser.fetch(&callback).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    let me: Me = answer.json();
    assert_eq!(me.address, SAM);
    assert!(
        answer
            .cookie_named(app.state.settings.sender_cookie())
            .is_some()
    );
}

#[tokio::test]
async fn an_address_outside_the_allowed_domains_is_refused() {
    let provider = OidcProvider::start();
    let app = provider.app().await;
    let mut browser = Browser::new(&app);
    let answer = browser.sign_in(EVE).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    assert_eq!(
        answer.header(header::LOCATION),
        sign_in_page_saying(ErrorCode::SsoAccountRefused)
    );
    assert_eq!(browser.session_cookie(), None);
    assert_eq!(app.rows_in("users").await, 0);
    assert_eq!(
        the_refusal(&app).await,
        (
            Some(EVE.to_owned()),
            "sso_account_refused: the email's domain is not allowed (oidc)".to_owned()
        )
    );
}

#[tokio::test]
async fn an_address_the_provider_has_not_verified_is_refused() {
    let provider = OidcProvider::start();
    let app = provider.app().await;
    let mut browser = Browser::new(&app);
    let to_provider = browser.start(None).await;
    let callback = browser.at_provider(&to_provider, UMA).await;
    let answer = browser.fetch(&callback).await;
    assert_eq!(answer.code(), ErrorCode::SsoAccountRefused);
    assert_eq!(
        the_refusal(&app).await.1,
        "sso_account_refused: the provider has not verified the email (oidc)"
    );
}

#[tokio::test]
async fn a_replayed_callback_is_refused() {
    let provider = OidcProvider::start();
    let app = provider.app().await;
    let mut browser = Browser::new(&app);
    let to_provider = browser.start(None).await;
    let callback = browser.at_provider(&to_provider, ANN).await;
    let flow_cookies = browser.sealmail_cookies();
    assert_eq!(browser.open(&callback).await.status, StatusCode::SEE_OTHER);
    assert!(browser.session_cookie().is_some());

    // The same callback again, cookie and all (from the history, a proxy's
    // log, a second tab): the state was used.
    let mut again = Browser::new(&app);
    again.set_sealmail_cookies(flow_cookies);
    let answer = again.fetch(&callback).await;
    assert_eq!(answer.code(), ErrorCode::SsoStateInvalid);
    assert_eq!(again.session_cookie(), None);
    assert_eq!(
        the_refusal(&app).await.1,
        "sso_state_invalid: the state is unknown, already used or expired (oidc)"
    );
}

#[tokio::test]
async fn a_forged_state_is_refused_before_the_code_is_used() {
    let provider = OidcProvider::start();
    let app = provider.app().await;
    let mut browser = Browser::new(&app);
    let to_provider = browser.start(None).await;
    let callback = browser.at_provider(&to_provider, ANN).await;
    let code = callback
        .split("code=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap();

    // A state Sealmail never issued, with a matching cookie of the
    // attacker's making.
    let forged = "c2VhbG1haWwtZm9yZ2VkLXN0YXRl";
    let mut cookies = browser.sealmail_cookies();
    cookies.insert(routes::OIDC_FLOW_COOKIE.to_owned(), forged.to_owned());
    browser.set_sealmail_cookies(cookies);
    let answer = browser
        .open(&format!(
            "{}?code={code}&state={forged}",
            routes::OIDC_CALLBACK
        ))
        .await;
    assert_eq!(
        answer.header(header::LOCATION),
        sign_in_page_saying(ErrorCode::SsoStateInvalid)
    );
    assert_eq!(browser.session_cookie(), None);
    assert_eq!(
        the_refusal(&app).await.1,
        "sso_state_invalid: the state is unknown, already used or expired (oidc)"
    );
}

#[tokio::test]
async fn a_callback_planted_in_another_browser_is_refused() {
    let provider = OidcProvider::start();
    let app = provider.app().await;
    // The attacker signs in as themselves and stops at the callback…
    let mut attacker = Browser::new(&app);
    let to_provider = attacker.start(None).await;
    let callback = attacker.at_provider(&to_provider, SAM).await;
    // …which the victim's browser is made to open (login CSRF): it has no
    // cookie of that sign-in.
    let mut victim = Browser::new(&app);
    let answer = victim.open(&callback).await;
    assert_eq!(
        answer.header(header::LOCATION),
        sign_in_page_saying(ErrorCode::SsoStateInvalid)
    );
    assert_eq!(victim.session_cookie(), None);
    assert_eq!(
        the_refusal(&app).await.1,
        "sso_state_invalid: the state is not the one this browser began with (oidc)"
    );
}

#[tokio::test]
async fn a_callback_in_the_name_of_another_issuer_is_refused_before_its_code_is_used() {
    let provider = OidcProvider::start();
    let app = provider.app().await;
    let mut browser = Browser::new(&app);
    let to_provider = browser.start(None).await;
    let callback = browser.at_provider(&to_provider, ANN).await;
    // RFC 9207: the provider names itself in the callback.
    let ours = format!(
        "iss={}",
        provider.issuer().replace(':', "%3A").replace('/', "%2F")
    );
    assert!(callback.contains(&ours), "{callback}");
    // Another provider answering for this sign-in (a mix-up).
    let mixed_up = callback.replace(&ours, "iss=https%3A%2F%2Fidp.elsewhere.example");
    let answer = browser.fetch(&mixed_up).await;
    assert_eq!(answer.code(), ErrorCode::SsoTokenInvalid);
    assert_eq!(
        the_refusal(&app).await.1,
        "sso_token_invalid: the callback names another issuer: https://idp.elsewhere.example (oidc)"
    );
    assert_eq!(app.rows_in("users").await, 0);
}

#[tokio::test]
async fn a_sign_in_left_too_long_is_refused() {
    let provider = OidcProvider::start();
    let app = provider.app().await;
    let mut browser = Browser::new(&app);
    let to_provider = browser.start(None).await;
    let callback = browser.at_provider(&to_provider, ANN).await;
    app.sql("UPDATE oidc_flows SET expires_at = expires_at - 601")
        .await;
    let answer = browser.fetch(&callback).await;
    assert_eq!(answer.code(), ErrorCode::SsoStateInvalid);
    assert_eq!(app.rows_in("user_sessions").await, 0);
}

/// Signs in as Ann with a provider whose token endpoint hands out `attack`'s
/// ID token; checks the refusal and gives its audit detail.
async fn refused_id_token(attack: &str) -> String {
    let provider = OidcProvider::tampering(attack);
    let app = provider.app().await;
    let mut browser = Browser::new(&app);
    let answer = browser.sign_in(ANN).await;
    assert_eq!(
        answer.header(header::LOCATION),
        sign_in_page_saying(ErrorCode::SsoTokenInvalid),
        "{attack}"
    );
    assert_eq!(browser.session_cookie(), None, "{attack}");
    assert_eq!(app.rows_in("users").await, 0, "{attack}");
    let (actor, detail) = the_refusal(&app).await;
    assert_eq!(actor, None, "{attack}: nobody was vouched for");
    detail
}

#[tokio::test]
async fn an_id_token_from_another_issuer_is_refused() {
    let detail = refused_id_token("other_issuer").await;
    assert!(
        detail.starts_with("sso_token_invalid: the ID token is from another issuer"),
        "{detail}"
    );
}

#[tokio::test]
async fn an_id_token_for_another_audience_is_refused() {
    let detail = refused_id_token("other_audience").await;
    assert!(
        detail.starts_with("sso_token_invalid: the ID token is for another audience"),
        "{detail}"
    );
}

#[tokio::test]
async fn an_id_token_with_a_wrong_signature_is_refused() {
    let detail = refused_id_token("bad_signature").await;
    assert!(
        detail.starts_with("sso_token_invalid: the ID token's signature does not verify"),
        "{detail}"
    );
}

#[tokio::test]
async fn an_id_token_of_an_earlier_sign_in_is_refused_by_its_nonce() {
    let detail = refused_id_token("stale_nonce").await;
    assert!(
        detail.starts_with("sso_token_invalid: the ID token's nonce is not this sign-in's"),
        "{detail}"
    );
}

#[tokio::test]
async fn an_expired_id_token_is_refused() {
    let detail = refused_id_token("expired").await;
    assert!(
        detail.starts_with("sso_token_invalid: the ID token has expired"),
        "{detail}"
    );
}

#[tokio::test]
async fn the_person_cancelling_at_the_provider_is_said_and_audited() {
    let provider = OidcProvider::start();
    let app = provider.app().await;
    let mut browser = Browser::new(&app);
    let to_provider = browser.start(None).await;
    let state = to_provider
        .split("state=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap();
    let answer = browser
        .open(&format!(
            "{}?error=access_denied&error_description=End-User+aborted%0Asign_in+success&state={state}",
            routes::OIDC_CALLBACK
        ))
        .await;
    assert_eq!(
        answer.header(header::LOCATION),
        sign_in_page_saying(ErrorCode::SsoUnavailable)
    );
    // The provider's words, on one line: they cannot forge an audit line.
    assert_eq!(
        the_refusal(&app).await.1,
        "sso_unavailable: the provider answered access_denied: \
         End-User aborted sign_in success (oidc)"
    );
}

#[tokio::test]
async fn one_client_cannot_begin_sign_ins_without_end() {
    let provider = OidcProvider::start();
    let app = provider.app().await;
    for _ in 0..sealmail::oidc::STARTS_PER_CLIENT {
        let start = app.get(routes::OIDC_START, None).await;
        assert_eq!(start.status, StatusCode::SEE_OTHER);
    }
    let refused = app.get(routes::OIDC_START, None).await;
    assert_eq!(refused.code(), ErrorCode::RateLimited);
    let retry: u64 = refused.header(header::RETRY_AFTER).parse().unwrap();
    assert!((1..=600).contains(&retry), "{retry}");
    assert_eq!(
        app.rows_in("oidc_flows").await,
        sealmail::oidc::STARTS_PER_CLIENT
    );
}

#[tokio::test]
async fn an_unreachable_provider_is_sso_unavailable() {
    let provider = OidcProvider::start();
    let app = provider.app().await;
    drop(provider);
    let answer = app.get(routes::OIDC_START, None).await;
    assert_eq!(answer.code(), ErrorCode::SsoUnavailable);
    // A browser is sent back to the sign-in page, which says so.
    let mut browser = Browser::new(&app);
    let answer = browser.open(routes::OIDC_START).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    assert_eq!(
        answer.header(header::LOCATION),
        sign_in_page_saying(ErrorCode::SsoUnavailable)
    );
}
