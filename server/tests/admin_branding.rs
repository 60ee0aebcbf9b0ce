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
use sealmail_api::sender::SentMessage;

fn template(name: &str, is_default: bool) -> BrandingTemplateInput {
    BrandingTemplateInput {
        name: name.into(),
        is_default,
        fields: BrandingFields {
            background_color: "#0b5cab".into(),
            introduction_text: Some(format!("{name} sent you a protected message.")),
            read_button_text: Some("Open securely".into()),
            email_text: Some("Questions? Call +31 20 555 0100.".into()),
            disclaimer_text: Some("Confidential.".into()),
            portal_text: Some(format!("{name} secure mail")),
            privacy_statement_url: Some("https://contoso.example/privacy".into()),
            passcode_enabled: true,
            expiry_days: Some(30),
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
