//! Read receipts: off by default; asked for per message or by the sender's
//! own default; mailed to the sender through the queue when a recipient
//! first opens the message (after the passcode), in the message's language,
//! and only once per recipient.

mod common;

use common::sender::message_to;
use common::{ALICE, BOB, CAROL, TestApp};
use sealmail_api::Language;

const RECEIPT: &str = "bob@example.net opened “Contract draft”";

fn receipts_to_alice(app: &TestApp) -> Vec<String> {
    app.mails()
        .into_iter()
        .filter(|m| m.to.eq_ignore_ascii_case(ALICE))
        .map(|m| m.subject)
        .collect()
}

#[tokio::test]
async fn a_read_receipt_reaches_the_sender_once_when_a_recipient_first_opens() {
    let app = TestApp::new().await;
    let alice = app.sender(ALICE).await;
    let mut message = message_to(&[BOB, CAROL]);
    message.read_receipt = Some(true);
    assert_eq!(message.subject, "Contract draft");
    alice.send(&message).await;

    // Opening the link page alone (a mail scanner) is not an open.
    app.recipient(BOB).open_link().await;
    assert!(receipts_to_alice(&app).is_empty());

    app.recipient(BOB).signed_in().await;
    assert_eq!(receipts_to_alice(&app), [RECEIPT]);
    let receipt = app.last_mail_to(ALICE).unwrap();
    assert!(receipt.text.contains("(UTC)"), "{}", receipt.text);
    assert!(
        receipt
            .html
            .as_deref()
            .unwrap()
            .contains("<html lang=\"en\"")
    );

    // A second passcode later is not a first open.
    app.recipient(BOB).signed_in().await;
    assert_eq!(receipts_to_alice(&app), [RECEIPT]);
    // Carol's first open has its own.
    app.recipient(CAROL).signed_in().await;
    assert_eq!(receipts_to_alice(&app).len(), 2);
}

#[tokio::test]
async fn without_asking_there_is_no_receipt() {
    let app = TestApp::new().await;
    let alice = app.sender(ALICE).await;
    alice.send(&message_to(&[BOB])).await;
    app.recipient(BOB).signed_in().await;
    assert!(receipts_to_alice(&app).is_empty());
}

#[tokio::test]
async fn the_senders_default_applies_unless_the_message_says_otherwise() {
    let app = TestApp::new().await;
    let alice = app.sender(ALICE).await;
    let user = sealmail::store::users::by_email(&app.state.db, ALICE)
        .await
        .unwrap()
        .unwrap();
    sealmail::store::users::set_read_receipts_default(&app.state.db, user.id, true)
        .await
        .unwrap();

    alice.send(&message_to(&[BOB])).await;
    app.recipient(BOB).signed_in().await;
    assert_eq!(receipts_to_alice(&app), [RECEIPT]);

    let mut message = message_to(&[CAROL]);
    message.read_receipt = Some(false);
    alice.send(&message).await;
    app.recipient(CAROL).signed_in().await;
    assert_eq!(receipts_to_alice(&app).len(), 1, "turned off for this one");
}

#[tokio::test]
async fn the_receipt_speaks_the_messages_language() {
    let app = TestApp::new().await;
    let alice = app.sender(ALICE).await;
    let mut message = message_to(&[BOB]);
    message.read_receipt = Some(true);
    message.language = Some(Language::Nl);
    alice.send(&message).await;
    app.recipient(BOB).signed_in().await;
    let receipt = app.last_mail_to(ALICE).unwrap();
    assert_eq!(
        receipt.subject,
        "bob@example.net heeft “Contract draft” geopend"
    );
    assert_eq!(receipt.language, Language::Nl);
}
