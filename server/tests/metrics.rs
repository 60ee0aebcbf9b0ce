//! Prometheus metrics (`--metrics-listen`): what a scrape shows after a
//! flow, that no label ever holds a token or an address, and that metrics
//! are only ever served on their own address.
//!
//! The recorder is the process's: this binary has one in-process test (the
//! others run `sealmail serve`), so its counts are exact.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::http::{Server, request_to};
use common::ingress::{code_of, corpus, submit};
use common::prometheus::Scrape;
use common::sender::{DAVE, message_to};
use common::smtp_sink::free_port;
use common::{ALICE, BOB, CAROL, TestApp};
use http_body_util::BodyExt as _;
use sealmail_api::sender::RevokeRequest;
use sealmail_api::{ErrorCode, routes};
use tower::ServiceExt as _;

/// `GET /metrics` on the metrics listener's router.
async fn scrape(metrics: &axum::Router) -> Scrape {
    let response = metrics
        .clone()
        .oneshot(Request::get("/metrics").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body = response.into_body().collect().await.unwrap().to_bytes();
    Scrape::parse(std::str::from_utf8(&body).unwrap())
}

#[tokio::test]
async fn a_scrape_counts_requests_by_route_and_every_event_and_no_label_holds_a_token_or_address() {
    let app = TestApp::with_args(&["--metrics-listen", "127.0.0.1:0"]).await;
    let metrics = sealmail::metrics::router(app.state.clone());
    let before = scrape(&metrics).await;

    // A link nobody was given.
    let unknown = app.get(&routes::link("not-a-real-token-ABC"), None).await;
    assert_eq!(unknown.code(), ErrorCode::LinkUnknown);
    // A message to Bob and Carol; Bob mistypes once, then opens it.
    let alice = app.sender(ALICE).await;
    let composed = alice.send(&message_to(&[BOB, CAROL])).await;
    let bob = app.recipient(BOB);
    bob.request_passcode().await;
    let wrong = bob.submit_passcode(&bob.wrong_passcode()).response().await;
    assert_eq!(wrong.code(), ErrorCode::PasscodeWrong);
    bob.submit_passcode(&bob.passcode_from_mail()).await;
    let page = app.get(&routes::portal_link_page(bob.token()), None).await;
    // Carol runs out of tries and is locked out.
    let carol = app.recipient(CAROL);
    carol.request_passcode().await;
    let mut last = None;
    for _ in 0..5 {
        last = Some(
            carol
                .submit_passcode(&carol.wrong_passcode())
                .response()
                .await,
        );
    }
    assert_eq!(last.unwrap().code(), ErrorCode::TooManyAttempts);
    // Carol's access is revoked, then the whole message.
    alice.revoke(&composed.id).only(CAROL).await;
    alice
        .revoke(&composed.id)
        .with(&RevokeRequest::default())
        .await;
    // Another message expires and is purged.
    app.send(&[DAVE], &[], &[]).await;
    app.sql("UPDATE messages SET expires_at = 1 WHERE state = 'active'")
        .await;
    assert_eq!(
        sealmail::messages::purge_expired(&app.state).await.unwrap(),
        1
    );
    // Mail over SMTP from the organisation's server: one taken, and one
    // put off (451) once a rule no longer reads.
    let listener = app
        .smtp_listener(&["--smtp-trusted-networks", "127.0.0.1/32"])
        .await;
    submit(
        &listener.plain_client(),
        ALICE,
        &[BOB],
        &corpus("latin1.eml"),
    )
    .await
    .unwrap();
    app.sql("UPDATE mail_flow_rules SET action = '{\"kind\":\"encrypt_harder\"}'")
        .await;
    let refused = submit(
        &listener.plain_client(),
        ALICE,
        &[BOB],
        &corpus("latin1.eml"),
    )
    .await
    .unwrap_err();
    assert_eq!(code_of(&refused), "451");
    // Mail waiting two minutes in the queue.
    app.hold_mail();
    app.send(&[CAROL], &[], &[]).await;
    app.sql("UPDATE mail_queue SET created_at = created_at - 120 WHERE state = 'queued'")
        .await;

    let after = scrape(&metrics).await;
    let moved = |name: &str, labels: &[(&str, &str)]| {
        after.value(name, labels) - before.value(name, labels)
    };
    let requests = "sealmail_http_requests_total";
    for (route, method, status, count) in [
        (routes::LINK, "GET", "404", 1.0),
        (routes::LINK_PASSCODE, "POST", "200", 2.0),
        (routes::LINK_SESSION, "POST", "401", 1.0 + 4.0),
        (routes::LINK_SESSION, "POST", "200", 1.0),
        (routes::LINK_SESSION, "POST", "429", 1.0),
        (routes::MESSAGES, "POST", "201", 1.0),
        (routes::MESSAGE_REVOKE, "POST", "200", 2.0),
        ("portal", "GET", &page.status.as_u16().to_string(), 1.0),
    ] {
        let labels = [("route", route), ("method", method), ("status", status)];
        assert_eq!(moved(requests, &labels), count, "{labels:?}");
    }
    assert_eq!(
        moved(
            "sealmail_http_request_duration_seconds_count",
            &[("route", routes::MESSAGE_REVOKE), ("method", "POST")]
        ),
        2.0,
        "the latency histogram has both revokes"
    );
    assert_eq!(
        moved(
            "sealmail_http_request_duration_seconds_bucket",
            &[("route", routes::MESSAGE_REVOKE), ("le", "+Inf")]
        ),
        2.0
    );
    for (name, labels, count) in [
        ("sealmail_passcodes_sent_total", &[][..], 2.0),
        ("sealmail_passcodes_wrong_total", &[], 5.0 + 1.0),
        (
            "sealmail_passcode_lockouts_total",
            &[("scope", "client")],
            1.0,
        ),
        ("sealmail_messages_opened_total", &[], 1.0),
        ("sealmail_recipient_access_revoked_total", &[], 1.0),
        ("sealmail_messages_revoked_total", &[], 1.0),
        ("sealmail_messages_expired_total", &[], 1.0),
        ("sealmail_smtp_mails_total", &[("outcome", "accepted")], 1.0),
        ("sealmail_smtp_mails_total", &[("outcome", "deferred")], 1.0),
        ("sealmail_smtp_mails_total", &[("outcome", "refused")], 0.0),
    ] {
        assert_eq!(moved(name, labels), count, "{name} {labels:?}");
    }
    assert_eq!(
        moved("sealmail_messages_stored_total", &[]),
        app.rows_in("messages").await as f64,
        "every stored message counted once (API, command line, SMTP)"
    );
    let queued: i64 = sealmail::store::on_db!(&app.state.db, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM mail_queue WHERE state = 'queued'"
    )
    .fetch_one(c)
    .await)
    .unwrap();
    assert!(queued >= 1);
    assert_eq!(
        after.value("sealmail_mail_queue_depth", &[("state", "queued")]),
        queued as f64
    );
    assert!(after.value("sealmail_mail_queue_oldest_age_seconds", &[]) >= 120.0);
    // SQLite's eight; PostgreSQL's --database-connections default.
    let most = if common::pg::on_postgres() { 16.0 } else { 8.0 };
    assert_eq!(after.value("sealmail_db_pool_max_connections", &[]), most);
    assert!(after.value("sealmail_db_pool_connections", &[]) >= 1.0);

    // Nothing that names a person or opens a message, anywhere in a scrape.
    let text = {
        let response = metrics
            .clone()
            .oneshot(Request::get("/metrics").body(Body::empty()).unwrap())
            .await
            .unwrap();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        String::from_utf8(body.to_vec()).unwrap()
    };
    for secret in [
        bob.token(),
        carol.token(),
        "not-a-real-token-ABC",
        &composed.id,
        ALICE,
        BOB,
        CAROL,
        DAVE,
    ] {
        assert!(!text.contains(secret), "the scrape holds {secret}");
    }
    for value in after.label_values() {
        assert!(!value.contains('@'), "a label holds an address: {value}");
    }
    let routes_seen: Vec<&str> = after
        .samples
        .iter()
        .filter_map(|s| s.labels.get("route").map(String::as_str))
        .collect();
    assert!(
        routes_seen
            .iter()
            .all(|r| *r == "portal" || r.starts_with("/api")),
        "{routes_seen:?}"
    );
}

#[test]
fn the_metrics_port_serves_metrics_and_the_public_port_never_does() {
    let dir = tempfile::tempdir().unwrap();
    let metrics_port = free_port();
    let listen = format!("127.0.0.1:{metrics_port}");
    let server = Server::start(dir.path(), &["--metrics-listen", &listen]);
    assert_eq!(server.request("GET", routes::HEALTH, &[], b"").status, 200);

    let scraped = request_to(metrics_port, "GET", "/metrics", &[], b"");
    assert_eq!(scraped.status, 200);
    assert!(
        scraped
            .header("content-type")
            .unwrap()
            .starts_with("text/plain; version=0.0.4"),
        "{}",
        scraped.head
    );
    let scrape = Scrape::parse(&scraped.body);
    assert_eq!(
        scrape.value(
            "sealmail_http_requests_total",
            &[("route", routes::HEALTH), ("status", "200")]
        ),
        1.0
    );
    assert!(scrape.has("sealmail_messages_revoked_total"));
    let elsewhere = request_to(metrics_port, "GET", "/", &[], b"");
    assert_eq!(elsewhere.status, 404);
    assert_eq!(
        elsewhere.json::<sealmail_api::ErrorBody>().code,
        ErrorCode::NotFound
    );

    assert_public_port_has_no_metrics(&server);
}

#[test]
fn without_metrics_listen_nothing_serves_metrics() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    assert_public_port_has_no_metrics(&server);
}

/// `/metrics` on the public port is what any page nobody has is (the
/// portal's), and under `/api` a `not_found` like any unknown route.
fn assert_public_port_has_no_metrics(server: &Server) {
    let metrics = server.request("GET", "/metrics", &[], b"");
    let unknown = server.request("GET", "/no-such-page", &[], b"");
    assert_eq!(metrics.status, unknown.status);
    assert_eq!(metrics.body, unknown.body);
    assert!(!metrics.body.contains("sealmail_"), "{}", metrics.body);
    let api = server.request("GET", "/api/v1/metrics", &[], b"");
    assert_eq!(api.status, 404);
    assert_eq!(
        api.json::<sealmail_api::ErrorBody>().code,
        ErrorCode::NotFound
    );
}

#[test]
fn the_exposition_reader_reads_names_labels_escapes_and_values() {
    let scrape = Scrape::parse(
        "# HELP a_total A.\n# TYPE a_total counter\na_total 3\n\
         b_bucket{route=\"/x/{token}\",le=\"+Inf\"} 2\nc{v=\"q\\\"uo, te\"} 1.5\n",
    );
    assert_eq!(scrape.value("a_total", &[]), 3.0);
    assert_eq!(scrape.value("b_bucket", &[("route", "/x/{token}")]), 2.0);
    assert_eq!(scrape.samples[1].labels["le"], "+Inf");
    assert_eq!(scrape.samples[2].labels["v"], "q\"uo, te");
    assert_eq!(scrape.value("missing", &[]), 0.0);
}
