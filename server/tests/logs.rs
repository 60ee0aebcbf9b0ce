//! The logs of a whole flow never contain a body, a passcode, a link token,
//! a session id or a key.

mod common;

use base64::Engine as _;
use common::logs::LogCapture;
use common::*;
use sealmail_api::recipient::{MessageView, ReplyRequest};
use sealmail_api::routes;

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
    let token = app.token_for(BOB);
    app.request_passcode(&token).await;
    let passcode = app.passcode_for(BOB);
    let wrong = if passcode == "00000000" {
        "11111111"
    } else {
        "00000000"
    };
    app.submit_passcode(&token, wrong).await;
    let opened = app.submit_passcode(&token, &passcode).await;
    let cookie = opened.session_cookie().unwrap();
    let session_id = cookie.split_once('=').unwrap().1.to_owned();
    let view: MessageView = app
        .get(&routes::link_message(&token), Some(&cookie))
        .await
        .json();
    app.get(
        &routes::link_attachment(&token, &view.attachments[0].id),
        Some(&cookie),
    )
    .await;
    let reply = ReplyRequest {
        text: "REPLY-PLAINTEXT-QRS".into(),
    };
    app.post(&routes::link_reply(&token), Some(&reply), Some(&cookie))
        .await;
    app.get("/api/v1/links/not-a-real-token-ABC/message", None)
        .await;
    revoke(&app.state, &message_id).await.unwrap();
    app.get(&routes::link_message(&token), Some(&cookie)).await;

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
        ("link token", token.as_str()),
        ("passcode", passcode.as_str()),
        ("wrong passcode", wrong),
        ("session id", session_id.as_str()),
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
