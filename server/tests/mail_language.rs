//! The language and look of Sealmail's mail, through the API: the sender's
//! choice, else the branding template's, else the server's; the passcode
//! mail in the language the portal asks for, else the message's; the
//! template's logo inside the mail.

mod common;

use axum::http::Method;
use common::mail::Mail;
use common::sender::message_to;
use common::{ALICE, BOB, TestApp};
use sealmail_api::admin::{BrandingFields, BrandingTemplateInput};
use sealmail_api::recipient::PasscodeRequest;
use sealmail_api::routes::{self, CSRF_HEADER, CSRF_VALUE};
use sealmail_api::{ErrorCode, Language};

const DUTCH_BUTTON: &str = "Het bericht lezen";
const JAPANESE_PASSCODE: &str = "ワンタイム パスコード";

fn template(name: &str, language: Option<Language>) -> BrandingTemplateInput {
    BrandingTemplateInput {
        name: name.into(),
        is_default: false,
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
            language,
        },
    }
}

fn notification_to(app: &TestApp, address: &str) -> Mail {
    app.last_mail_to(address).expect("a notification")
}

/// The 8 digits alone on a line of the newest mail to `address`.
fn code_in(mail: &Mail) -> String {
    mail.text
        .lines()
        .find(|l| l.len() == 8 && l.chars().all(|c| c.is_ascii_digit()))
        .expect("8 digits on a line")
        .to_owned()
}

#[tokio::test]
async fn the_senders_language_names_the_notification_and_then_the_passcode_mail() {
    let app = TestApp::new().await;
    let alice = app.sender(ALICE).await;
    let mut message = message_to(&[BOB]);
    message.language = Some(Language::Nl);
    alice.send(&message).await;

    let notification = notification_to(&app, BOB);
    assert_eq!(notification.language, Language::Nl);
    assert!(
        notification.text.contains(&format!("{DUTCH_BUTTON}:\n")),
        "{}",
        notification.text
    );
    let html = notification.html.as_deref().unwrap();
    assert!(html.contains("<html lang=\"nl\""));
    assert!(html.contains(&format!(">{DUTCH_BUTTON}</a>")));

    // No language in the request: the message's.
    let bob = app.recipient(BOB);
    bob.request_passcode().await;
    let passcode = app.last_mail_to(BOB).unwrap();
    assert_eq!(passcode.subject, "Uw eenmalige wachtwoordcode");
    assert_eq!(passcode.language, Language::Nl);

    // The portal shows Japanese: the next passcode mail is Japanese, and its code works.
    let request = PasscodeRequest {
        language: Some(Language::Ja),
    };
    bob.request_passcode().json(&request).await;
    let passcode = app.last_mail_to(BOB).unwrap();
    assert_eq!(passcode.subject, JAPANESE_PASSCODE);
    assert!(
        passcode
            .html
            .as_deref()
            .unwrap()
            .contains("<html lang=\"ja\"")
    );
    bob.submit_passcode(&code_in(&passcode)).await;
}

#[tokio::test]
async fn a_passcode_request_for_a_language_we_do_not_speak_is_refused_and_mails_nothing() {
    let app = TestApp::new().await;
    app.send(&[BOB], &[], &[]).await;
    let token = app.token_for(BOB);
    let before = app.mails().len();
    let response = app
        .raw(
            Method::POST,
            &routes::link_passcode(&token),
            &[
                (CSRF_HEADER, CSRF_VALUE),
                ("content-type", "application/json"),
            ],
            r#"{"language":"de"}"#,
        )
        .await;
    assert_eq!(response.code(), ErrorCode::InvalidRequest);
    assert_eq!(app.mails().len(), before, "no passcode mailed");
}

#[tokio::test]
async fn without_a_choice_the_template_then_the_server_default_decides() {
    let app = TestApp::with_args(&["--default-language", "da"]).await;
    let admin = app.admin().await;
    let alice = app.sender(ALICE).await;

    // No template: the server's default.
    alice.send(&message_to(&[BOB])).await;
    let mail = notification_to(&app, BOB);
    assert_eq!(mail.language, Language::Da);
    assert!(mail.text.contains("Læs meddelelsen:\n"), "{}", mail.text);

    // The (default) template's language, over the server's.
    let japanese = admin
        .create_template(&template("Tokyo", Some(Language::Ja)))
        .await;
    assert_eq!(japanese.fields.language, Some(Language::Ja));
    alice.send(&message_to(&[BOB])).await;
    assert_eq!(notification_to(&app, BOB).language, Language::Ja);

    // The sender's choice, over the template's.
    let mut message = message_to(&[BOB]);
    message.branding_template = Some(japanese.id.clone());
    message.language = Some(Language::En);
    alice.send(&message).await;
    let mail = notification_to(&app, BOB);
    assert_eq!(mail.language, Language::En);
    assert!(mail.text.contains("Read the message:\n"));

    // The template keeps its language through a listing.
    let list = admin.templates().await;
    assert_eq!(list[0].fields.language, Some(Language::Ja));
}

#[tokio::test]
async fn the_templates_logo_and_colour_are_in_the_notification_and_the_passcode_mail() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let alice = app.sender(ALICE).await;
    let t = admin.create_template(&template("Fabrikam", None)).await;
    let png = b"\x89PNG\r\n\x1a\nfake".to_vec();
    admin.upload_logo(&t.id, "image/png", &png).await;

    alice.send(&message_to(&[BOB])).await;
    app.recipient(BOB).request_passcode().await;
    let mails = app.mails();
    let [.., notification, passcode] = mails.as_slice() else {
        panic!("a notification and a passcode mail");
    };
    for mail in [notification, passcode] {
        let logo = mail.logo.as_ref().expect("the logo goes with the mail");
        assert_eq!(&*logo.bytes, png.as_slice());
        assert_eq!(logo.content_type, "image/png");
        let html = mail.html.as_deref().unwrap();
        assert!(html.contains(&format!("src=\"cid:{}\"", logo.content_id)));
        assert!(html.contains("alt=\"Fabrikam\""));
        assert!(html.contains("background-color:#0b5cab;"));
        // The logo's public URL is never in the mail: opening it loads nothing.
        assert!(!html.contains(&routes::branding_logo(&t.id)));
    }
}

#[test]
fn sealmail_outbox_prints_the_text_part_decoded_even_when_it_went_out_base64() {
    use common::cli::{ok, run_sealmail};
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    ok(run_sealmail(
        &data,
        &["user", "add", "--email", ALICE, "--password-stdin"],
        "correct horse battery\n",
    ));
    // A public URL this long puts the link on a line too long for 8bit.
    let public = "https://secure-mail.portal.fabrikam-legal.example";
    ok(run_sealmail(
        &data,
        &[
            "--public-url",
            public,
            "send",
            "--from",
            ALICE,
            "--to",
            BOB,
            "--subject",
            "契約書",
            "--language",
            "ja",
        ],
        "body",
    ));
    let file = std::fs::read_dir(data.join("outbox"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "eml"))
        .unwrap();
    let raw = std::fs::read_to_string(file).unwrap();
    assert!(
        raw.contains(
            "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64"
        ),
        "{raw}"
    );

    let shown = ok(run_sealmail(&data, &["outbox"], ""));
    assert!(shown.contains("Subject: 契約書\n"), "{shown}");
    assert!(shown.contains("Content-Language: ja\n"), "{shown}");
    assert!(shown.contains("メッセージを読む:\n"), "{shown}");
    let link = shown
        .lines()
        .find(|l| l.starts_with(&format!("{public}/m/")))
        .expect("the link on a line of its own");
    assert_eq!(link.len(), public.len() + 3 + 43, "{link}");
}
