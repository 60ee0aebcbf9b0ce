//! With `--smtp-url`, mail goes to the SMTP relay instead of the outbox.

mod common;

use std::io::{BufRead as _, BufReader, Write as _};
use std::net::TcpListener;

use common::cli::{run_sealmail as sealmail, user_add};

/// A minimal SMTP server that accepts one session and returns what it received.
fn fake_relay(listener: TcpListener) -> std::thread::JoinHandle<(Vec<String>, String)> {
    std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut writer = stream;
        let mut commands = Vec::new();
        let mut data = String::new();
        writer.write_all(b"220 fake.relay ESMTP\r\n").unwrap();
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap() == 0 {
                break;
            }
            let command = line.trim_end().to_owned();
            let upper = command.to_ascii_uppercase();
            commands.push(command);
            if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                writer
                    .write_all(b"250-fake.relay\r\n250 8BITMIME\r\n")
                    .unwrap();
            } else if upper.starts_with("DATA") {
                writer.write_all(b"354 go ahead\r\n").unwrap();
                loop {
                    let mut l = String::new();
                    reader.read_line(&mut l).unwrap();
                    if l == ".\r\n" {
                        break;
                    }
                    data.push_str(&l);
                }
                writer.write_all(b"250 queued\r\n").unwrap();
            } else if upper.starts_with("QUIT") {
                writer.write_all(b"221 bye\r\n").unwrap();
                break;
            } else {
                writer.write_all(b"250 ok\r\n").unwrap();
            }
        }
        (commands, data)
    })
}

#[test]
fn with_an_smtp_url_the_notification_goes_to_the_relay_not_the_outbox() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = user_add(&data, "alice@sealmail.test", &[], "long enough");
    assert!(out.status.success());

    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let relay = fake_relay(listener);
    let url = format!("smtp://127.0.0.1:{port}");
    let out = sealmail(
        &data,
        &[
            "--smtp-url",
            &url,
            "--public-url",
            "https://mail.example.com",
            "send",
            "--from",
            "alice@sealmail.test",
            "--to",
            "bob@example.net",
            "--subject",
            "Via SMTP",
        ],
        "body",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (commands, mail) = relay.join().unwrap();
    assert!(
        commands.iter().any(|c| c
            .to_ascii_uppercase()
            .starts_with("RCPT TO:<BOB@EXAMPLE.NET>")),
        "{commands:?}"
    );
    assert!(mail.contains("Subject: Via SMTP"), "{mail}");
    assert!(mail.contains("https://mail.example.com/m/"), "{mail}");
    assert!(
        !mail.contains("body\r\n"),
        "the message body never travels in mail"
    );
    let outbox = data.join("outbox");
    let queued = std::fs::read_dir(&outbox).map(|d| d.count()).unwrap_or(0);
    assert_eq!(queued, 0, "nothing written to the outbox");
}
