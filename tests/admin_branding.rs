//! The branding page beyond its fields: the organisation's name and the logo
//! in the preview, logo upload (checked in the browser first) and removal,
//! and deleting a template (never the default while others exist).

mod common;

use common::*;
use sealmail_api::ErrorCode;
use sealmail_api::admin::BrandingTemplate;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn template(id: &str, name: &str, is_default: bool) -> BrandingTemplate {
    branding_template(id, name, is_default)
}

/// A file of `bytes` bytes with a MIME type, as the picker gives it.
fn typed_file(name: &str, mime: &str, bytes: usize) -> web_sys::File {
    let parts = js_sys::Array::of1(&"x".repeat(bytes).into());
    let options = js_sys::Object::new();
    js_sys::Reflect::set(&options, &"type".into(), &mime.into()).unwrap();
    let constructor = js_sys::Reflect::get(&js_sys::global(), &"File".into()).unwrap();
    js_sys::Reflect::construct(
        constructor.unchecked_ref::<js_sys::Function>(),
        &js_sys::Array::of3(&parts, &name.into(), &options),
    )
    .unwrap()
    .unchecked_into()
}

fn pick_logo(file: web_sys::File) {
    let transfer = web_sys::DataTransfer::new().unwrap();
    transfer.items().add_with_file(&file).unwrap();
    let input = testid("logo-file").unwrap();
    input
        .unchecked_ref::<web_sys::HtmlInputElement>()
        .set_files(transfer.files().as_ref());
    dispatch(&input, "change");
}

fn logo_calls(api: &FakeApi) -> Vec<Call> {
    api.calls()
        .into_iter()
        .filter(|c| matches!(c, Call::UploadLogo { .. } | Call::DeleteLogo(_)))
        .collect()
}

#[wasm_bindgen_test]
async fn a_logo_is_checked_uploaded_previewed_and_removed() {
    let plain = template("t1", "Contoso", true);
    let mut with_logo = plain.clone();
    with_logo.logo_url = Some("/api/v1/branding/t1/logo".into());
    let api = FakeApi::new()
        .me(vec![Ok(admin_me())])
        .admin_templates(vec![Ok(vec![plain.clone()])])
        .logo(vec![
            Err(error(ErrorCode::PayloadTooLarge)),
            Ok(with_logo),
            Ok(plain),
        ]);
    let _page = mount_portal(&api, "/admin/branding", Some("en"));
    find("logo-file").await;
    assert!(testid("preview-logo").is_none());
    assert!(testid("logo-remove").is_none());

    // Refused in the browser: nothing is sent.
    pick_logo(typed_file("logo.svg", "image/svg+xml", 10));
    wait_text(
        "logo-error",
        "The logo must be a PNG, JPEG, GIF or WebP image.",
    )
    .await;
    pick_logo(typed_file("big.png", "image/png", 512 * 1024 + 1));
    wait_text(
        "logo-error",
        "The logo is larger than 512 KB. Choose a smaller image.",
    )
    .await;
    assert!(logo_calls(&api).is_empty());

    // The server's payload_too_large reads the same.
    pick_logo(typed_file("logo.png", "image/png", 100));
    until("the server's refusal", || !logo_calls(&api).is_empty()).await;
    wait_text(
        "logo-error",
        "The logo is larger than 512 KB. Choose a smaller image.",
    )
    .await;

    pick_logo(typed_file("logo.png", "image/png", 100));
    wait_text("logo-status", "The logo was saved.").await;
    assert_eq!(text("logo-error"), "");
    let preview = find("preview-logo").await;
    assert_eq!(
        preview.get_attribute("src").as_deref(),
        Some("/api/v1/branding/t1/logo")
    );
    assert_eq!(preview.get_attribute("alt").as_deref(), Some(""));
    assert!(testid("logo-current").is_some());

    click("logo-remove");
    wait_text("logo-status", "Saved.").await;
    until("the preview's logo to go", || {
        testid("preview-logo").is_none()
    })
    .await;
    assert_eq!(
        logo_calls(&api),
        vec![
            Call::UploadLogo {
                id: "t1".into(),
                file: "logo.png".into()
            },
            Call::UploadLogo {
                id: "t1".into(),
                file: "logo.png".into()
            },
            Call::DeleteLogo("t1".into()),
        ]
    );
}

#[wasm_bindgen_test]
async fn a_new_template_gets_its_logo_once_saved_and_the_organisation_shows_in_the_preview() {
    let api = FakeApi::new()
        .me(vec![Ok(admin_me())])
        .admin_templates(vec![Ok(Vec::new())]);
    let _page = mount_portal(&api, "/admin/branding", Some("nl"));
    find("logo-save-first").await;
    assert!(testid("logo-file").is_none());
    wait_text("preview-organisation", "Uw organisatie").await;
    fill_in("branding-organisation", "Contoso Juridisch");
    wait_text("preview-organisation", "Contoso Juridisch").await;
    assert!(text("preview-mail").contains("Contoso Juridisch"));
}

#[wasm_bindgen_test]
async fn a_template_is_deleted_after_a_confirmation_but_never_the_default_while_others_exist() {
    let api = FakeApi::new()
        .me(vec![Ok(admin_me())])
        .admin_templates(vec![Ok(vec![
            template("t1", "Contoso", true),
            template("t2", "Legal", false),
        ])])
        .delete_template(vec![Err(error(ErrorCode::Internal)), Ok(())]);
    let _page = mount_portal(&api, "/admin/branding", Some("en"));
    find("branding-default-kept").await;
    assert!(testid("branding-delete").is_none(), "the default stays");

    let select = testid("branding-template").unwrap();
    select
        .unchecked_ref::<web_sys::HtmlSelectElement>()
        .set_value("t2");
    dispatch(&select, "change");
    find("branding-delete").await;
    assert!(testid("branding-default-kept").is_none());
    click("branding-delete");
    until("the dialog to open", || dialog_open("confirm-dialog")).await;
    assert!(
        text("confirm-body")
            .starts_with("“Legal” will be deleted. Messages already sent with it keep working")
    );
    click("confirm-revoke");
    until("the error", || !text("confirm-error").is_empty()).await;
    assert!(
        dialog_open("confirm-dialog"),
        "a failure keeps the dialog open"
    );
    click("confirm-revoke");
    wait_text("branding-saved", "The template was deleted.").await;
    assert!(!dialog_open("confirm-dialog"));
    let options: Vec<String> = all_options();
    assert_eq!(options, vec!["Contoso ★", "New template…"]);
    assert_eq!(
        testid("branding-name")
            .unwrap()
            .unchecked_ref::<web_sys::HtmlInputElement>()
            .value(),
        "Contoso",
        "the default is chosen after the delete"
    );
    let deletes: Vec<Call> = api
        .calls()
        .into_iter()
        .filter(|c| matches!(c, Call::DeleteTemplate(_)))
        .collect();
    assert_eq!(deletes, vec![Call::DeleteTemplate("t2".into()); 2]);
}

#[wasm_bindgen_test]
async fn the_last_template_may_go_even_if_it_is_the_default() {
    let api = FakeApi::new()
        .me(vec![Ok(admin_me())])
        .admin_templates(vec![Ok(vec![template("t1", "Contoso", true)])]);
    let _page = mount_portal(&api, "/admin/branding", Some("da"));
    find("branding-delete").await;
    wait_text("branding-delete", "Slet skabelon").await;
    click("branding-delete");
    until("the dialog to open", || dialog_open("confirm-dialog")).await;
    click("confirm-revoke");
    wait_text("branding-saved", "Skabelonen er slettet.").await;
    find("logo-save-first").await;
}

fn all_options() -> Vec<String> {
    let options = document()
        .query_selector_all("[data-testid=branding-template] option")
        .unwrap();
    (0..options.length())
        .filter_map(|i| options.item(i)?.text_content())
        .collect()
}
