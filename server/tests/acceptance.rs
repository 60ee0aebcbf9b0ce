//! The acceptance check, from outside: a real `sealmail serve` on a
//! socket and the `sealmail` commands on the same data dir at the same time.

mod common;

use std::path::Path;
use std::process::Output;

use common::cli::{ok, run_sealmail, user_add};
use common::http::Server;
use common::mail::{passcode_in_outbox, token_in_outbox};

fn sealmail(data: &Path, args: &[&str], stdin: &str) -> Output {
    let output = run_sealmail(data, args, stdin);
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

#[test]
fn acceptance_send_passcode_read_revoke_with_a_running_server() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");

    ok(user_add(&data, "alice@sealmail.test", &[], "demo-password"));
    // The message is sent on the command line while the server runs.
    let server = Server::start(&data, &[]);
    let public = format!("http://127.0.0.1:{}", server.port);
    assert_eq!(
        server.request("GET", "/api/v1/health", &[], b"").status,
        200
    );
    let message_id = String::from_utf8(
        sealmail(
            &data,
            &[
                "--public-url",
                &public,
                "send",
                "--from",
                "alice@sealmail.test",
                "--to",
                "bob@example.net",
                "--subject",
                "Acceptance",
            ],
            "The body for Bob",
        )
        .stdout,
    )
    .unwrap()
    .trim()
    .to_owned();

    let outbox = String::from_utf8(sealmail(&data, &["outbox", "--last", "1"], "").stdout).unwrap();
    assert!(
        outbox.contains(&format!("{public}/m/")),
        "the notification links to the server: {outbox}"
    );
    let token = token_in_outbox(&data, "bob@example.net");

    let info = server.request("GET", &format!("/api/v1/links/{token}"), &[], b"");
    assert_eq!(info.status, 200, "{}", info.body);
    assert_eq!(
        server
            .request(
                "POST",
                &format!("/api/v1/links/{token}/passcode"),
                &["X-Sealmail: 1"],
                b""
            )
            .status,
        200
    );
    let passcode = passcode_in_outbox(&data, "bob@example.net");

    let session = server.request(
        "POST",
        &format!("/api/v1/links/{token}/session"),
        &["X-Sealmail: 1", "Content-Type: application/json"],
        format!("{{\"passcode\":\"{passcode}\"}}").as_bytes(),
    );
    assert_eq!(session.status, 200, "{}", session.body);
    let cookie = session.cookie();

    let message = server.read_message(&token, &cookie);
    assert_eq!(message.status, 200);
    assert!(
        message.body.contains("The body for Bob"),
        "{}",
        message.body
    );

    // Revoked from the command line while the server runs.
    sealmail(&data, &["revoke", "--message-id", &message_id], "");
    let revoked = server.read_message(&token, &cookie);
    assert_eq!(revoked.status, 410);
    assert!(
        revoked.body.contains("\"code\":\"message_revoked\""),
        "{}",
        revoked.body
    );

    let status =
        String::from_utf8(sealmail(&data, &["status", "--message-id", &message_id], "").stdout)
            .unwrap();
    assert!(status.contains("Revoked : True"), "{status}");
}
