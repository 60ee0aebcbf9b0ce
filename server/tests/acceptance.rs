//! The acceptance check, from outside: a real `sealmail serve` on a
//! socket and the `sealmail` commands on the same data dir at the same time.

mod common;

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use common::cli::{outbox_mail_to, passcode_in, run_sealmail};

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn sealmail(data: &Path, args: &[&str], stdin: &str) -> Output {
    let output = run_sealmail(data, args, stdin);
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

struct Reply {
    status: u16,
    head: String,
    body: String,
}

/// One HTTP/1.1 request over a fresh connection (the server sets Content-Length).
fn http(port: u16, method: &str, path: &str, headers: &[&str], body: &str) -> Reply {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let mut request =
        format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
    for h in headers {
        request.push_str(h);
        request.push_str("\r\n");
    }
    request.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    stream.write_all(request.as_bytes()).unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    Reply {
        status,
        head: head.to_owned(),
        body: body.to_owned(),
    }
}

#[test]
fn acceptance_send_passcode_read_revoke_with_a_running_server() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let public = format!("http://127.0.0.1:{port}");

    sealmail(
        &data,
        &[
            "user",
            "add",
            "--email",
            "alice@sealmail.test",
            "--password-stdin",
        ],
        "demo-password\n",
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

    let _server = Server(
        Command::new(env!("CARGO_BIN_EXE_sealmail"))
            .env_remove("SEALMAIL_MASTER_KEY")
            .arg("--data-dir")
            .arg(&data)
            .args([
                "serve",
                "--listen",
                &format!("127.0.0.1:{port}"),
                "--portal-dir",
            ])
            .arg(dir.path().join("no-portal"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut up = false;
    for _ in 0..100 {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            up = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(up, "the server did not start");
    assert_eq!(http(port, "GET", "/api/v1/health", &[], "").status, 200);

    let outbox = String::from_utf8(sealmail(&data, &["outbox", "--last", "1"], "").stdout).unwrap();
    let link_at = outbox
        .find(&format!("{public}/m/"))
        .expect("the notification has a link")
        + public.len()
        + 3;
    let token: String = outbox[link_at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || "-_".contains(*c))
        .collect();

    let info = http(port, "GET", &format!("/api/v1/links/{token}"), &[], "");
    assert_eq!(info.status, 200, "{}", info.body);
    assert_eq!(
        http(
            port,
            "POST",
            &format!("/api/v1/links/{token}/passcode"),
            &["X-Sealmail: 1"],
            ""
        )
        .status,
        200
    );
    let mail = outbox_mail_to(&data, "bob@example.net", |m| passcode_in(m).is_some());
    let passcode = passcode_in(&mail).expect("the passcode mail is in the outbox");

    let session = http(
        port,
        "POST",
        &format!("/api/v1/links/{token}/session"),
        &["X-Sealmail: 1", "Content-Type: application/json"],
        &format!("{{\"passcode\":\"{passcode}\"}}"),
    );
    assert_eq!(session.status, 200, "{}", session.body);
    let cookie = session
        .head
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: "))
        .and_then(|c| c.split(';').next())
        .unwrap()
        .to_owned();
    let cookie_header = format!("Cookie: {cookie}");

    let message = http(
        port,
        "GET",
        &format!("/api/v1/links/{token}/message"),
        &[&cookie_header],
        "",
    );
    assert_eq!(message.status, 200);
    assert!(
        message.body.contains("The body for Bob"),
        "{}",
        message.body
    );

    // Revoked from the command line while the server runs.
    sealmail(&data, &["revoke", "--message-id", &message_id], "");
    let revoked = http(
        port,
        "GET",
        &format!("/api/v1/links/{token}/message"),
        &[&cookie_header],
        "",
    );
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
