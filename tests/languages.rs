//! Choosing, switching and remembering the language.

mod common;

use common::*;
use sealmail_portal::components::shell::header_colors;
use sealmail_portal::i18n::{Lang, choose};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn tags(list: &[&str]) -> Vec<String> {
    list.iter().map(|t| t.to_string()).collect()
}

#[wasm_bindgen_test]
fn the_language_is_the_remembered_one_then_the_browsers_first_known_then_english() {
    assert_eq!(choose(None, &tags(&["nl-NL", "en"])), Lang::Nl);
    assert_eq!(choose(None, &tags(&["fr-FR", "da-DK", "en"])), Lang::Da);
    assert_eq!(choose(None, &tags(&["ja"])), Lang::Ja);
    assert_eq!(choose(None, &tags(&["fr", "de"])), Lang::En);
    assert_eq!(choose(Some("ja"), &tags(&["nl"])), Lang::Ja);
    assert_eq!(choose(Some("xx"), &tags(&["nl"])), Lang::Nl);
}

#[wasm_bindgen_test]
async fn without_a_remembered_choice_the_browsers_language_is_used() {
    // Headless Chromium here prefers English.
    let api = FakeApi::new();
    let _page = mount_flow(&api, None);
    find("send-passcode").await;
    assert_eq!(text("send-passcode"), "Send me a one-time passcode");
    assert_eq!(html_lang(), "en");
}

#[wasm_bindgen_test]
async fn switching_language_translates_the_page_sets_lang_and_is_remembered() {
    let api = FakeApi::new();
    let page = mount_flow(&api, Some("en"));
    find("send-passcode").await;
    let label = || {
        query("label[for=language]")
            .expect("the switch is labelled")
            .text_content()
            .unwrap()
    };
    assert_eq!(label(), "Language");

    switch_language("ja");
    wait_text("send-passcode", "ワンタイム パスコードを送信").await;
    assert_eq!(html_lang(), "ja");
    assert_eq!(stored_language().as_deref(), Some("ja"));
    assert_eq!(label(), "言語");
    // Focus stays on the switch, for the keyboard user who just used it.
    wait_focus("language").await;

    switch_language("nl");
    wait_text("send-passcode", "Stuur me een eenmalige wachtwoordcode").await;
    assert_eq!(html_lang(), "nl");

    switch_language("da");
    wait_text("send-passcode", "Send mig en engangsadgangskode").await;
    assert_eq!(html_lang(), "da");
    drop(page);

    // The next visit opens in the language chosen last.
    let remembered = stored_language();
    assert_eq!(remembered.as_deref(), Some("da"));
    let page = mount_flow(&FakeApi::new(), remembered.as_deref());
    wait_text("send-passcode", "Send mig en engangsadgangskode").await;
    drop(page);
}

#[wasm_bindgen_test]
async fn the_switch_keeps_the_step_and_what_was_typed() {
    let api = FakeApi::new();
    let _page = mount_flow(&api, Some("en"));
    find("send-passcode").await;
    click("send-passcode");
    find("passcode").await;
    fill_in("passcode", "1234");
    // The passcode mail speaks the page's language.
    assert_eq!(
        api.passcode_languages(),
        vec![Some(sealmail_api::Language::En)]
    );

    switch_language("ja");

    wait_text(
        "sent-to",
        "b•••@example.net にワンタイム パスコードを送信しました",
    )
    .await;
    let field = testid("passcode").unwrap();
    assert_eq!(
        wasm_bindgen::JsCast::unchecked_ref::<web_sys::HtmlInputElement>(&field).value(),
        "1234"
    );
    assert_eq!(api.calls(), vec![Call::Link, Call::SendPasscode]);
}

#[wasm_bindgen_test]
fn the_header_text_contrasts_with_any_branded_colour() {
    assert_eq!(
        header_colors("#0B5394"),
        Some(("#0b5394".into(), "#ffffff"))
    );
    assert_eq!(
        header_colors("#ffd700"),
        Some(("#ffd700".into(), "#000000"))
    );
    assert_eq!(header_colors("red"), None);
    assert_eq!(header_colors("#12345"), None);
    assert_eq!(header_colors("#zzzzzz"), None);
}
