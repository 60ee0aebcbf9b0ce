//! A message whose HTML body carries script, event handlers, `javascript:` links
//! and remote content is shown with none of it running or loading.

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

    // The body is there, and none of the payloads came with it.
    let frame = bob.find("body-html").await;
    let document = frame
        .attr("srcdoc")
        .await
        .unwrap()
        .expect("the body is shown in a srcdoc frame");
    assert!(document.contains("the report is below"), "{document}");
    for payload in [
        "<script",
        "onerror",
        "onload",
        "javascript:",
        "<form",
        &beacon,
    ] {
        assert!(
            !document.contains(payload),
            "{payload:?} reached the page: {document}"
        );
    }

    // Clicking the link that was `javascript:` runs nothing.
    frame.enter_frame().await.expect("into the body's frame");
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
    bob.check_page("hostile-html").await;
    bob.quit().await;
}
