//! Composing through the API: multipart with files, limits, validation.

mod common;

use common::sender::message_to;
use common::{ALICE, BOB, CAROL, SECRET_BODY, TestApp};
use sealmail_api::ErrorCode;
use sealmail_api::routes;
use sealmail_api::sender::Expiry;

#[tokio::test]
async fn a_sender_sends_to_two_recipients_with_two_files_and_both_read_them() {
    let app = TestApp::new().await;
    let alice = app.sender(ALICE).await;
    let pdf = vec![7u8; 200_000];
    let composed = alice
        .send(&message_to(&[BOB, CAROL]))
        .file("contract.pdf", "application/pdf", &pdf)
        .file("notes.txt", "text/plain", b"see page 2")
        .await;
    assert!(composed.message_id.starts_with('<') && composed.message_id.ends_with('>'));

    for address in [BOB, CAROL] {
        let reader = app.recipient(address).signed_in().await;
        let view = reader.read().await;
        assert_eq!(view.message_id, composed.message_id);
        assert_eq!(view.from.address, ALICE);
        assert_eq!(view.body.text.as_deref(), Some(SECRET_BODY));
        assert_eq!(view.protection, sealmail_api::Protection::DoNotForward);
        assert_eq!(view.attachments.len(), 2);
        let file = reader.download(&view.attachments[0].id).await;
        assert_eq!(file, pdf);
        let notes = reader.download(&view.attachments[1].id).await;
        assert_eq!(notes, b"see page 2");
    }
}

#[tokio::test]
async fn a_message_over_the_size_limit_is_payload_too_large_and_leaves_nothing() {
    let app = TestApp::with_args(&["--max-message-mib", "1"]).await;
    let alice = app.sender(ALICE).await;
    // The limit is announced, so the portal can say so before uploading.
    let me = alice.me().await;
    assert_eq!(me.max_message_bytes, Some(1024 * 1024));
    let big = vec![1u8; 1024 * 1024 + 1];
    let response = alice
        .send(&message_to(&[BOB]))
        .file("big.bin", "application/octet-stream", &big)
        .response()
        .await;
    assert_eq!(response.code(), ErrorCode::PayloadTooLarge);
    let count = app.rows_in("messages").await;
    assert_eq!(count, 0);
    assert!(app.mails().is_empty(), "no notification went out");
    // From a bucket the unsent message's objects go in a task: give it a moment.
    let started = std::time::Instant::now();
    while !app.stored_objects().await.is_empty() && started.elapsed().as_secs() < 5 {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(
        app.stored_objects().await,
        [],
        "the sealed part was removed"
    );
    if app.state.blobs.local_root().is_some() {
        let leftovers = std::fs::read_dir(&app.state.settings.attachments_dir)
            .unwrap()
            .count();
        assert_eq!(leftovers, 0, "nor a lock or folder left");
    }
}

#[tokio::test]
async fn compose_refuses_bad_input_with_invalid_request() {
    let app = TestApp::new().await;
    let alice = app.sender(ALICE).await;

    let no_recipients = message_to(&[]);
    let bad_address = message_to(&["not an address"]);
    let mut past = message_to(&[BOB]);
    past.expiry = Expiry::At(sealmail_api::Timestamp("2001-01-01T00:00:00Z".into()));
    let mut unknown_template = message_to(&[BOB]);
    unknown_template.branding_template = Some("999".into());
    for (what, bad) in [
        ("no recipients", no_recipients),
        ("a bad address", bad_address),
        ("an expiry in the past", past),
        ("an unknown template", unknown_template),
    ] {
        assert_eq!(
            alice.send(&bad).code().await,
            ErrorCode::InvalidRequest,
            "{what}"
        );
    }
    assert_eq!(
        alice.send_part(b"{not json").code().await,
        ErrorCode::InvalidRequest
    );
    let mut unknown_expiry = serde_json::to_value(message_to(&[BOB])).unwrap();
    unknown_expiry["expiry"] = "tomorrow".into();
    assert_eq!(
        alice
            .send_part(unknown_expiry.to_string().as_bytes())
            .code()
            .await,
        ErrorCode::InvalidRequest
    );
    // JSON instead of multipart.
    let json = app
        .call(
            axum::http::Method::POST,
            routes::MESSAGES,
            &message_to(&[BOB]),
            alice.cookie(),
        )
        .await;
    assert_eq!(json.code(), ErrorCode::InvalidRequest);
    assert!(app.mails().is_empty());
}

#[tokio::test]
async fn compose_needs_a_signed_in_sender() {
    let app = TestApp::new().await;
    let response = app
        .session("sealmail_session=nope")
        .send(&message_to(&[BOB]))
        .response()
        .await;
    assert_eq!(response.code(), ErrorCode::NotSignedIn);
}

#[tokio::test]
async fn an_expiry_chosen_at_compose_is_kept() {
    let app = TestApp::new().await;
    let alice = app.sender(ALICE).await;
    let mut message = message_to(&[BOB]);
    message.expiry = Expiry::At(sealmail_api::Timestamp("2099-01-01T00:00:00Z".into()));
    let composed = alice.send(&message).await;
    let sent = alice.message(&composed.id).await;
    assert_eq!(sent.expires_at.unwrap().0, "2099-01-01T00:00:00Z");
    assert_eq!(sent.recipients.len(), 1);
}

#[tokio::test]
async fn an_endless_message_part_is_refused_without_being_read_whole() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use axum::body::Body;
    use axum::http::{Request, StatusCode, header};
    use sealmail_api::routes::{CSRF_HEADER, CSRF_VALUE};
    use tower::ServiceExt as _;

    let app = TestApp::with_args(&["--max-message-mib", "1"]).await;
    let alice = app.sender(ALICE).await;
    // The JSON part's subject never ends: 64 MiB offered, 64 KiB at a time.
    let sent = Arc::new(AtomicUsize::new(0));
    let counter = sent.clone();
    let head = "--B\r\nContent-Disposition: form-data; name=\"message\"\r\n\
                Content-Type: application/json\r\n\r\n{\"subject\": \"";
    let chunks = std::iter::once(head.as_bytes().to_vec())
        .chain(std::iter::repeat_n(vec![b'a'; 64 * 1024], 1024))
        .map(move |chunk| {
            counter.fetch_add(chunk.len(), Ordering::SeqCst);
            Ok::<_, std::io::Error>(chunk)
        });
    let request = Request::post(routes::MESSAGES)
        .header(header::CONTENT_TYPE, "multipart/form-data; boundary=B")
        .header(header::COOKIE, alice.cookie())
        .header(CSRF_HEADER, CSRF_VALUE)
        // Each chunk a moment after the last, as from a network.
        .body(Body::from_stream(futures_util::StreamExt::then(
            futures_util::stream::iter(chunks),
            |chunk| async {
                tokio::task::yield_now().await;
                chunk
            },
        )))
        .unwrap();
    let response = app.router.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let read = sent.load(Ordering::SeqCst);
    assert!(read < 4 * 1024 * 1024, "read {read} bytes of a 1 MiB limit");
}
