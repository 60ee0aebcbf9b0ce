//! Compose: addresses checked as they are typed, what stops a message from
//! going, attachments by picker and drag and drop, the read receipt and the
//! recipients' mail language, sending, and errors.

mod common;

use common::*;
use sealmail_api::ErrorCode;
use sealmail_api::admin::BrandingTemplate;
use sealmail_api::sender::Expiry;
use sealmail_api::{Language, Mailbox, Protection, Timestamp};
use sealmail_portal::pages::compose::text::{markdown_html, parse_addresses};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn file(name: &str, bytes: &str) -> web_sys::File {
    let parts = js_sys::Array::of1(&bytes.into());
    web_sys::File::new_with_str_sequence(&parts, name).unwrap()
}

/// Puts files in a file input as the picker would, with its `change` event.
fn pick(files: &[web_sys::File]) {
    let transfer = web_sys::DataTransfer::new().unwrap();
    for f in files {
        transfer.items().add_with_file(f).unwrap();
    }
    let input = testid("compose-files").unwrap();
    input
        .unchecked_ref::<web_sys::HtmlInputElement>()
        .set_files(transfer.files().as_ref());
    dispatch(&input, "change");
}

fn drop_files(files: &[web_sys::File]) {
    let transfer = web_sys::DataTransfer::new().unwrap();
    for f in files {
        transfer.items().add_with_file(f).unwrap();
    }
    let init = web_sys::DragEventInit::new();
    init.set_bubbles(true);
    init.set_cancelable(true);
    init.set_data_transfer(Some(&transfer));
    let event = web_sys::DragEvent::new_with_event_init_dict("drop", &init).unwrap();
    testid("compose-drop")
        .unwrap()
        .dispatch_event(&event)
        .unwrap();
}

/// The last message sent.
fn sent_request(api: &FakeApi) -> (sealmail_api::sender::ComposeRequest, Vec<String>) {
    api.calls()
        .into_iter()
        .rev()
        .find_map(|c| match c {
            Call::Compose { request, files } => Some((request, files)),
            _ => None,
        })
        .expect("a compose call")
}

#[wasm_bindgen_test]
fn addresses_are_split_named_and_checked() {
    let (valid, invalid) = parse_addresses("bob@example.net, Carol <carol@example.org>; nope, x@y");
    assert_eq!(
        valid,
        vec![
            Mailbox {
                name: None,
                address: "bob@example.net".into()
            },
            Mailbox {
                name: Some("Carol".into()),
                address: "carol@example.org".into()
            },
        ]
    );
    assert_eq!(invalid, vec!["nope".to_owned(), "x@y".to_owned()]);
}

#[wasm_bindgen_test]
fn markdown_is_small_and_escapes_everything_else() {
    assert_eq!(
        markdown_html("Hello **Bob**,\nsee *this*.\n\n- one\n- two <b>"),
        "<p>Hello <strong>Bob</strong>,<br>see <em>this</em>.</p><ul><li>one</li><li>two &lt;b&gt;</li></ul>"
    );
    assert_eq!(
        markdown_html("<script>x</script>"),
        "<p>&lt;script&gt;x&lt;/script&gt;</p>"
    );
}

#[wasm_bindgen_test]
async fn addresses_are_checked_as_they_are_typed() {
    let api = FakeApi::new();
    let _page = mount_portal(&api, "/compose", Some("en"));
    find("page-compose").await;
    wait_focus("compose-to").await;
    // The address still being typed is left alone…
    fill_in("compose-to", "bob@exa");
    sleep(30).await;
    assert_eq!(text("compose-to-error"), "");
    // …a finished one is checked.
    fill_in("compose-to", "bob@exa, carol@example.org");
    wait_text("compose-to-error", "Not an email address: bob@exa").await;
    assert_eq!(
        testid("compose-to")
            .unwrap()
            .get_attribute("aria-invalid")
            .as_deref(),
        Some("true")
    );
    fill_in("compose-to", "bob@example.net, carol@example.org");
    wait_text("compose-to-error", "").await;
}

#[wasm_bindgen_test]
async fn a_message_without_recipients_or_with_a_bad_address_does_not_go() {
    let api = FakeApi::new();
    let _page = mount_portal(&api, "/compose", Some("en"));
    find("page-compose").await;
    fill_in("compose-subject", "Hello");
    click("compose-send");
    wait_text("compose-error", "Add at least one recipient.").await;
    wait_focus("compose-to").await;

    fill_in("compose-to", "bob@example.net");
    fill_in("compose-cc", "not an address");
    click("compose-send");
    wait_text("compose-error", "Correct the addresses marked above.").await;
    wait_text("compose-cc-error", "Not an email address: not an address").await;
    wait_focus("compose-cc").await;
    assert!(
        !api.calls()
            .iter()
            .any(|c| matches!(c, Call::Compose { .. }))
    );
}

#[wasm_bindgen_test]
async fn sending_with_attachments_confirms_with_the_message_id() {
    let api = FakeApi::new();
    let _page = mount_portal(&api, "/compose", Some("en"));
    find("page-compose").await;
    fill_in("compose-to", "bob@example.net, Carol <carol@example.org>");
    fill_in("compose-cc", "dave@example.com");
    fill_in("compose-subject", "Your mortgage offer");
    fill_in("compose-body", "Dear **Bob**");
    click("compose-markdown");
    click("compose-do-not-forward");
    pick(&[file("offer.pdf", "%PDF"), file("notes.txt", "hello")]);
    until("two files", || all("compose-file").len() == 2).await;
    drop_files(&[file("photo.jpg", "jpg")]);
    until("three files", || all("compose-file").len() == 3).await;
    // The second file is removed again.
    let remove = all("compose-remove-file");
    assert_eq!(
        remove[1].get_attribute("aria-label").as_deref(),
        Some("Remove notes.txt")
    );
    click_element(&remove[1]);
    until("two files", || all("compose-file").len() == 2).await;

    click("compose-send");
    find("compose-sent").await;
    until("the confirmation shown", || {
        testid("compose-sent")
            .unwrap()
            .closest(".hidden")
            .unwrap()
            .is_none()
    })
    .await;
    assert_eq!(text("compose-message-id"), "<m3@contoso.example>");
    wait_focus("compose-sent").await;
    let (request, files) = sent_request(&api);
    assert_eq!(files, vec!["offer.pdf".to_owned(), "photo.jpg".to_owned()]);
    assert_eq!(request.to.len(), 2);
    assert_eq!(request.cc[0].address, "dave@example.com");
    assert_eq!(request.subject, "Your mortgage offer");
    assert_eq!(request.protection, Protection::DoNotForward);
    assert_eq!(request.body.text.as_deref(), Some("Dear **Bob**"));
    assert_eq!(
        request.body.html.as_deref(),
        Some("<p>Dear <strong>Bob</strong></p>")
    );
    assert_eq!(request.expiry, Expiry::Never, "no template sets one");
    // The upload's progress reached the bar.
    let bar = testid("compose-progress").unwrap();
    assert_eq!(bar.get_attribute("value").as_deref(), Some("1"));
}

fn template(id: &str, default: bool, days: Option<u32>) -> BrandingTemplate {
    let mut template = branding_template(id, &format!("Template {id}"), default);
    template.fields.expiry_days = days;
    template
}

fn choose_expiry(value: &str) {
    let expiry = testid("compose-expiry").unwrap();
    expiry
        .unchecked_ref::<web_sys::HtmlSelectElement>()
        .set_value(value);
    dispatch(&expiry, "change");
}

fn selected_expiry() -> String {
    testid("compose-expiry")
        .unwrap()
        .unchecked_ref::<web_sys::HtmlSelectElement>()
        .value()
}

async fn send_and_get_expiry(api: &std::sync::Arc<FakeApi>) -> Expiry {
    let before = api
        .calls()
        .iter()
        .filter(|c| matches!(c, Call::Compose { .. }))
        .count();
    click("compose-send");
    until("sent", || {
        api.calls()
            .iter()
            .filter(|c| matches!(c, Call::Compose { .. }))
            .count()
            > before
    })
    .await;
    sent_request(api).0.expiry
}

#[wasm_bindgen_test]
async fn never_can_be_chosen_over_the_templates_expiry() {
    let api = FakeApi::new().templates(vec![Ok(vec![
        template("t1", false, None),
        template("t2", true, Some(30)),
    ])]);
    let _page = mount_portal(&api, "/compose", Some("nl"));
    find("compose-template").await;
    until("the template's expiry chosen", || {
        selected_expiry() == "template"
    })
    .await;
    fill_in("compose-to", "bob@example.net");
    choose_expiry("never");
    assert_eq!(selected_expiry(), "never");
    assert!(text("compose-expiry").contains("Nooit"));
    assert_eq!(send_and_get_expiry(&api).await, Expiry::Never);

    click("compose-another");
    fill_in("compose-to", "bob@example.net");
    choose_expiry("template");
    assert_eq!(send_and_get_expiry(&api).await, Expiry::TemplateDefault);

    // A template without an expiry offers none of its own: never is shown.
    click("compose-another");
    fill_in("compose-to", "bob@example.net");
    let select = testid("compose-template").unwrap();
    select
        .unchecked_ref::<web_sys::HtmlSelectElement>()
        .set_value("t1");
    dispatch(&select, "change");
    until("never shown", || selected_expiry() == "never").await;
    assert!(!text("compose-expiry").contains("30"));
    assert_eq!(send_and_get_expiry(&api).await, Expiry::Never);
}

#[wasm_bindgen_test]
async fn attachments_over_the_announced_limit_are_stopped_before_the_upload() {
    let mut me = sender_me();
    me.max_message_bytes = Some(10);
    let api = FakeApi::new().me(vec![Ok(me)]);
    let _page = mount_portal(&api, "/compose", Some("en"));
    find("page-compose").await;
    fill_in("compose-to", "bob@example.net");
    pick(&[file("a.bin", "123456"), file("b.bin", "789012")]);
    until("two files", || all("compose-file").len() == 2).await;
    click("compose-send");
    wait_text_contains(
        "compose-error",
        "The attachments come to 12 bytes, more than the 10 bytes",
    )
    .await;
    wait_focus("compose-files").await;
    assert!(
        !api.calls()
            .iter()
            .any(|c| matches!(c, Call::Compose { .. })),
        "nothing was uploaded"
    );
    // One removed: it fits, and goes.
    click_element(&all("compose-remove-file")[1]);
    until("one file", || all("compose-file").len() == 1).await;
    click("compose-send");
    find("compose-message-id").await;
}

#[wasm_bindgen_test]
async fn the_template_and_an_expiry_date_are_sent() {
    let api = FakeApi::new().templates(vec![Ok(vec![
        template("t1", false, None),
        template("t2", true, Some(30)),
    ])]);
    let _page = mount_portal(&api, "/compose", Some("en"));
    find("compose-template").await;
    let expiry = testid("compose-expiry").unwrap();
    until("the template's expiry offered", || {
        expiry
            .text_content()
            .unwrap()
            .contains("As the template says: 30 days after sending")
    })
    .await;
    fill_in("compose-to", "bob@example.net");
    let select = expiry.unchecked_ref::<web_sys::HtmlSelectElement>();
    select.set_value("date");
    dispatch(&expiry, "change");
    testid("compose-expiry-date")
        .unwrap()
        .unchecked_ref::<web_sys::HtmlInputElement>()
        .set_value("2099-06-30");
    click("compose-send");
    find("compose-message-id").await;
    until("sent", || {
        api.calls()
            .iter()
            .any(|c| matches!(c, Call::Compose { .. }))
    })
    .await;
    let (request, _) = sent_request(&api);
    assert_eq!(request.branding_template.as_deref(), Some("t2"));
    let Expiry::At(Timestamp(at)) = request.expiry else {
        panic!("an expiry date: {:?}", request.expiry);
    };
    assert!(
        at.starts_with("2099-06-30T") || at.starts_with("2099-07-01T"),
        "{at}"
    );
}

#[wasm_bindgen_test]
async fn the_read_receipt_starts_from_the_senders_default_and_the_mail_language_is_sent() {
    let mut me = sender_me();
    me.read_receipts = true;
    let api = FakeApi::new().me(vec![Ok(me)]);
    let _page = mount_portal(&api, "/compose", Some("en"));
    let receipt = find("compose-read-receipt").await;
    let receipt = receipt.unchecked_ref::<web_sys::HtmlInputElement>();
    until("the account's default ticked", || receipt.checked()).await;
    let language = testid("compose-language").unwrap();
    let options: Vec<String> = (0..4)
        .map(|i| {
            language
                .unchecked_ref::<web_sys::HtmlSelectElement>()
                .item(i + 1)
                .unwrap()
                .text_content()
                .unwrap()
        })
        .collect();
    assert_eq!(options, ["English", "Nederlands", "Dansk", "日本語"]);

    fill_in("compose-to", "bob@example.net");
    click("compose-send");
    find("compose-message-id").await;
    let (request, _) = sent_request(&api);
    assert_eq!(request.read_receipt, Some(true));
    assert_eq!(request.language, None, "as the template or the server says");

    // The next message: no receipt, in Danish.
    click("compose-another");
    receipt.click();
    assert!(!receipt.checked());
    language
        .unchecked_ref::<web_sys::HtmlSelectElement>()
        .set_value("da");
    dispatch(&language, "change");
    fill_in("compose-to", "carol@example.org");
    click("compose-send");
    until("the second message sent", || {
        api.calls()
            .iter()
            .filter(|c| matches!(c, Call::Compose { .. }))
            .count()
            == 2
    })
    .await;
    let (request, _) = sent_request(&api);
    assert_eq!(request.read_receipt, Some(false));
    assert_eq!(request.language, Some(Language::Da));
}

#[wasm_bindgen_test]
async fn too_large_attachments_are_explained() {
    let api = FakeApi::new().compose(vec![Err(error(ErrorCode::PayloadTooLarge))]);
    let _page = mount_portal(&api, "/compose", Some("en"));
    find("page-compose").await;
    fill_in("compose-to", "bob@example.net");
    pick(&[file("huge.bin", "x")]);
    click("compose-send");
    wait_text(
        "compose-error",
        "The message and its attachments are larger than the server accepts. Remove or shrink some attachments and try again.",
    )
    .await;
    // Nothing typed is lost.
    assert_eq!(all("compose-file").len(), 1);
    assert_eq!(
        testid("compose-to")
            .unwrap()
            .unchecked_ref::<web_sys::HtmlInputElement>()
            .value(),
        "bob@example.net"
    );
}

#[wasm_bindgen_test]
async fn compose_speaks_japanese() {
    let api = FakeApi::new();
    let _page = mount_portal(&api, "/compose", Some("ja"));
    find("page-compose").await;
    wait_text("compose-send", "保護されたメッセージを送信").await;
    click("compose-send");
    wait_text("compose-error", "受信者を 1 人以上追加してください。").await;
}
