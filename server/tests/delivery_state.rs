//! Each recipient's delivery — sent, deferred, bounced — as the sender's Sent
//! list, the admin status and the message trace show it, from a real relay.

mod common;

use common::sender::{DAVE, message_to};
use common::smtp_sink::SmtpSink;
use common::{ALICE, BOB, CAROL, TestApp};
use sealmail_api::admin::{Delivery, RecipientStatus, TraceQuery};

/// Bob's delivery is sent, Carol's bounced, Dave's deferred.
fn assert_deliveries(recipients: &[RecipientStatus]) {
    let of = |address: &str| {
        recipients
            .iter()
            .find(|r| r.recipient.address == address)
            .and_then(|r| r.delivery.clone())
    };
    assert!(
        matches!(of(BOB), Some(Delivery::Sent { .. })),
        "{:?}",
        of(BOB)
    );
    match of(CAROL) {
        Some(Delivery::Bounced { reason, .. }) => {
            assert!(
                reason.contains("(550)") && reason.contains("No such user"),
                "{reason}"
            )
        }
        other => panic!("Carol: {other:?}"),
    }
    match of(DAVE) {
        Some(Delivery::Deferred {
            last_error,
            attempts: 1,
            next_try_at,
        }) => {
            assert!(
                last_error.contains("(451)") && last_error.contains("Greylisted"),
                "{last_error}"
            );
            assert!(next_try_at.0.ends_with('Z'), "{next_try_at:?}");
        }
        other => panic!("Dave: {other:?}"),
    }
}

#[tokio::test]
async fn the_sent_list_the_admin_status_and_the_trace_show_each_recipients_delivery() {
    let relay = SmtpSink::start();
    relay.answer(CAROL, "550 5.1.1 No such user here");
    relay.answer(DAVE, "451 4.7.1 Greylisted, come back later");
    let app = TestApp::with_relay(&relay.url(""), &[]).await;
    let alice = app.sender(ALICE).await;
    let admin = app.admin().await;
    let composed = alice.send(&message_to(&[BOB, CAROL, DAVE])).await;
    assert_eq!(
        relay.wait_for(1, std::time::Duration::from_secs(10)).len(),
        1
    );

    let sent = alice.sent().await;
    assert_deliveries(&sent.messages[0].recipients);

    let status = admin.status(&composed.message_id).await;
    assert_deliveries(&status.recipients);

    let query = TraceQuery {
        recipient: Some("example".into()),
        ..TraceQuery::default()
    };
    let trace = admin.trace(&query).await;
    assert_deliveries(&trace.messages[0].recipients);
}
