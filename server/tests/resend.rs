//! Resending a notification: the recipient gets a new link through the
//! queue, the old link stops working, and it is audited; refused for a
//! revoked message or recipient and for a stranger.

mod common;

use common::cli::{ok, run_sealmail};
use common::sender::message_to;
use common::{ALICE, BOB, CAROL, TestApp};
use sealmail_api::ErrorCode;
use sealmail_api::admin::{AuditKind, AuditOutcome, AuditQuery};

#[tokio::test]
async fn a_resent_notification_carries_a_new_link_and_the_old_one_stops_working() {
    let app = TestApp::new().await;
    let alice = app.sender(ALICE).await;
    let composed = alice.send(&message_to(&[BOB, CAROL])).await;
    let old = app.recipient(BOB).signed_in().await;
    let carol_token = app.token_for(CAROL);

    alice.resend(&composed.id, BOB).await;

    let new_token = app.token_for(BOB);
    assert_ne!(new_token, old.token(), "a new link");
    assert_eq!(old.open_link().code().await, ErrorCode::LinkUnknown);
    assert_eq!(old.read().code().await, ErrorCode::LinkUnknown);
    // The new link works all the way; Carol's is untouched.
    let bob = app.recipient(BOB).signed_in().await;
    assert_eq!(bob.read().await.subject, message_to(&[BOB]).subject);
    assert_eq!(app.token_for(CAROL), carol_token);
    app.recipient(CAROL).open_link().await;

    let admin = app.admin().await;
    let events = admin
        .audit(&AuditQuery {
            kind: Some(AuditKind::NotificationResent),
            ..Default::default()
        })
        .await
        .events;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].outcome, AuditOutcome::Success);
    assert_eq!(events[0].recipient.as_deref(), Some(BOB));
    assert_eq!(events[0].actor.as_deref(), Some(ALICE));
}

#[tokio::test]
async fn a_notification_still_waiting_with_the_old_link_is_dropped() {
    let app = TestApp::new().await;
    let alice = app.sender(ALICE).await;
    app.hold_mail();
    let composed = alice.send(&message_to(&[BOB])).await;
    alice.resend(&composed.id, BOB).await;
    let states: Vec<String> = app
        .queued_mail()
        .await
        .into_iter()
        .filter(|(kind, ..)| kind == "notification")
        .map(|(_, state, ..)| state)
        .collect();
    assert_eq!(states, ["expired", "queued"], "only the new link goes out");
    assert_eq!(app.deliver_mail().await.sent, 1);
    assert_eq!(app.mails().len(), 1, "the old link never went out");
    app.recipient(BOB).open_link().await;
}

#[tokio::test]
async fn an_admin_resends_by_message_id_and_refusals_have_their_codes() {
    let app = TestApp::new().await;
    let alice = app.sender(ALICE).await;
    let admin = app.admin().await;
    let composed = alice.send(&message_to(&[BOB, CAROL])).await;
    let old = app.token_for(BOB);
    let status = admin.resend(&composed.message_id, BOB).await;
    assert_eq!(status.recipients.len(), 2);
    assert_ne!(app.token_for(BOB), old);

    assert_eq!(
        admin
            .resend(&composed.message_id, "eve@example.com")
            .code()
            .await,
        ErrorCode::NotFound
    );
    alice.revoke(&composed.id).only(CAROL).await;
    assert_eq!(
        alice.resend(&composed.id, CAROL).code().await,
        ErrorCode::AlreadyRevoked
    );
    // Another sender cannot see the message, let alone resend it.
    let dave = app.sender(common::sender::DAVE).await;
    assert_eq!(
        dave.resend(&composed.id, BOB).code().await,
        ErrorCode::NotFound
    );
    alice.revoke(&composed.id).await;
    let before = app.mails().len();
    assert_eq!(
        alice.resend(&composed.id, BOB).code().await,
        ErrorCode::MessageRevoked
    );
    assert_eq!(app.mails().len(), before, "nothing mailed");
    let failures = admin
        .audit(&AuditQuery {
            kind: Some(AuditKind::NotificationResent),
            outcome: Some(AuditOutcome::Failure),
            ..Default::default()
        })
        .await
        .events;
    assert_eq!(failures.len(), 3, "each refusal with a message is audited");
}

#[test]
fn sealmail_resend_mails_a_new_link_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    ok(run_sealmail(
        &data,
        &["user", "add", "--email", ALICE, "--password-stdin"],
        "correct horse battery\n",
    ));
    let message_id = ok(run_sealmail(
        &data,
        &[
            "send",
            "--from",
            ALICE,
            "--to",
            BOB,
            "--subject",
            "Contract",
        ],
        "body",
    ))
    .trim()
    .to_owned();
    let first = common::mail::token_in_outbox(&data, BOB);
    let out = ok(run_sealmail(
        &data,
        &["resend", "--message-id", &message_id, "--recipient", BOB],
        "",
    ));
    assert!(out.contains("the old link no longer works"), "{out}");
    let second = common::mail::token_in_outbox(&data, BOB);
    assert_ne!(first, second);
}
