//! Mounts the whole portal into a real Chromium page and checks what it shows.

use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn the_root_component_mounts_and_says_sealmail_is_running() {
    leptos::mount::mount_to_body(sealmail_portal::App);
    let document = web_sys::window().unwrap().document().unwrap();
    let status = document
        .query_selector("[data-testid=home-status]")
        .unwrap()
        .expect("the home page shows its status line");
    assert_eq!(status.text_content().unwrap(), "Sealmail is running.");
}
