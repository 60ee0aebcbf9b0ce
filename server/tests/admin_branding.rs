//! Branding templates: CRUD with one default, a logo, and messages that
//! carry their template's branding (notification, link page) and expiry.

mod common;

use axum::http::{Method, StatusCode, header};
use common::sender::{ADMIN, DAVE, get_with, message_to};
use common::{ALICE, BOB, TestApp};
use sealmail_api::ErrorCode;
use sealmail_api::admin::{BrandingFields, BrandingTemplate, BrandingTemplateInput};
use sealmail_api::recipient::LinkInfo;
use sealmail_api::routes::{self, CSRF_HEADER, CSRF_VALUE};
use sealmail_api::sender::{Expiry, SentMessage};

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

async fn create(app: &TestApp, admin: &str, input: &BrandingTemplateInput) -> BrandingTemplate {
    let response = app
        .call(Method::POST, routes::ADMIN_BRANDING, Some(input), admin)
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
    response.json()
}

#[tokio::test]
async fn templates_are_listed_created_edited_and_deleted_with_exactly_one_default() {
    let app = TestApp::new().await;
    let admin = app.sender(ADMIN, true).await;

    let first = create(&app, &admin, &template("Contoso", false)).await;
    assert!(first.is_default, "the first template is the default");
    let second = create(&app, &admin, &template("Legal", true)).await;
    assert!(second.is_default);
    let list: Vec<BrandingTemplate> = get_with(&app, routes::ADMIN_BRANDING, &admin).await.json();
    assert_eq!(list.iter().filter(|t| t.is_default).count(), 1);
    assert_eq!(list.iter().find(|t| t.is_default).unwrap().id, second.id);

    let mut edit = template("Contoso", false);
    edit.fields.background_color = "#112233".into();
    let edited: BrandingTemplate = app
        .call(
            Method::PUT,
            &routes::admin_branding_one(&first.id),
            Some(&edit),
            &admin,
        )
        .await
        .json();
    assert_eq!(edited.fields.background_color, "#112233");
    assert!(!edited.is_default);
    let one: BrandingTemplate = get_with(&app, &routes::admin_branding_one(&first.id), &admin)
        .await
        .json();
    assert_eq!(one, edited);

    // The default cannot go while another exists; an ordinary one can.
    let refused = app
        .call::<()>(
            Method::DELETE,
            &routes::admin_branding_one(&second.id),
            None,
            &admin,
        )
        .await;
    assert_eq!(refused.code(), ErrorCode::InvalidRequest);
    let deleted = app
        .call::<()>(
            Method::DELETE,
            &routes::admin_branding_one(&first.id),
            None,
            &admin,
        )
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let gone = get_with(&app, &routes::admin_branding_one(&first.id), &admin).await;
    assert_eq!(gone.code(), ErrorCode::NotFound);
    let again = app
        .call::<()>(
            Method::DELETE,
            &routes::admin_branding_one(&first.id),
            None,
            &admin,
        )
        .await;
    assert_eq!(again.code(), ErrorCode::NotFound);
    let unknown_edit = app
        .call(
            Method::PUT,
            &routes::admin_branding_one("999"),
            Some(&edit),
            &admin,
        )
        .await;
    assert_eq!(unknown_edit.code(), ErrorCode::NotFound);
}

#[tokio::test]
async fn bad_templates_are_refused() {
    let app = TestApp::new().await;
    let admin = app.sender(ADMIN, true).await;
    create(&app, &admin, &template("Contoso", false)).await;
    let duplicate = app
        .call(
            Method::POST,
            routes::ADMIN_BRANDING,
            Some(&template("contoso", false)),
            &admin,
        )
        .await;
    assert_eq!(duplicate.code(), ErrorCode::InvalidRequest);
    let mut colour = template("Colour", false);
    colour.fields.background_color = "red; background: url(x)".into();
    let mut script_url = template("Url", false);
    script_url.fields.privacy_statement_url = Some("javascript:alert(1)".into());
    let mut no_passcode = template("Nopass", false);
    no_passcode.fields.passcode_enabled = false;
    for bad in [colour, script_url, no_passcode] {
        let response = app
            .call(Method::POST, routes::ADMIN_BRANDING, Some(&bad), &admin)
            .await;
        assert_eq!(response.code(), ErrorCode::InvalidRequest, "{}", bad.name);
    }
    let dave = app.sender(DAVE, false).await;
    let forbidden = app
        .call(
            Method::POST,
            routes::ADMIN_BRANDING,
            Some(&template("X", false)),
            &dave,
        )
        .await;
    assert_eq!(forbidden.code(), ErrorCode::Forbidden);
    // Senders may list them to choose one.
    let list: Vec<BrandingTemplate> = get_with(&app, routes::BRANDING_TEMPLATES, &dave)
        .await
        .json();
    assert_eq!(list.len(), 1);
}

#[tokio::test]
async fn a_logo_is_uploaded_served_publicly_and_removed() {
    let app = TestApp::new().await;
    let admin = app.sender(ADMIN, true).await;
    let t = create(&app, &admin, &template("Contoso", false)).await;
    let png = b"\x89PNG\r\n\x1a\nfake".to_vec();
    let upload = app
        .raw(
            Method::PUT,
            &routes::admin_branding_logo(&t.id),
            &[
                (CSRF_HEADER, CSRF_VALUE),
                ("cookie", &admin),
                ("content-type", "image/png"),
            ],
            png.clone(),
        )
        .await;
    assert_eq!(upload.status, StatusCode::OK, "{}", upload.text());
    let with_logo: BrandingTemplate = upload.json();
    let url = with_logo.logo_url.unwrap();
    assert_eq!(url, routes::branding_logo(&t.id));
    let logo = app.get(&url, None).await;
    assert_eq!(logo.body, png);
    assert_eq!(logo.header(header::CONTENT_TYPE), "image/png");
    assert_eq!(logo.header(header::X_CONTENT_TYPE_OPTIONS), "nosniff");

    let svg = app
        .raw(
            Method::PUT,
            &routes::admin_branding_logo(&t.id),
            &[
                (CSRF_HEADER, CSRF_VALUE),
                ("cookie", &admin),
                ("content-type", "image/svg+xml"),
            ],
            "<svg onload=alert(1)/>",
        )
        .await;
    assert_eq!(svg.code(), ErrorCode::InvalidRequest);

    let removed: BrandingTemplate = app
        .call::<()>(
            Method::DELETE,
            &routes::admin_branding_logo(&t.id),
            None,
            &admin,
        )
        .await
        .json();
    assert_eq!(removed.logo_url, None);
    assert_eq!(app.get(&url, None).await.code(), ErrorCode::NotFound);
}

#[tokio::test]
async fn a_message_sent_with_a_template_carries_its_branding_and_expiry() {
    let app = TestApp::new().await;
    let admin = app.sender(ADMIN, true).await;
    let alice = app.sender(ALICE, false).await;
    create(&app, &admin, &template("Contoso", true)).await;
    let mut legal = template("Legal", false);
    legal.fields.background_color = "#800000".into();
    legal.fields.expiry_days = Some(2);
    let legal = create(&app, &admin, &legal).await;

    let mut message = message_to(&[BOB]);
    message.branding_template = Some(legal.id.clone());
    let composed = app.compose_ok(&alice, &message, &[]).await;

    let mail = app.mailer.last_to(BOB).unwrap();
    assert!(
        mail.text.contains("Legal sent you a protected message."),
        "{}",
        mail.text
    );
    assert!(mail.text.contains("Open securely:\n"), "{}", mail.text);
    assert!(mail.text.contains("Questions? Call +31 20 555 0100."));
    assert!(mail.text.contains("Confidential."));

    let token = app.token_for(BOB);
    let info: LinkInfo = app.get(&routes::link(&token), None).await.json();
    assert_eq!(info.branding.background_color, "#800000");
    assert_eq!(
        info.branding.portal_text.as_deref(),
        Some("Legal secure mail")
    );
    assert_eq!(
        info.branding.privacy_statement_url.as_deref(),
        Some("https://contoso.example/privacy")
    );

    let sent: SentMessage = get_with(&app, &routes::message(&composed.id), &alice)
        .await
        .json();
    let expires = sealmail::sender::parse_time(&sent.expires_at.unwrap()).unwrap();
    let in_two_days = sealmail::store::now() + 2 * 86_400;
    assert!((expires - in_two_days).abs() <= 5, "two days from now");

    // Without a template: the default one's branding.
    let plain = app
        .compose_ok(&alice, &message_to(&[common::CAROL]), &[])
        .await;
    let token = app.token_for(common::CAROL);
    let info: LinkInfo = app.get(&routes::link(&token), None).await.json();
    assert_eq!(
        info.branding.portal_text.as_deref(),
        Some("Contoso secure mail")
    );
    let sent: SentMessage = get_with(&app, &routes::message(&plain.id), &alice)
        .await
        .json();
    assert!(sent.expires_at.is_some(), "the default template's 30 days");
}

#[tokio::test]
async fn without_templates_the_servers_own_branding_is_shown() {
    let app = TestApp::with_args(&["--organisation", "Fabrikam"]).await;
    let alice = app.sender(ALICE, false).await;
    app.compose_ok(&alice, &message_to(&[BOB]), &[]).await;
    let token = app.token_for(BOB);
    let info: LinkInfo = app.get(&routes::link(&token), None).await.json();
    assert_eq!(info.branding.organisation, "Fabrikam");
    assert_eq!(info.branding.portal_text, None);
}

#[tokio::test]
async fn a_logo_over_the_limit_is_payload_too_large() {
    let app = TestApp::new().await;
    let admin = app.sender(ADMIN, true).await;
    let t = create(&app, &admin, &template("Contoso", false)).await;
    let huge = vec![0u8; 512 * 1024 + 1];
    let response = app
        .raw(
            Method::PUT,
            &routes::admin_branding_logo(&t.id),
            &[
                (CSRF_HEADER, CSRF_VALUE),
                ("cookie", &admin),
                ("content-type", "image/png"),
            ],
            huge,
        )
        .await;
    assert_eq!(response.code(), ErrorCode::PayloadTooLarge);
}

/// `PUT` a logo with this content type and these bytes, as `cookie`.
async fn put_logo(
    app: &TestApp,
    id: &str,
    cookie: &str,
    content_type: &str,
    bytes: &[u8],
) -> common::TestResponse {
    app.raw(
        Method::PUT,
        &routes::admin_branding_logo(id),
        &[
            (CSRF_HEADER, CSRF_VALUE),
            ("cookie", cookie),
            ("content-type", content_type),
        ],
        bytes.to_vec(),
    )
    .await
}

#[tokio::test]
async fn a_logo_must_be_the_image_its_type_says_and_only_an_admin_sets_it() {
    let app = TestApp::new().await;
    let admin = app.sender(ADMIN, true).await;
    let dave = app.sender(DAVE, false).await;
    let t = create(&app, &admin, &template("Contoso", false)).await;
    let jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F'];

    let ok: BrandingTemplate = put_logo(&app, &t.id, &admin, "image/jpeg", &jpeg)
        .await
        .json();
    let logo = app.get(&ok.logo_url.unwrap(), None).await;
    assert_eq!(logo.header(header::CONTENT_TYPE), "image/jpeg");

    let html = b"<html><script>alert(1)</script></html>";
    for (content_type, bytes) in [
        ("image/png", &html[..]),
        ("image/png", &jpeg[..]),
        ("text/html", &html[..]),
        ("image/png", &[][..]),
    ] {
        let response = put_logo(&app, &t.id, &admin, content_type, bytes).await;
        assert_eq!(response.code(), ErrorCode::InvalidRequest, "{content_type}");
    }
    let still: BrandingTemplate = get_with(&app, &routes::admin_branding_one(&t.id), &admin)
        .await
        .json();
    assert!(
        still.logo_url.is_some(),
        "a refused upload keeps the old logo"
    );

    let png = b"\x89PNG\r\n\x1a\nfake";
    assert_eq!(
        put_logo(&app, "999", &admin, "image/png", png).await.code(),
        ErrorCode::NotFound
    );
    assert_eq!(
        put_logo(&app, &t.id, &dave, "image/png", png).await.code(),
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
    let unknown_delete = app
        .call::<()>(
            Method::DELETE,
            &routes::admin_branding_logo("999"),
            None,
            &admin,
        )
        .await;
    assert_eq!(unknown_delete.code(), ErrorCode::NotFound);
}

#[tokio::test]
async fn a_templates_organisation_name_shows_on_the_link_page_and_in_the_mail() {
    let app = TestApp::with_args(&["--organisation", "Fabrikam"]).await;
    let admin = app.sender(ADMIN, true).await;
    let alice = app.sender(ALICE, false).await;
    let mut input = template("Legal", true);
    input.fields.organisation = Some("Fabrikam Legal".into());
    let t = create(&app, &admin, &input).await;
    assert_eq!(t.fields.organisation.as_deref(), Some("Fabrikam Legal"));

    app.compose_ok(&alice, &message_to(&[BOB]), &[]).await;
    let info: LinkInfo = app
        .get(&routes::link(&app.token_for(BOB)), None)
        .await
        .json();
    assert_eq!(info.branding.organisation, "Fabrikam Legal");
    let mail = app.mailer.last_to(BOB).unwrap();
    assert!(mail.text.contains("by Fabrikam Legal"), "{}", mail.text);

    input.fields.organisation = Some("  ".into());
    let blank = app
        .call(
            Method::PUT,
            &routes::admin_branding_one(&t.id),
            Some(&input),
            &admin,
        )
        .await;
    assert_eq!(blank.code(), ErrorCode::InvalidRequest);
}

/// Decision: deleting a template never breaks what was sent with it. The
/// message keeps its expiry (fixed when it was sent) and its links; its
/// pages fall back to the server's own branding.
#[tokio::test]
async fn messages_sent_with_a_deleted_template_keep_working_with_the_servers_branding() {
    let app = TestApp::with_args(&["--organisation", "Fabrikam"]).await;
    let admin = app.sender(ADMIN, true).await;
    let alice = app.sender(ALICE, false).await;
    create(&app, &admin, &template("Contoso", true)).await;
    let mut legal = template("Legal", false);
    legal.fields.organisation = Some("Fabrikam Legal".into());
    legal.fields.expiry_days = Some(2);
    let legal = create(&app, &admin, &legal).await;
    let mut message = message_to(&[BOB]);
    message.branding_template = Some(legal.id.clone());
    let composed = app.compose_ok(&alice, &message, &[]).await;
    let before: SentMessage = get_with(&app, &routes::message(&composed.id), &alice)
        .await
        .json();

    let deleted = app
        .call::<()>(
            Method::DELETE,
            &routes::admin_branding_one(&legal.id),
            None,
            &admin,
        )
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);

    let token = app.token_for(BOB);
    let info: LinkInfo = app.get(&routes::link(&token), None).await.json();
    assert_eq!(info.branding.organisation, "Fabrikam");
    assert_eq!(info.branding.portal_text, None);
    let cookie = app.sign_in(&token, BOB).await;
    let read = app.get(&routes::link_message(&token), Some(&cookie)).await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.text());
    let after: SentMessage = get_with(&app, &routes::message(&composed.id), &alice)
        .await
        .json();
    assert_eq!(after.expires_at, before.expires_at, "the expiry stays");

    // A new message naming the deleted template is refused, not silently re-branded.
    let refused = app.compose(&alice, &message, &[]).await;
    assert_eq!(refused.code(), ErrorCode::InvalidRequest);
}

/// The sender's expiry choice against a template that sets one: the
/// template's (the default), never, or a date of their own.
#[tokio::test]
async fn a_sender_may_choose_never_over_the_templates_expiry() {
    let app = TestApp::new().await;
    let admin = app.sender(ADMIN, true).await;
    let alice = app.sender(ALICE, false).await;
    create(&app, &admin, &template("Contoso", true)).await; // 30 days
    let expiry_of = |expiry: Expiry| {
        let mut message = message_to(&[BOB]);
        message.expiry = expiry;
        let (app, alice) = (&app, alice.clone());
        async move {
            let composed = app.compose_ok(&alice, &message, &[]).await;
            let sent: SentMessage = get_with(app, &routes::message(&composed.id), &alice)
                .await
                .json();
            sent.expires_at
        }
    };

    let by_template = expiry_of(Expiry::TemplateDefault).await.unwrap();
    let expires = sealmail::sender::parse_time(&by_template).unwrap();
    assert!((expires - (sealmail::store::now() + 30 * 86_400)).abs() <= 5);
    assert_eq!(expiry_of(Expiry::Never).await, None);
    let at = sealmail_api::Timestamp("2099-01-01T00:00:00Z".into());
    assert_eq!(expiry_of(Expiry::At(at.clone())).await, Some(at));
}
