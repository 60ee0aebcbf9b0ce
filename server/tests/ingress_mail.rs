//! Mail submitted over SMTP, through the default mail-flow rules: a tagged
//! mail to an outside recipient is read back through the recipient API (same
//! text, same sanitised HTML, same attachment bytes), the inside recipient's
//! copy leaves unchanged through the outgoing relay, and a message is either
//! fully stored and queued or not at all.

mod common;

use std::time::Duration;

use base64::Engine as _;
use common::ingress::*;
use common::sender::PASSWORD;
use common::smtp_sink::SmtpSink;
use common::*;

const DAVE: &str = "dave@corp.test";
const ORG: &str = "--org-domains=corp.test";
const TRUSTED: &str = "--smtp-trusted-networks=127.0.0.0/8";

/// The 1×1 PNG in `related.eml`.
const PNG: &str = "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360f8cfc0f01f0005000201e5273cf90000000049454e44ae426082";

/// The PDF attached in `attachment.eml`.
fn pdf() -> Vec<u8> {
    let mut pdf = b"%PDF-1.4\n% \xe2\xe3\xcf\xd3 Sealmail test attachment\n".to_vec();
    pdf.extend(0..=255u8);
    pdf.extend_from_slice(b"\n%%EOF\n");
    pdf
}

fn hex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

/// An app with Alice's account and its SMTP listener (trusted loopback,
/// corp.test inside).
async fn app_with_listener(app_args: &[&str]) -> (TestApp, Listener) {
    let app = TestApp::with_args(app_args).await;
    app.add_user(ALICE, "Alice Demo", false).await;
    let mut settings = tls_args();
    settings.extend([TRUSTED.to_owned(), ORG.to_owned()]);
    let settings: Vec<&str> = settings.iter().map(String::as_str).collect();
    let listener = app.smtp_listener(&settings).await;
    (app, listener)
}

async fn submit_as_alice(listener: &Listener, to: &[&str], raw: &[u8]) -> String {
    let client = listener.client(Some((ALICE, PASSWORD)));
    let reply = submit(&client, ALICE, to, raw).await.unwrap();
    assert!(reply.starts_with("250"), "{reply}");
    reply
}

#[tokio::test]
async fn a_tagged_mail_to_an_outside_recipient_is_read_protected_with_the_same_text_and_html() {
    let (app, listener) = app_with_listener(&[]).await;
    let raw = corpus("alternative.eml");
    let reply = submit_as_alice(&listener, &[BOB], &raw).await;
    assert!(reply.contains("<alternative.1@corp.test>"), "{reply}");
    app.deliver_mail().await;

    let notification = app.last_mail_to(BOB).expect("a notification to Bob");
    assert!(notification.text.contains("/m/"), "{}", notification.text);
    let bob = app.recipient(BOB).signed_in().await;
    let view = bob.read().await;
    assert_eq!(
        view.subject, "Kwartaalcijfers – Q3 ✓",
        "the tag is taken out"
    );
    assert_eq!(view.message_id, "<alternative.1@corp.test>");
    assert_eq!(view.from.address, ALICE);
    assert_eq!(view.from.name.as_deref(), Some("Alice Demo"));
    assert_eq!(
        view.body.text.as_deref().map(|t| t.replace("\r\n", "\n")),
        Some("Hoi Bob,\n\nDe cijfers: omzet € 1,2 mln.".to_owned())
    );
    let html = "<p>Hoi Bob,</p><p>De cijfers: <b>omzet € 1,2 mln</b>.</p><script>alert(1)</script>";
    let document = bob.body_document().await;
    assert!(
        document.contains(&sealmail::sanitize::sanitize_html(html)),
        "{document}"
    );
    assert!(!document.contains("<script>alert"), "sanitised");
    assert!(view.attachments.is_empty());
}

#[tokio::test]
async fn an_attachment_keeps_its_non_ascii_rfc2231_name_and_its_bytes() {
    let (app, listener) = app_with_listener(&[]).await;
    submit_as_alice(&listener, &[BOB], &corpus("attachment.eml")).await;
    app.deliver_mail().await;
    let bob = app.recipient(BOB).signed_in().await;
    let view = bob.read().await;
    assert_eq!(view.subject, "Annual report", "[encrypt] taken out");
    assert_eq!(view.attachments.len(), 1);
    assert_eq!(view.attachments[0].name, "Årsrapport – 2026.pdf");
    assert_eq!(view.attachments[0].content_type, "application/pdf");
    assert_eq!(bob.download(&view.attachments[0].id).await, pdf());
}

#[tokio::test]
async fn an_inline_image_is_shown_in_the_body_not_listed_as_an_attachment() {
    let (app, listener) = app_with_listener(&[]).await;
    submit_as_alice(&listener, &[BOB], &corpus("related.eml")).await;
    app.deliver_mail().await;
    let bob = app.recipient(BOB).signed_in().await;
    let view = bob.read().await;
    assert!(view.attachments.is_empty(), "{:?}", view.attachments);
    let data = base64::engine::general_purpose::STANDARD.encode(hex(PNG));
    let document = bob.body_document().await;
    assert!(
        document.contains(&format!("src=\"data:image/png;base64,{data}\"")),
        "{document}"
    );
    assert!(!document.contains("cid:"), "{document}");
}

#[tokio::test]
async fn an_iso_8859_1_body_and_subject_are_decoded() {
    let (app, listener) = app_with_listener(&[]).await;
    submit_as_alice(&listener, &[BOB], &corpus("latin1.eml")).await;
    app.deliver_mail().await;
    let view = app.recipient(BOB).signed_in().await.read().await;
    assert_eq!(view.subject, "Menû");
    assert_eq!(
        view.body.text.as_deref().map(str::trim_end),
        Some("Café crème brûlée, naïve façade.")
    );
}

#[tokio::test]
async fn a_format_flowed_body_is_stored_as_its_paragraphs() {
    let (app, listener) = app_with_listener(&[]).await;
    submit_as_alice(&listener, &[BOB], &corpus("flowed.eml")).await;
    app.deliver_mail().await;
    let view = app.recipient(BOB).signed_in().await.read().await;
    assert_eq!(view.subject, "Flowed notes");
    // Soft line breaks joined (delsp=yes: the space before each goes, so a
    // URL split in the middle is whole again), quote depth kept, the
    // stuffed space taken out, the signature separator on its own line.
    let text = view.body.text.expect("a text body").replace("\r\n", "\n");
    assert_eq!(
        text.trim_end(),
        "Hoi Bob,\n\n\
         De cijfers voor het derde kwartaal zijn binnen en ze zien er goed uit: \
         omzet € 1,2 mln, marge 14 %. Het rapport staat op \
         https://files.corp.test/reports/2026/q3/kwartaalcijfers-definitief.pdf\n\n\
         > Kun je de cijfers voor het derde kwartaal sturen voordat de vergadering begint?\n\
         >> Graag voor vrijdag.\n\n\
         From now on the numbers come monthly.\n\
         -- \n\
         Alice Demo\n\
         Contoso Finance"
    );
}

#[tokio::test]
async fn a_recipient_only_the_envelope_names_gets_a_link_the_others_do_not_see() {
    let (app, listener) = app_with_listener(&[]).await;
    // Carol is in neither To nor Cc: a Bcc.
    submit_as_alice(&listener, &[BOB, CAROL], &corpus("latin1.eml")).await;
    app.deliver_mail().await;
    let bob_view = app.recipient(BOB).signed_in().await.read().await;
    let listed = |view: &sealmail_api::recipient::MessageView| -> Vec<String> {
        view.to
            .iter()
            .chain(&view.cc)
            .map(|m| m.address.clone())
            .collect()
    };
    assert_eq!(listed(&bob_view), [BOB]);
    let carol_view = app.recipient(CAROL).signed_in().await.read().await;
    assert_eq!(carol_view.subject, "Menû");
    assert_eq!(
        listed(&carol_view),
        [BOB, CAROL],
        "Carol sees herself and Bob"
    );
}

#[tokio::test]
async fn the_inside_recipient_gets_the_original_mail_unchanged_through_the_relay() {
    let relay = SmtpSink::start();
    let app = TestApp::with_relay(&relay.url(""), &[]).await;
    app.add_user(ALICE, "Alice Demo", false).await;
    let mut settings = tls_args();
    settings.extend([ORG.to_owned()]);
    let settings: Vec<&str> = settings.iter().map(String::as_str).collect();
    let listener = app.smtp_listener(&settings).await;
    let raw = corpus("alternative.eml");
    submit_as_alice(&listener, &[BOB, DAVE], &raw).await;
    assert_eq!(app.deliver_mail().await.sent, 2);

    let mails = relay.wait_for(2, Duration::from_secs(10));
    let to_dave = mails
        .iter()
        .find(|m| m.rcpt_to == DAVE)
        .expect("Dave's copy");
    assert_eq!(to_dave.mail_from, ALICE, "bounces of the copy go to Alice");
    let original = String::from_utf8(raw.clone()).unwrap();
    let received = to_dave
        .raw
        .split_once("Received: from ")
        .expect("a trace line on top")
        .1;
    assert!(
        received.split_once("\r\n\tby ").unwrap().1.contains("\r\n")
            && to_dave.raw.ends_with(&original),
        "the mail as it came, below one Received line:\n{}",
        to_dave.raw
    );
    let to_bob = mails
        .iter()
        .find(|m| m.rcpt_to == BOB)
        .expect("Bob's notification");
    assert!(
        to_bob.text.contains("/m/"),
        "a link, not the mail: {}",
        to_bob.text
    );
    assert!(
        !to_bob.raw.contains("omzet"),
        "the content stays in Sealmail"
    );
}

#[tokio::test]
async fn a_mail_to_several_inside_recipients_is_stored_and_relayed_once_for_all() {
    let relay = SmtpSink::start();
    let app = TestApp::with_relay(&relay.url(""), &[]).await;
    app.add_user(ALICE, "Alice Demo", false).await;
    let listener = app.smtp_listener(&[TRUSTED, ORG]).await;
    let raw = corpus("attachment.eml");
    let to = [DAVE, "erin@corp.test", "frank@sales.corp.test"];
    let sent = submit(&listener.plain_client(), ALICE, &to, &raw)
        .await
        .unwrap();
    assert!(sent.starts_with("250"), "{sent}");
    assert_eq!(app.rows_in("mail_queue").await, 1, "one sealed copy");
    assert_eq!(app.deliver_mail().await.sent, 1);
    let mails = relay.wait_for(1, Duration::from_secs(10));
    assert_eq!(mails.len(), 1);
    assert_eq!(
        mails[0].rcpt_to,
        to.join(", "),
        "one transaction, every recipient"
    );
}

#[tokio::test]
async fn an_untagged_mail_is_relayed_unprotected_and_nothing_is_stored() {
    let relay = SmtpSink::start();
    let app = TestApp::with_relay(&relay.url(""), &[]).await;
    app.add_user(ALICE, "Alice Demo", false).await;
    let listener = app.smtp_listener(&[TRUSTED, ORG]).await;
    let raw = String::from_utf8(corpus("latin1.eml"))
        .unwrap()
        .replace("[secure] ", "")
        .into_bytes();
    let sent = submit(&listener.plain_client(), ALICE, &[BOB], &raw)
        .await
        .unwrap();
    assert!(sent.starts_with("250"), "{sent}");
    assert_eq!(app.rows_in("messages").await, 0);
    assert_eq!(app.deliver_mail().await.sent, 1);
    let mails = relay.wait_for(1, Duration::from_secs(10));
    assert_eq!(mails[0].rcpt_to, BOB);
    assert!(mails[0].raw.ends_with(std::str::from_utf8(&raw).unwrap()));
}

#[tokio::test]
async fn a_client_that_drops_mid_data_leaves_nothing_stored_or_queued() {
    let (app, listener) = app_with_listener(&[]).await;
    let mut smtp = listener.raw().await;
    smtp.command("EHLO mx.corp.test").await;
    smtp.command(&format!("MAIL FROM:<{ALICE}>")).await;
    smtp.command(&format!("RCPT TO:<{BOB}>")).await;
    smtp.command(&format!("RCPT TO:<{DAVE}>")).await;
    assert_eq!(smtp.command("DATA").await.code, 354);
    let raw = corpus("attachment.eml");
    smtp.write(&raw[..raw.len() / 2]).await;
    drop(smtp);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(app.rows_in("messages").await, 0);
    assert_eq!(app.rows_in("mail_queue").await, 0);
    let attachments = app.data_dir().join("attachments");
    assert_eq!(std::fs::read_dir(attachments).unwrap().count(), 0);

    // The same mail, whole, is taken.
    submit_as_alice(&listener, &[BOB, DAVE], &raw).await;
    assert_eq!(app.rows_in("messages").await, 1);
    assert_eq!(
        app.rows_in("mail_queue").await,
        2,
        "Bob's notification and Dave's copy"
    );
}

#[tokio::test]
async fn a_rule_that_rejects_refuses_the_mail_with_its_reason_and_stores_nothing() {
    let (app, listener) = app_with_listener(&[]).await;
    app.sql(
        "INSERT INTO mail_flow_rules (position, name, conditions, action, created_at) VALUES
         (0, 'Confidential stays inside',
          '[{\"kind\":\"header_matches\",\"name\":\"Sensitivity\",\"contains\":\"confidential\"},
            {\"kind\":\"recipient_outside_org\"}]',
          '{\"kind\":\"reject\",\"reason\":\"company-confidential mail does not leave\"}', 0)",
    )
    .await;
    let raw = [
        b"Sensitivity: Company-Confidential\r\n".as_slice(),
        &corpus("latin1.eml"),
    ]
    .concat();
    let client = listener.client(Some((ALICE, PASSWORD)));
    let refused = submit(&client, ALICE, &[BOB], &raw).await.unwrap_err();
    assert_eq!(code_of(&refused), "550", "{refused}");
    assert!(refused.to_string().contains("does not leave"), "{refused}");
    assert_eq!(app.rows_in("messages").await, 0);
    assert_eq!(app.rows_in("mail_queue").await, 0);

    // Inside only: the rule does not match, the mail is relayed.
    let sent = submit(&client, ALICE, &[DAVE], &raw).await.unwrap();
    assert!(sent.starts_with("250"), "{sent}");
}

#[tokio::test]
async fn a_rule_can_protect_by_header_with_do_not_forward() {
    let (app, listener) = app_with_listener(&[]).await;
    app.sql(
        "INSERT INTO mail_flow_rules (position, name, conditions, action, created_at) VALUES
         (0, 'Marked do-not-forward',
          '[{\"kind\":\"header_matches\",\"name\":\"X-Sealmail-Protection\",\"contains\":\"do-not-forward\"}]',
          '{\"kind\":\"protect\",\"protection\":\"do_not_forward\"}', 0)",
    )
    .await;
    let raw = String::from_utf8(corpus("latin1.eml"))
        .unwrap()
        .replace("[secure] ", "");
    let raw = format!("X-Sealmail-Protection: do-not-forward\r\n{raw}");
    submit_as_alice(&listener, &[BOB], raw.as_bytes()).await;
    app.deliver_mail().await;
    let view = app.recipient(BOB).signed_in().await.read().await;
    assert_eq!(view.protection, sealmail_api::Protection::DoNotForward);
    assert_eq!(view.subject, "Menû");
}

#[tokio::test]
async fn an_iso_2022_jp_body_and_subject_are_decoded() {
    let (app, listener) = app_with_listener(&[]).await;
    submit_as_alice(&listener, &[BOB], &corpus("iso-2022-jp.eml")).await;
    app.deliver_mail().await;
    let view = app.recipient(BOB).signed_in().await.read().await;
    assert_eq!(view.subject, "四半期の数字");
    assert_eq!(
        view.body.text.as_deref().map(|t| t.replace("\r\n", "\n")),
        Some("ボブさん、\n四半期の数字を送ります。\n".to_owned())
    );
}

#[tokio::test]
async fn a_forwarded_mail_and_a_calendar_invite_arrive_as_attachments() {
    let (app, listener) = app_with_listener(&[]).await;
    submit_as_alice(&listener, &[BOB], &corpus("forwarded.eml")).await;
    submit_as_alice(&listener, &[CAROL], &corpus("invite.eml")).await;
    app.deliver_mail().await;

    let bob = app.recipient(BOB).signed_in().await;
    let view = bob.read().await;
    assert_eq!(view.subject, "Fwd: Contract");
    assert_eq!(view.attachments.len(), 1, "{:?}", view.attachments);
    assert_eq!(view.attachments[0].name, "Contract.eml");
    assert_eq!(view.attachments[0].content_type, "message/rfc822");
    let forwarded = String::from_utf8(bob.download(&view.attachments[0].id).await).unwrap();
    assert!(
        forwarded.starts_with("From: Carol <carol@example.org>\r\n"),
        "{forwarded}"
    );
    assert!(
        forwarded.contains("The signed contract is on its way."),
        "{forwarded}"
    );

    // Carol is a Bcc here (the headers name Bob and Dave).
    let carol = app.recipient(CAROL).signed_in().await;
    let view = carol.read().await;
    assert_eq!(view.attachments.len(), 1, "{:?}", view.attachments);
    assert_eq!(view.attachments[0].name, "invite.ics");
    assert_eq!(view.attachments[0].content_type, "text/calendar");
    let ics = String::from_utf8(carol.download(&view.attachments[0].id).await).unwrap();
    assert!(
        ics.replace("\r\n", "\n")
            .starts_with("BEGIN:VCALENDAR\nVERSION:2.0\n"),
        "{ics}"
    );
    assert!(ics.contains("SUMMARY:Board meeting"), "{ics}");
}

#[tokio::test]
async fn hostile_mime_gets_a_clear_answer_and_the_listener_keeps_serving() {
    let (app, listener) = app_with_listener(&[]).await;
    // 100 multiparts deep, the text at the bottom.
    let mut deep = String::from(
        "From: alice@sealmail.test\r\nTo: bob@example.net\r\nSubject: [secure] deep\r\nMIME-Version: 1.0\r\n",
    );
    for level in 0..100 {
        deep.push_str(&format!(
            "Content-Type: multipart/mixed; boundary=\"b{level}\"\r\n\r\n--b{level}\r\n"
        ));
    }
    deep.push_str("Content-Type: text/plain\r\n\r\nat the bottom\r\n");
    for level in (0..100).rev() {
        deep.push_str(&format!("--b{level}--\r\n"));
    }
    // 8-bit bytes in headers (not UTF-8), and a multipart that never ends.
    let mut eight_bit = b"From: alice@sealmail.test\r\nTo: bob@example.net\r\nSubject: [secure] caf\xe9 \xff\xfe\r\nX-Junk: \x80\x81\x82\r\n".to_vec();
    eight_bit.extend_from_slice(
        b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"never\"\r\n\r\n--never\r\nContent-Type: text/plain\r\n\r\nno end in sight\r\n",
    );
    let client = listener.client(Some((ALICE, PASSWORD)));
    // mail-parser reads what it can: both are taken, whole and readable.
    for raw in [deep.into_bytes(), eight_bit] {
        let reply = submit(&client, ALICE, &[BOB], &raw).await.unwrap();
        assert!(reply.starts_with("250"), "{reply}");
        app.deliver_mail().await;
        let view = app.recipient(BOB).signed_in().await.read().await;
        assert!(
            view.subject.starts_with("deep") || view.subject.starts_with("caf"),
            "{}",
            view.subject
        );
    }
    assert_eq!(app.rows_in("messages").await, 2);
    // And the listener serves the next client as before.
    submit_as_alice(&listener, &[BOB], &corpus("latin1.eml")).await;
    assert_eq!(app.rows_in("messages").await, 3);
}

/// Past 1 MiB a mail is spooled, and its large attachment bodies are decoded
/// from the spool in pieces: the bytes must be the ones attached, whatever
/// the encoding, line length and line breaks.
#[tokio::test]
async fn a_large_mails_attachments_arrive_byte_for_byte_in_base64_and_quoted_printable() {
    let (app, listener) = app_with_listener(&[]).await;
    let files = [
        pattern(700_000, 1),
        pattern(300_000, 2),
        pattern(3_000, 3),
        pattern(200_001, 4),
    ];
    let raw = large_mail(&[
        // 57-character lines (not a multiple of four), bare LF.
        ("scan.pdf", "base64", base64_lines(&files[0], 57, "\n")),
        ("table.bin", "quoted-printable", quoted_printable(&files[1])),
        ("small.bin", "base64", base64_lines(&files[2], 76, "\r\n")),
        ("odd.bin", "base64", base64_lines(&files[3], 76, "\r\n")),
    ]);
    assert!(raw.len() > 1 << 20, "spooled: {} bytes", raw.len());
    submit_as_alice(&listener, &[BOB], raw.as_bytes()).await;
    app.deliver_mail().await;

    let bob = app.recipient(BOB).signed_in().await;
    let view = bob.read().await;
    assert_eq!(view.subject, "Large files");
    let names: Vec<&str> = view.attachments.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["scan.pdf", "table.bin", "small.bin", "odd.bin"]);
    for (attachment, bytes) in view.attachments.iter().zip(&files) {
        assert!(
            bob.download(&attachment.id).await == *bytes,
            "{} differs",
            attachment.name
        );
    }
}

#[tokio::test]
async fn a_large_mail_is_relayed_unchanged_from_its_spool_and_stored_for_the_outside() {
    let relay = SmtpSink::start();
    let app = TestApp::with_relay(&relay.url(""), &[]).await;
    app.add_user(ALICE, "Alice Demo", false).await;
    let mut settings = tls_args();
    settings.extend([ORG.to_owned()]);
    let settings: Vec<&str> = settings.iter().map(String::as_str).collect();
    let listener = app.smtp_listener(&settings).await;
    let file = pattern(1_500_000, 5);
    let raw = large_mail(&[("scan.pdf", "base64", base64_lines(&file, 76, "\r\n"))]);
    submit_as_alice(&listener, &[BOB, DAVE], raw.as_bytes()).await;
    let tally = app.deliver_mail().await;
    assert_eq!(tally.sent, 2, "{tally:?}");

    let mails = relay.wait_for(2, Duration::from_secs(20));
    let to_dave = mails
        .iter()
        .find(|m| m.rcpt_to == DAVE)
        .expect("Dave's copy");
    assert!(
        to_dave.raw.contains("\r\n\tby ") && to_dave.raw.ends_with(&raw),
        "the mail as it came, below one Received line"
    );
    let to_bob = mails
        .iter()
        .find(|m| m.rcpt_to == BOB)
        .expect("Bob's notification");
    assert!(to_bob.text.contains("/m/"), "a link: {}", to_bob.text);
    assert_eq!(app.rows_in("attachments").await, 1);
}

/// A `[secure]` mail from Alice to Bob with a short text and these
/// attachments (name, transfer encoding, encoded body).
fn large_mail(files: &[(&str, &str, String)]) -> String {
    let mut raw = String::from(
        "From: Alice Demo <alice@sealmail.test>\r\nTo: Bob <bob@example.net>\r\n\
         Subject: [secure] Large files\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"large\"\r\n\r\n\
         --large\r\nContent-Type: text/plain\r\n\r\nThe files.\r\n",
    );
    for (name, encoding, body) in files {
        raw.push_str(&format!(
            "--large\r\nContent-Type: application/octet-stream; name=\"{name}\"\r\n\
             Content-Transfer-Encoding: {encoding}\r\n\r\n{body}"
        ));
    }
    raw + "--large--\r\n"
}

/// `data` in base64, in lines of `width` characters.
fn base64_lines(data: &[u8], width: usize, line_break: &str) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(data);
    let lines: Vec<&str> = encoded
        .as_bytes()
        .chunks(width)
        .map(|l| std::str::from_utf8(l).unwrap())
        .collect();
    lines.join(line_break) + line_break
}

/// `n` bytes of every value, in no simple pattern.
fn pattern(n: usize, seed: u32) -> Vec<u8> {
    (0..n as u32)
        .map(|i| (i.wrapping_add(seed << 20).wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect()
}

/// Quoted-printable with lines of odd lengths, soft line breaks (CRLF or
/// LF), and a dot at the start of some lines (dot-stuffed on the way).
fn quoted_printable(data: &[u8]) -> String {
    let mut out = String::new();
    let mut line = 0;
    for (i, &byte) in data.iter().enumerate() {
        let text = match byte {
            b'=' | b'-' => format!("={byte:02X}"),
            b'.' | 33..=126 => (byte as char).to_string(),
            _ => format!("={byte:02X}"),
        };
        out.push_str(&text);
        line += text.len();
        if line > 60 + i % 13 {
            out.push_str(if i % 3 == 0 { "=\n" } else { "=\r\n" });
            line = 0;
        }
    }
    out + "\r\n"
}
