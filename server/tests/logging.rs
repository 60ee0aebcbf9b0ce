//! Logs an operator can follow a request through: `--log-format json`
//! writes one JSON object per line, and every line written while a request
//! is served carries the id its response's `X-Request-Id` names (in the
//! text format too). An incoming `X-Request-Id` is kept only with
//! `--trust-request-id`, and only if it is short and plain.

mod common;

use std::path::Path;

use axum::body::Body;
use axum::http::{Method, header};
use common::cli::{ok, user_add};
use common::http::{Reply, Server};
use common::sender::PASSWORD;
use common::{ALICE, TestApp};
use sealmail_api::routes;
use sealmail_api::sender::SignIn;
use serde_json::Value;

/// Signs Alice in: a request that logs a line of its own ("sender signed
/// in") before the request line.
fn sign_in(server: &Server) -> Reply {
    let body = serde_json::to_vec(&SignIn {
        email: ALICE.to_owned(),
        password: PASSWORD.to_owned(),
    })
    .unwrap();
    let reply = server.request(
        "POST",
        routes::SESSION,
        &["X-Sealmail: 1", "Content-Type: application/json"],
        &body,
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply
}

/// The request id a response names: 32 hex digits when Sealmail made it.
fn request_id(reply: &Reply) -> String {
    reply
        .header("x-request-id")
        .expect("an X-Request-Id header")
}

fn is_generated(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A server on `dir` with Alice's account, logging to `dir/serve.log`.
fn server_with_alice(dir: &Path, extra: &[&str]) -> Server {
    let data = dir.join("data");
    ok(user_add(&data, ALICE, &[], PASSWORD));
    Server::start_logging_to(&data, extra, &dir.join("serve.log"))
}

#[test]
fn json_logs_are_one_object_a_line_and_a_requests_lines_carry_its_response_id() {
    let dir = tempfile::tempdir().unwrap();
    let server = server_with_alice(dir.path(), &["--log-format", "json"]);
    let signed_in = sign_in(&server);
    let unknown = server.request(
        "POST",
        &routes::link_passcode("not-a-real-token-ABC"),
        &["X-Sealmail: 1"],
        b"",
    );
    assert_eq!(unknown.status, 404);
    let (first, second) = (request_id(&signed_in), request_id(&unknown));
    assert!(
        is_generated(&first) && is_generated(&second),
        "{first} {second}"
    );
    assert_ne!(first, second);
    drop(server);

    let log = std::fs::read_to_string(dir.path().join("serve.log")).unwrap();
    let lines: Vec<Value> = log
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}")))
        .collect();
    assert!(lines.iter().any(|l| l["message"] == "sealmail is serving"));
    for line in &lines {
        assert!(
            line["timestamp"].is_string() && line["level"].is_string(),
            "{line}"
        );
    }
    let of = |id: &str| -> Vec<&Value> {
        lines
            .iter()
            .filter(|l| l["span"]["request_id"] == id)
            .collect()
    };
    let messages = |id: &str| -> Vec<&str> {
        of(id)
            .iter()
            .map(|l| l["message"].as_str().unwrap())
            .collect()
    };
    assert_eq!(messages(&first), ["sender signed in", "request"], "{log}");
    assert_eq!(messages(&second), ["request"], "{log}");
    let request_line = of(&second)[0];
    assert_eq!(request_line["path"], "/api/v1/links/{token}/passcode");
    assert_eq!(request_line["status"], 404);
    assert_eq!(request_line["spans"][0]["request_id"], second);
    assert!(!log.contains("not-a-real-token-ABC"), "the token is logged");
    assert!(!log.contains(PASSWORD), "the password is logged");
}

#[test]
fn text_logs_are_the_default_and_name_the_request_id_too() {
    let dir = tempfile::tempdir().unwrap();
    let server = server_with_alice(dir.path(), &[]);
    let id = request_id(&sign_in(&server));
    drop(server);

    let log = std::fs::read_to_string(dir.path().join("serve.log")).unwrap();
    assert!(
        log.lines()
            .all(|l| serde_json::from_str::<Value>(l).is_err()),
        "{log}"
    );
    let span = format!("request{{request_id={id}}}");
    let of_request: Vec<&str> = log.lines().filter(|l| l.contains(&span)).collect();
    assert_eq!(of_request.len(), 2, "{log}");
    assert!(of_request[0].contains("sender signed in"));
}

#[tokio::test]
async fn an_incoming_request_id_is_kept_only_when_trusted_and_plain() {
    /// The id the response to `GET /api/v1/health` names, sent with `incoming`.
    async fn answered_id(app: &TestApp, incoming: &str) -> String {
        app.raw(
            Method::GET,
            routes::HEALTH,
            &[("x-request-id", incoming)],
            Body::empty(),
        )
        .await
        .header(header::HeaderName::from_static("x-request-id"))
    }
    let from_proxy = "Root=1-67891233-abcdef012345678912345678";

    let untrusting = TestApp::new().await;
    let answered = answered_id(&untrusting, from_proxy).await;
    assert!(
        is_generated(&answered),
        "a client's id is taken: {answered}"
    );

    let behind_proxy = TestApp::with_args(&["--trust-request-id"]).await;
    assert_eq!(answered_id(&behind_proxy, from_proxy).await, from_proxy);
    for odd in [
        "id \"with\" spaces",
        "{\"level\":\"ERROR\"}",
        &"a".repeat(65),
    ] {
        let answered = answered_id(&behind_proxy, odd).await;
        assert!(is_generated(&answered), "{odd} gave {answered}");
    }
    let without = behind_proxy.get(routes::HEALTH, None).await;
    assert!(is_generated(
        &without.header(header::HeaderName::from_static("x-request-id"))
    ));
}
