//! The logs of the sender and admin flows never contain a password, a
//! session id, a body, an attachment, a passcode or a link token — as text
//! or as JSON (`--log-format`).

mod common;

use common::logs::LogCapture;
use common::sender::{PASSWORD, message_to};
use common::{ALICE, BOB, SECRET_BODY, TestApp};
use sealmail_api::admin::AuditQuery;
use sealmail_api::sender::RevokeRequest;

#[tokio::test]
async fn logs_of_sign_in_compose_read_revoke_and_audit_hold_no_secret() {
    let capture = LogCapture::install();

    let app = TestApp::new().await;
    assert_eq!(
        app.try_sign_in(ALICE, "wrong-password-guess").await.code(),
        sealmail_api::ErrorCode::CredentialsWrong
    );
    let alice = app.sender(ALICE).await;
    let admin = app.admin().await;
    let composed = alice
        .send(&message_to(&[BOB]))
        .file("plan.txt", "text/plain", b"ATTACHED-PLAINTEXT-XYZ")
        .await;
    let bob = app.recipient(BOB).signed_in().await;
    let passcode = bob.passcode_from_mail();
    bob.read().await;
    alice
        .revoke(&composed.id)
        .with(&RevokeRequest::default())
        .await;
    admin.audit_csv(&AuditQuery::default()).await;

    for (format, logs) in capture.every_format() {
        assert!(
            logs.contains("sender signed in"),
            "the flow was logged ({format})"
        );
        for (what, secret) in [
            ("password", PASSWORD),
            ("wrong password", "wrong-password-guess"),
            ("sender session", alice.session_id()),
            ("admin session", admin.session_id()),
            ("body", SECRET_BODY),
            ("attachment", "ATTACHED-PLAINTEXT-XYZ"),
            ("link token", bob.token()),
            ("passcode", passcode.as_str()),
            ("recipient session", bob.session_id()),
        ] {
            assert!(!logs.contains(secret), "the {format} logs hold the {what}");
        }
    }
}
