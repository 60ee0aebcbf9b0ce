//! The HTML body's own document (`GET /api/v1/links/{token}/body`): what it
//! holds, the policy it is served with, and that nothing else loses the
//! portal's strict headers. Its access errors are in recipient_errors.rs.

mod common;

use axum::http::{StatusCode, header};
use common::recipient::Recipient;
use common::*;
use sealmail::http::CSP;
use sealmail_api::recipient::*;
use sealmail_api::{ErrorCode, Protection, routes};

const BODY_CSP: &str = "sandbox allow-same-origin allow-popups allow-popups-to-escape-sandbox; default-src 'none'; \
img-src data:; style-src 'unsafe-inline'; form-action 'none'; frame-ancestors 'self'; base-uri 'none'";

/// Sends Bob a message with this HTML body; returns Bob, signed in.
async fn html_message<'a>(app: &'a TestApp, html: &str, protection: Protection) -> Recipient<'a> {
    let mut draft = app.draft(&[BOB], &[]);
    draft.html = Some(html.into());
    draft.protection = protection;
    app.send_draft(draft, &[]).await;
    app.recipient(BOB).signed_in().await
}

#[tokio::test]
async fn the_body_is_a_document_of_its_own_with_a_sandboxed_policy() {
    let app = TestApp::new().await;
    let bob = html_message(
        &app,
        r#"<table style="border-collapse: collapse"><tr><td style="background-color: #ffcc00; color: #000080; padding: 4px">Hi <b>Bob</b></td></tr></table>"#,
        Protection::EncryptOnly,
    )
    .await;

    // The message view only marks the HTML; its text comes inline.
    let view = bob.read().await;
    assert_eq!(
        view.body,
        BodyView {
            text: Some(SECRET_BODY.into()),
            html: true
        }
    );

    let body = bob.body_document().response().await;
    assert_eq!(body.status, StatusCode::OK);
    for (name, value) in [
        (header::CONTENT_TYPE, "text/html; charset=utf-8"),
        (header::CONTENT_SECURITY_POLICY, BODY_CSP),
        (header::X_FRAME_OPTIONS, "SAMEORIGIN"),
        (header::CACHE_CONTROL, "no-store"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
    ] {
        assert_eq!(body.header(name.clone()), value, "{name}");
        assert_eq!(body.headers.get_all(&name).iter().count(), 1, "one {name}");
    }
    let document = String::from_utf8(body.body.clone()).unwrap();
    assert!(
        document.starts_with("<!doctype html><html><head><meta charset=\"utf-8\">"),
        "{document}"
    );
    for part in [
        "<meta name=\"referrer\" content=\"no-referrer\">",
        "<base target=\"_blank\">",
        "<style>",
        "body.dnf",
        "<body><table style=\"border-collapse:collapse\">",
        "<td style=\"background-color:#ffcc00;color:#000080;padding:4px\">Hi <b>Bob</b></td>",
    ] {
        assert!(document.contains(part), "{part} missing: {document}");
    }
    assert!(
        !document.contains(SECRET_BODY),
        "the text body is not in it"
    );
}

#[tokio::test]
async fn the_body_document_may_never_run_script_only_be_measured_by_the_portal() {
    let app = TestApp::new().await;
    let bob = html_message(&app, "<p>Hi</p>", Protection::EncryptOnly).await;
    let body = bob.body_document().response().await;
    let policy = body.header(header::CONTENT_SECURITY_POLICY);
    let directive = |name: &str| {
        policy
            .split(';')
            .map(str::trim)
            .find_map(|d| d.strip_prefix(name)?.strip_prefix(' '))
            .map(|value| value.split_whitespace().collect::<Vec<_>>())
    };
    let mut sandbox = directive("sandbox").expect("the document is sandboxed");
    sandbox.sort();
    // allow-same-origin lets the portal read the height; allow-scripts, never.
    assert_eq!(
        sandbox,
        [
            "allow-popups",
            "allow-popups-to-escape-sandbox",
            "allow-same-origin"
        ],
        "{policy}"
    );
    assert_eq!(directive("default-src"), Some(vec!["'none'"]), "{policy}");
    for script in ["script-src", "script-src-elem", "script-src-attr"] {
        assert_eq!(directive(script), None, "{policy}");
    }
}

#[tokio::test]
async fn a_do_not_forward_body_is_marked_for_its_styles() {
    let app = TestApp::new().await;
    let bob = html_message(&app, "<p>Private</p>", Protection::DoNotForward).await;
    let document = bob.body_document().await;
    assert!(
        document.contains("<body class=\"dnf\"><p>Private</p></body>"),
        "{document}"
    );
}

#[tokio::test]
async fn the_body_document_is_sanitised_and_keeps_only_harmless_styles() {
    let app = TestApp::new().await;
    let bob = html_message(
        &app,
        "<p onclick=\"steal()\">Hi <b>Bob</b></p><script>alert(1)</script>\
         <a href=\"javascript:alert(2)\">x</a><img src=\"https://tracker.example/p.gif\">\
         <img src=\"data:image/png;base64,iVBORw0KGgo=\"><style>body{background:url(https://x.example)}</style>\
         <a href=\"https://example.com/\">ok</a>\
         <div style=\"color: red; background-image: url(https://bg.example/p.gif)\">a</div>\
         <div style=\"font-weight: bold; width: expression(alert(3))\">b</div>\
         <div style=\"text-align: right; position: fixed; top: 0\">c</div>\
         <div style=\"margin: 0 auto; background: url(https://bg.example/q.gif)\">d</div>\
         <div style=\"border: 1px solid red; width: \\75 rl(https://bg.example/r.gif)\">e</div>",
        Protection::EncryptOnly,
    )
    .await;
    let document = bob.body_document().await;
    let html = &document[document.find("<body>").unwrap()..];
    assert!(html.contains("<b>Bob</b>"), "{html}");
    for banned in [
        "script",
        "onclick",
        "javascript:",
        "tracker.example",
        "<style",
        "x.example",
        "bg.example",
        "url(",
        "expression",
        "position",
    ] {
        assert!(!html.contains(banned), "{banned} survived: {html}");
    }
    for kept in [
        "data:image/png",
        "https://example.com/",
        "style=\"color:red\"",
        "style=\"font-weight:bold\"",
        "style=\"text-align:right\"",
        "style=\"margin:0 auto\"",
        "style=\"border:1px solid red\"",
    ] {
        assert!(html.contains(kept), "{kept} lost: {html}");
    }
}

#[tokio::test]
async fn a_message_without_html_has_no_body_document() {
    let app = TestApp::new().await;
    let bob = app.bob_reading().await;
    let view = bob.read().await;
    assert!(!view.body.html);
    let body = bob.body_document().response().await;
    assert_eq!(body.code(), ErrorCode::NotFound);
}

#[tokio::test]
async fn every_other_response_keeps_the_strict_policy_and_deny() {
    let app = TestApp::new().await;
    let bob = html_message(&app, "<p>Hi</p>", Protection::EncryptOnly).await;
    let stranger = app.recipient(BOB);
    for (what, response) in [
        ("link", stranger.open_link().response().await),
        ("message", bob.read().response().await),
        // The body route's own errors are JSON under the portal's policy.
        (
            "body without session",
            stranger.body_document().response().await,
        ),
        ("health", app.get(routes::HEALTH, None).await),
        ("unknown API route", app.get("/api/v1/unknown", None).await),
        ("portal page", app.get("/m/x", None).await),
    ] {
        assert_eq!(
            response.header(header::CONTENT_SECURITY_POLICY),
            CSP,
            "{what}"
        );
        assert_eq!(response.header(header::X_FRAME_OPTIONS), "DENY", "{what}");
        assert_eq!(
            response
                .headers
                .get_all(header::CONTENT_SECURITY_POLICY)
                .iter()
                .count(),
            1,
            "{what}"
        );
    }
}
