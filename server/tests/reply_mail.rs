//! "Remove encryption from replies" (`--remove-encryption-from-replies`): a
//! recipient's encrypted reply to a sender inside the organisation reaches
//! that sender's mailbox as a normal mail, through the real SMTP transport
//! to a real SMTP server (aiosmtpd, `tests/smtp_sink.py`); with the setting
//! off, or to a sender outside, the sender gets a link as before.

mod common;

use std::time::Duration;

use common::cli::{ok, run_sealmail};
use common::smtp_sink::{SmtpSink, SunkMail};
use common::*;
use mail_parser::{MessageParser, MimeHeaders as _};
use sealmail_api::admin::Delivery;

const WAIT: Duration = Duration::from_secs(10);
const REPLY_TEXT: &str = "Signed and scanned, see the attachment.\nBob";

/// Binary bytes of every value, CR and LF among them, past one sealing chunk.
fn scan() -> Vec<u8> {
    (0..300_000u32)
        .map(|i| (i.wrapping_mul(7919) % 256) as u8)
        .collect()
}

/// What came of Bob's reply (with [`scan`] attached) to Alice's message,
/// on an app mailing through `sink` with these settings.
struct Replied {
    /// The one mail Alice got about the reply.
    mail: SunkMail,
    /// The Message-ID of Alice's message.
    original: String,
    /// The Message-ID of Bob's reply.
    reply: String,
    app: TestApp,
}

async fn bob_replies(sink: &SmtpSink, settings: &[&str]) -> Replied {
    let app = TestApp::with_relay(&sink.url(""), settings).await;
    let original = app.send(&[BOB], &[], &[]).await;
    let bob = app
        .recipient_with_link(BOB, &sink.token_for(BOB))
        .signed_in_through(sink)
        .await;
    let before = sink.mails().len();
    let reply = bob
        .reply(REPLY_TEXT)
        .file("signed contract.pdf", "application/pdf", &scan())
        .await
        .message_id;
    let mails = sink.wait_for(before + 1, WAIT);
    // Nothing else arrives: one mail about the reply, not two.
    std::thread::sleep(Duration::from_millis(300));
    let mut to_alice: Vec<SunkMail> = sink.mails()[before..]
        .iter()
        .filter(|m| m.rcpt_to == ALICE)
        .cloned()
        .collect();
    assert_eq!(to_alice.len(), 1, "{:#?}", &mails[before..]);
    Replied {
        mail: to_alice.remove(0),
        original,
        reply,
        app,
    }
}

/// An Ed25519 DKIM key for sealmail.test, written by `sealmail dkim generate`.
fn dkim_key(dir: &std::path::Path) -> String {
    let key = dir.join("dkim.key");
    ok(run_sealmail(
        &dir.join("data"),
        &[
            "dkim",
            "generate",
            "--selector",
            "s1",
            "--domain",
            "sealmail.test",
            "--algorithm",
            "ed25519",
            "--out",
            key.to_str().unwrap(),
        ],
        "",
    ));
    key.display().to_string()
}

#[tokio::test]
async fn with_the_setting_on_a_reply_to_an_internal_sender_arrives_decrypted_with_its_attachment_and_threaded()
 {
    let sink = SmtpSink::start();
    let keys = tempfile::tempdir().unwrap();
    let key = dkim_key(keys.path());
    let Replied {
        mail,
        original,
        reply,
        app,
    } = bob_replies(
        &sink,
        &[
            "--org-domains",
            "sealmail.test",
            "--remove-encryption-from-replies",
            "--mail-from",
            "Sealmail <sealmail@sealmail.test>",
            "--dkim-key",
            &key,
            "--dkim-selector",
            "s1",
        ],
    )
    .await;

    let parsed = MessageParser::default().parse(mail.raw.as_bytes()).unwrap();
    let header = |name: &str| {
        parsed
            .header_raw(name)
            .map(|v| v.trim().to_owned())
            .unwrap_or_default()
    };
    // From Sealmail's own address (SPF, DKIM and DMARC align), in Bob's name;
    // answering it reaches Bob.
    let from = parsed.from().and_then(|f| f.first()).unwrap();
    assert_eq!(from.address(), Some("sealmail@sealmail.test"));
    assert_eq!(from.name(), Some("bob@example.net via Sealmail"));
    let reply_to = parsed.reply_to().and_then(|r| r.first()).unwrap();
    assert_eq!(reply_to.address(), Some(BOB));
    assert_eq!(mail.subject, "Re: Quarterly numbers");
    // Threaded under Alice's message; found by the same id as the stored reply.
    assert_eq!(header("In-Reply-To"), original);
    assert_eq!(header("References"), original);
    assert_eq!(header("Message-ID"), reply);
    // The reply itself, not a link to it.
    assert_eq!(mail.text.trim_end(), REPLY_TEXT);
    assert!(!mail.raw.contains("/m/"), "{}", mail.raw);
    let files: Vec<_> = parsed.attachments().collect();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].attachment_name(), Some("signed contract.pdf"));
    assert_eq!(
        files[0].content_type().map(|t| t.subtype()),
        Some(Some("pdf"))
    );
    assert!(
        files[0].contents() == scan(),
        "the attachment's bytes changed"
    );
    // Signed like all of Sealmail's mail, its threading and Reply-To too.
    let signature = header("DKIM-Signature");
    assert!(signature.contains("d=sealmail.test"), "{signature}");
    let signed: String = signature
        .split(';')
        .find_map(|tag| tag.trim().strip_prefix("h="))
        .unwrap()
        .split_whitespace()
        .collect::<String>()
        .to_ascii_lowercase();
    for name in [
        "from",
        "reply-to",
        "in-reply-to",
        "references",
        "message-id",
    ] {
        assert!(
            signed.split(':').any(|h| h == name),
            "{name} not in h={signed}"
        );
    }

    // The reply is stored as before, and the mail counts as Alice's delivery.
    let status = sealmail::messages::status(&app.state, &reply)
        .await
        .unwrap();
    assert_eq!(status.recipients.len(), 1);
    assert_eq!(status.recipients[0].recipient.address, ALICE);
    assert!(
        matches!(status.recipients[0].delivery, Some(Delivery::Sent { .. })),
        "{:?}",
        status.recipients[0].delivery
    );
}

/// Alice got a link to Bob's reply, and nothing of the reply itself.
fn is_link_notice(replied: &Replied) -> bool {
    let raw = &replied.mail.raw;
    replied.mail.text.contains("http://portal.test/m/")
        && !raw.contains("Signed and scanned")
        && !raw.to_ascii_lowercase().contains("reply-to:")
        && !raw.contains("signed contract.pdf")
}

#[tokio::test]
async fn with_the_setting_off_an_internal_sender_gets_only_a_link_to_the_reply() {
    let sink = SmtpSink::start();
    let replied = bob_replies(&sink, &["--org-domains", "sealmail.test"]).await;
    assert!(is_link_notice(&replied), "{}", replied.mail.raw);
}

#[tokio::test]
async fn with_the_setting_on_a_sender_outside_the_organisation_gets_only_a_link_to_the_reply() {
    let sink = SmtpSink::start();
    let replied = bob_replies(
        &sink,
        &[
            "--org-domains",
            "corp.example",
            "--remove-encryption-from-replies",
        ],
    )
    .await;
    assert!(is_link_notice(&replied), "{}", replied.mail.raw);
}
