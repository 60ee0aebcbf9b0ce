//! A long HTML mail reads like a mail: its frame grows to the mail at a
//! phone's and a desktop's width, so the page has one scroll bar and the
//! mail's last line is reached by scrolling the page; a wide table scrolls
//! sideways inside the frame without widening the page. In a dark system
//! scheme the portal turns dark around the mail, which keeps its own colours.

use serde_json::Value;

use sealmail_e2e::{Browser, Scheme, Sealmail, Width};

const ALICE: &str = "alice@sealmail.test";
const BOB: &str = "bob@example.net";

/// A heading, a paragraph, a 60-row table, a table 900 px wide, a coloured
/// cell and a last line.
fn long_mail() -> String {
    let rows: String = (1..=60)
        .map(|i| format!("<tr><td>Branch {i}</td><td>{}</td></tr>\n", i * 1250))
        .collect();
    let regions: String = (1..=9)
        .map(|i| {
            format!(
                "<td style=\"white-space: nowrap\">Region {i}: {}</td>",
                i * 9100
            )
        })
        .collect();
    format!(
        "<h1>Quarterly figures</h1>
<p>Dear Bob, here are this quarter's figures for every branch, as promised at our last
meeting. The totals are at the bottom, and the wide table after them compares the
regions side by side.</p>
<table>{rows}</table>
<table style=\"width: 900px\"><tr>{regions}</tr></table>
<table><tr><td style=\"background-color: #ffcc00; color: #000080; padding: 6px\">coloured cell</td></tr></table>
<p>Kind regards, Alice</p>"
    )
}

/// The frame is at least as tall as its document's scroll height, and the
/// document has nothing left to scroll vertically.
const FRAME_FITS: &str = "
    const frame = document.querySelector(\"[data-testid='body-html']\");
    const doc = frame && frame.contentDocument;
    if (!doc || doc.readyState !== 'complete' || !doc.body.textContent.includes('Kind regards')) return false;
    const root = doc.documentElement;
    return frame.getBoundingClientRect().height >= root.scrollHeight
        && root.scrollHeight <= root.clientHeight;";

/// The frame's and its document's sizes, and the page's width.
const SIZES: &str = "
    const frame = document.querySelector(\"[data-testid='body-html']\");
    const doc = frame.contentDocument;
    const root = doc ? doc.documentElement : null;
    return {
        frame_height: frame.getBoundingClientRect().height,
        frame_width: frame.getBoundingClientRect().width,
        scroll_height: root ? root.scrollHeight : null,
        scroll_width: root ? root.scrollWidth : null,
        client_width: root ? root.clientWidth : null,
        page_width: document.documentElement.scrollWidth,
        window_width: window.innerWidth,
    };";

/// Brings the mail's last line into view, as a reader scrolling would, and
/// says who scrolled: the page, or the frame.
const SCROLL_TO_LAST_LINE: &str = "
    const frame = document.querySelector(\"[data-testid='body-html']\");
    const doc = frame.contentDocument;
    // The sanitiser drops ids: the mail's last paragraph.
    const last = Array.from(doc.querySelectorAll('p')).pop();
    last.scrollIntoView({block: 'end'});
    return {
        frame_scrolled: doc.scrollingElement.scrollTop,
        page_scrolled: window.scrollY,
        last_bottom: frame.getBoundingClientRect().top + last.getBoundingClientRect().bottom,
        window_height: window.innerHeight,
    };";

/// The computed background of the portal's page and of the mail's body.
const BACKGROUNDS: &str = "
    const frame = document.querySelector(\"[data-testid='body-html']\");
    const doc = frame.contentDocument;
    const cell = Array.from(doc.querySelectorAll('td')).find(td => td.textContent === 'coloured cell');
    return {
        page: getComputedStyle(document.documentElement).backgroundColor,
        card: getComputedStyle(document.querySelector(\"[data-testid='page-message']\")).backgroundColor,
        mail: getComputedStyle(doc.documentElement).backgroundColor,
        mail_text: getComputedStyle(doc.body).color,
        cell: getComputedStyle(cell).backgroundColor,
        cell_text: getComputedStyle(cell).color,
    };";

/// Waits (up to 20 s) until the frame fits the mail; panics with the sizes.
async fn wait_for_the_frame_to_fit(bob: &Browser, when: &str) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while std::time::Instant::now() < deadline {
        if bob.script(FRAME_FITS).await == Value::Bool(true) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!(
        "the frame never fit the mail ({when}): {}",
        bob.script(SIZES).await
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_long_html_mail_reads_in_the_page_at_phone_and_desktop_widths_in_light_and_dark() {
    let server = Sealmail::start();
    server.add_user(ALICE, "Alice Sender", "a long demo password");
    let files = tempfile::tempdir().unwrap();
    let html = files.path().join("figures.html");
    std::fs::write(&html, long_mail()).unwrap();
    server.cli(&[
        "send",
        "--from",
        ALICE,
        "--to",
        BOB,
        "--subject",
        "Quarterly figures",
        "--html-file",
        html.to_str().unwrap(),
    ]);

    let mut bob = Browser::start("long-html", "en").await;
    bob.open(&server.link_for(BOB)).await;
    bob.click("send-passcode").await;
    bob.find("passcode").await;
    bob.type_into("passcode", &server.passcode_for(BOB)).await;
    bob.click("submit-passcode").await;
    bob.find("page-message").await;
    let frame = bob.find("body-html").await;
    let sandbox = frame.attr("sandbox").await.unwrap().unwrap();
    assert!(!sandbox.contains("allow-scripts"), "{sandbox}");

    for width in [Width::Phone, Width::Desktop] {
        bob.resize(width).await;
        bob.driver
            .execute("window.scrollTo(0, 0)", Vec::new())
            .await
            .unwrap();
        wait_for_the_frame_to_fit(&bob, &format!("{width:?}")).await;
        let sizes = bob.script(SIZES).await;
        assert!(
            sizes["page_width"].as_f64() <= sizes["window_width"].as_f64(),
            "the page is wider than the window ({width:?}): {sizes}"
        );
        if let Width::Phone = width {
            assert!(
                sizes["scroll_width"].as_f64().unwrap() > sizes["client_width"].as_f64().unwrap(),
                "the wide table scrolls sideways inside the frame: {sizes}"
            );
        }
        let scrolled = bob.script(SCROLL_TO_LAST_LINE).await;
        assert_eq!(
            scrolled["frame_scrolled"],
            Value::from(0),
            "the frame scrolled, not the page ({width:?}): {scrolled}"
        );
        assert!(
            scrolled["page_scrolled"].as_f64().unwrap() > 0.0,
            "{width:?}: {scrolled}"
        );
        assert!(
            scrolled["last_bottom"].as_f64() <= scrolled["window_height"].as_f64(),
            "the last line is out of sight ({width:?}): {scrolled}"
        );
        let label = format!("last-line-{width:?}").to_lowercase();
        bob.screenshot(&label).await;
    }
    bob.driver
        .execute("window.scrollTo(0, 0)", Vec::new())
        .await
        .unwrap();
    bob.check_page("long-html").await;

    // Dark: the portal's page and card turn dark, the mail stays as written.
    let light = bob.script(BACKGROUNDS).await;
    bob.set_scheme(Scheme::Dark).await;
    wait_for_the_frame_to_fit(&bob, "dark").await;
    let dark = bob.script(BACKGROUNDS).await;
    bob.screenshot("dark-desktop").await;
    bob.set_scheme(Scheme::Light).await;
    assert_ne!(light["page"], dark["page"], "{light} / {dark}");
    assert_ne!(light["card"], dark["card"], "{light} / {dark}");
    for (part, colour) in [
        ("mail", "rgb(255, 255, 255)"),
        ("mail_text", "rgb(27, 27, 31)"),
        ("cell", "rgb(255, 204, 0)"),
        ("cell_text", "rgb(0, 0, 128)"),
    ] {
        assert_eq!(light[part], colour, "{part} in light: {light}");
        assert_eq!(dark[part], colour, "{part} in dark: {dark}");
    }

    // Nothing went wrong on the way (a ResizeObserver loop would say so).
    let problems: Vec<_> = bob
        .console()
        .await
        .into_iter()
        .filter(|(level, message)| level == "SEVERE" || message.contains("Content Security Policy"))
        .collect();
    assert!(problems.is_empty(), "the console: {problems:#?}");
    bob.quit().await;
}
