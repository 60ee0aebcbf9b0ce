//! The logs of a whole API-token flow — created on the API, used, refused
//! out of scope, malformed and unknown tokens, revoked, refused again —
//! never hold a token's secret, as text or as JSON (`--log-format`). Its own
//! test binary: the log capture is installed once per binary.

mod common;

use axum::http::Method;
use common::logs::LogCapture;
use common::sender::message_to;
use common::tokens::new_token;
use common::{ALICE, BOB, TestApp};
use sealmail_api::ErrorCode;
use sealmail_api::routes;
use sealmail_api::tokens::TokenScope;

#[tokio::test]
async fn logs_of_creating_using_refusing_and_revoking_tokens_hold_no_secret() {
    let capture = LogCapture::install();

    let app = TestApp::new().await;
    let alice = app.sender(ALICE).await;
    let created = alice
        .create_token(&new_token(
            "logged",
            &[TokenScope::Send, TokenScope::Status],
        ))
        .await;
    let secret = created.secret;
    let script = app.script(&secret);
    let composed = script.send(&message_to(&[BOB])).await;
    script.sent().await;
    assert_eq!(
        script.revoke(&composed.id).code().await,
        ErrorCode::TokenScope
    );
    let unknown = format!("smt_{}", "Q".repeat(43));
    assert_eq!(
        app.script(&unknown).sent().code().await,
        ErrorCode::TokenInvalid
    );
    let malformed = format!("{secret}-and-more");
    let refused = app
        .session("")
        .request(Method::GET, routes::SENT)
        .authorization(&format!("Bearer {malformed}"))
        .response()
        .await;
    assert_eq!(refused.code(), ErrorCode::TokenInvalid);
    alice.revoke_token(created.token.id).await;
    assert_eq!(script.sent().code().await, ErrorCode::TokenInvalid);

    for (format, logs) in capture.every_format() {
        assert!(
            logs.contains("API token created") && logs.contains("API token revoked"),
            "the flow was logged ({format})"
        );
        for (what, secret) in [
            ("token", secret.as_str()),
            ("token's random part", &secret[4..]),
            ("unknown token", unknown.as_str()),
            ("malformed token", malformed.as_str()),
            ("session", alice.session_id()),
        ] {
            assert!(!logs.contains(secret), "the {format} logs hold the {what}");
        }
    }
}
