//! The logs of a whole flow never contain a body, a passcode, a link token,
//! a session id or a key.

mod common;

use base64::Engine as _;
use common::logs::LogCapture;
use common::*;

#[tokio::test]
async fn logs_of_a_full_flow_contain_no_body_passcode_token_session_or_key() {
    let capture = LogCapture::install();

    let app = TestApp::new().await;
    let message_id = app
        .send(
            &[BOB],
            &[],
            &[("secret.txt", "text/plain", b"ATTACHED-PLAINTEXT-XYZ")],
        )
        .await;
    let bob = app.recipient(BOB);
    bob.request_passcode().await;
    let passcode = bob.passcode_from_mail();
    let wrong = bob.wrong_passcode();
    bob.submit_passcode(&wrong).response().await;
    let opened = bob.submit_passcode(&passcode).response().await;
    let bob = bob.with_session(&opened.session_cookie().unwrap());
    let view = bob.read().await;
    bob.download(&view.attachments[0].id).await;
    bob.reply("REPLY-PLAINTEXT-QRS").await;
    app.get("/api/v1/links/not-a-real-token-ABC/message", None)
        .await;
    revoke(&app.state, &message_id).await.unwrap();
    bob.read().response().await;

    let logs = capture.text();
    assert!(
        logs.contains("request"),
        "the flow was logged at all:\n{logs}"
    );
    assert!(
        logs.contains("/api/v1/links/{token}/message"),
        "paths are logged with the token redacted"
    );
    let master_key = std::fs::read_to_string(app.data_dir().join("master.key")).unwrap();
    let master_bytes = base64::engine::general_purpose::STANDARD
        .decode(master_key.trim())
        .unwrap();
    for (what, secret) in [
        ("link token", bob.token()),
        ("passcode", passcode.as_str()),
        ("wrong passcode", wrong.as_str()),
        ("session id", bob.session_id()),
        ("body", SECRET_BODY),
        ("attachment", "ATTACHED-PLAINTEXT-XYZ"),
        ("reply", "REPLY-PLAINTEXT-QRS"),
        ("unknown token", "not-a-real-token-ABC"),
        ("master key", master_key.trim()),
    ] {
        assert!(!logs.contains(secret), "the logs contain the {what}");
    }
    let hex: String = master_bytes.iter().map(|b| format!("{b:02x}")).collect();
    assert!(
        !logs.contains(&hex),
        "the logs contain the master key in hex"
    );
}
