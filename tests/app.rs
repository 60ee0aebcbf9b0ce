//! Each bundle's root (the gate, the reader, the staff's) and the whole portal
//! mounted in a real Chromium page; which path draws which page.

mod common;

use common::*;
use leptos::prelude::*;
use sealmail_portal::api::ApiError;
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
    let _page = mount(|| view! { <sealmail_portal::StaffApp/> });
    find("home-status").await;
    assert_eq!(text("home-signin"), "Senders and administrators: sign in");
}

#[wasm_bindgen_test]
async fn the_reader_bundle_shows_the_landing_page_for_a_path_it_does_not_serve() {
    set_stored_language(Some("en"));
    let _page = mount(|| view! { <sealmail_portal::ReaderApp/> });
    find("home-status").await;
    assert_eq!(text("home-status"), "Sealmail is running.");
}

#[wasm_bindgen_test]
async fn every_staff_path_draws_its_page_in_the_staff_router() {
    use sealmail_api::routes::pages;
    // Each path the server serves the staff bundle at, drawn by the staff
    // bundle's own routes (leptos_router), with and without a trailing slash.
    let me = admin_me();
    for (path, page) in [
        (pages::SIGN_IN, "page-signin"),
        (pages::SENT, "page-sent"),
        (pages::COMPOSE, "page-compose"),
        (pages::ADMIN, "page-admin-status"),
        (pages::ADMIN_TRACE, "page-admin-trace"),
        (pages::ADMIN_REPORT, "page-admin-report"),
        (pages::ADMIN_AUDIT, "page-admin-audit"),
        (pages::ADMIN_BRANDING, "page-admin-branding"),
    ] {
        assert!(pages::is_staff(path), "{path}");
        for path in [path.to_owned(), format!("{path}/")] {
            let api = FakeApi::new().me(vec![Ok(me.clone())]);
            let _page = mount_portal(&api, &path, Some("en"));
            find(page).await;
            assert!(
                testid("home-status").is_none(),
                "{path} drew the landing page"
            );
        }
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
fn link_pages_give_their_token_decoded() {
    use sealmail_api::routes::portal_link_page;
    use sealmail_portal::app::link_token;
    assert_eq!(link_token("/"), None);
    assert_eq!(link_token("/m/"), None);
    assert_eq!(link_token("/m/a/b"), None);
    assert_eq!(link_token("/m//read"), None);
    assert_eq!(link_token("/elsewhere"), None);
    assert_eq!(link_token("/m/abc_-DEF").as_deref(), Some("abc_-DEF"));
    assert_eq!(link_token("/m/abc/").as_deref(), Some("abc"));
    assert_eq!(link_token("/m/read").as_deref(), Some("read"));
    // Whatever the api crate encodes, the gate decodes back.
    for token in ["x y", "ä/../admin", "%41", "read"] {
        assert_eq!(link_token(&portal_link_page(token)).as_deref(), Some(token));
    }
}

#[wasm_bindgen_test]
async fn the_reader_router_draws_a_reading_page_exactly_where_the_server_serves_it() {
    use sealmail_api::routes::{pages, portal_read_page};
    // The reader bundle's route (leptos_router) against the server's test.
    for path in [
        "/m/abc/read",
        "/m/abc/read/",
        "/m/a/b/read",
        "/m/read",
        "/m//read",
    ] {
        let api = FakeApi::new().link(vec![Err(ApiError::Unreachable)]);
        let _page = mount_reader_app_at(&api, path, Some("en"));
        until(path, || {
            testid("retry").is_some() || testid("home-status").is_some()
        })
        .await;
        assert_eq!(testid("retry").is_some(), pages::is_reader(path), "{path}");
    }
    // The token reaches the page decoded, whatever the api crate encoded.
    for token in ["x y", "ä/../admin", "%41", "read"] {
        let api = FakeApi::new().link(vec![Err(ApiError::Unreachable)]);
        let _page = mount_reader_app_at(&api, &portal_read_page(token), Some("en"));
        find("retry").await;
        assert_eq!(api.link_tokens(), vec![token.to_owned()], "{token}");
    }
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
