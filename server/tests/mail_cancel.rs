//! Ending a message (revoke, expiry) or a recipient's access cancels the mail
//! still waiting in the queue for it, in the same transaction: a link or a
//! passcode that no longer opens is never mailed later. Mail to the sender
//! about their own message (a read receipt) still goes.

mod common;

use std::time::Duration;

use common::smtp_sink::{SmtpSink, free_port};
use common::*;
use sealmail::mail::delivery::Tally;
use sealmail::messages::{self, Outgoing};
use sealmail_api::admin::Delivery;

const WAIT: Duration = Duration::from_secs(10);
const DAVE: &str = "dave@example.com";

/// Sends a message to `to` without delivering its mail; returns the Message-ID.
async fn send_held(app: &TestApp, to: &[&str]) -> String {
    Outgoing::new(&app.state)
        .send(app.draft(to, &[]))
        .await
        .unwrap()
}

/// Each recipient's delivery, in the message's order.
async fn deliveries(app: &TestApp, message_id: &str) -> Vec<Option<Delivery>> {
    messages::status(&app.state, message_id)
        .await
        .unwrap()
        .recipients
        .into_iter()
        .map(|r| r.delivery)
        .collect()
}

#[tokio::test]
async fn a_message_revoked_while_its_relay_is_down_never_reaches_the_relay() {
    let port = free_port();
    let app = TestApp::with_relay(&format!("smtp://127.0.0.1:{port}"), &[]).await;
    let revoked = send_held(&app, &[BOB, CAROL]).await;
    send_held(&app, &[DAVE]).await;
    assert_eq!(app.deliver_mail().await.deferred, 3, "the relay is down");

    revoke(&app.state, &revoked).await.unwrap();
    assert!(
        deliveries(&app, &revoked)
            .await
            .iter()
            .all(|d| matches!(d, Some(Delivery::Cancelled { .. }))),
        "{:?}",
        deliveries(&app, &revoked).await
    );

    let relay = SmtpSink::start_on(port);
    app.make_mail_due().await;
    assert_eq!(
        app.deliver_mail().await,
        Tally {
            sent: 1,
            ..Tally::default()
        },
        "only the other message's mail is still due"
    );
    let mails = relay.wait_for(1, WAIT);
    std::thread::sleep(Duration::from_millis(300));
    let to: Vec<String> = relay.mails().into_iter().map(|m| m.rcpt_to).collect();
    assert_eq!(
        to,
        [DAVE],
        "nothing of the revoked message reached the relay"
    );
    assert_eq!(mails.len(), 1);

    let content: Option<Vec<u8>> = sealmail::store::on_db!(&app.state.db, |c| sqlx::query_scalar(
        "SELECT content FROM mail_queue WHERE state = 'cancelled' AND content IS NOT NULL",
    )
    .fetch_optional(c)
    .await)
    .unwrap();
    assert!(content.is_none(), "a cancelled mail keeps no sealed link");
}

#[tokio::test]
async fn an_expired_message_takes_its_waiting_notifications_with_it() {
    let app = TestApp::new().await;
    app.hold_mail();
    let mut draft = app.draft(&[BOB], &[]);
    draft.expires_at = Some(sealmail::store::now() + 3600);
    let expiring = app.send_draft(draft, &[]).await;
    let kept = send_held(&app, &[CAROL]).await;

    app.sql("UPDATE messages SET expires_at = created_at - 1 WHERE expires_at IS NOT NULL")
        .await;
    assert_eq!(messages::purge_expired(&app.state).await.unwrap(), 1);

    assert_eq!(app.deliver_mail().await.sent, 1);
    let to: Vec<String> = app.mails().into_iter().map(|m| m.to).collect();
    assert_eq!(to, [CAROL]);
    assert!(matches!(
        deliveries(&app, &expiring).await[..],
        [Some(Delivery::Cancelled { .. })]
    ));
    assert!(matches!(
        deliveries(&app, &kept).await[..],
        [Some(Delivery::Sent { .. })]
    ));
}

#[tokio::test]
async fn revoking_one_recipient_cancels_only_their_waiting_mail() {
    let app = TestApp::new().await;
    let message_id = send_held(&app, &[BOB, CAROL]).await;

    revoke_recipient(&app.state, &message_id, BOB)
        .await
        .unwrap();
    assert_eq!(app.deliver_mail().await.sent, 1);
    let to: Vec<String> = app.mails().into_iter().map(|m| m.to).collect();
    assert_eq!(to, [CAROL]);
    assert!(matches!(
        deliveries(&app, &message_id).await[..],
        [
            Some(Delivery::Cancelled { .. }),
            Some(Delivery::Sent { .. })
        ]
    ));
}

#[tokio::test]
async fn a_waiting_passcode_mail_is_cancelled_but_the_senders_read_receipt_still_goes() {
    let app = TestApp::new().await;
    let alice = app.sender(ALICE).await;
    let mut message = sender::message_to(&[BOB, CAROL]);
    message.read_receipt = Some(true);
    let message_id = alice.send(&message).await.message_id;

    // Bob opens it (his receipt to Alice is queued); Carol asks for a
    // passcode; neither mail has gone when Alice revokes.
    let bob = app.recipient(BOB);
    bob.request_passcode().await;
    let passcode = bob.passcode_from_mail();
    let carol = app.recipient(CAROL);
    app.hold_mail();
    bob.submit_passcode(&passcode).await;
    carol.request_passcode().await;
    let before = app.mails().len();
    revoke(&app.state, &message_id).await.unwrap();

    assert_eq!(app.deliver_mail().await.sent, 1);
    let after: Vec<(String, String)> = app.mails()[before..]
        .iter()
        .map(|m| (m.to.clone(), m.subject.clone()))
        .collect();
    assert_eq!(
        after,
        [(
            ALICE.to_owned(),
            "bob@example.net opened “Contract draft”".to_owned()
        )],
        "the receipt went; Carol's passcode did not"
    );
    let states: Vec<(String, String)> = sealmail::store::on_db!(&app.state.db, |c| sqlx::query_as(
        sqlx::AssertSqlSafe(format!(
            "SELECT kind, state FROM mail_queue WHERE kind = 'passcode' ORDER BY {rowid}",
            rowid = common::pg::rowid()
        ))
    )
    .fetch_all(c)
    .await)
    .unwrap();
    assert_eq!(
        states,
        [
            ("passcode".to_owned(), "sent".to_owned()),
            ("passcode".to_owned(), "cancelled".to_owned())
        ]
    );
}

#[tokio::test]
async fn a_mail_already_in_the_relays_hands_when_cancelled_is_recorded_as_sent() {
    use sealmail::store::mail_queue::{self, Outcome};
    let app = TestApp::new().await;
    let message_id = send_held(&app, &[BOB, CAROL]).await;
    let now = sealmail::store::now();
    let claimed = mail_queue::claim(&app.state.db, now, 60, 2, None)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 2);
    let (bob, carol) = match &claimed[..] {
        [a, b] if a.envelope_to == BOB => (a, b),
        [a, b] => (b, a),
        _ => unreachable!(),
    };

    revoke(&app.state, &message_id).await.unwrap();
    // Bob's try had reached the relay, which took it; Carol's had failed.
    let sent = mail_queue::finish(&app.state.db, &bob.id, 1, now, &Outcome::Sent)
        .await
        .unwrap();
    let deferred = Outcome::Deferred {
        error: "451 later".into(),
        next_try_at: now + 60,
    };
    let recorded = mail_queue::finish(&app.state.db, &carol.id, 1, now, &deferred)
        .await
        .unwrap();
    assert!(
        sent && !recorded,
        "what went out is recorded; a retry is not"
    );
    let states: Vec<String> = app
        .queued_mail()
        .await
        .into_iter()
        .map(|(_, state, _, _)| state)
        .collect();
    assert_eq!(states, ["sent", "cancelled"]);
    assert_eq!(app.deliver_mail().await, Tally::default());
}
