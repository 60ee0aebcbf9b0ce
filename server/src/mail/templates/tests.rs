//! The mail as a receiver sees it: built into MIME by `build_message`, read
//! back with an independent parser (mail-parser), every part decoded.

use mail_parser::{MessageParser, MimeHeaders as _};
use sealmail_api::common::Branding;
use sealmail_api::{Language, Mailbox};

use super::html::{contrast, escape, text_colour_on};
use super::*;
use crate::mail::brand::LOGO_CONTENT_ID;
use crate::mail::{InlineImage, MailSender, build_message, i18n};

/// A real link's shape: the public URL, `/m/`, a 43-character token.
const LINK: &str = "https://mail.example.org/m/AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_AbCde";
const CODE: &str = "40718263";
/// A 1×1 PNG, small enough to compare whole.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52, 0, 0, 0,
    1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1f, 0x15, 0xc4, 0x89,
];

fn server_branding() -> Branding {
    Branding {
        organisation: "Contoso".into(),
        background_color: "#1f4e79".into(),
        logo_url: None,
        introduction_text: None,
        read_button_text: None,
        portal_text: None,
        disclaimer_text: None,
        privacy_statement_url: None,
    }
}

fn alice() -> Mailbox {
    Mailbox {
        name: Some("Alice Example".into()),
        address: "alice@contoso.example".into(),
    }
}

fn bob() -> Mailbox {
    Mailbox {
        name: None,
        address: "bob@example.net".into(),
    }
}

fn with_logo() -> Brand {
    let mut brand = Brand::server(&server_branding());
    brand.logo = Some(InlineImage {
        content_id: LOGO_CONTENT_ID.into(),
        content_type: "image/png".into(),
        bytes: PNG.into(),
    });
    brand
}

/// `text` without its whitespace: the text part wraps lines, so a sentence
/// is compared as its characters.
fn squashed(text: &str) -> String {
    text.split_whitespace().collect()
}

/// The mail as bytes on the wire.
fn wire(mail: &OutgoingMail) -> Vec<u8> {
    let sender = MailSender::unsigned("Sealmail <no-reply@mail.example.org>".parse().unwrap());
    build_message(&sender, mail).unwrap().formatted()
}

#[test]
fn a_notification_is_html_and_text_with_the_link_whole_in_both() {
    let mail = notification(
        &Brand::server(&server_branding()),
        Language::Nl,
        &alice(),
        &bob(),
        "Contract",
        LINK,
    );
    let bytes = wire(&mail);
    let message = MessageParser::default().parse(&bytes).unwrap();
    assert_eq!(message.subject(), Some("Contract"));
    let content_type = message.content_type().unwrap();
    assert_eq!(
        (content_type.ctype(), content_type.subtype()),
        ("multipart", Some("alternative"))
    );
    assert_eq!(
        message.header_raw("Content-Language").map(str::trim),
        Some("nl")
    );

    // On the wire lines end in CRLF.
    let text = message.body_text(0).unwrap().replace("\r\n", "\n");
    assert!(text.lines().any(|l| l == LINK), "{text}");
    assert!(text.contains("Het bericht lezen:\n"), "{text}");
    assert!(squashed(&text).contains(&squashed(
        "Alice Example <alice@contoso.example> heeft u een beveiligd bericht gestuurd."
    )));
    assert!(text.contains("Berichtversleuteling door Contoso, met Sealmail."));

    let html = message.body_html(0).unwrap().replace("\r\n", "\n");
    assert!(
        html.starts_with("<!DOCTYPE html>\n<html lang=\"nl\""),
        "{html}"
    );
    assert!(html.contains(&format!("<a href=\"{LINK}\"")), "{html}");
    assert!(html.contains(">Het bericht lezen</a>"));
    assert!(html.contains("<h1 "));
    assert!(html.contains("role=\"presentation\""));
}

#[test]
fn the_passcode_stands_alone_on_its_line_in_every_language() {
    for language in Language::ALL {
        let mail = passcode(
            &Brand::server(&server_branding()),
            language,
            &bob(),
            CODE,
            10,
        );
        let s = i18n::strings(language);
        assert_eq!(mail.subject, s.passcode_subject);
        let bytes = wire(&mail);
        let message = MessageParser::default().parse(&bytes).unwrap();
        assert_eq!(message.subject(), Some(s.passcode_subject));
        let text = message.body_text(0).unwrap();
        assert!(text.lines().any(|l| l == CODE), "{language}: {text}");
        assert!(squashed(&text).contains(&squashed(&s.passcode_valid.replace("{minutes}", "10"))));
        let html = message.body_html(0).unwrap();
        assert!(html.contains(&format!(">{CODE}</span>")), "{language}");
        assert!(html.contains(&format!("<html lang=\"{}\"", language.code())));
        assert!(html.contains(s.passcode_intro));
    }
}

#[test]
fn every_language_writes_its_own_notification() {
    let mut seen = Vec::new();
    for language in Language::ALL {
        let s = i18n::strings(language);
        let mail = notification(
            &Brand::server(&server_branding()),
            language,
            &alice(),
            &bob(),
            "Contract",
            LINK,
        );
        assert_eq!(mail.language, language);
        assert!(mail.text.contains(s.read_message), "{language}");
        assert!(
            squashed(&mail.text).contains(&squashed(s.passcode_needed)),
            "{language}"
        );
        let html = mail.html.as_deref().unwrap();
        assert!(html.contains(&escape(s.protected_message)), "{language}");
        seen.push(mail.text);
    }
    seen.dedup();
    assert_eq!(seen.len(), 4);
}

#[test]
fn text_from_users_and_templates_is_escaped_never_markup() {
    let mut brand = Brand::server(&server_branding());
    brand.organisation = "Fabrikam \"Legal\" & <Co>".into();
    brand.introduction_text = Some("<img src=x onerror=alert(1)>\nSecond line".into());
    brand.read_button_text = Some("Open </a><script>x</script>".into());
    let sender = Mailbox {
        name: Some("<script>alert('x')</script>".into()),
        address: "alice@contoso.example".into(),
    };
    let mail = notification(&brand, Language::En, &sender, &bob(), "Hi", LINK);
    let html = mail.html.unwrap();
    assert!(!html.contains("<script"), "{html}");
    assert!(!html.contains("<img"), "{html}");
    assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;<br>\nSecond line"));
    assert!(html.contains("Fabrikam &quot;Legal&quot; &amp; &lt;Co&gt;"));
    // The text part is text: it keeps the characters as typed.
    assert!(mail.text.contains("Open </a><script>x</script>:\n"));
}

#[test]
fn escape_covers_every_character_that_could_leave_text_or_an_attribute() {
    assert_eq!(
        escape(r#"<a href="x" title='y'>&amp;</a>"#),
        "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;"
    );
    assert_eq!(escape("ワンタイム パスコード"), "ワンタイム パスコード");
}

#[test]
fn the_logo_travels_inside_the_mail_and_nothing_is_remote() {
    let mail = notification(
        &with_logo(),
        Language::Da,
        &alice(),
        &bob(),
        "Kontrakt",
        LINK,
    );
    let bytes = wire(&mail);
    let message = MessageParser::default().parse(&bytes).unwrap();
    let html = message.body_html(0).unwrap();
    assert!(html.contains(&format!(
        "<img src=\"cid:{LOGO_CONTENT_ID}\" alt=\"Contoso\""
    )));
    // Every image source is a part of this mail: no tracking pixel, no CDN.
    for src in html.split("src=\"").skip(1) {
        assert!(src.starts_with("cid:"), "{src}");
    }
    assert!(!html.contains("url("), "no CSS images either");

    let logo = message
        .parts
        .iter()
        .find(|p| p.content_id() == Some(LOGO_CONTENT_ID))
        .expect("the logo part");
    assert_eq!(logo.contents(), PNG);
    assert_eq!(logo.content_type().unwrap().subtype(), Some("png"));
    let raw = String::from_utf8_lossy(&bytes);
    assert!(raw.contains("multipart/related"), "{raw}");

    // Without a logo there is no image at all, and the banner names the organisation.
    let plain = notification(
        &Brand::server(&server_branding()),
        Language::Da,
        &alice(),
        &bob(),
        "Kontrakt",
        LINK,
    );
    let plain_html = plain.html.unwrap();
    assert!(!plain_html.contains("<img"));
    assert!(plain_html.contains(">Contoso</td>"));
}

#[test]
fn the_template_colour_frames_the_banner_and_the_button() {
    let mut fields = sealmail_api::admin::BrandingFields {
        organisation: Some("Legal".into()),
        background_color: "#800000".into(),
        introduction_text: Some("Legal sent you a protected message.".into()),
        read_button_text: Some("Open securely".into()),
        email_text: Some("Questions? Call us.".into()),
        disclaimer_text: Some("Confidential.".into()),
        portal_text: None,
        privacy_statement_url: Some("https://legal.example/privacy".into()),
        passcode_enabled: true,
        expiry_days: None,
        language: None,
    };
    let brand = Brand::template(&server_branding(), &fields, None);
    let mail = notification(&brand, Language::En, &alice(), &bob(), "Hi", LINK);
    let html = mail.html.unwrap();
    assert!(
        html.contains("background-color:#800000;color:#ffffff;"),
        "{html}"
    );
    assert!(html.contains(">Open securely</a>"));
    assert!(html.contains("href=\"https://legal.example/privacy\""));
    for text in [
        "Questions? Call us.",
        "Confidential.",
        "Message encryption by Legal, with Sealmail.",
    ] {
        assert!(html.contains(text) && mail.text.contains(text), "{text}");
    }
    assert!(
        mail.text
            .contains("Privacy statement:\nhttps://legal.example/privacy")
    );

    // A light colour gets dark text, and the button a dark border on the white card.
    fields.background_color = "#ffeb3b".into();
    let brand = Brand::template(&server_branding(), &fields, None);
    let html = notification(&brand, Language::En, &alice(), &bob(), "Hi", LINK)
        .html
        .unwrap();
    assert!(
        html.contains("background-color:#ffeb3b;color:#000000;"),
        "{html}"
    );
    assert!(html.contains("border:2px solid #1f2937;"), "{html}");
}

#[test]
fn button_and_banner_text_reach_aa_contrast_on_any_colour() {
    for r in (0..=255).step_by(17) {
        for g in (0..=255).step_by(17) {
            for b in (0..=255).step_by(17) {
                let colour = format!("#{r:02x}{g:02x}{b:02x}");
                let ratio = contrast(&colour, text_colour_on(&colour));
                assert!(ratio >= 4.5, "{colour}: {ratio:.2}");
            }
        }
    }
    assert!((contrast("#000000", "#ffffff") - 21.0).abs() < 0.01);
}

#[test]
fn the_text_part_goes_out_as_8bit_in_every_language_with_short_lines() {
    let mut brand = Brand::server(&server_branding());
    brand.introduction_text = Some("Contoso Legal heeft u een bericht gestuurd over het contract dat wij vorige week hebben besproken.".into());
    for language in Language::ALL {
        for mail in [
            notification(&brand, language, &alice(), &bob(), "Contract", LINK),
            passcode(&brand, language, &bob(), CODE, 10),
        ] {
            for line in mail.text.lines() {
                assert!(line.len() < 76 || line == LINK, "{language}: {line}");
            }
            let raw = String::from_utf8(wire(&mail)).unwrap();
            let text_part = raw.split("Content-Type: text/plain").nth(1).unwrap();
            assert!(
                text_part.starts_with("; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n")
                    || text_part
                        .starts_with("; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n"),
                "{language}: {}",
                &text_part[..80]
            );
        }
    }
}

#[test]
fn a_link_too_long_for_8bit_goes_out_base64_never_quoted_printable() {
    let long = format!(
        "https://secure-mail.portal.example.org/sealmail/{}/m/AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_AbCdEfGh",
        "x".repeat(40)
    );
    let mail = notification(
        &Brand::server(&server_branding()),
        Language::En,
        &alice(),
        &bob(),
        "Hi",
        &long,
    );
    let bytes = wire(&mail);
    let raw = String::from_utf8_lossy(&bytes);
    let text_part = raw.split("Content-Type: text/plain").nth(1).unwrap();
    assert!(
        text_part.starts_with("; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n"),
        "{}",
        &text_part[..80]
    );
    let message = MessageParser::default().parse(&bytes).unwrap();
    let text = message.body_text(0).unwrap().replace("\r\n", "\n");
    assert!(text.lines().any(|l| l == long), "{text}");
}
