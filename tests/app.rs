//! Each bundle's root (the gate, the reader, the staff's) and the whole portal
//! mounted in a real Chromium page; which path draws which page.

mod common;

use common::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn the_recipient_bundle_mounts_and_says_sealmail_is_running() {
    // The gate at the test page's own path, which is not a link.
    let _page = mount_gate(&FakeApi::new(), None, None, Some("en"));
    find("home-status").await;
    assert_eq!(text("home-status"), "Sealmail is running.");
    assert!(
        testid("language").is_some(),
        "the language switch is on the home page too"
    );
}

#[wasm_bindgen_test]
async fn the_staff_bundle_shows_the_landing_page_for_a_path_it_does_not_serve() {
    // The test page's own path is not a staff page: the staff bundle shows
    // the landing page rather than reloading (which could loop).
    set_stored_language(Some("en"));
    let _page = mount(sealmail_portal::StaffApp);
    find("home-status").await;
    assert_eq!(text("home-signin"), "Senders and administrators: sign in");
}

#[wasm_bindgen_test]
async fn the_reader_bundle_shows_the_landing_page_for_a_path_it_does_not_serve() {
    set_stored_language(Some("en"));
    let _page = mount(sealmail_portal::ReaderApp);
    find("home-status").await;
    assert_eq!(text("home-status"), "Sealmail is running.");
}

#[wasm_bindgen_test]
fn every_staff_path_is_a_staff_route_and_no_recipient_path_is() {
    use sealmail_api::routes::pages;
    use sealmail_portal::app::Route;
    for path in [
        pages::SIGN_IN,
        pages::SENT,
        pages::COMPOSE,
        pages::ADMIN,
        pages::ADMIN_TRACE,
        pages::ADMIN_REPORT,
        pages::ADMIN_AUDIT,
        pages::ADMIN_BRANDING,
    ] {
        assert!(pages::is_staff(path), "{path}");
        let route = Route::from_path(path);
        assert!(
            !matches!(route, Route::Home | Route::Recipient(_) | Route::Reading(_)),
            "{path} is {route:?}"
        );
    }
    assert!(!pages::is_staff("/m/abc"));
    assert!(!pages::is_staff("/"));
}

#[wasm_bindgen_test]
async fn the_recipient_page_is_served_at_m_slash_token() {
    let api = FakeApi::new();
    let _page = mount_gate_at(&api, &format!("/m/{TOKEN}"), Some("en"));

    find("page-link").await;
    assert_eq!(api.calls(), vec![Call::Link]);
}

#[wasm_bindgen_test]
async fn the_reading_page_is_served_at_m_slash_token_slash_read() {
    let mut info = link_info();
    info.session_open = true;
    let api = FakeApi::new()
        .link(vec![Ok(info)])
        .message(vec![Ok(message_view())]);
    let _page = mount_portal(
        &api,
        &sealmail_api::routes::portal_read_page(TOKEN),
        Some("en"),
    );

    // The reader's page: the link (for its branding), then the message.
    find("page-message").await;
    assert_eq!(api.calls(), vec![Call::Link, Call::Message]);
}

#[wasm_bindgen_test]
fn paths_choose_the_page_and_tokens_are_decoded() {
    use sealmail_api::routes::{pages, portal_link_page, portal_read_page};
    use sealmail_portal::app::Route;
    assert_eq!(Route::from_path("/"), Route::Home);
    assert_eq!(Route::from_path("/m/"), Route::Home);
    assert_eq!(Route::from_path("/m/a/b"), Route::Home);
    assert_eq!(Route::from_path("/elsewhere"), Route::Home);
    assert_eq!(
        Route::from_path("/m/abc_-DEF"),
        Route::Recipient("abc_-DEF".into())
    );
    assert_eq!(Route::from_path("/m/abc/"), Route::Recipient("abc".into()));
    // Whatever the api crate encodes, the portal decodes back.
    for token in ["x y", "ä/../admin", "%41", "read"] {
        assert_eq!(
            Route::from_path(&portal_link_page(token)),
            Route::Recipient(token.into())
        );
        assert_eq!(
            Route::from_path(&portal_read_page(token)),
            Route::Reading(token.into())
        );
    }
    assert_eq!(
        Route::from_path("/m/abc/read"),
        Route::Reading("abc".into())
    );
    assert_eq!(
        Route::from_path("/m/abc/read/"),
        Route::Reading("abc".into())
    );
    assert_eq!(Route::from_path("/m/read"), Route::Recipient("read".into()));
    assert_eq!(Route::from_path("/m//read"), Route::Home);
    assert_eq!(Route::from_path("/m/a/b/read"), Route::Home);
    // The portal draws a reading page exactly where the server serves the reader bundle.
    for path in [
        "/m/abc/read",
        "/m/abc/read/",
        "/m/a/b/read",
        "/m/read",
        "/m//read",
    ] {
        assert_eq!(
            matches!(Route::from_path(path), Route::Reading(_)),
            pages::is_reader(path),
            "{path}"
        );
    }
}

#[wasm_bindgen_test]
fn the_gate_prefetches_exactly_the_files_the_reading_page_preloads() {
    use sealmail_portal::gate::prefetch::bundle_files;
    // As Trunk writes the reader bundle's index.html.
    let html = r#"<!DOCTYPE html><html lang="en"><head>
<link rel="stylesheet" href="/reader/main-828acdf6841d9cb5.css" integrity="sha384-x"/>
<link rel="modulepreload" href="/reader/sealmail-reader-0123456789abcdef.js" crossorigin="anonymous" integrity="sha384-y">
<link rel="preload" href="/reader/sealmail-reader-0123456789abcdef_bg.wasm" crossorigin="anonymous" integrity="sha384-z" as="fetch" type="application/wasm">
<link rel="preload" href="/elsewhere/x.js">
<link rel="icon" href="/reader/favicon-697f80b26a6b95a6.svg"/>
<script type="module">import init from '/reader/sealmail-reader-0123456789abcdef.js';</script>
</head><body></body></html>"#;
    assert_eq!(
        bundle_files(html),
        vec![
            "/reader/sealmail-reader-0123456789abcdef.js",
            "/reader/sealmail-reader-0123456789abcdef_bg.wasm",
        ]
    );
    assert!(bundle_files("<p>not found</p>").is_empty());

    // As a release build writes it (Trunk's `minify`): values unquoted.
    let minified = r#"<!doctype html><html lang=en><link href=/reader/main-828acdf6841d9cb5.css integrity=sha384-x rel=stylesheet><link crossorigin=anonymous href=/reader/sealmail-reader-0123456789abcdef.js integrity=sha384-y rel=modulepreload><link as=fetch crossorigin=anonymous href=/reader/sealmail-reader-0123456789abcdef_bg.wasm integrity="sha384-z+/=" rel=preload type=application/wasm><link href=/reader/favicon-697f80b26a6b95a6.svg rel=icon>"#;
    assert_eq!(
        bundle_files(minified),
        vec![
            "/reader/sealmail-reader-0123456789abcdef.js",
            "/reader/sealmail-reader-0123456789abcdef_bg.wasm",
        ]
    );
}

#[wasm_bindgen_test]
fn the_reason_for_coming_back_travels_in_the_query() {
    use sealmail_portal::gate::Back;
    for back in [Back::SessionEnded, Back::SignedOut] {
        assert_eq!(Back::from_query(back.query()), Some(back));
    }
    assert_eq!(Back::from_query(""), None);
    assert_eq!(Back::from_query("?back=elsewhere"), None);
}
