//! The `sealmail` binary, run as a user would: user add → send → status →
//! revoke → status, and its error cases (one line on stderr, non-zero exit).

mod common;

use common::cli::{fails, ok, run_sealmail as sealmail, user_add};
use sealmail_api::admin::{MessageState, MessageStatus, RecipientState};

fn setup() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    ok(user_add(
        &data,
        "alice@sealmail.test",
        &["--name", "Alice Demo"],
        "correct horse battery",
    ));
    (dir, data)
}

#[test]
fn user_add_send_status_revoke_status_shows_revoked_true() {
    let (dir, data) = setup();
    let body = dir.path().join("body.txt");
    std::fs::write(&body, "Hello Bob").unwrap();
    let attachment = dir.path().join("numbers.csv");
    std::fs::write(&attachment, "q,amount\n3,42\n").unwrap();

    // Global options work after the command too.
    let sent = ok(sealmail(
        &data,
        &[
            "send",
            "--public-url",
            "http://127.0.0.1:8080",
            "--from",
            "alice@sealmail.test",
            "--to",
            "bob@example.net",
            "--cc",
            "Carol <carol@example.org>",
            "--subject",
            "Test message",
            "--body-file",
            body.to_str().unwrap(),
            "--attach",
            attachment.to_str().unwrap(),
            "--expires-in",
            "7d",
        ],
        "",
    ));
    let message_id = sent.trim().to_owned();
    assert!(
        message_id.starts_with('<') && message_id.ends_with("@127.0.0.1>"),
        "{message_id}"
    );
    assert_eq!(sent.lines().count(), 1, "send prints only the Message-ID");

    // The notification is in the outbox, with Bob's link.
    let outbox = ok(sealmail(&data, &["outbox", "--last", "2"], ""));
    assert!(outbox.contains("To: bob@example.net"), "{outbox}");
    assert!(outbox.contains("http://127.0.0.1:8080/m/"), "{outbox}");
    assert!(
        !outbox.contains("Hello Bob"),
        "the body never leaves encrypted storage"
    );
    let newest = ok(sealmail(&data, &["outbox"], ""));
    assert_eq!(newest.matches("==> ").count(), 1, "--last defaults to 1");

    let status = ok(sealmail(
        &data,
        &["status", "--message-id", &message_id],
        "",
    ));
    assert!(status.contains("Subject : Test message\n"), "{status}");
    assert!(status.contains("IsRevocable : True\n"), "{status}");
    assert!(status.contains("Revoked : False\n"), "{status}");
    assert!(status.contains("To : bob@example.net (sent)\n"), "{status}");
    assert!(
        status.contains("Cc : carol@example.org (sent)\n"),
        "{status}"
    );
    assert!(
        status.contains("Delivery : bob@example.net sent at 20"),
        "the outbox took the notification: {status}"
    );
    assert!(status.contains("ExpiresAt : "), "{status}");

    // The Message-ID works without its angle brackets too.
    let bare = message_id.trim_matches(['<', '>']);
    let json = ok(sealmail(
        &data,
        &["status", "--message-id", bare, "--json"],
        "",
    ));
    let parsed: MessageStatus = serde_json::from_str(&json).unwrap();
    assert_eq!(parsed.message_id, message_id);
    assert_eq!(parsed.state, MessageState::Active);
    assert_eq!(parsed.recipients.len(), 2);

    ok(sealmail(
        &data,
        &["revoke", "--message-id", &message_id],
        "",
    ));
    let status = ok(sealmail(
        &data,
        &["status", "--message-id", &message_id],
        "",
    ));
    assert!(status.contains("Revoked : True\n"), "{status}");
    assert!(status.contains("IsRevocable : False\n"), "{status}");
    assert!(
        status.contains("To : bob@example.net (revoked)\n"),
        "{status}"
    );

    let again = fails(sealmail(
        &data,
        &["revoke", "--message-id", &message_id],
        "",
    ));
    assert!(again.contains("already revoked"), "{again}");
}

#[test]
fn revoking_one_recipient_keeps_the_message_revocable() {
    let (_dir, data) = setup();
    let message_id = ok(sealmail(
        &data,
        &[
            "send",
            "--from",
            "alice@sealmail.test",
            "--to",
            "bob@example.net",
            "--to",
            "dave@example.com",
            "--subject",
            "Hi",
        ],
        "body on stdin",
    ))
    .trim()
    .to_owned();
    ok(sealmail(
        &data,
        &[
            "revoke",
            "--message-id",
            &message_id,
            "--recipient",
            "bob@example.net",
        ],
        "",
    ));
    let json = ok(sealmail(
        &data,
        &["status", "--message-id", &message_id, "--json"],
        "",
    ));
    let status: MessageStatus = serde_json::from_str(&json).unwrap();
    assert!(status.is_revocable && !status.revoked);
    assert_eq!(status.recipients[0].state, RecipientState::Revoked);
    assert_eq!(status.recipients[1].state, RecipientState::Sent);
    let again = fails(sealmail(
        &data,
        &[
            "revoke",
            "--message-id",
            &message_id,
            "--recipient",
            "bob@example.net",
        ],
        "",
    ));
    assert!(again.contains("already revoked"), "{again}");
}

#[test]
fn unknown_message_id_is_a_one_line_error() {
    let (_dir, data) = setup();
    let status = fails(sealmail(
        &data,
        &["status", "--message-id", "<nope@example>"],
        "",
    ));
    assert!(
        status.contains("no message with Message-ID <nope@example>"),
        "{status}"
    );
    let revoke = fails(sealmail(
        &data,
        &["revoke", "--message-id", "<nope@example>"],
        "",
    ));
    assert!(revoke.contains("no message with Message-ID"), "{revoke}");
}

#[test]
fn bad_input_is_refused_with_a_clear_error() {
    let (_dir, data) = setup();
    let unknown_sender = fails(sealmail(
        &data,
        &[
            "send",
            "--from",
            "mallory@sealmail.test",
            "--to",
            "bob@example.net",
            "--subject",
            "x",
        ],
        "body",
    ));
    assert!(
        unknown_sender.contains("no sender account for mallory@sealmail.test"),
        "{unknown_sender}"
    );
    let bad_address = fails(sealmail(
        &data,
        &[
            "send",
            "--from",
            "alice@sealmail.test",
            "--to",
            "not an address",
            "--subject",
            "x",
        ],
        "body",
    ));
    assert!(
        bad_address.contains("not an email address"),
        "{bad_address}"
    );
    let missing_file = fails(sealmail(
        &data,
        &[
            "send",
            "--from",
            "alice@sealmail.test",
            "--to",
            "bob@example.net",
            "--subject",
            "x",
            "--attach",
            "/no/such/file",
        ],
        "body",
    ));
    assert!(missing_file.contains("/no/such/file"), "{missing_file}");
    let duplicate = fails(user_add(
        &data,
        "alice@sealmail.test",
        &[],
        "another password",
    ));
    assert!(duplicate.contains("already exists"), "{duplicate}");
    let short = fails(user_add(&data, "x@sealmail.test", &[], "short"));
    assert!(short.contains("at least 8"), "{short}");
    // clap's own errors for bad arguments: non-zero exit.
    let bad_duration = sealmail(
        &data,
        &[
            "send",
            "--from",
            "alice@sealmail.test",
            "--to",
            "bob@example.net",
            "--subject",
            "x",
            "--expires-in",
            "soon",
        ],
        "",
    );
    assert!(!bad_duration.status.success());
    assert!(String::from_utf8_lossy(&bad_duration.stderr).contains("soon"));
    // Nothing was sent by any of these.
    let outbox = sealmail(&data, &["outbox"], "");
    assert!(String::from_utf8_lossy(&outbox.stdout).is_empty());
}

#[test]
fn the_password_is_stored_as_argon2id_only() {
    let (_dir, data) = setup();
    let db = std::fs::read(data.join("sealmail.db")).unwrap();
    let text = String::from_utf8_lossy(&db);
    assert!(text.contains("$argon2id$"));
    assert!(!text.contains("correct horse battery"));
}
