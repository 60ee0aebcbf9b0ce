//! Mounts the whole portal (router included) into a real Chromium page.

mod common;

use common::*;
use leptos::prelude::*;
use sealmail_portal::Portal;
use sealmail_portal::api::Api;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn the_root_component_mounts_and_says_sealmail_is_running() {
    set_stored_language(Some("en"));
    let _page = mount(sealmail_portal::App);
    find("home-status").await;
    assert_eq!(text("home-status"), "Sealmail is running.");
    assert!(
        testid("language").is_some(),
        "the language switch is on the home page too"
    );
}

#[wasm_bindgen_test]
async fn the_recipient_page_is_served_at_m_slash_token() {
    let history = window().history().unwrap();
    let before = window().location().pathname().unwrap();
    history
        .push_state_with_url(
            &wasm_bindgen::JsValue::NULL,
            "",
            Some(&format!("/m/{TOKEN}")),
        )
        .unwrap();
    set_stored_language(Some("en"));
    let api = FakeApi::new();
    let fake = Api::new(api.clone());
    let page = mount(move || view! { <Portal api=fake/> });

    find("page-link").await;
    assert_eq!(api.calls(), vec![Call::Link]);

    drop(page);
    history
        .replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&before))
        .unwrap();
}
