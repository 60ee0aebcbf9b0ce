//! Every mail goes through the queue in the database: queued in the same
//! transaction as what causes it, sealed, then sent by the delivery worker.

mod common;

use std::time::Duration;

use common::*;
use sealmail::mail::delivery::{self, Tally};
use sealmail::mail::queue::RetryPolicy;
use sealmail::messages::Outgoing;
use sealmail_api::admin::Delivery;

/// Sends a message to `to` without delivering its mail; returns the Message-ID.
async fn send_held(app: &TestApp, to: &[&str]) -> String {
    Outgoing::new(&app.state)
        .send(app.draft(to, &[]))
        .await
        .unwrap()
}

#[tokio::test]
async fn a_new_message_queues_its_notifications_and_sends_nothing_inline() {
    let app = TestApp::new().await;
    let message_id = send_held(&app, &[BOB, CAROL]).await;

    assert!(app.mailer.sent().is_empty(), "nothing went out inline");
    let queued = app.queued_mail().await;
    assert_eq!(queued.len(), 2);
    assert!(
        queued
            .iter()
            .all(|(kind, state, attempts, _)| kind == "notification"
                && state == "queued"
                && *attempts == 0)
    );
    let status = sealmail::messages::status(&app.state, &message_id)
        .await
        .unwrap();
    assert!(
        status
            .recipients
            .iter()
            .all(|r| r.delivery == Some(Delivery::Queued))
    );

    let tally = app.deliver_mail().await;
    assert_eq!(
        tally,
        Tally {
            sent: 2,
            ..Tally::default()
        }
    );
    assert!(app.mailer.last_to(BOB).is_some() && app.mailer.last_to(CAROL).is_some());
    let status = sealmail::messages::status(&app.state, &message_id)
        .await
        .unwrap();
    assert!(
        status
            .recipients
            .iter()
            .all(|r| matches!(r.delivery, Some(Delivery::Sent { .. })))
    );
    assert_eq!(
        app.deliver_mail().await,
        Tally::default(),
        "a sent mail is not sent again"
    );
    assert_eq!(app.mailer.sent().len(), 2);
}

#[tokio::test]
async fn a_queued_mail_is_stored_sealed_and_wiped_once_sent() {
    let app = TestApp::new().await;
    send_held(&app, &[BOB]).await;
    let (content, envelope_to): (Vec<u8>, String) =
        sealmail::store::on_db!(&app.state.db, |c| sqlx::query_as(
            "SELECT content, envelope_to FROM mail_queue"
        )
        .fetch_one(c)
        .await)
        .unwrap();
    assert_eq!(envelope_to, BOB);

    app.deliver_mail().await;
    let token = app.token_for(BOB);
    let text = String::from_utf8_lossy(&content);
    for clear in [
        token.as_str(),
        "/m/",
        "Quarterly numbers",
        "protected message",
    ] {
        assert!(!text.contains(clear), "the queue holds `{clear}` in clear");
    }
    let left: Option<Vec<u8>> = sealmail::store::on_db!(&app.state.db, |c| sqlx::query_scalar(
        "SELECT content FROM mail_queue"
    )
    .fetch_one(c)
    .await)
    .unwrap();
    assert_eq!(left, None, "a sent mail's content (its link) is not kept");
}

#[tokio::test]
async fn a_passcode_is_queued_with_its_mail_and_only_the_newest_goes_out() {
    let app = TestApp::new().await;
    app.send(&[BOB], &[], &[]).await;
    let token = app.token_for(BOB);
    app.hold_mail();
    assert_eq!(
        app.recipient_with_link(BOB, &token)
            .request_passcode()
            .response()
            .await
            .status,
        200
    );
    assert_eq!(
        app.recipient_with_link(BOB, &token)
            .request_passcode()
            .response()
            .await
            .status,
        200
    );
    let passcodes: Vec<(String, String)> = app
        .queued_mail()
        .await
        .into_iter()
        .filter(|(kind, ..)| kind == "passcode")
        .map(|(kind, state, ..)| (kind, state))
        .collect();
    assert_eq!(
        passcodes,
        [
            ("passcode".to_owned(), "expired".to_owned()),
            ("passcode".to_owned(), "queued".to_owned())
        ],
        "the first passcode's mail is dropped: the second replaced it"
    );

    assert_eq!(app.deliver_mail().await.sent, 1);
    let passcode = app.passcode_for(BOB);
    assert_eq!(
        app.recipient_with_link(BOB, &token)
            .submit_passcode(&passcode)
            .response()
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn a_passcode_mail_not_sent_before_its_passcode_expires_is_dropped() {
    let app = TestApp::new().await;
    app.send(&[BOB], &[], &[]).await;
    let token = app.token_for(BOB);
    app.hold_mail();
    app.recipient_with_link(BOB, &token)
        .request_passcode()
        .await;
    // Ten minutes pass before the worker gets to it (the relay was down).
    app.sql("UPDATE mail_queue SET expires_at = 1 WHERE kind = 'passcode'")
        .await;

    assert_eq!(app.deliver_mail().await, Tally::default());
    assert!(
        app.mailer
            .sent()
            .iter()
            .all(|m| m.subject != "Your one-time passcode"),
        "a stale passcode is never sent"
    );
    let states: Vec<String> = app
        .queued_mail()
        .await
        .into_iter()
        .filter(|(kind, ..)| kind == "passcode")
        .map(|(_, state, ..)| state)
        .collect();
    assert_eq!(states, ["expired"]);
}

#[tokio::test]
async fn a_failed_passcode_request_queues_no_mail() {
    let app = TestApp::new().await;
    app.send(&[BOB], &[], &[]).await;
    let token = app.token_for(BOB);
    for _ in 0..5 {
        assert_eq!(
            app.recipient_with_link(BOB, &token)
                .request_passcode()
                .response()
                .await
                .status,
            200
        );
    }
    let before = app.queued_mail().await.len();
    let refused = app
        .recipient_with_link(BOB, &token)
        .request_passcode()
        .response()
        .await;
    assert_eq!(refused.status, 429, "the hourly limit");
    assert_eq!(
        app.queued_mail().await.len(),
        before,
        "no mail without its passcode"
    );
}

#[tokio::test]
async fn concurrent_delivery_passes_send_each_mail_exactly_once() {
    let app = TestApp::new().await;
    let recipients: Vec<String> = (0..40).map(|i| format!("r{i}@example.net")).collect();
    let refs: Vec<&str> = recipients.iter().map(String::as_str).collect();
    send_held(&app, &refs).await;

    // Four workers at once, as with four server processes on one database.
    let passes = (0..4).map(|_| {
        let state = app.state.clone();
        tokio::spawn(async move { delivery::deliver_due(&state).await.unwrap() })
    });
    let mut sent = 0;
    for pass in passes {
        sent += pass.await.unwrap().sent;
    }
    assert_eq!(sent, 40);
    let mut addresses: Vec<String> = app
        .mailer
        .sent()
        .into_iter()
        .map(|m| m.to.address)
        .collect();
    addresses.sort();
    addresses.dedup();
    assert_eq!(addresses.len(), 40, "each recipient got exactly one mail");
    assert_eq!(app.mailer.sent().len(), 40);
}

#[tokio::test]
async fn a_mail_altered_in_the_database_is_given_up_not_sent() {
    let app = TestApp::new().await;
    send_held(&app, &[BOB, CAROL]).await;
    // Someone with write access to the database redirects Bob's mail (and
    // the link in it) to themselves.
    app.sql("UPDATE mail_queue SET envelope_to = 'mallory@evil.test' WHERE envelope_to = 'bob@example.net'")
        .await;

    let tally = app.deliver_mail().await;
    assert_eq!((tally.sent, tally.gave_up), (1, 1));
    assert!(app.mailer.last_to("mallory@evil.test").is_none());
    assert!(app.mailer.last_to(CAROL).is_some());
}

#[tokio::test]
async fn the_worker_wakes_when_mail_is_queued_without_polling() {
    let app = TestApp::new().await;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let worker = tokio::spawn(delivery::run_worker(app.state.clone(), async {
        let _ = stopped.await;
    }));
    // Let it find the queue empty and go to sleep (for up to a minute).
    tokio::time::sleep(Duration::from_millis(200)).await;

    send_held(&app, &[BOB]).await;
    let start = std::time::Instant::now();
    while app.mailer.last_to(BOB).is_none() {
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "the worker was not woken by the new mail"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop.send(()).unwrap();
    worker.await.unwrap();
    assert_eq!(app.queued_mail().await[0].1, "sent");
}

#[test]
fn the_back_off_doubles_from_the_minimum_up_to_the_maximum_with_jitter() {
    let policy = RetryPolicy {
        retry_min: Duration::from_secs(60),
        retry_max: Duration::from_secs(3600),
        give_up: Duration::from_secs(2 * 86_400),
        lease: Duration::from_secs(300),
        concurrency: 8,
    };
    for (attempt, base) in [
        (1, 60),
        (2, 120),
        (3, 240),
        (6, 1920),
        (7, 3600),
        (40, 3600),
    ] {
        let waits: Vec<f64> = (0..50)
            .map(|_| policy.backoff(attempt).as_secs_f64())
            .collect();
        let base = f64::from(base);
        assert!(
            waits.iter().all(|w| *w >= base && *w <= base * 1.25),
            "try {attempt}: {waits:?} not within {base}…{}",
            base * 1.25
        );
        assert!(
            waits.iter().any(|w| *w != waits[0]),
            "try {attempt}: no jitter in {waits:?}"
        );
    }
}

#[tokio::test]
async fn a_message_to_many_recipients_gives_each_their_own_link_and_one_mail() {
    let app = TestApp::new().await;
    let alice = app.sender(ALICE).await;
    // Enough that the notifications are prepared on several threads.
    let addresses: Vec<String> = (0..150).map(|i| format!("r{i}@example.net")).collect();
    let to: Vec<&str> = addresses.iter().map(String::as_str).collect();
    alice.send(&common::sender::message_to(&to)).await;
    while app.deliver_mail().await.sent > 0 {}
    let mails = app.mails();
    assert_eq!(mails.len(), 150);
    let mut tokens = std::collections::HashSet::new();
    for address in &addresses {
        let theirs: Vec<_> = mails.iter().filter(|m| &m.to == address).collect();
        assert_eq!(theirs.len(), 1, "{address}");
        tokens.insert(app.token_for(address));
    }
    assert_eq!(tokens.len(), 150, "every link is its own");
    // The link in a mail is the link of that recipient: its passcode goes to them.
    let last = &addresses[149];
    app.recipient_with_link(last, &app.token_for(last))
        .request_passcode()
        .await;
    while app.deliver_mail().await.sent > 0 {}
    let newest = app.mails().pop().unwrap();
    assert_eq!(&newest.to, last);
    assert!(
        !newest.text.contains("/m/"),
        "a passcode mail, not a notification"
    );
}
