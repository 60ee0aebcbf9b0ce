//! The real `sealmail` binary against a real SMTP server process: mail
//! queued while the relay is down survives `kill -9` of `sealmail serve` and
//! goes out after a restart — once in the normal case, and again with the
//! same Message-ID when the server died not knowing whether the relay took it.

mod common;

use std::time::Duration;

use common::cli::{ok, run_sealmail as sealmail};
use common::serve::Serve;
use common::smtp_sink::{SmtpSink, free_port};

const WAIT: Duration = Duration::from_secs(30);
const ALICE: &str = "alice@sealmail.test";
const BOB: &str = "bob@example.net";

/// A data dir with Alice's account, and the relay's URL (nothing listens yet).
fn setup() -> (tempfile::TempDir, std::path::PathBuf, u16, String) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    ok(sealmail(
        &data,
        &["user", "add", "--email", ALICE, "--password-stdin"],
        "long enough\n",
    ));
    let port = free_port();
    let url = format!("smtp://127.0.0.1:{port}");
    (dir, data, port, url)
}

/// `sealmail send` with the relay down: the message is stored, its mail
/// queued; a warning, not a failure. Returns the Message-ID.
fn send_while_the_relay_is_down(data: &std::path::Path, url: &str) -> String {
    let out = sealmail(
        data,
        &[
            "--smtp-url",
            url,
            "--mail-retry-min",
            "1s",
            "send",
            "--from",
            ALICE,
            "--to",
            BOB,
            "--subject",
            "Survives a crash",
        ],
        "body",
    );
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("stay queued") && stderr.contains("sealmail serve"),
        "{stderr}"
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

fn status(data: &std::path::Path, message_id: &str) -> String {
    ok(sealmail(data, &["status", "--message-id", message_id], ""))
}

#[test]
fn mail_queued_while_the_relay_is_down_is_delivered_once_after_kill_9_and_restart() {
    let (_dir, data, port, url) = setup();
    let message_id = send_while_the_relay_is_down(&data, &url);
    let before = status(&data, &message_id);
    assert!(
        before.contains("Delivery : bob@example.net deferred after 1 tries"),
        "{before}"
    );

    // The server tries (the relay is still down) and is killed.
    let args = ["--smtp-url", &url, "--mail-retry-min", "1s"];
    let server = Serve::start(&data, &args);
    std::thread::sleep(Duration::from_millis(2500));
    server.kill_9();

    let relay = SmtpSink::start_on(port);
    let _server = Serve::start(&data, &args);
    let mails = relay.wait_for(1, WAIT);
    assert_eq!(mails[0].rcpt_to, BOB);
    assert_eq!(mails[0].subject, "Survives a crash");
    assert!(mails[0].text.contains("/m/"), "the link is there");
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(relay.mails().len(), 1, "sent once, not twice");
    let after = status(&data, &message_id);
    assert!(
        after.contains("Delivery : bob@example.net sent at "),
        "{after}"
    );
}

#[test]
fn a_mail_in_flight_when_serve_is_killed_goes_out_again_with_the_same_message_id() {
    let (_dir, data, port, url) = setup();
    let message_id = send_while_the_relay_is_down(&data, &url);

    // The relay keeps the mail but never says so; the server dies waiting.
    let relay = SmtpSink::start_on(port);
    relay.answer(BOB, "accept-then-hang");
    let args = [
        "--smtp-url",
        &url,
        "--mail-retry-min",
        "1s",
        "--mail-lease",
        "4s",
    ];
    let server = Serve::start(&data, &args);
    let first = relay.wait_for(1, WAIT);
    server.kill_9();

    // After a restart the lease runs out and the mail goes again: at least once.
    relay.accept_all();
    let _server = Serve::start(&data, &args);
    let mails = relay.wait_for(2, WAIT);
    assert_eq!(mails.len(), 2);
    assert_eq!(mails[1].rcpt_to, BOB);
    assert!(!first[0].message_id.is_empty());
    assert_eq!(
        mails[1].message_id, first[0].message_id,
        "the retry is the same mail, so the recipient's client shows one"
    );
    assert_eq!(mails[1].text, first[0].text, "with the same link");
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(relay.mails().len(), 2, "no third copy");
    let after = status(&data, &message_id);
    assert!(
        after.contains("Delivery : bob@example.net sent at "),
        "{after}"
    );
}
