//! Branding templates: CRUD with one default, a logo, and messages that
//! carry their template's branding (notification, link page) and expiry.

mod common;

use axum::http::{Method, StatusCode, header};
use common::sender::{DAVE, message_to};
use common::{ALICE, BOB, TestApp};
use sealmail_api::ErrorCode;
use sealmail_api::admin::{BrandingFields, BrandingTemplateInput};
use sealmail_api::routes::{self, CSRF_HEADER, CSRF_VALUE};
use sealmail_api::sender::Expiry;

fn template(name: &str, is_default: bool) -> BrandingTemplateInput {
    BrandingTemplateInput {
        name: name.into(),
        is_default,
        fields: BrandingFields {
            organisation: None,
            background_color: "#0b5cab".into(),
            introduction_text: Some(format!("{name} sent you a protected message.")),
            read_button_text: Some("Open securely".into()),
            email_text: Some("Questions? Call +31 20 555 0100.".into()),
            disclaimer_text: Some("Confidential.".into()),
            portal_text: Some(format!("{name} secure mail")),
            privacy_statement_url: Some("https://contoso.example/privacy".into()),
            passcode_enabled: true,
            expiry_days: Some(30),
            language: None,
        },
    }
}

#[tokio::test]
async fn templates_are_listed_created_edited_and_deleted_with_exactly_one_default() {
    let app = TestApp::new().await;
    let admin = app.admin().await;

    let first = admin.create_template(&template("Contoso", false)).await;
    assert!(first.is_default, "the first template is the default");
    let second = admin.create_template(&template("Legal", true)).await;
    assert!(second.is_default);
    let list = admin.templates().await;
    assert_eq!(list.iter().filter(|t| t.is_default).count(), 1);
    assert_eq!(list.iter().find(|t| t.is_default).unwrap().id, second.id);

    let mut edit = template("Contoso", false);
    edit.fields.background_color = "#112233".into();
    let edited = admin.edit_template(&first.id, &edit).await;
    assert_eq!(edited.fields.background_color, "#112233");
    assert!(!edited.is_default);
    let one = admin.template(&first.id).await;
    assert_eq!(one, edited);

    // The default cannot go while another exists; an ordinary one can.
    let refused = admin.delete_template(&second.id).response().await;
    assert_eq!(refused.code(), ErrorCode::InvalidRequest);
    let deleted = admin.delete_template(&first.id).response().await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let gone = admin.template(&first.id).response().await;
    assert_eq!(gone.code(), ErrorCode::NotFound);
    let again = admin.delete_template(&first.id).response().await;
    assert_eq!(again.code(), ErrorCode::NotFound);
    let unknown_edit = admin.edit_template("999", &edit).response().await;
    assert_eq!(unknown_edit.code(), ErrorCode::NotFound);
}

#[tokio::test]
async fn bad_templates_are_refused() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    admin.create_template(&template("Contoso", false)).await;
    let duplicate = admin
        .create_template(&template("contoso", false))
        .response()
        .await;
    assert_eq!(duplicate.code(), ErrorCode::InvalidRequest);
    let mut colour = template("Colour", false);
    colour.fields.background_color = "red; background: url(x)".into();
    let mut script_url = template("Url", false);
    script_url.fields.privacy_statement_url = Some("javascript:alert(1)".into());
    let mut no_passcode = template("Nopass", false);
    no_passcode.fields.passcode_enabled = false;
    for bad in [colour, script_url, no_passcode] {
        let response = admin.create_template(&bad).response().await;
        assert_eq!(response.code(), ErrorCode::InvalidRequest, "{}", bad.name);
    }
    let dave = app.sender(DAVE).await;
    let forbidden = dave
        .as_admin()
        .create_template(&template("X", false))
        .response()
        .await;
    assert_eq!(forbidden.code(), ErrorCode::Forbidden);
    // Senders may list them to choose one.
    let list = dave.branding_templates().await;
    assert_eq!(list.len(), 1);
}

#[tokio::test]
async fn a_logo_is_uploaded_served_publicly_and_removed() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let t = admin.create_template(&template("Contoso", false)).await;
    let png = b"\x89PNG\r\n\x1a\nfake".to_vec();
    let with_logo = admin.upload_logo(&t.id, "image/png", &png).await;
    let url = with_logo.logo_url.unwrap();
    assert_eq!(url, routes::branding_logo(&t.id));
    let logo = app.get(&url, None).await;
    assert_eq!(logo.body, png);
    assert_eq!(logo.header(header::CONTENT_TYPE), "image/png");
    assert_eq!(logo.header(header::X_CONTENT_TYPE_OPTIONS), "nosniff");

    let svg = admin
        .upload_logo(&t.id, "image/svg+xml", b"<svg onload=alert(1)/>")
        .response()
        .await;
    assert_eq!(svg.code(), ErrorCode::InvalidRequest);

    let removed = admin.remove_logo(&t.id).await;
    assert_eq!(removed.logo_url, None);
    assert_eq!(app.get(&url, None).await.code(), ErrorCode::NotFound);
}

#[tokio::test]
async fn a_message_sent_with_a_template_carries_its_branding_and_expiry() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let alice = app.sender(ALICE).await;
    admin.create_template(&template("Contoso", true)).await;
    let mut legal = template("Legal", false);
    legal.fields.background_color = "#800000".into();
    legal.fields.expiry_days = Some(2);
    let legal = admin.create_template(&legal).await;

    let mut message = message_to(&[BOB]);
    message.branding_template = Some(legal.id.clone());
    let composed = alice.send(&message).await;

    let mail = app.last_mail_to(BOB).unwrap();
    assert!(
        mail.text.contains("Legal sent you a protected message."),
        "{}",
        mail.text
    );
    assert!(mail.text.contains("Open securely:\n"), "{}", mail.text);
    assert!(mail.text.contains("Questions? Call +31 20 555 0100."));
    assert!(mail.text.contains("Confidential."));

    let info = app.recipient(BOB).open_link().await;
    assert_eq!(info.branding.background_color, "#800000");
    assert_eq!(
        info.branding.portal_text.as_deref(),
        Some("Legal secure mail")
    );
    assert_eq!(
        info.branding.privacy_statement_url.as_deref(),
        Some("https://contoso.example/privacy")
    );

    let sent = alice.message(&composed.id).await;
    let expires = common::unix_time(&sent.expires_at.unwrap());
    let in_two_days = sealmail::store::now() + 2 * 86_400;
    assert!((expires - in_two_days).abs() <= 5, "two days from now");

    // Without a template: the default one's branding.
    let plain = alice.send(&message_to(&[common::CAROL])).await;
    let info = app.recipient(common::CAROL).open_link().await;
    assert_eq!(
        info.branding.portal_text.as_deref(),
        Some("Contoso secure mail")
    );
    let sent = alice.message(&plain.id).await;
    assert!(sent.expires_at.is_some(), "the default template's 30 days");
}

#[tokio::test]
async fn without_templates_the_servers_own_branding_is_shown() {
    let app = TestApp::with_args(&["--organisation", "Fabrikam"]).await;
    let alice = app.sender(ALICE).await;
    alice.send(&message_to(&[BOB])).await;
    let info = app.recipient(BOB).open_link().await;
    assert_eq!(info.branding.organisation, "Fabrikam");
    assert_eq!(info.branding.portal_text, None);
}

#[tokio::test]
async fn a_logo_over_the_limit_is_payload_too_large() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let t = admin.create_template(&template("Contoso", false)).await;
    let huge = vec![0u8; 512 * 1024 + 1];
    let response = admin
        .upload_logo(&t.id, "image/png", &huge)
        .response()
        .await;
    assert_eq!(response.code(), ErrorCode::PayloadTooLarge);
}

#[tokio::test]
async fn a_logo_must_be_the_image_its_type_says_and_only_an_admin_sets_it() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let dave = app.sender(DAVE).await;
    let t = admin.create_template(&template("Contoso", false)).await;
    let jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F'];

    let ok = admin.upload_logo(&t.id, "image/jpeg", &jpeg).await;
    let logo = app.get(&ok.logo_url.unwrap(), None).await;
    assert_eq!(logo.header(header::CONTENT_TYPE), "image/jpeg");

    let html = b"<html><script>alert(1)</script></html>";
    for (content_type, bytes) in [
        ("image/png", &html[..]),
        ("image/png", &jpeg[..]),
        ("text/html", &html[..]),
        ("image/png", &[][..]),
    ] {
        let response = admin
            .upload_logo(&t.id, content_type, bytes)
            .response()
            .await;
        assert_eq!(response.code(), ErrorCode::InvalidRequest, "{content_type}");
    }
    let still = admin.template(&t.id).await;
    assert!(
        still.logo_url.is_some(),
        "a refused upload keeps the old logo"
    );

    let png = b"\x89PNG\r\n\x1a\nfake";
    assert_eq!(
        admin.upload_logo("999", "image/png", png).code().await,
        ErrorCode::NotFound
    );
    assert_eq!(
        dave.as_admin()
            .upload_logo(&t.id, "image/png", png)
            .code()
            .await,
        ErrorCode::Forbidden
    );
    let stranger = app
        .raw(
            Method::PUT,
            &routes::admin_branding_logo(&t.id),
            &[(CSRF_HEADER, CSRF_VALUE), ("content-type", "image/png")],
            png.to_vec(),
        )
        .await;
    assert_eq!(stranger.code(), ErrorCode::NotSignedIn);
    let unknown_delete = admin.remove_logo("999").response().await;
    assert_eq!(unknown_delete.code(), ErrorCode::NotFound);
}

#[tokio::test]
async fn a_templates_organisation_name_shows_on_the_link_page_and_in_the_mail() {
    let app = TestApp::with_args(&["--organisation", "Fabrikam"]).await;
    let admin = app.admin().await;
    let alice = app.sender(ALICE).await;
    let mut input = template("Legal", true);
    input.fields.organisation = Some("Fabrikam Legal".into());
    let t = admin.create_template(&input).await;
    assert_eq!(t.fields.organisation.as_deref(), Some("Fabrikam Legal"));

    alice.send(&message_to(&[BOB])).await;
    let info = app.recipient(BOB).open_link().await;
    assert_eq!(info.branding.organisation, "Fabrikam Legal");
    let mail = app.last_mail_to(BOB).unwrap();
    assert!(mail.text.contains("by Fabrikam Legal"), "{}", mail.text);

    input.fields.organisation = Some("  ".into());
    let blank = admin.edit_template(&t.id, &input).response().await;
    assert_eq!(blank.code(), ErrorCode::InvalidRequest);
}

/// Decision: deleting a template never breaks what was sent with it. The
/// message keeps its expiry (fixed when it was sent) and its links; its
/// pages fall back to the server's own branding.
#[tokio::test]
async fn messages_sent_with_a_deleted_template_keep_working_with_the_servers_branding() {
    let app = TestApp::with_args(&["--organisation", "Fabrikam"]).await;
    let admin = app.admin().await;
    let alice = app.sender(ALICE).await;
    admin.create_template(&template("Contoso", true)).await;
    let mut legal = template("Legal", false);
    legal.fields.organisation = Some("Fabrikam Legal".into());
    legal.fields.expiry_days = Some(2);
    let legal = admin.create_template(&legal).await;
    let mut message = message_to(&[BOB]);
    message.branding_template = Some(legal.id.clone());
    let composed = alice.send(&message).await;
    let before = alice.message(&composed.id).await;

    let deleted = admin.delete_template(&legal.id).response().await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);

    let bob = app.recipient(BOB);
    let info = bob.open_link().await;
    assert_eq!(info.branding.organisation, "Fabrikam");
    assert_eq!(info.branding.portal_text, None);
    let read = bob.signed_in().await.read().response().await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.text());
    let after = alice.message(&composed.id).await;
    assert_eq!(after.expires_at, before.expires_at, "the expiry stays");

    // A new message naming the deleted template is refused, not silently re-branded.
    let refused = alice.send(&message).response().await;
    assert_eq!(refused.code(), ErrorCode::InvalidRequest);
}

/// The sender's expiry choice against a template that sets one: the
/// template's (the default), never, or a date of their own.
#[tokio::test]
async fn a_sender_may_choose_never_over_the_templates_expiry() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let alice = app.sender(ALICE).await;
    admin.create_template(&template("Contoso", true)).await; // 30 days
    let expiry_of = |expiry: Expiry| {
        let mut message = message_to(&[BOB]);
        message.expiry = expiry;
        let alice = &alice;
        async move {
            let composed = alice.send(&message).await;
            alice.message(&composed.id).await.expires_at
        }
    };

    let by_template = expiry_of(Expiry::TemplateDefault).await.unwrap();
    let expires = common::unix_time(&by_template);
    assert!((expires - (sealmail::store::now() + 30 * 86_400)).abs() <= 5);
    assert_eq!(expiry_of(Expiry::Never).await, None);
    let at = sealmail_api::Timestamp("2099-01-01T00:00:00Z".into());
    assert_eq!(expiry_of(Expiry::At(at.clone())).await, Some(at));
}
