//! Sender sign-in, sign-out, `me`, and the guessing limit.

mod common;

use axum::http::{Method, StatusCode};
use common::sender::{ADMIN, DAVE, PASSWORD};
use common::{ALICE, TestApp};
use sealmail_api::ErrorCode;
use sealmail_api::routes::{self, SENDER_SESSION_COOKIE, SENDER_SESSION_COOKIE_HTTPS};
use sealmail_api::sender::{Me, SignIn};

#[tokio::test]
async fn a_sender_signs_in_sees_who_they_are_and_signs_out() {
    let app = TestApp::new().await;
    app.add_user(ALICE, "Alice Demo", false).await;

    let response = app.try_sign_in(ALICE, PASSWORD).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    let me: Me = response.json();
    assert_eq!(
        me,
        Me {
            name: Some("Alice Demo".into()),
            address: ALICE.into(),
            is_admin: false,
            // The default --max-message-mib.
            max_message_bytes: Some(app.state.settings.max_message_bytes),
            read_receipts: false,
        }
    );
    let set_cookie = response.set_cookie_header(SENDER_SESSION_COOKIE).unwrap();
    assert!(set_cookie.contains("HttpOnly"), "{set_cookie}");
    assert!(set_cookie.contains("SameSite=Strict"), "{set_cookie}");
    assert!(set_cookie.contains("Path=/;"), "{set_cookie}");
    // Plain http, but not on this machine: Secure all the same.
    assert!(set_cookie.contains("Secure"), "{set_cookie}");
    let alice = app.session(&response.cookie_named(SENDER_SESSION_COOKIE).unwrap());

    let me = alice.me().await;
    assert_eq!(me.address, ALICE);

    // Only the hash of the session id is stored.
    let value = alice.session_id().to_owned();
    let stored: Vec<Vec<u8>> = sealmail::store::on_db!(&app.state.db, |c| sqlx::query_scalar(
        "SELECT id_hash FROM user_sessions"
    )
    .fetch_all(c)
    .await)
    .unwrap();
    assert_eq!(stored.len(), 1);
    assert!(
        !stored[0]
            .windows(value.len())
            .any(|w| w == value.as_bytes())
    );

    let out = alice.sign_out().response().await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    let after = alice.me().response().await;
    assert_eq!(after.code(), ErrorCode::NotSignedIn);
}

#[tokio::test]
async fn an_administrator_is_told_so_and_addresses_match_in_any_case() {
    let app = TestApp::new().await;
    app.add_user(ADMIN, "Admin Demo", true).await;
    let me = app.signing_in("Admin@SealMail.test", PASSWORD).await;
    assert!(me.is_admin);
    assert_eq!(me.address, ADMIN);
}

#[tokio::test]
async fn over_https_cookies_are_host_bound_and_browsers_are_told_to_keep_to_https() {
    let app = TestApp::with_args(&["--public-url", "https://mail.example"]).await;
    app.add_user(ALICE, "Alice", false).await;
    let response = app.try_sign_in(ALICE, PASSWORD).await;
    assert!(response.cookie_named(SENDER_SESSION_COOKIE).is_none());
    let set_cookie = response
        .set_cookie_header(SENDER_SESSION_COOKIE_HTTPS)
        .unwrap();
    assert!(
        set_cookie.starts_with("__Host-sealmail_session="),
        "{set_cookie}"
    );
    assert!(set_cookie.contains("Secure"), "{set_cookie}");
    assert!(set_cookie.contains("Path=/;"), "{set_cookie}");
    assert!(!set_cookie.contains("Domain"), "{set_cookie}");
    assert_eq!(
        response.header(axum::http::header::STRICT_TRANSPORT_SECURITY),
        "max-age=31536000"
    );
    // The prefixed cookie is the one that signs in.
    let alice = app.sender(ALICE).await;
    assert_eq!(alice.me().await.address, ALICE);
    let portal = app.get("/", None).await;
    assert_eq!(
        portal.header(axum::http::header::STRICT_TRANSPORT_SECURITY),
        "max-age=31536000"
    );
}

#[tokio::test]
async fn on_a_developers_loopback_http_cookies_are_not_secure_and_there_is_no_hsts() {
    let app = TestApp::with_args(&["--public-url", "http://127.0.0.1:8080"]).await;
    app.add_user(ALICE, "Alice", false).await;
    let response = app.try_sign_in(ALICE, PASSWORD).await;
    let set_cookie = response.set_cookie_header(SENDER_SESSION_COOKIE).unwrap();
    assert!(!set_cookie.contains("Secure"), "{set_cookie}");
    assert_eq!(
        response.header(axum::http::header::STRICT_TRANSPORT_SECURITY),
        ""
    );
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_address_get_the_same_answer() {
    let app = TestApp::new().await;
    app.add_user(ALICE, "Alice", false).await;
    let wrong = app.try_sign_in(ALICE, "not the password").await;
    let unknown = app.try_sign_in("nobody@sealmail.test", PASSWORD).await;
    assert_eq!(wrong.code(), ErrorCode::CredentialsWrong);
    assert_eq!(unknown.code(), ErrorCode::CredentialsWrong);
    assert_eq!(wrong.body, unknown.body, "nothing tells them apart");
    assert!(wrong.cookie_named(SENDER_SESSION_COOKIE).is_none());
}

#[tokio::test]
async fn without_a_session_every_sender_route_says_not_signed_in() {
    let app = TestApp::new().await;
    for path in [routes::ME, routes::SENT, routes::BRANDING_TEMPLATES] {
        assert_eq!(
            app.get(path, None).await.code(),
            ErrorCode::NotSignedIn,
            "{path}"
        );
    }
    let forged = app.session("sealmail_session=forged").me().response().await;
    assert_eq!(forged.code(), ErrorCode::NotSignedIn);
}

#[tokio::test]
async fn sign_in_without_the_anti_forgery_header_is_forbidden() {
    let app = TestApp::new().await;
    app.add_user(ALICE, "Alice", false).await;
    let body = serde_json::to_vec(&SignIn {
        email: ALICE.into(),
        password: PASSWORD.into(),
    })
    .unwrap();
    let response = app
        .raw(
            Method::POST,
            routes::SESSION,
            &[("content-type", "application/json")],
            body,
        )
        .await;
    assert_eq!(response.code(), ErrorCode::Forbidden);
}

#[tokio::test]
async fn malformed_sign_in_is_an_invalid_request() {
    let app = TestApp::new().await;
    let response = app
        .raw(
            Method::POST,
            routes::SESSION,
            &[("content-type", "application/json"), ("x-sealmail", "1")],
            "{\"email\": 1}",
        )
        .await;
    assert_eq!(response.code(), ErrorCode::InvalidRequest);
}

#[tokio::test]
async fn guessing_a_password_is_rate_limited_per_address() {
    let app = TestApp::new().await;
    app.add_user(DAVE, "Dave", false).await;
    app.add_user(ALICE, "Alice", false).await;
    for _ in 0..10 {
        let wrong = app.try_sign_in(DAVE, "guess").await;
        assert_eq!(wrong.code(), ErrorCode::CredentialsWrong);
    }
    let limited = app.try_sign_in(DAVE, "guess").await;
    assert_eq!(limited.code(), ErrorCode::RateLimited);
    let body = limited.error();
    assert!(body.retry_after_secs.unwrap() > 0);
    assert!(!limited.header(axum::http::header::RETRY_AFTER).is_empty());
    // Even the right password waits: the limit is what stops the guessing.
    let right = app.try_sign_in(DAVE, PASSWORD).await;
    assert_eq!(right.code(), ErrorCode::RateLimited);
    // Another account is not locked out by it.
    let other = app.try_sign_in(ALICE, PASSWORD).await;
    assert_eq!(other.status, StatusCode::OK);
}

#[tokio::test]
async fn someone_elses_guesses_do_not_lock_the_owner_out() {
    let app = TestApp::with_args(&["--trust-forwarded-for"]).await;
    app.add_user(ADMIN, "Admin", true).await;
    let sign_in = async |password: &str, ip: &str| {
        app.signing_in(ADMIN, password)
            .header("x-forwarded-for", ip)
            .response()
            .await
    };
    for _ in 0..10 {
        assert_eq!(
            sign_in("guess", "198.51.100.7").await.code(),
            ErrorCode::CredentialsWrong
        );
    }
    assert_eq!(
        sign_in("guess", "198.51.100.7").await.code(),
        ErrorCode::RateLimited
    );
    // The admin, at their own desk, still gets in.
    assert_eq!(sign_in(PASSWORD, "192.0.2.10").await.status, StatusCode::OK);
}

#[tokio::test]
async fn guessing_one_address_from_many_clients_is_capped_too() {
    let app = TestApp::with_args(&["--trust-forwarded-for"]).await;
    app.add_user(ALICE, "Alice", false).await;
    let sign_in = async |password: &str, ip: String| {
        app.signing_in(ALICE, password)
            .header("x-forwarded-for", &ip)
            .response()
            .await
    };
    // 100 guesses, 5 from each of 20 clients: each under its own limit.
    for i in 0..100 {
        let wrong = sign_in("guess", format!("203.0.113.{}", i / 5)).await;
        assert_eq!(wrong.code(), ErrorCode::CredentialsWrong, "guess {i}");
    }
    let limited = sign_in(PASSWORD, "203.0.113.200".into()).await;
    assert_eq!(limited.code(), ErrorCode::RateLimited);
}

#[tokio::test]
async fn successful_sign_ins_do_not_count_towards_the_limit() {
    let app = TestApp::new().await;
    app.add_user(ALICE, "Alice", false).await;
    for _ in 0..15 {
        let ok = app.try_sign_in(ALICE, PASSWORD).await;
        assert_eq!(ok.status, StatusCode::OK);
    }
}

#[tokio::test]
async fn guessing_from_one_client_is_rate_limited_across_addresses() {
    let app = TestApp::with_args(&["--trust-forwarded-for"]).await;
    app.add_user(ALICE, "Alice", false).await;
    let sign_in = async |email: String, ip: &str| {
        app.signing_in(&email, "guess")
            .header("x-forwarded-for", ip)
            .response()
            .await
    };
    for i in 0..50 {
        let response = sign_in(format!("user{i}@example.com"), "192.0.2.1").await;
        assert_eq!(response.code(), ErrorCode::CredentialsWrong);
    }
    let limited = sign_in("someone@example.com".into(), "192.0.2.1").await;
    assert_eq!(limited.code(), ErrorCode::RateLimited);
    let elsewhere = sign_in("someone@example.com".into(), "192.0.2.2").await;
    assert_eq!(elsewhere.code(), ErrorCode::CredentialsWrong);
}

#[tokio::test]
async fn an_expired_session_is_not_signed_in() {
    let app = TestApp::new().await;
    let alice = app.sender(ALICE).await;
    app.sql("UPDATE user_sessions SET expires_at = 0").await;
    assert_eq!(alice.me().code().await, ErrorCode::NotSignedIn);
}

#[tokio::test]
async fn password_checks_beyond_the_cap_are_turned_away_not_queued() {
    let app = TestApp::with_args(&["--password-checks", "1"]).await;
    app.add_user(ALICE, "Alice", false).await;
    // Eight at once: one check runs, the others are told to come back.
    let answers =
        futures_util::future::join_all((0..8).map(|_| app.try_sign_in(ALICE, PASSWORD))).await;
    let codes: Vec<_> = answers
        .iter()
        .map(|a| {
            if a.status == StatusCode::OK {
                "ok"
            } else {
                a.code().as_str()
            }
        })
        .collect();
    assert!(codes.contains(&"ok"), "{codes:?}");
    assert!(codes.contains(&"rate_limited"), "{codes:?}");
    // Turned away is not a failed guess: the owner signs in right after.
    assert_eq!(
        app.try_sign_in(ALICE, PASSWORD).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn an_ipv6_client_is_counted_by_its_64_network() {
    let app = TestApp::with_args(&["--trust-forwarded-for"]).await;
    let sign_in = async |email: String, ip: String| {
        app.signing_in(&email, "guess")
            .header("x-forwarded-for", &ip)
            .response()
            .await
    };
    // 50 guesses, each from a new address of one /64.
    for i in 0..50 {
        let wrong = sign_in(
            format!("user{i}@example.com"),
            format!("2001:db8:1:2::{:x}", i + 1),
        )
        .await;
        assert_eq!(wrong.code(), ErrorCode::CredentialsWrong, "guess {i}");
    }
    let same_network = sign_in("x@example.com".into(), "2001:db8:1:2:ffff::9".into()).await;
    assert_eq!(same_network.code(), ErrorCode::RateLimited);
    let next_network = sign_in("x@example.com".into(), "2001:db8:1:3::1".into()).await;
    assert_eq!(next_network.code(), ErrorCode::CredentialsWrong);
}
