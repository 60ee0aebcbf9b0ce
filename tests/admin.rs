//! The administrator's status page: look a message up by Message-ID, see
//! Subject / IsRevocable / Revoked and the recipients, revoke it, and mail a
//! recipient a new link.

mod common;

use common::*;
use sealmail_api::ErrorCode;
use sealmail_api::admin::{Delivery, MessageState, RecipientState};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn recipient_states() -> Vec<String> {
    all("recipient-state")
        .iter()
        .map(|e| e.text_content().unwrap())
        .collect()
}

fn dialog_title() -> String {
    query("#confirm-title").unwrap().text_content().unwrap()
}

#[wasm_bindgen_test]
async fn an_admin_looks_a_message_up_and_revokes_it() {
    let mut after = message_status();
    after.state = MessageState::Revoked;
    after.is_revocable = false;
    after.revoked = true;
    for r in &mut after.recipients {
        r.state = RecipientState::Revoked;
    }
    let api = FakeApi::new()
        .me(vec![Ok(admin_me())])
        .admin_revoke(vec![Ok(after)]);
    let _page = mount_portal(&api, "/admin", Some("en"));
    find("page-admin-status").await;
    wait_focus("admin-message-id").await;
    fill_in("admin-message-id", " <m2@contoso.example> ");
    click("admin-lookup");
    find("admin-result").await;
    assert!(
        api.calls()
            .contains(&Call::AdminMessage("<m2@contoso.example>".into()))
    );
    // The look-up is the page's address, so a reload or Back shows it again.
    assert_eq!(
        current_url(),
        "/admin?message_id=%3Cm2%40contoso.example%3E"
    );
    assert_eq!(text("admin-subject"), "Your mortgage offer");
    assert_eq!(text("admin-revocable"), "Yes");
    assert_eq!(text("admin-revoked"), "No");
    assert_eq!(recipient_states()[0], "Sent");

    click("admin-revoke");
    until("the dialog to open", || dialog_open("confirm-dialog")).await;
    assert!(text("confirm-body").starts_with("Every recipient of “Your mortgage offer”"));
    click("confirm-revoke");
    wait_text("admin-revoked", "Yes").await;
    assert_eq!(text("admin-revocable"), "No");
    assert_eq!(recipient_states(), vec!["Revoked", "Revoked"]);
    assert!(testid("admin-revoke").is_none());
    wait_text("admin-status-notice", "The message was revoked.").await;
    assert!(api.calls().contains(&Call::AdminRevoke {
        message_id: "<m2@contoso.example>".into(),
        recipient: None,
    }));
}

#[wasm_bindgen_test]
async fn an_admin_removes_one_recipients_access_after_a_confirmation() {
    let mut after = message_status();
    after.recipients[0].state = RecipientState::Revoked;
    let api = FakeApi::new()
        .me(vec![Ok(admin_me())])
        .admin_revoke(vec![Err(error(ErrorCode::Internal)), Ok(after)]);
    let _page = mount_portal(
        &api,
        "/admin?message_id=%3Cm2%40contoso.example%3E",
        Some("en"),
    );
    find("admin-result").await;
    let buttons = all("revoke-recipient");
    assert_eq!(buttons.len(), 2, "both recipients still have access");
    assert_eq!(
        buttons[0].get_attribute("aria-label").as_deref(),
        Some("Remove external access for bob@example.net")
    );

    click_element(&buttons[0]);
    until("the dialog to open", || dialog_open("confirm-dialog")).await;
    assert_eq!(dialog_title(), "Remove this recipient's access?");
    assert!(
        text("confirm-body").starts_with("bob@example.net loses access to “Your mortgage offer”")
    );
    assert_eq!(text("confirm-revoke"), "Remove external access");
    // The first try fails: the dialog stays open and says why.
    click("confirm-revoke");
    until("the error", || !text("confirm-error").is_empty()).await;
    assert!(dialog_open("confirm-dialog"));
    click("confirm-revoke");
    wait_text("admin-status-notice", "External access was removed.").await;
    assert!(!dialog_open("confirm-dialog"));
    let states = recipient_states();
    assert_eq!(states[0], "Revoked");
    assert!(states[1].starts_with("Opened"), "{states:?}");
    assert_eq!(
        text("admin-revoked"),
        "No",
        "the message itself stays active"
    );
    assert_eq!(
        all("revoke-recipient").len(),
        1,
        "only carol's button is left"
    );
    assert_eq!(
        api.calls()
            .iter()
            .rfind(|c| matches!(c, Call::AdminRevoke { .. })),
        Some(&Call::AdminRevoke {
            message_id: "<m2@contoso.example>".into(),
            recipient: Some("bob@example.net".into()),
        })
    );

    // The whole-message button still asks about the whole message.
    click("admin-revoke");
    until("the dialog to open", || dialog_open("confirm-dialog")).await;
    assert_eq!(dialog_title(), "Revoke message");
    assert!(text("confirm-body").starts_with("Every recipient of “Your mortgage offer”"));
}

#[wasm_bindgen_test]
async fn an_admin_sends_a_recipient_a_new_link_after_confirming() {
    let mut after = message_status();
    after.recipients[0].delivery = Some(Delivery::Queued);
    let api = FakeApi::new()
        .me(vec![Ok(admin_me())])
        .admin_resend(vec![Ok(after)]);
    let _page = mount_portal(
        &api,
        "/admin?message_id=%3Cm2%40contoso.example%3E",
        Some("en"),
    );
    find("admin-result").await;
    let buttons = all("resend-recipient");
    assert_eq!(buttons.len(), 2);
    click_element(&buttons[0]);
    until("the dialog to open", || dialog_open("confirm-dialog")).await;
    assert_eq!(dialog_title(), "Send a new link?");
    assert!(text("confirm-body").starts_with("bob@example.net gets a new notification mail"));
    assert_eq!(text("confirm-revoke"), "Send a new link");
    click("confirm-revoke");
    wait_text(
        "admin-status-notice",
        "A new link was mailed to bob@example.net.",
    )
    .await;
    assert!(!dialog_open("confirm-dialog"));
    assert_eq!(
        all("recipient-delivery")[0].text_content().unwrap(),
        "Mail queued"
    );
    assert_eq!(
        api.calls()
            .iter()
            .rfind(|c| matches!(c, Call::AdminResend { .. })),
        Some(&Call::AdminResend {
            message_id: "<m2@contoso.example>".into(),
            recipient: "bob@example.net".into(),
        })
    );
    assert!(
        !api.calls()
            .iter()
            .any(|c| matches!(c, Call::AdminRevoke { .. }))
    );
}

#[wasm_bindgen_test]
async fn an_unknown_message_id_is_explained() {
    let api = FakeApi::new()
        .me(vec![Ok(admin_me())])
        .admin_message(vec![Err(error(ErrorCode::NotFound))]);
    let _page = mount_portal(&api, "/admin", Some("en"));
    find("page-admin-status").await;
    click("admin-lookup");
    wait_text(
        "admin-error",
        "Enter a Message ID, such as <id@example.com>.",
    )
    .await;
    fill_in("admin-message-id", "<nope@x>");
    click("admin-lookup");
    wait_text("admin-error", "No message has that Message ID.").await;
    assert!(testid("admin-result").is_none());
}

#[wasm_bindgen_test]
async fn a_message_revoked_meanwhile_is_looked_up_again() {
    let mut after = message_status();
    after.is_revocable = false;
    after.revoked = true;
    after.state = MessageState::Revoked;
    let api = FakeApi::new()
        .me(vec![Ok(admin_me())])
        .admin_message(vec![Ok(message_status()), Ok(after)])
        .admin_revoke(vec![Err(error(ErrorCode::AlreadyRevoked))]);
    let _page = mount_portal(&api, "/admin", Some("en"));
    find("page-admin-status").await;
    fill_in("admin-message-id", "<m2@contoso.example>");
    click("admin-lookup");
    find("admin-revoke").await;
    click("admin-revoke");
    until("the dialog to open", || dialog_open("confirm-dialog")).await;
    click("confirm-revoke");
    wait_text("admin-revoked", "Yes").await;
    assert!(!dialog_open("confirm-dialog"));
}

#[wasm_bindgen_test]
async fn the_status_page_speaks_danish() {
    let api = FakeApi::new().me(vec![Ok(admin_me())]);
    let _page = mount_portal(&api, "/admin", Some("da"));
    find("page-admin-status").await;
    wait_text("admin-lookup", "Slå op").await;
    fill_in("admin-message-id", "<m2@contoso.example>");
    click("admin-lookup");
    find("admin-revoke").await;
    assert_eq!(text("admin-revoke"), "Tilbagekald meddelelse");
    assert_eq!(text("admin-revocable"), "Ja");
}

#[wasm_bindgen_test]
async fn a_message_id_in_the_address_is_decoded_once() {
    // `%2541` is a `%41` in the Message-ID itself: decoded twice (as
    // leptos_router's own query map does) it would become `A`.
    let api = FakeApi::new().me(vec![Ok(admin_me())]);
    let _page = mount_portal(
        &api,
        "/admin?message_id=%3Cm%2541%40contoso.example%3E",
        Some("en"),
    );
    find("admin-result").await;
    assert!(
        api.calls()
            .contains(&Call::AdminMessage("<m%41@contoso.example>".into())),
        "{:?}",
        api.calls()
    );
}
