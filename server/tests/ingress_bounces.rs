//! Bounces of Sealmail's own mail come back over SMTP, from anywhere, to the
//! mail's VERP envelope sender `bounce+ID@DOMAIN` (`--bounce-domain`): the
//! envelope names the mail, and its recipient is marked bounced.

mod common;

use std::time::Duration;

use common::smtp_sink::SmtpSink;
use common::*;
use sealmail::messages::Outgoing;
use sealmail_api::admin::Delivery;

const DOMAIN: &str = "bounces.sealmail.test";

/// A delivery status notification (RFC 3464) about Bob. Its headers do not
/// name the bounce address: over SMTP the envelope does.
fn dsn(action: &str) -> String {
    format!(
        "From: MAILER-DAEMON@mx.example.net (Mail Delivery System)\r\n\
         To: postmaster@sealmail.test\r\n\
         Subject: Undelivered Mail Returned to Sender\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: multipart/report; report-type=delivery-status; boundary=\"B1\"\r\n\
         \r\n\
         --B1\r\n\
         Content-Type: text/plain; charset=us-ascii\r\n\
         \r\n\
         Your message could not be delivered.\r\n\
         \r\n\
         --B1\r\n\
         Content-Type: message/delivery-status\r\n\
         \r\n\
         Reporting-MTA: dns; mx.example.net\r\n\
         \r\n\
         Final-Recipient: rfc822; {BOB}\r\n\
         Action: {action}\r\n\
         Status: 5.1.1\r\n\
         Diagnostic-Code: smtp; 550 5.1.1 <{BOB}>: User unknown\r\n\
         \r\n\
         --B1--\r\n"
    )
}

async fn delivery_of_bob(app: &TestApp, message_id: &str) -> Option<Delivery> {
    sealmail::messages::status(&app.state, message_id)
        .await
        .unwrap()
        .recipients[0]
        .delivery
        .clone()
}

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
    smtp.write(dsn("failed").as_bytes()).await;
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
    smtp.write(dsn("delayed").as_bytes()).await;
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
