//! The logs of the sender and admin flows never contain a password, a
//! session id, a body, an attachment, a passcode or a link token.

mod common;

use axum::http::Method;
use common::logs::LogCapture;
use common::sender::{ADMIN, PASSWORD, get_with, message_to};
use common::{ALICE, BOB, SECRET_BODY, TestApp};
use sealmail_api::admin::AuditQuery;
use sealmail_api::routes;
use sealmail_api::sender::RevokeRequest;

#[tokio::test]
async fn logs_of_sign_in_compose_read_revoke_and_audit_hold_no_secret() {
    let capture = LogCapture::install();

    let app = TestApp::new().await;
    assert_eq!(
        app.try_sign_in(ALICE, "wrong-password-guess").await.code(),
        sealmail_api::ErrorCode::CredentialsWrong
    );
    let alice = app.sender(ALICE, false).await;
    let admin = app.sender(ADMIN, true).await;
    let composed = app
        .compose_ok(
            &alice,
            &message_to(&[BOB]),
            &[("plan.txt", "text/plain", b"ATTACHED-PLAINTEXT-XYZ")],
        )
        .await;
    let token = app.token_for(BOB);
    let cookie = app.sign_in(&token, BOB).await;
    let passcode = app.passcode_for(BOB);
    app.get(&routes::link_message(&token), Some(&cookie)).await;
    app.call(
        Method::POST,
        &routes::message_revoke(&composed.id),
        Some(&RevokeRequest::default()),
        &alice,
    )
    .await;
    let csv = AuditQuery {
        format: Some("csv".into()),
        ..Default::default()
    };
    get_with(&app, &routes::admin_audit(&csv), &admin).await;

    let logs = capture.text();
    assert!(logs.contains("sender signed in"), "the flow was logged");
    for (what, secret) in [
        ("password", PASSWORD),
        ("wrong password", "wrong-password-guess"),
        ("sender session", alice.split_once('=').unwrap().1),
        ("admin session", admin.split_once('=').unwrap().1),
        ("body", SECRET_BODY),
        ("attachment", "ATTACHED-PLAINTEXT-XYZ"),
        ("link token", token.as_str()),
        ("passcode", passcode.as_str()),
        ("recipient session", cookie.split_once('=').unwrap().1),
    ] {
        assert!(!logs.contains(secret), "the logs hold the {what}");
    }
}
