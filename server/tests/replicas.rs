//! Two `sealmail serve` processes on one database and one data dir behave
//! as one server: the recipient's journey alternates between them request by
//! request, a revoke on one is refused by the other at once, the five-tries
//! limit counts the tries made on both, and each queued mail goes out once
//! though both delivery workers race for it. On SQLite the two share the
//! file; `cargo xtask test` runs it again on PostgreSQL.

mod common;

use common::cli::{ok, user_add};
use common::http::{Reply, Server};
use common::mail::{passcode_in_outbox, token_in_outbox};
use sealmail_api::routes;
use sealmail_api::sender::Composed;

const ALICE: &str = "alice@sealmail.test";
const BOB: &str = "bob@example.net";
const CAROL: &str = "carol@example.org";
const X: &str = "X-Sealmail: 1";
const JSON: &str = "Content-Type: application/json";
/// Recipients of the message whose notifications both workers race for.
const CROWD: usize = 40;

fn compose(server: &Server, alice: &str, to: &[String], file: Option<(&str, &str)>) -> Composed {
    let boundary = "replica-boundary";
    let to: Vec<String> = to
        .iter()
        .map(|a| format!("{{\"address\":\"{a}\"}}"))
        .collect();
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"message\"\r\n\r\n\
         {{\"to\":[{}],\"subject\":\"Replicas\",\"body\":{{\"text\":\"Read on either\"}},\
         \"protection\":\"encrypt_only\"}}\r\n",
        to.join(",")
    );
    if let Some((name, content)) = file {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
             Content-Type: text/plain\r\n\r\n{content}\r\n"
        ));
    }
    body.push_str(&format!("--{boundary}--\r\n"));
    let reply = server.request(
        "POST",
        routes::MESSAGES,
        &[
            X,
            alice,
            &format!("Content-Type: multipart/form-data; boundary={boundary}"),
        ],
        body.as_bytes(),
    );
    assert_eq!(reply.status, 201, "{}", reply.body);
    reply.json()
}

fn submit(server: &Server, token: &str, passcode: &str) -> Reply {
    server.request(
        "POST",
        &routes::link_session(token),
        &[X, JSON],
        format!("{{\"passcode\":\"{passcode}\"}}").as_bytes(),
    )
}

fn ask_passcode(server: &Server, token: &str) {
    let asked = server.request("POST", &routes::link_passcode(token), &[X], b"");
    assert_eq!(asked.status, 200, "{}", asked.body);
}

#[test]
fn two_servers_on_one_database_are_one_server_to_their_users() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    ok(user_add(
        &data,
        ALICE,
        &["--name", "Alice"],
        "demo-password",
    ));
    let a = Server::start(&data, &[]);
    let b = Server::start(&data, &[]);

    // Signed in on A; the session works on B.
    let signed_in = a.request(
        "POST",
        routes::SESSION,
        &[X, JSON],
        format!("{{\"email\":\"{ALICE}\",\"password\":\"demo-password\"}}").as_bytes(),
    );
    assert_eq!(signed_in.status, 200, "{}", signed_in.body);
    let alice = format!("Cookie: {}", signed_in.cookie());
    assert_eq!(b.request("GET", routes::ME, &[&alice], b"").status, 200);

    // Sent on B; the passcode asked on A is taken by B; read on A, the file on B.
    let sent = compose(
        &b,
        &alice,
        &[BOB.to_owned(), CAROL.to_owned()],
        Some(("plan.txt", "the plan")),
    );
    let bob_token = token_in_outbox(&data, BOB);
    ask_passcode(&a, &bob_token);
    let passcode = passcode_in_outbox(&data, BOB);
    let session = submit(&b, &bob_token, &passcode);
    assert_eq!(session.status, 200, "{}", session.body);
    let bob = session.cookie();
    let read = a.read_message(&bob_token, &bob);
    assert_eq!(read.status, 200, "{}", read.body);
    assert!(read.body.contains("Read on either"));
    let view: sealmail_api::recipient::MessageView = read.json();
    let download = b.request(
        "GET",
        &routes::link_attachment(&bob_token, &view.attachments[0].id),
        &[&format!("Cookie: {bob}")],
        b"",
    );
    assert_eq!(download.status, 200);
    assert_eq!(download.body, "the plan");

    // Carol's wrong passcodes, alternately on A and B, count together.
    let carol_token = token_in_outbox(&data, CAROL);
    ask_passcode(&b, &carol_token);
    let right = passcode_in_outbox(&data, CAROL);
    let wrong = if right == "00000000" {
        "11111111"
    } else {
        "00000000"
    };
    for (n, server) in [&a, &b, &a, &b].into_iter().enumerate() {
        let reply = submit(server, &carol_token, wrong);
        assert_eq!(reply.status, 401, "try {n}: {}", reply.body);
        assert!(
            reply.body.contains("\"code\":\"passcode_wrong\""),
            "{}",
            reply.body
        );
        assert!(
            reply.body.contains(&format!("\"tries_left\":{}", 4 - n)),
            "try {n}: {}",
            reply.body
        );
    }
    let fifth = submit(&a, &carol_token, wrong);
    assert!(
        fifth.body.contains("\"code\":\"too_many_attempts\""),
        "{}",
        fifth.body
    );
    let right_on_b = submit(&b, &carol_token, &right);
    assert!(
        right_on_b.body.contains("\"code\":\"too_many_attempts\""),
        "{}",
        right_on_b.body
    );

    // Revoked on A: Bob's very next read, on B, is refused.
    let revoked = a.request(
        "POST",
        &routes::message_revoke(&sent.id),
        &[X, &alice, JSON],
        b"{}",
    );
    assert_eq!(revoked.status, 200, "{}", revoked.body);
    let refused = b.read_message(&bob_token, &bob);
    assert_eq!(refused.status, 410, "{}", refused.body);
    assert!(refused.body.contains("\"code\":\"message_revoked\""));

    // Forty notifications queued at once: both workers race for them, and
    // each goes out exactly once.
    let crowd: Vec<String> = (0..CROWD).map(|i| format!("r{i}@example.com")).collect();
    compose(&a, &alice, &crowd, None);
    let outbox = data.join("outbox");
    let expected = 2 + 2 + CROWD; // two notifications, two passcodes, the crowd
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while sealmail::mail::list_outbox(&outbox).unwrap().len() < expected {
        assert!(
            std::time::Instant::now() < deadline,
            "the crowd's mail never all went out"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    // Time for a second copy to arrive, were one to be sent.
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let mails = sealmail::mail::list_outbox(&outbox).unwrap();
    assert_eq!(mails.len(), expected);
    for address in &crowd {
        let to = format!("To: {address}\r\n");
        let copies = mails
            .iter()
            .filter(|path| std::fs::read_to_string(path).unwrap().contains(&to))
            .count();
        assert_eq!(copies, 1, "{address} got {copies} notifications");
    }
}
