//! Issue 5's acceptance check, from outside: a real server on a socket.
//! Sign in as the sender; send to two recipients with two attachments; both
//! read; revoke one → that one gets `message_revoked`, the other still
//! reads; the Sent list and the admin status show exactly that; the audit
//! CSV lists the opens, with the client's address.

mod common;

use common::cli::{ok, user_add};
use common::http::{Reply, Server};
use common::mail::{passcode_in_outbox, token_in_outbox};
use sealmail_api::admin::{MessageStatus, RecipientState};
use sealmail_api::routes;
use sealmail_api::sender::{Composed, SentPage};

const BOB: &str = "bob@example.net";
const CAROL: &str = "carol@example.org";

/// Passcode, session, and the message: the session cookie and the reply.
fn read(server: &Server, data: &std::path::Path, address: &str, token: &str) -> (String, Reply) {
    let sent = server.request(
        "POST",
        &routes::link_passcode(token),
        &["X-Sealmail: 1"],
        b"",
    );
    assert_eq!(sent.status, 200, "{}", sent.body);
    let passcode = passcode_in_outbox(data, address);
    let session = server.request(
        "POST",
        &routes::link_session(token),
        &["X-Sealmail: 1", "Content-Type: application/json"],
        format!("{{\"passcode\":\"{passcode}\"}}").as_bytes(),
    );
    assert_eq!(session.status, 200, "{}", session.body);
    let cookie = session.cookie();
    let message = server.read_message(token, &cookie);
    (cookie, message)
}

#[test]
fn sign_in_send_read_revoke_one_recipient_then_sent_list_status_and_audit_agree() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    ok(user_add(
        &data,
        "alice@sealmail.test",
        &["--name", "Alice Demo"],
        "demo-password",
    ));
    ok(user_add(
        &data,
        "admin@sealmail.test",
        &["--name", "Admin Demo", "--admin"],
        "admin-password",
    ));
    let server = Server::start(&data, &[]);
    let json = "Content-Type: application/json";

    let signed_in = server.request(
        "POST",
        routes::SESSION,
        &["X-Sealmail: 1", json],
        br#"{"email":"alice@sealmail.test","password":"demo-password"}"#,
    );
    assert_eq!(signed_in.status, 200, "{}", signed_in.body);
    let alice = format!("Cookie: {}", signed_in.cookie());

    let boundary = "acceptance-boundary";
    let mut body = Vec::new();
    body.extend_from_slice(format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"message\"\r\n\r\n\
         {{\"to\":[{{\"address\":\"{BOB}\"}},{{\"address\":\"{CAROL}\"}}],\"subject\":\"Acceptance\",\
         \"body\":{{\"text\":\"For both of you\"}},\"protection\":\"encrypt_only\"}}\r\n"
    ).as_bytes());
    for (name, content) in [("one.txt", "first file"), ("two.txt", "second file")] {
        body.extend_from_slice(format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
             Content-Type: text/plain\r\n\r\n{content}\r\n"
        ).as_bytes());
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let composed = server.request(
        "POST",
        routes::MESSAGES,
        &[
            "X-Sealmail: 1",
            &alice,
            &format!("Content-Type: multipart/form-data; boundary={boundary}"),
        ],
        &body,
    );
    assert_eq!(composed.status, 201, "{}", composed.body);
    let composed: Composed = composed.json();

    let bob_token = token_in_outbox(&data, BOB);
    let carol_token = token_in_outbox(&data, CAROL);
    let (bob, bob_reads) = read(&server, &data, BOB, &bob_token);
    let (carol, carol_reads) = read(&server, &data, CAROL, &carol_token);
    for reply in [&bob_reads, &carol_reads] {
        assert_eq!(reply.status, 200);
        assert!(reply.body.contains("For both of you"));
        assert!(reply.body.contains("one.txt") && reply.body.contains("two.txt"));
    }

    let revoked = server.request(
        "POST",
        &routes::message_revoke(&composed.id),
        &["X-Sealmail: 1", &alice, json],
        format!("{{\"recipient\":\"{CAROL}\"}}").as_bytes(),
    );
    assert_eq!(revoked.status, 200, "{}", revoked.body);
    let carol_again = server.read_message(&carol_token, &carol);
    assert_eq!(carol_again.status, 410);
    assert!(carol_again.body.contains("\"code\":\"message_revoked\""));
    let bob_again = server.read_message(&bob_token, &bob);
    assert_eq!(bob_again.status, 200);

    let page: SentPage = server.request("GET", routes::SENT, &[&alice], b"").json();
    let row = &page.messages[0];
    let state = |a: &str| {
        row.recipients
            .iter()
            .find(|r| r.recipient.address == a)
            .unwrap()
            .state
    };
    assert_eq!(state(BOB), RecipientState::Opened);
    assert_eq!(state(CAROL), RecipientState::Revoked);
    assert!(row.is_revocable);

    let admin_in = server.request(
        "POST",
        routes::SESSION,
        &["X-Sealmail: 1", json],
        br#"{"email":"admin@sealmail.test","password":"admin-password"}"#,
    );
    let admin = format!("Cookie: {}", admin_in.cookie());
    let status: MessageStatus = server
        .request(
            "GET",
            &routes::admin_message(&composed.message_id),
            &[&admin],
            b"",
        )
        .json();
    assert!(status.is_revocable);
    assert!(!status.revoked);

    let csv = server.request(
        "GET",
        &format!("{}?format=csv", routes::ADMIN_AUDIT),
        &[&admin],
        b"",
    );
    assert_eq!(csv.status, 200);
    for address in [BOB, CAROL] {
        let open = format!(
            "message_opened,success,{},{address},,127.0.0.1,",
            composed.message_id
        );
        assert!(csv.body.contains(&open), "{open} in {}", csv.body);
    }
}
