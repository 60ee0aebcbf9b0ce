//! Bounces: with `--bounce-domain`, each mail leaves with its own envelope
//! sender `bounce+ID@DOMAIN`; a delivery status notification (RFC 3464) that
//! comes back there marks that recipient bounced — through the function the
//! SMTP ingress will call, and through `sealmail bounce --eml FILE`.

mod common;

use std::time::Duration;

use common::bounce::{delivery_of_bob, dsn};
use common::cli::{fails, ok, run_sealmail};
use common::smtp_sink::SmtpSink;
use common::*;
use sealmail::mail::bounce::{self, Recorded};
use sealmail::messages::Outgoing;
use sealmail_api::admin::Delivery;

const DOMAIN: &str = "bounces.sealmail.test";

#[tokio::test]
async fn a_bounce_to_the_verp_address_marks_that_recipient_bounced() {
    let relay = SmtpSink::start();
    let app = TestApp::with_relay(&relay.url(""), &["--bounce-domain", DOMAIN]).await;
    let message_id = Outgoing::new(&app.state)
        .send(app.draft(&[BOB], &[]))
        .await
        .unwrap();
    app.deliver_mail().await;
    let sent = relay.wait_for(1, Duration::from_secs(10));
    let envelope_from = sent[0].mail_from.clone();
    assert!(
        envelope_from.starts_with("bounce+") && envelope_from.ends_with(&format!("@{DOMAIN}")),
        "{envelope_from}"
    );
    assert!(
        sent[0]
            .raw
            .contains("From: Sealmail <no-reply@sealmail.localhost>"),
        "the From header is unchanged"
    );
    assert!(matches!(
        delivery_of_bob(&app, &message_id).await,
        Some(Delivery::Sent { .. })
    ));

    // A delay notice changes nothing.
    let delayed = dsn(&envelope_from, "delayed", "4.4.1");
    assert_eq!(
        bounce::record(&app.state, delayed.as_bytes())
            .await
            .unwrap(),
        Recorded::NotAFailure {
            action: "delayed".into()
        }
    );

    let failed = dsn(&envelope_from, "failed", "5.1.1");
    match bounce::record(&app.state, failed.as_bytes()).await.unwrap() {
        Recorded::Bounced { address, reason } => {
            assert_eq!(address, BOB);
            assert!(
                reason.contains("5.1.1") && reason.contains("User unknown"),
                "{reason}"
            );
        }
        other => panic!("{other:?}"),
    }
    match delivery_of_bob(&app, &message_id).await {
        Some(Delivery::Bounced { reason, .. }) => {
            assert!(reason.contains("Recipient address rejected"), "{reason}")
        }
        other => panic!("not bounced: {other:?}"),
    }
    assert_eq!(
        bounce::record(&app.state, failed.as_bytes()).await.unwrap(),
        Recorded::AlreadyBounced {
            address: BOB.into()
        }
    );
}

#[tokio::test]
async fn sealmail_bounce_takes_a_file_and_refuses_what_is_not_a_bounce_of_ours() {
    let relay = SmtpSink::start();
    let app = TestApp::with_relay(&relay.url(""), &["--bounce-domain", DOMAIN]).await;
    let message_id = Outgoing::new(&app.state)
        .send(app.draft(&[BOB], &[]))
        .await
        .unwrap();
    app.deliver_mail().await;
    let envelope_from = relay.wait_for(1, Duration::from_secs(10))[0]
        .mail_from
        .clone();
    let files = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let path = files.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    };

    let not_a_dsn = write(
        "hello.eml",
        "From: a@b.test\r\nTo: c@d.test\r\n\r\nHello\r\n",
    );
    let error = fails(run_sealmail(
        &app.data_dir(),
        &["bounce", "--eml", &not_a_dsn],
        "",
    ));
    assert!(error.contains("bounce+ID@"), "{error}");
    let unknown = write(
        "unknown.eml",
        &dsn(
            &format!("bounce+{}@{DOMAIN}", "0".repeat(32)),
            "failed",
            "5.1.1",
        ),
    );
    let error = fails(run_sealmail(
        &app.data_dir(),
        &["bounce", "--eml", &unknown],
        "",
    ));
    assert!(error.contains("no record"), "{error}");
    assert!(
        matches!(
            delivery_of_bob(&app, &message_id).await,
            Some(Delivery::Sent { .. })
        ),
        "a refused bounce changes nothing"
    );

    let real = write("bounce.eml", &dsn(&envelope_from, "failed", "5.1.1"));
    let out = ok(run_sealmail(
        &app.data_dir(),
        &["bounce", "--eml", &real],
        "",
    ));
    assert!(out.starts_with(&format!("{BOB} : bounced")), "{out}");
    let status = ok(run_sealmail(
        &app.data_dir(),
        &["status", "--message-id", &message_id],
        "",
    ));
    assert!(
        status.contains(&format!("Delivery : {BOB} bounced at ")),
        "{status}"
    );
}

#[tokio::test]
async fn without_a_bounce_domain_the_envelope_sender_is_the_from_address() {
    let relay = SmtpSink::start();
    let app = TestApp::with_relay(&relay.url(""), &[]).await;
    app.send(&[BOB], &[], &[]).await;
    let sent = relay.wait_for(1, Duration::from_secs(10));
    assert_eq!(sent[0].mail_from, "no-reply@sealmail.localhost");
}
