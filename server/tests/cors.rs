//! CORS is opt-in (`--cors-allow-origin`): an allowed origin may call the API
//! with cookies; any other origin, and every origin without the option, gets
//! no CORS headers at all.

mod common;

use axum::http::{Method, StatusCode, header};
use common::*;
use sealmail_api::routes::{self, CSRF_HEADER};

const RUNNER: &str = "http://127.0.0.1:43123";

/// The browser's preflight before a `POST` with the anti-forgery header and JSON.
async fn preflight(app: &TestApp, origin: &str) -> TestResponse {
    app.raw(
        Method::OPTIONS,
        &routes::link_session("some-token"),
        &[
            ("origin", origin),
            ("access-control-request-method", "POST"),
            (
                "access-control-request-headers",
                &format!("{CSRF_HEADER},content-type"),
            ),
        ],
        "",
    )
    .await
}

#[tokio::test]
async fn a_preflight_from_an_allowed_origin_may_send_cookies_and_the_csrf_header() {
    let app = TestApp::with_args(&["--cors-allow-origin", RUNNER]).await;

    let response = preflight(&app, RUNNER).await;

    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.header(header::ACCESS_CONTROL_ALLOW_ORIGIN), RUNNER);
    assert_eq!(
        response.header(header::ACCESS_CONTROL_ALLOW_CREDENTIALS),
        "true"
    );
    let headers = response.header(header::ACCESS_CONTROL_ALLOW_HEADERS);
    assert!(headers.contains(CSRF_HEADER), "{headers}");
    assert!(headers.contains("content-type"), "{headers}");
    let methods = response.header(header::ACCESS_CONTROL_ALLOW_METHODS);
    for method in ["GET", "POST", "PUT", "PATCH", "DELETE"] {
        assert!(methods.contains(method), "{methods}");
    }
}

#[tokio::test]
async fn an_allowed_origin_reads_the_answer_of_a_real_call() {
    let app =
        TestApp::with_args(&["--cors-allow-origin", "https://a.example,https://b.example"]).await;
    app.send(&[BOB], &[], &[]).await;

    let response = app
        .recipient(BOB)
        .open_link()
        .header("origin", "https://b.example")
        .response()
        .await;

    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(
        response.header(header::ACCESS_CONTROL_ALLOW_ORIGIN),
        "https://b.example"
    );
    assert_eq!(
        response.header(header::ACCESS_CONTROL_ALLOW_CREDENTIALS),
        "true"
    );
}

#[tokio::test]
async fn another_origin_gets_no_cors_headers() {
    let app = TestApp::with_args(&["--cors-allow-origin", RUNNER]).await;

    for origin in ["http://127.0.0.1:9999", "https://evil.example", "null"] {
        let response = preflight(&app, origin).await;
        let cors: Vec<_> = response
            .headers
            .keys()
            .filter(|name| name.as_str().starts_with("access-control-"))
            .collect();
        assert!(cors.is_empty(), "{origin}: {cors:?}");
    }
}

#[tokio::test]
async fn without_the_option_there_are_no_cors_headers_at_all() {
    let app = TestApp::new().await;
    app.send(&[BOB], &[], &[]).await;

    let preflight = preflight(&app, RUNNER).await;
    let call = app
        .recipient(BOB)
        .open_link()
        .header("origin", RUNNER)
        .response()
        .await;

    assert_eq!(call.status, StatusCode::OK);
    for response in [&preflight, &call] {
        let cors: Vec<_> = response
            .headers
            .keys()
            .filter(|name| name.as_str().starts_with("access-control-") || *name == header::VARY)
            .collect();
        assert!(cors.is_empty(), "{cors:?}");
    }
}

#[test]
fn a_wildcard_or_a_path_is_not_an_origin() {
    use sealmail::config::parse_origin;
    assert_eq!(
        parse_origin("http://127.0.0.1:8000").as_deref(),
        Ok("http://127.0.0.1:8000")
    );
    for bad in [
        "*",
        "https://*.example",
        "https://a.example/",
        "a.example",
        "",
    ] {
        assert!(parse_origin(bad).is_err(), "{bad}");
    }
}
