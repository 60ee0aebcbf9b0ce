//! Composing through the API: multipart with files, limits, validation.

mod common;

use common::sender::message_to;
use common::{ALICE, BOB, CAROL, SECRET_BODY, TestApp};
use sealmail_api::ErrorCode;
use sealmail_api::recipient::MessageView;
use sealmail_api::routes;
use sealmail_api::sender::{Expiry, Me};

#[tokio::test]
async fn a_sender_sends_to_two_recipients_with_two_files_and_both_read_them() {
    let app = TestApp::new().await;
    let alice = app.sender(ALICE, false).await;
    let pdf = vec![7u8; 200_000];
    let composed = app
        .compose_ok(
            &alice,
            &message_to(&[BOB, CAROL]),
            &[
                ("contract.pdf", "application/pdf", &pdf),
                ("notes.txt", "text/plain", b"see page 2"),
            ],
        )
        .await;
    assert!(composed.message_id.starts_with('<') && composed.message_id.ends_with('>'));

    for (address, _) in [(BOB, 0), (CAROL, 1)] {
        let token = app.token_for(address);
        let cookie = app.sign_in(&token, address).await;
        let view: MessageView = app
            .get(&routes::link_message(&token), Some(&cookie))
            .await
            .json();
        assert_eq!(view.message_id, composed.message_id);
        assert_eq!(view.from.address, ALICE);
        assert_eq!(view.body.text.as_deref(), Some(SECRET_BODY));
        assert_eq!(view.protection, sealmail_api::Protection::DoNotForward);
        assert_eq!(view.attachments.len(), 2);
        let file = app
            .get(
                &routes::link_attachment(&token, &view.attachments[0].id),
                Some(&cookie),
            )
            .await;
        assert_eq!(file.body, pdf);
        let notes = app
            .get(
                &routes::link_attachment(&token, &view.attachments[1].id),
                Some(&cookie),
            )
            .await;
        assert_eq!(notes.body, b"see page 2");
    }
}

#[tokio::test]
async fn a_message_over_the_size_limit_is_payload_too_large_and_leaves_nothing() {
    let app = TestApp::with_args(&["--max-message-mib", "1"]).await;
    let alice = app.sender(ALICE, false).await;
    // The limit is announced, so the portal can say so before uploading.
    let me: Me = common::sender::get_with(&app, routes::ME, &alice)
        .await
        .json();
    assert_eq!(me.max_message_bytes, Some(1024 * 1024));
    let big = vec![1u8; 1024 * 1024 + 1];
    let response = app
        .compose(
            &alice,
            &message_to(&[BOB]),
            &[("big.bin", "application/octet-stream", &big)],
        )
        .await;
    assert_eq!(response.code(), ErrorCode::PayloadTooLarge);
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM messages")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(count, 0);
    assert!(app.mailer.sent().is_empty(), "no notification went out");
    let leftovers = std::fs::read_dir(&app.state.settings.attachments_dir)
        .unwrap()
        .count();
    assert_eq!(leftovers, 0, "the sealed part was removed");
}

#[tokio::test]
async fn compose_refuses_bad_input_with_invalid_request() {
    let app = TestApp::new().await;
    let alice = app.sender(ALICE, false).await;

    let no_recipients = message_to(&[]);
    assert_eq!(
        app.compose(&alice, &no_recipients, &[]).await.code(),
        ErrorCode::InvalidRequest
    );
    let bad_address = message_to(&["not an address"]);
    assert_eq!(
        app.compose(&alice, &bad_address, &[]).await.code(),
        ErrorCode::InvalidRequest
    );
    let mut past = message_to(&[BOB]);
    past.expiry = Expiry::At(sealmail_api::Timestamp("2001-01-01T00:00:00Z".into()));
    assert_eq!(
        app.compose(&alice, &past, &[]).await.code(),
        ErrorCode::InvalidRequest
    );
    let mut unknown_template = message_to(&[BOB]);
    unknown_template.branding_template = Some("999".into());
    assert_eq!(
        app.compose(&alice, &unknown_template, &[]).await.code(),
        ErrorCode::InvalidRequest
    );
    assert_eq!(
        app.compose_raw(&alice, b"{not json", &[]).await.code(),
        ErrorCode::InvalidRequest
    );
    let mut unknown_expiry = serde_json::to_value(message_to(&[BOB])).unwrap();
    unknown_expiry["expiry"] = "tomorrow".into();
    assert_eq!(
        app.compose_raw(&alice, unknown_expiry.to_string().as_bytes(), &[])
            .await
            .code(),
        ErrorCode::InvalidRequest
    );
    // JSON instead of multipart.
    let json = app
        .call(
            axum::http::Method::POST,
            routes::MESSAGES,
            Some(&message_to(&[BOB])),
            &alice,
        )
        .await;
    assert_eq!(json.code(), ErrorCode::InvalidRequest);
    assert!(app.mailer.sent().is_empty());
}

#[tokio::test]
async fn compose_needs_a_signed_in_sender() {
    let app = TestApp::new().await;
    let response = app
        .compose("sealmail_session=nope", &message_to(&[BOB]), &[])
        .await;
    assert_eq!(response.code(), ErrorCode::NotSignedIn);
}

#[tokio::test]
async fn an_expiry_chosen_at_compose_is_kept() {
    let app = TestApp::new().await;
    let alice = app.sender(ALICE, false).await;
    let mut message = message_to(&[BOB]);
    message.expiry = Expiry::At(sealmail_api::Timestamp("2099-01-01T00:00:00Z".into()));
    let composed = app.compose_ok(&alice, &message, &[]).await;
    let sent: sealmail_api::sender::SentMessage =
        common::sender::get_with(&app, &routes::message(&composed.id), &alice)
            .await
            .json();
    assert_eq!(sent.expires_at.unwrap().0, "2099-01-01T00:00:00Z");
    assert_eq!(sent.recipients.len(), 1);
}
