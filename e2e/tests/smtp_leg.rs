//! Sealmail in the mail flow, end to end (issue 17): a mail comes in over
//! SMTP, as the organisation's mail server would pass it on, tagged
//! `[secure]`, to one recipient outside the organisation and one inside. The
//! default mail-flow rules protect the outside recipient's copy and relay
//! the inside one unchanged, and everything the server sends goes out
//! through a real SMTP relay (aiosmtpd). The outside recipient opens the
//! notification's link in Chromium, gets a passcode by mail, and reads the
//! message in the portal, its flowed paragraphs joined; the inside
//! recipient's copy reaches the relay as it was written.

use sealmail_e2e::{Browser, Sealmail};

const ALICE: &str = "alice@sealmail.test";
const BOB: &str = "bob@example.net";
const DAVE: &str = "dave@corp.test";

/// As Thunderbird sends it: `format=flowed`, each paragraph wrapped with a
/// space before the soft line break.
const MAIL: &str = "From: Alice Sender <alice@sealmail.test>\r\n\
    To: Bob <bob@example.net>\r\n\
    Cc: Dave <dave@corp.test>\r\n\
    Subject: [secure] Q3 numbers\r\n\
    Message-ID: <smtp-leg.1@sealmail.test>\r\n\
    Date: Thu, 03 Dec 2026 10:00:00 +0000\r\n\
    MIME-Version: 1.0\r\n\
    Content-Type: text/plain; charset=UTF-8; format=flowed\r\n\
    Content-Transfer-Encoding: 8bit\r\n\
    \r\n\
    Hello Bob and Dave,\r\n\
    \r\n\
    The revenue for the third quarter came in at 1.2 million, \r\n\
    ahead of plan.\r\n\
    \r\n\
    Alice\r\n";

#[tokio::test(flavor = "multi_thread")]
async fn a_tagged_mail_over_smtp_is_read_protected_outside_and_arrives_unchanged_inside() {
    let server = Sealmail::start_in_the_mail_flow("corp.test");
    server.add_user(ALICE, "Alice Sender", "a long demo password");

    let answer = server.submit(ALICE, &[BOB, DAVE], MAIL).await;
    assert!(answer.starts_with("250"), "{answer}");

    // Dave is inside: his copy is the mail as Alice wrote it, through the
    // relay — its subject tag, its text, no link to the portal.
    let to_dave = server.latest_mail_to(DAVE);
    assert_eq!(to_dave.subject, "[secure] Q3 numbers");
    assert!(
        to_dave
            .text
            .replace("\r\n", "\n")
            .contains("came in at 1.2 million, \nahead of plan."),
        "the original text, soft line break and all: {to_dave:?}"
    );
    assert!(!to_dave.text.contains("/m/"), "{to_dave:?}");
    // Bob is outside: a notification with a link, not the text.
    let bob_link = server.link_for(BOB);
    let notification = server.latest_mail_to(BOB);
    assert!(!notification.text.contains("revenue"), "{notification:?}");
    assert_eq!(
        server.outbox().iter().filter(|m| m.to == DAVE).count(),
        1,
        "Dave gets his copy once, and no notification"
    );

    // Bob opens the link in a real browser, asks for a passcode, gets it
    // by mail through the relay, and reads.
    let mut bob = Browser::start("smtp-leg-bob", "en").await;
    bob.open(&bob_link).await;
    bob.find("page-link").await;
    assert!(bob.text("sender").await.contains("Alice Sender"));
    bob.click("send-passcode").await;
    bob.find("passcode").await;
    let passcode = server.passcode_for(BOB);
    bob.type_into("passcode", &passcode).await;
    bob.click("submit-passcode").await;
    bob.find("page-message").await;
    assert_eq!(bob.text("subject").await, "Q3 numbers", "the tag taken out");
    let text = bob.text("body-text").await;
    assert!(
        text.contains("The revenue for the third quarter came in at 1.2 million, ahead of plan."),
        "the paragraph joined: {text:?}"
    );
    assert!(bob.text("from").await.contains(ALICE));
    bob.check_page("smtp-leg-message").await;
    bob.quit().await;
}
