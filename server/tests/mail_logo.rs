//! A branding template's logo is queued once for all the mails that carry
//! it, not sealed into each, and put back byte for byte when each is sent:
//! the mail the relay gets still shows it as an inline `cid:` image.

mod common;

use std::time::Duration;

use common::sender::message_to;
use common::smtp_sink::SmtpSink;
use common::*;
use mail_parser::MimeHeaders as _;
use sealmail_api::admin::{BrandingFields, BrandingTemplateInput};

const WAIT: Duration = Duration::from_secs(10);

/// A PNG-looking logo of `size` bytes that does not compress.
fn logo(size: usize) -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut x: u32 = 0x2545_f491;
    while png.len() < size {
        // xorshift: bytes a queue could not shrink by chance.
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        png.push(x as u8);
    }
    png
}

fn template() -> BrandingTemplateInput {
    BrandingTemplateInput {
        name: "Fabrikam".into(),
        is_default: true,
        fields: BrandingFields {
            organisation: Some("Fabrikam".into()),
            background_color: "#0b5cab".into(),
            introduction_text: None,
            read_button_text: None,
            email_text: None,
            disclaimer_text: None,
            portal_text: None,
            privacy_statement_url: None,
            passcode_enabled: true,
            expiry_days: None,
            language: None,
        },
    }
}

async fn queued_bytes(app: &TestApp) -> (i64, i64) {
    sealmail::store::on_db!(&app.state.db, |c| sqlx::query_as(
        "SELECT (SELECT COALESCE(SUM(LENGTH(content)), 0) FROM mail_queue),
                (SELECT COALESCE(SUM(LENGTH(block)), 0) FROM mail_logos)",
    )
    .fetch_one(c)
    .await)
    .unwrap()
}

#[tokio::test]
async fn ten_mails_with_a_logo_queue_it_once_and_each_delivered_mail_shows_it() {
    let relay = SmtpSink::start();
    let app = TestApp::with_relay(&relay.url(""), &[]).await;
    app.hold_mail();
    let admin = app.admin().await;
    let alice = app.sender(ALICE).await;
    let t = admin.create_template(&template()).await;
    let png = logo(300_000);
    admin.upload_logo(&t.id, "image/png", &png).await;
    let recipients: Vec<String> = (0..10).map(|i| format!("r{i}@example.net")).collect();
    let to: Vec<&str> = recipients.iter().map(String::as_str).collect();
    alice.send(&message_to(&to)).await;

    let (contents, logos) = queued_bytes(&app).await;
    let total = contents + logos;
    assert!(
        total < 2 * png.len() as i64,
        "{total} bytes queued for 10 mails with a {}-byte logo (contents {contents}, logos {logos})",
        png.len()
    );
    assert_eq!(app.rows_in("mail_logos").await, 1, "one logo, kept once");

    assert_eq!(app.deliver_mail().await.sent, 10);
    let mails = relay.wait_for(10, WAIT);
    let mut delivered: Vec<&str> = mails.iter().map(|m| m.rcpt_to.as_str()).collect();
    delivered.sort();
    let mut expected = to.clone();
    expected.sort();
    assert_eq!(delivered, expected);
    for mail in &mails {
        let parsed = mail_parser::MessageParser::default()
            .parse(mail.raw.as_bytes())
            .unwrap();
        let inline = parsed
            .attachments()
            .find(|part| part.content_id() == Some("logo@sealmail"))
            .unwrap_or_else(|| panic!("no inline logo in the mail to {}", mail.rcpt_to));
        assert_eq!(inline.contents(), png.as_slice());
        let html = parsed.body_html(0).unwrap();
        assert!(html.contains("src=\"cid:logo@sealmail\""), "{html}");
        assert!(mail.text.contains("http://portal.test/m/"));
    }

    // Once every mail that needed it has gone, the logo goes too.
    sealmail::messages::purge_expired(&app.state).await.unwrap();
    assert_eq!(app.rows_in("mail_logos").await, 0);
}

#[tokio::test]
async fn a_logo_row_altered_in_the_database_is_not_sent() {
    let app = TestApp::new().await;
    app.hold_mail();
    let admin = app.admin().await;
    let alice = app.sender(ALICE).await;
    let t = admin.create_template(&template()).await;
    admin.upload_logo(&t.id, "image/png", &logo(5_000)).await;
    alice.send(&message_to(&[BOB])).await;

    // Someone who can write the database swaps the logo for another image.
    app.sql_of(
        "UPDATE mail_logos SET block = CAST('iVBORw0KGgo=' AS BLOB)",
        "UPDATE mail_logos SET block = CAST('iVBORw0KGgo=' AS BYTEA)",
    )
    .await;
    let tally = app.deliver_mail().await;
    assert_eq!((tally.sent, tally.gave_up), (0, 1));
    assert!(app.mails().is_empty());
}
