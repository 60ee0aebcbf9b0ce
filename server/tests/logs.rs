//! The logs of a whole flow never contain a body, a passcode, a link token,
//! a session id or a key — as text or as JSON (`--log-format`).

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

    let master_key = std::fs::read_to_string(app.data_dir().join("master.key")).unwrap();
    let master_bytes = base64::engine::general_purpose::STANDARD
        .decode(master_key.trim())
        .unwrap();
    let hex: String = master_bytes.iter().map(|b| format!("{b:02x}")).collect();
    for (format, logs) in capture.every_format() {
        assert!(
            logs.contains("request"),
            "the flow was logged at all ({format}):\n{logs}"
        );
        assert!(
            logs.contains("/api/v1/links/{token}/message"),
            "paths are logged with the token redacted ({format})"
        );
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
            ("master key in hex", hex.as_str()),
        ] {
            assert!(
                !logs.contains(secret),
                "the {format} logs contain the {what}"
            );
        }
    }
    // Every request line says which request it was.
    let json = capture.json();
    let request_lines: Vec<serde_json::Value> = json
        .lines()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).unwrap())
        .filter(|line| line["message"] == "request")
        .collect();
    assert!(request_lines.len() >= 8, "{json}");
    for line in &request_lines {
        let id = line["span"]["request_id"].as_str().unwrap_or_default();
        assert!(
            id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()),
            "a request's line without its request id: {line}"
        );
    }
}
