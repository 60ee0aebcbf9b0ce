//! A message whose HTML body carries script, event handlers, `javascript:` links
//! and remote content is shown with none of it running or loading, while its
//! harmless inline styles (a coloured table cell) survive into the frame.

use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use sealmail_e2e::{Browser, Sealmail};

const ALICE: &str = "alice@sealmail.test";
const BOB: &str = "bob@example.net";

/// A loopback listener that counts connections: a remote image or beacon that
/// got through would connect here.
fn beacon() -> (u16, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            if stream.is_ok() {
                counter.fetch_add(1, Ordering::SeqCst);
            }
        }
    });
    (port, hits)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hostile_html_body_is_shown_inert() {
    let (beacon_port, beacon_hits) = beacon();
    let beacon = format!("http://127.0.0.1:{beacon_port}");
    let server = Sealmail::start();
    server.add_user(ALICE, "Alice Sender", "a long demo password");
    let files = tempfile::tempdir().unwrap();
    let html = files.path().join("body.html");
    std::fs::write(
        &html,
        format!(
            r#"<p id="greeting">Hello <b>Bob</b>, the report is below.</p>
<script>window.top.__pwned = 'script'; alert('script');</script>
<img src="x" onerror="window.top.__pwned = 'onerror'; alert('onerror')">
<svg onload="window.top.__pwned = 'svg'"></svg>
<a href="javascript:window.top.__pwned = 'link'">open the report</a>
<img id="tracker" src="{beacon}/pixel.gif">
<iframe src="{beacon}/frame"></iframe>
<div style="background-image: url({beacon}/bg.png)">styled</div>
<table style="border-collapse: collapse"><tr><td style="background-color: #ffcc00; color: #000080; padding: 6px">coloured cell</td></tr></table>
<form action="{beacon}/steal"><input name="password"></form>"#
        ),
    )
    .unwrap();
    server.cli(&[
        "send",
        "--from",
        ALICE,
        "--to",
        BOB,
        "--subject",
        "Report",
        "--html-file",
        html.to_str().unwrap(),
    ]);

    let mut bob = Browser::start("hostile", "en").await;
    bob.open(&server.link_for(BOB)).await;
    bob.click("send-passcode").await;
    bob.find("passcode").await;
    bob.type_into("passcode", &server.passcode_for(BOB)).await;
    bob.click("submit-passcode").await;
    bob.find("page-message").await;

    // The body is its own document, from the body route, in a sandboxed frame.
    let frame = bob.find("body-html").await;
    let src = frame
        .attr("src")
        .await
        .unwrap()
        .expect("the frame has a src");
    assert!(src.ends_with("/body"), "{src}");
    assert!(src.contains("/api/v1/links/"), "{src}");
    assert_eq!(frame.attr("srcdoc").await.unwrap(), None);
    // Same origin, so the portal can size the frame to the body; never
    // allow-scripts, so the body can do nothing with it. A payload that ran
    // could now reach the portal's window: the checks below would see it.
    let sandbox = frame.attr("sandbox").await.unwrap().unwrap();
    assert!(!sandbox.contains("allow-scripts"), "{sandbox}");
    assert!(sandbox.contains("allow-same-origin"), "{sandbox}");

    // The body is there, and none of the payloads came with it.
    frame.enter_frame().await.expect("into the body's frame");
    let document = bob.driver.source().await.expect("the body's source");
    assert!(document.contains("the report is below"), "{document}");
    for payload in [
        "<script",
        "onerror",
        "onload",
        "javascript:",
        "<form",
        "url(",
        &beacon,
    ] {
        assert!(
            !document.contains(payload),
            "{payload:?} reached the page: {document}"
        );
    }
    // Its inline styles are kept, and applied (the frame's CSP allows them).
    let cell = bob
        .driver
        .find(thirtyfour::By::Tag("td"))
        .await
        .expect("the coloured cell");
    assert_eq!(
        cell.css_value("background-color").await.unwrap(),
        "rgba(255, 204, 0, 1)"
    );
    assert_eq!(cell.css_value("color").await.unwrap(), "rgba(0, 0, 128, 1)");

    // Clicking the link that was `javascript:` runs nothing.
    let link = bob
        .driver
        .find(thirtyfour::By::LinkText("open the report"))
        .await
        .expect("the link text stays");
    let _ = link.click().await;
    bob.driver.enter_default_frame().await.unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;

    assert!(bob.driver.get_alert_text().await.is_err(), "an alert fired");
    let pwned = bob
        .script("return window.__pwned === undefined ? null : String(window.__pwned)")
        .await;
    assert!(pwned.is_null(), "a payload ran: {pwned}");
    assert_eq!(
        beacon_hits.load(Ordering::SeqCst),
        0,
        "remote content was loaded"
    );
    bob.assert_no_csp_violation("the hostile body").await;
    bob.check_page("hostile-html").await;
    bob.quit().await;
}
