//! Bounces of Sealmail's own mail come back over SMTP, from anywhere, to the
//! mail's VERP envelope sender `bounce+ID@DOMAIN` (`--bounce-domain`): the
//! envelope names the mail, and its recipient is marked bounced.

mod common;

use std::time::Duration;

use common::bounce::{delivery_of_bob, dsn};
use common::smtp_sink::SmtpSink;
use common::*;
use sealmail::messages::Outgoing;
use sealmail_api::admin::Delivery;

const DOMAIN: &str = "bounces.sealmail.test";

#[tokio::test]
async fn a_bounce_to_the_verp_address_over_smtp_marks_the_recipient_bounced() {
    let relay = SmtpSink::start();
    let app = TestApp::with_relay(&relay.url(""), &["--bounce-domain", DOMAIN]).await;
    let message_id = Outgoing::new(&app.state)
        .send(app.draft(&[BOB], &[]))
        .await
        .unwrap();
    app.deliver_mail().await;
    let bounce_address = relay.wait_for(1, Duration::from_secs(10))[0]
        .mail_from
        .clone();
    assert!(matches!(
        delivery_of_bob(&app, &message_id).await,
        Some(Delivery::Sent { .. })
    ));

    // No trusted network, no AUTH: a stranger's mail server.
    let listener = app.smtp_listener(&["--bounce-domain", DOMAIN]).await;
    let mut smtp = listener.raw().await;
    smtp.command("EHLO mx.example.net").await;
    assert_eq!(smtp.command("MAIL FROM:<>").await.code, 250);
    let unknown = format!("bounce+{}@{DOMAIN}", "0".repeat(32));
    assert_eq!(
        smtp.command(&format!("RCPT TO:<{unknown}>")).await.code,
        550,
        "a mail Sealmail never sent"
    );
    assert_eq!(
        smtp.command(&format!("RCPT TO:<{BOB}>")).await.code,
        554,
        "anything but a bounce is relaying, denied to a stranger"
    );
    assert_eq!(
        smtp.command(&format!("RCPT TO:<{bounce_address}>"))
            .await
            .code,
        250
    );
    assert_eq!(smtp.command("DATA").await.code, 354);
    smtp.write(dsn("postmaster@sealmail.test", "failed", "5.1.1").as_bytes())
        .await;
    let taken = smtp.command(".").await;
    assert_eq!(taken.code, 250, "{taken:?}");

    match delivery_of_bob(&app, &message_id).await {
        Some(Delivery::Bounced { reason, .. }) => {
            assert!(
                reason.contains("5.1.1") && reason.contains("User unknown"),
                "{reason}"
            )
        }
        other => panic!("not bounced: {other:?}"),
    }
    assert_eq!(app.rows_in("messages").await, 1, "nothing new stored");
}

#[tokio::test]
async fn a_notice_that_is_not_a_failure_is_taken_and_changes_nothing() {
    let relay = SmtpSink::start();
    let app = TestApp::with_relay(&relay.url(""), &["--bounce-domain", DOMAIN]).await;
    let message_id = Outgoing::new(&app.state)
        .send(app.draft(&[BOB], &[]))
        .await
        .unwrap();
    app.deliver_mail().await;
    let bounce_address = relay.wait_for(1, Duration::from_secs(10))[0]
        .mail_from
        .clone();
    let listener = app.smtp_listener(&["--bounce-domain", DOMAIN]).await;
    let mut smtp = listener.raw().await;
    smtp.command("EHLO mx.example.net").await;
    smtp.command("MAIL FROM:<>").await;
    smtp.command(&format!("RCPT TO:<{bounce_address}>")).await;
    smtp.command("DATA").await;
    smtp.write(dsn("postmaster@sealmail.test", "delayed", "4.4.1").as_bytes())
        .await;
    assert_eq!(smtp.command(".").await.code, 250);
    // An out-of-office reply to the bounce address: taken, nothing changes.
    smtp.command("MAIL FROM:<>").await;
    smtp.command(&format!("RCPT TO:<{bounce_address}>")).await;
    smtp.command("DATA").await;
    smtp.write(b"Subject: Out of office\r\n\r\nBack on Monday.\r\n")
        .await;
    assert_eq!(smtp.command(".").await.code, 250);
    assert!(matches!(
        delivery_of_bob(&app, &message_id).await,
        Some(Delivery::Sent { .. })
    ));
}
