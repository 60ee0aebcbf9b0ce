//! Delivery through a real SMTP server process on loopback (aiosmtpd, see
//! `tests/smtp_sink.py`), with the server's real SMTP transport: a relay that
//! is down, that defers, that bounces, that wants AUTH or TLS.

mod common;

use std::time::Duration;

use common::smtp_sink::{SmtpSink, free_port};
use common::*;
use sealmail::mail::delivery::Tally;
use sealmail::messages::Outgoing;
use sealmail_api::admin::{Delivery, RecipientStatus};

const WAIT: Duration = Duration::from_secs(10);

/// Sends a message to `to` without delivering its mail; returns the Message-ID.
async fn send_held(app: &TestApp, to: &[&str]) -> String {
    Outgoing::new(&app.state)
        .send(app.draft(to, &[]))
        .await
        .unwrap()
}

/// Each recipient's delivery, by address.
async fn deliveries(app: &TestApp, message_id: &str) -> Vec<(String, Option<Delivery>)> {
    let status = sealmail::messages::status(&app.state, message_id)
        .await
        .unwrap();
    status
        .recipients
        .into_iter()
        .map(|r: RecipientStatus| (r.recipient.address, r.delivery))
        .collect()
}

#[tokio::test]
async fn a_relay_down_at_send_time_gets_the_mail_once_it_is_up() {
    let port = free_port();
    let app = TestApp::with_relay(&format!("smtp://127.0.0.1:{port}"), &[]).await;
    let message_id = send_held(&app, &[BOB]).await;

    let tally = app.deliver_mail().await;
    assert_eq!(
        tally,
        Tally {
            deferred: 1,
            ..Tally::default()
        }
    );
    match &deliveries(&app, &message_id).await[0].1 {
        Some(Delivery::Deferred {
            last_error,
            attempts: 1,
            ..
        }) => assert!(last_error.contains("SMTP delivery failed"), "{last_error}"),
        other => panic!("not deferred: {other:?}"),
    }
    assert_eq!(
        app.deliver_mail().await,
        Tally::default(),
        "not due again before its back-off"
    );

    let relay = SmtpSink::start_on(port);
    app.make_mail_due().await;
    assert_eq!(app.deliver_mail().await.sent, 1);
    let mails = relay.wait_for(1, WAIT);
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].rcpt_to, BOB);
    assert_eq!(mails[0].subject, "Quarterly numbers");
    assert!(mails[0].text.contains("http://portal.test/m/"));
    assert!(matches!(
        deliveries(&app, &message_id).await[0].1,
        Some(Delivery::Sent { .. })
    ));
}

#[tokio::test]
async fn a_4xx_answer_defers_the_mail_and_a_later_try_delivers_it() {
    let relay = SmtpSink::start();
    relay.answer(BOB, "451 4.3.0 Mailbox busy, try again later");
    let app = TestApp::with_relay(&relay.url(""), &[]).await;
    let message_id = send_held(&app, &[BOB]).await;

    assert_eq!(app.deliver_mail().await.deferred, 1);
    match &deliveries(&app, &message_id).await[0].1 {
        Some(Delivery::Deferred { last_error, .. }) => {
            assert!(last_error.contains("451"), "{last_error}")
        }
        other => panic!("not deferred: {other:?}"),
    }
    assert!(relay.mails().is_empty());

    relay.accept_all();
    app.make_mail_due().await;
    assert_eq!(app.deliver_mail().await.sent, 1);
    assert_eq!(relay.wait_for(1, WAIT).len(), 1);
    let queued = app.queued_mail().await;
    assert_eq!((queued[0].1.as_str(), queued[0].2), ("sent", 2));
}

#[tokio::test]
async fn a_5xx_answer_bounces_that_recipient_only_and_is_not_retried() {
    let relay = SmtpSink::start();
    relay.answer(CAROL, "550 5.1.1 No such user here");
    let app = TestApp::with_relay(&relay.url(""), &[]).await;
    let message_id = send_held(&app, &[BOB, CAROL]).await;

    let tally = app.deliver_mail().await;
    assert_eq!((tally.sent, tally.bounced), (1, 1));
    let by_address = deliveries(&app, &message_id).await;
    assert!(matches!(by_address[0], (ref a, Some(Delivery::Sent { .. })) if a == BOB));
    match &by_address[1] {
        (address, Some(Delivery::Bounced { reason, .. })) if address == CAROL => {
            assert!(reason.contains("550"), "{reason}")
        }
        other => panic!("Carol not bounced: {other:?}"),
    }

    app.make_mail_due().await;
    assert_eq!(app.deliver_mail().await, Tally::default(), "no retry");
    let mails = relay.wait_for(1, WAIT);
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].rcpt_to, BOB);
}

#[tokio::test]
async fn many_mails_go_out_together_over_a_few_reused_connections() {
    let relay = SmtpSink::start();
    let app = TestApp::with_relay(&relay.url(""), &["--mail-concurrency", "4"]).await;
    let recipients: Vec<String> = (0..30).map(|i| format!("r{i}@example.net")).collect();
    let refs: Vec<&str> = recipients.iter().map(String::as_str).collect();
    send_held(&app, &refs).await;

    assert_eq!(app.deliver_mail().await.sent, 30);
    let mails = relay.wait_for(30, WAIT);
    let mut to: Vec<&str> = mails.iter().map(|m| m.rcpt_to.as_str()).collect();
    to.sort();
    to.dedup();
    assert_eq!(to.len(), 30, "each recipient once");
    // One connection per mail in flight, each reused for the next mail.
    assert!(
        relay.sessions() <= 4,
        "{} SMTP sessions for 30 mails, 4 at once: connections are not reused",
        relay.sessions()
    );
}

#[tokio::test]
async fn auth_with_the_urls_user_and_password() {
    let relay = SmtpSink::with_auth("sealmail", "s3cret pass");
    let good = relay
        .url("")
        .replace("smtp://", "smtp://sealmail:s3cret%20pass@");
    let app = TestApp::with_relay(&good, &[]).await;
    send_held(&app, &[BOB]).await;
    assert_eq!(app.deliver_mail().await.sent, 1);
    assert_eq!(relay.wait_for(1, WAIT)[0].rcpt_to, BOB);

    // Wrong credentials are ours to fix, not the recipient's: deferred, not bounced.
    let bad = relay.url("").replace("smtp://", "smtp://sealmail:wrong@");
    let app = TestApp::with_relay(&bad, &[]).await;
    let message_id = send_held(&app, &[CAROL]).await;
    assert_eq!(app.deliver_mail().await.deferred, 1);
    match &deliveries(&app, &message_id).await[0].1 {
        Some(Delivery::Deferred { last_error, .. }) => {
            assert!(last_error.contains("535"), "{last_error}")
        }
        other => panic!("not deferred: {other:?}"),
    }
    assert_eq!(relay.mails().len(), 1, "nothing sent without valid AUTH");
}

#[tokio::test]
async fn required_starttls_sends_nothing_to_a_relay_without_it() {
    let relay = SmtpSink::start();
    let app = TestApp::with_relay(&relay.url("?tls=required"), &[]).await;
    let message_id = send_held(&app, &[BOB]).await;

    assert_eq!(app.deliver_mail().await.deferred, 1);
    match &deliveries(&app, &message_id).await[0].1 {
        Some(Delivery::Deferred { last_error, .. }) => assert!(
            last_error.to_ascii_lowercase().contains("tls"),
            "{last_error}"
        ),
        other => panic!("not deferred: {other:?}"),
    }
    assert!(relay.mails().is_empty(), "no mail in the clear");

    // Opportunistic STARTTLS goes on in the clear when the relay has none.
    let app = TestApp::with_relay(&relay.url("?tls=opportunistic"), &[]).await;
    send_held(&app, &[BOB]).await;
    assert_eq!(app.deliver_mail().await.sent, 1);
    assert_eq!(relay.wait_for(1, WAIT).len(), 1);
}

#[tokio::test]
async fn a_relay_that_never_answers_defers_the_mail_after_the_timeout() {
    let relay = SmtpSink::start();
    relay.answer(BOB, "hang");
    let app = TestApp::with_relay(&relay.url(""), &["--smtp-timeout", "1s"]).await;
    let message_id = send_held(&app, &[BOB]).await;

    let start = std::time::Instant::now();
    assert_eq!(app.deliver_mail().await.deferred, 1);
    assert!(start.elapsed() < Duration::from_secs(8), "the timeout held");

    // The stuck connection is not reused: the next mail goes out.
    relay.accept_all();
    send_held(&app, &[CAROL]).await;
    assert_eq!(app.deliver_mail().await.sent, 1);
    assert_eq!(relay.wait_for(1, WAIT)[0].rcpt_to, CAROL);
    match &deliveries(&app, &message_id).await[0].1 {
        Some(Delivery::Deferred { last_error, .. }) => assert!(
            last_error.to_ascii_lowercase().contains("timed out")
                || last_error.to_ascii_lowercase().contains("timeout"),
            "{last_error}"
        ),
        other => panic!("not deferred: {other:?}"),
    }
}

#[tokio::test]
async fn a_mail_is_given_up_after_the_configured_time() {
    let port = free_port();
    let app = TestApp::with_relay(
        &format!("smtp://127.0.0.1:{port}"),
        &["--mail-give-up", "1h"],
    )
    .await;
    let message_id = send_held(&app, &[BOB]).await;
    assert_eq!(app.deliver_mail().await.deferred, 1);
    // Two hours pass with the relay down.
    app.sql("UPDATE mail_queue SET created_at = created_at - 7200, next_try_at = 0")
        .await;

    assert_eq!(app.deliver_mail().await.gave_up, 1);
    match &deliveries(&app, &message_id).await[0].1 {
        Some(Delivery::GaveUp { attempts: 2, .. }) => {}
        other => panic!("not given up: {other:?}"),
    }
    let content: Option<Vec<u8>> = sealmail::store::on_db!(&app.state.db, |c| sqlx::query_scalar(
        "SELECT content FROM mail_queue"
    )
    .fetch_one(c)
    .await)
    .unwrap();
    assert_eq!(content, None, "a given-up mail's link is not kept");
}

#[tokio::test]
async fn a_relay_that_drops_the_connection_mid_data_defers_the_mail() {
    let relay = SmtpSink::start();
    relay.answer(BOB, "drop-in-data");
    let app = TestApp::with_relay(&relay.url(""), &[]).await;
    let message_id = send_held(&app, &[BOB]).await;

    assert_eq!(app.deliver_mail().await.deferred, 1);
    match &deliveries(&app, &message_id).await[0].1 {
        Some(Delivery::Deferred { last_error, .. }) => {
            assert!(last_error.contains("SMTP delivery failed"), "{last_error}")
        }
        other => panic!("not deferred: {other:?}"),
    }
    assert!(relay.mails().is_empty());

    relay.accept_all();
    app.make_mail_due().await;
    assert_eq!(app.deliver_mail().await.sent, 1);
    assert_eq!(relay.wait_for(1, WAIT).len(), 1, "delivered once");
}

#[tokio::test]
async fn a_relay_restarted_between_two_mails_takes_the_next_one_at_once() {
    let port = free_port();
    let relay = SmtpSink::start_on(port);
    let app = TestApp::with_relay(&relay.url(""), &[]).await;
    send_held(&app, &[BOB]).await;
    assert_eq!(app.deliver_mail().await.sent, 1);
    assert_eq!(relay.wait_for(1, WAIT)[0].rcpt_to, BOB);

    // The connection kept for the next mail dies with the relay.
    drop(relay);
    let relay = SmtpSink::start_on(port);
    send_held(&app, &[CAROL]).await;
    assert_eq!(
        app.deliver_mail().await,
        Tally {
            sent: 1,
            ..Tally::default()
        },
        "a dead pooled connection is replaced, not a reason to defer"
    );
    assert_eq!(relay.wait_for(1, WAIT)[0].rcpt_to, CAROL);
}

#[tokio::test]
async fn mails_on_one_connection_do_not_wait_for_the_relays_delayed_ack() {
    let relay = SmtpSink::start();
    let app = TestApp::with_relay(&relay.url(""), &["--mail-concurrency", "1"]).await;
    let recipients: Vec<String> = (0..100).map(|i| format!("r{i}@example.net")).collect();
    let refs: Vec<&str> = recipients.iter().map(String::as_str).collect();
    send_held(&app, &refs).await;

    let start = std::time::Instant::now();
    assert_eq!(app.deliver_mail().await.sent, 100);
    let took = start.elapsed();
    // With Nagle on, the end of each DATA waits for the relay's delayed
    // ACK (40 ms or more on Linux): 100 mails would take 4 s or more.
    assert!(
        took < Duration::from_millis(2500),
        "100 mails over one connection took {took:?}: is TCP_NODELAY set?"
    );
    assert_eq!(relay.sessions(), 1);
    assert_eq!(relay.wait_for(100, WAIT).len(), 100);
}

#[tokio::test]
async fn an_unknown_relay_host_defers_the_mail_and_says_why() {
    // `.invalid` never resolves (RFC 2606).
    let app = TestApp::with_relay("smtp://no-such-relay.invalid:25", &[]).await;
    let message_id = send_held(&app, &[BOB]).await;
    assert_eq!(app.deliver_mail().await.deferred, 1);
    match &deliveries(&app, &message_id).await[0].1 {
        Some(Delivery::Deferred { last_error, .. }) => {
            assert!(last_error.contains("no-such-relay.invalid"), "{last_error}");
        }
        other => panic!("not deferred: {other:?}"),
    }
}
