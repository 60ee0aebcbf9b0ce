//! The Sent list: states, "Remove external access" for one recipient and for
//! a whole message (confirmed first, the row updated at once), paging,
//! search, and expiry changes.

mod common;

use common::*;
use sealmail_api::ErrorCode;
use sealmail_api::admin::Delivery;
use sealmail_api::sender::{SentPage, SentQuery};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn row(index: usize) -> web_sys::Element {
    all("sent-row").into_iter().nth(index).expect("a row")
}

fn states(row: &web_sys::Element) -> Vec<String> {
    let list = row
        .query_selector_all("[data-testid=recipient-state]")
        .unwrap();
    (0..list.length())
        .map(|i| list.item(i).unwrap().text_content().unwrap())
        .collect()
}

#[wasm_bindgen_test]
async fn each_recipient_shows_where_their_notification_mail_stands() {
    let api = FakeApi::new();
    let _page = mount_portal(&api, "/sent", Some("en"));
    find("sent-row").await;
    let deliveries: Vec<(String, String)> = {
        let list = row(0)
            .query_selector_all("[data-testid=recipient-delivery]")
            .unwrap();
        (0..list.length())
            .map(|i| {
                let element: web_sys::Element = list.item(i).unwrap().dyn_into().unwrap();
                (element.text_content().unwrap(), element.class_name())
            })
            .collect()
    };
    assert_eq!(deliveries.len(), 2, "{deliveries:?}");
    assert_eq!(deliveries[0].0, "Mail bounced: 550 5.1.1 No such user here");
    assert!(
        deliveries[0].1.contains("delivery-failed"),
        "{deliveries:?}"
    );
    assert!(
        deliveries[1].0.starts_with("Mail delivered ") && deliveries[1].0.contains("2026"),
        "{deliveries:?}"
    );
}

#[wasm_bindgen_test]
async fn the_list_shows_each_message_and_each_recipients_state_newest_first() {
    let api = FakeApi::new();
    let _page = mount_portal(&api, "/sent", Some("en"));
    find("sent-row").await;
    let rows = all("sent-row");
    assert_eq!(rows.len(), 2);
    assert_eq!(
        inside(&rows[0], "sent-subject")
            .unwrap()
            .text_content()
            .unwrap(),
        "Your mortgage offer"
    );
    assert_eq!(
        inside(&rows[1], "sent-subject")
            .unwrap()
            .text_content()
            .unwrap(),
        "Welcome"
    );
    let first = states(&rows[0]);
    assert_eq!(first[0], "Sent");
    assert!(first[1].starts_with("Opened "), "{first:?}");
    assert!(first[1].contains("2026"), "{first:?}");
    assert_eq!(
        inside(&rows[0], "sent-expiry")
            .unwrap()
            .text_content()
            .unwrap(),
        "No expiry"
    );
    assert_eq!(
        inside(&rows[0], "sent-message-id")
            .unwrap()
            .text_content()
            .unwrap(),
        "<m2@contoso.example>"
    );
    assert_eq!(
        api.calls(),
        vec![Call::Me, Call::Sent(SentQuery::default())]
    );
}

#[wasm_bindgen_test]
async fn removing_one_recipients_access_asks_first_then_updates_the_row() {
    let message = sent_message("m2", "Your mortgage offer");
    let api = FakeApi::new().revoke(vec![Ok(revoked(message, Some("bob@example.net")))]);
    let _page = mount_portal(&api, "/sent", Some("en"));
    find("sent-row").await;
    let bob_button = inside(&row(0), "revoke-recipient").unwrap();
    assert_eq!(
        bob_button.get_attribute("aria-label").as_deref(),
        Some("Remove external access for bob@example.net")
    );
    click_element(&bob_button);

    until("the dialog to open", || dialog_open("confirm-dialog")).await;
    assert_eq!(
        text("confirm-body"),
        "bob@example.net loses access to “Your mortgage offer” at once and will see that the message has been revoked. The other recipients can still read it. This cannot be undone."
    );
    // Nothing is revoked until the sender confirms; focus is in the dialog.
    assert!(!api.calls().iter().any(|c| matches!(c, Call::Revoke { .. })));
    assert_eq!(focused(), "cancel-revoke");

    click("confirm-revoke");
    until("the dialog to close", || !dialog_open("confirm-dialog")).await;
    assert!(api.calls().contains(&Call::Revoke {
        id: "m2".into(),
        recipient: Some("bob@example.net".into()),
    }));
    until("bob revoked", || states(&row(0))[0] == "Revoked").await;
    assert!(states(&row(0))[1].starts_with("Opened"));
    // The message itself can still be revoked; the other row is untouched.
    assert!(inside(&row(0), "revoke-message").is_some());
    assert_eq!(states(&row(1))[0], "Sent");
    wait_text("sent-status", "External access was removed.").await;
}

#[wasm_bindgen_test]
async fn removing_access_for_a_whole_message_marks_every_recipient_revoked() {
    let message = sent_message("m2", "Your mortgage offer");
    let api = FakeApi::new().revoke(vec![Ok(revoked(message, None))]);
    let _page = mount_portal(&api, "/sent", Some("en"));
    find("sent-row").await;
    click_element(&inside(&row(0), "revoke-message").unwrap());
    until("the dialog to open", || dialog_open("confirm-dialog")).await;
    assert!(
        text("confirm-body")
            .starts_with("Every recipient of “Your mortgage offer” loses access at once.")
    );

    click("confirm-revoke");
    until("the row to show the revoke", || {
        inside(&row(0), "revoke-message").is_none()
    })
    .await;
    assert_eq!(states(&row(0)), vec!["Revoked", "Revoked"]);
    assert_eq!(
        inside(&row(0), "message-state")
            .unwrap()
            .text_content()
            .unwrap(),
        "Revoked: nobody can read this message any more."
    );
    assert!(inside(&row(0), "revoke-recipient").is_none());
    assert!(api.calls().contains(&Call::Revoke {
        id: "m2".into(),
        recipient: None,
    }));
    // Focus lands on the revoked message's heading.
    wait_focus("sent-subject").await;
}

#[wasm_bindgen_test]
async fn sending_a_recipient_a_new_link_asks_first_then_shows_the_new_mail_queued() {
    let mut after = sent_message("m2", "Your mortgage offer");
    after.recipients[0].delivery = Some(Delivery::Queued);
    let api = FakeApi::new().resend(vec![Ok(after)]);
    let _page = mount_portal(&api, "/sent", Some("en"));
    find("sent-row").await;
    let bob_button = inside(&row(0), "resend-recipient").unwrap();
    assert_eq!(
        bob_button.get_attribute("aria-label").as_deref(),
        Some("Send a new link to bob@example.net")
    );
    click_element(&bob_button);

    until("the dialog to open", || dialog_open("confirm-dialog")).await;
    assert_eq!(
        query("#confirm-title").unwrap().text_content().unwrap(),
        "Send a new link?"
    );
    assert_eq!(
        text("confirm-body"),
        "bob@example.net gets a new notification mail for “Your mortgage offer” with a new link. The link in the earlier mail stops working at once."
    );
    assert_eq!(text("confirm-revoke"), "Send a new link");
    assert!(!api.calls().iter().any(|c| matches!(c, Call::Resend { .. })));

    click("confirm-revoke");
    until("the dialog to close", || !dialog_open("confirm-dialog")).await;
    assert!(api.calls().contains(&Call::Resend {
        id: "m2".into(),
        recipient: "bob@example.net".into(),
    }));
    wait_text("sent-status", "A new link was mailed to bob@example.net.").await;
    let bob_delivery = inside(&row(0), "recipient-delivery").unwrap();
    assert_eq!(bob_delivery.text_content().unwrap(), "Mail queued");
    // Nothing was revoked by it.
    assert_eq!(states(&row(0))[0], "Sent");
}

#[wasm_bindgen_test]
async fn a_failed_new_link_is_explained_in_the_dialog_and_a_new_ask_starts_clean() {
    let api = FakeApi::new().resend(vec![Err(error(ErrorCode::MessageRevoked))]);
    let _page = mount_portal(&api, "/sent", Some("en"));
    find("sent-row").await;
    click_element(&inside(&row(0), "resend-recipient").unwrap());
    until("the dialog to open", || dialog_open("confirm-dialog")).await;
    click("confirm-revoke");
    until("the error", || !text("confirm-error").is_empty()).await;
    assert!(dialog_open("confirm-dialog"));
    assert_eq!(text("sent-status"), "");

    click("cancel-revoke");
    until("the dialog to close", || !dialog_open("confirm-dialog")).await;
    click_element(&inside(&row(1), "resend-recipient").unwrap());
    until("the dialog to open", || dialog_open("confirm-dialog")).await;
    assert_eq!(
        text("confirm-error"),
        "",
        "the last failure is not shown again"
    );
}

#[wasm_bindgen_test]
async fn only_recipients_who_still_have_access_can_get_a_new_link() {
    let mut message = revoked(
        sent_message("m2", "Your mortgage offer"),
        Some("bob@example.net"),
    );
    message.subject = "Bob revoked".into();
    let mut ended = revoked(sent_message("m1", "Welcome"), None);
    ended.subject = "All revoked".into();
    let api = FakeApi::new().sent(vec![Ok(SentPage {
        messages: vec![message, ended],
        next_cursor: None,
    })]);
    let _page = mount_portal(&api, "/sent", Some("en"));
    find("sent-row").await;
    let buttons = |row: &web_sys::Element| {
        let list = row
            .query_selector_all("[data-testid=resend-recipient]")
            .unwrap();
        (0..list.length())
            .map(|i| {
                let button: web_sys::Element = list.item(i).unwrap().dyn_into().unwrap();
                button.get_attribute("aria-label").unwrap()
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(buttons(&row(0)), ["Send a new link to carol@example.org"]);
    assert!(buttons(&row(1)).is_empty());
}

#[wasm_bindgen_test]
async fn cancelling_the_dialog_revokes_nothing() {
    let api = FakeApi::new();
    let _page = mount_portal(&api, "/sent", Some("en"));
    find("sent-row").await;
    click_element(&inside(&row(1), "revoke-message").unwrap());
    until("the dialog to open", || dialog_open("confirm-dialog")).await;
    click("cancel-revoke");
    until("the dialog to close", || !dialog_open("confirm-dialog")).await;
    assert!(!api.calls().iter().any(|c| matches!(c, Call::Revoke { .. })));
    assert_eq!(states(&row(1))[0], "Sent");
}

#[wasm_bindgen_test]
async fn already_revoked_shows_the_row_as_revoked() {
    let api = FakeApi::new().revoke(vec![Err(error(ErrorCode::AlreadyRevoked))]);
    let _page = mount_portal(&api, "/sent", Some("en"));
    find("sent-row").await;
    click_element(&inside(&row(0), "revoke-message").unwrap());
    until("the dialog to open", || dialog_open("confirm-dialog")).await;
    click("confirm-revoke");
    wait_text("sent-status", "External access had already been removed.").await;
    assert_eq!(states(&row(0)), vec!["Revoked", "Revoked"]);
    assert!(!dialog_open("confirm-dialog"));
}

#[wasm_bindgen_test]
async fn a_failed_revoke_is_explained_in_the_dialog() {
    let api = FakeApi::new().revoke(vec![Err(error(ErrorCode::Internal))]);
    let _page = mount_portal(&api, "/sent", Some("en"));
    find("sent-row").await;
    click_element(&inside(&row(0), "revoke-message").unwrap());
    until("the dialog to open", || dialog_open("confirm-dialog")).await;
    click("confirm-revoke");
    wait_text(
        "confirm-error",
        "That did not work. Check your connection and try again.",
    )
    .await;
    assert!(dialog_open("confirm-dialog"));
    assert_eq!(states(&row(0))[0], "Sent");
}

#[wasm_bindgen_test]
async fn more_messages_load_with_the_cursor_and_search_asks_the_server() {
    let api = FakeApi::new().sent(vec![
        Ok(SentPage {
            messages: vec![sent_message("m2", "Your mortgage offer")],
            next_cursor: Some("c1".into()),
        }),
        Ok(SentPage {
            messages: vec![sent_message("m1", "Welcome")],
            next_cursor: None,
        }),
        Ok(SentPage {
            messages: vec![sent_message("m1", "Welcome")],
            next_cursor: None,
        }),
    ]);
    let _page = mount_portal(&api, "/sent", Some("en"));
    find("sent-more").await;
    assert_eq!(all("sent-row").len(), 1);
    click("sent-more");
    until("two rows", || all("sent-row").len() == 2).await;
    assert!(testid("sent-more").is_none());
    assert!(api.calls().contains(&Call::Sent(SentQuery {
        cursor: Some("c1".into()),
        ..SentQuery::default()
    })));

    fill_in("sent-search", "welc");
    click("sent-search-submit");
    until("one row", || all("sent-row").len() == 1).await;
    assert!(api.calls().contains(&Call::Sent(SentQuery {
        q: Some("welc".into()),
        ..SentQuery::default()
    })));
}

#[wasm_bindgen_test]
async fn the_expiry_can_be_changed_and_a_past_date_is_refused() {
    let mut changed = sent_message("m2", "Your mortgage offer");
    changed.expires_at = Some(sealmail_api::Timestamp("2099-12-31T22:59:59Z".into()));
    let api = FakeApi::new().change_expiry(vec![Ok(changed)]);
    let _page = mount_portal(&api, "/sent", Some("en"));
    find("sent-row").await;

    let date = inside(&row(0), "expiry-date").unwrap();
    date.unchecked_ref::<web_sys::HtmlInputElement>()
        .set_value("2001-01-01");
    click_element(&inside(&row(0), "expiry-save").unwrap());
    until("the past date to be refused", || {
        inside(&row(0), "expiry-error")
            .unwrap()
            .text_content()
            .unwrap()
            == "Choose an expiration date in the future."
    })
    .await;
    assert!(
        !api.calls()
            .iter()
            .any(|c| matches!(c, Call::ChangeExpiry { .. }))
    );

    let date = inside(&row(0), "expiry-date").unwrap();
    date.unchecked_ref::<web_sys::HtmlInputElement>()
        .set_value("2099-12-31");
    click_element(&inside(&row(0), "expiry-save").unwrap());
    wait_text("sent-status", "The expiry was changed.").await;
    until("the new expiry shown", || {
        inside(&row(0), "sent-expiry")
            .unwrap()
            .text_content()
            .unwrap()
            .contains("2099")
    })
    .await;
    let call = api
        .calls()
        .into_iter()
        .find(|c| matches!(c, Call::ChangeExpiry { .. }))
        .unwrap();
    let Call::ChangeExpiry { id, expires_at } = call else {
        unreachable!()
    };
    assert_eq!(id, "m2");
    let at = expires_at.unwrap().0;
    assert!(
        at.starts_with("2099-12-3") && at.ends_with(":59:59Z"),
        "{at}"
    );
}
