//! The recipient's happy paths, over the real router and a real database.

mod common;

use axum::http::{StatusCode, header};
use common::*;
use sealmail::messages;
use sealmail_api::admin::RecipientState;
use sealmail_api::recipient::*;
use sealmail_api::routes;

#[tokio::test]
async fn a_recipient_opens_the_link_gets_a_passcode_and_reads_the_message() {
    let app = TestApp::new().await;
    let message_id = app.send(&[BOB], &[CAROL], &[]).await;

    // The notification went to Bob, with a link to the portal page.
    let notification = app.last_mail_to(BOB).unwrap();
    assert_eq!(notification.subject, "Quarterly numbers");
    assert!(notification.text.contains("http://portal.test/m/"));
    assert!(
        !notification.text.contains(SECRET_BODY),
        "the body never travels in mail"
    );
    let bob = app.recipient(BOB);
    assert!(bob.token().len() >= 43, "a 256-bit token");
    assert_ne!(
        bob.token(),
        app.token_for(CAROL),
        "every recipient has a link of their own"
    );

    // Opening the link shows who sent it and to whom, masked; no session yet.
    let info = bob.open_link().await;
    assert_eq!(info.sender.address, ALICE);
    assert_eq!(info.sender.name.as_deref(), Some("Alice Demo"));
    assert_eq!(info.recipient_masked, "b•••@example.net");
    assert_eq!(info.protection, sealmail_api::Protection::EncryptOnly);
    assert!(!info.session_open);
    // ...and does not count as an open (mail scanners pre-open links).
    let status = messages::status(&app.state, &message_id).await.unwrap();
    assert_eq!(status.recipients[0].state, RecipientState::Sent);

    // The passcode goes to the address bound to the link.
    let sent = bob.request_passcode().await;
    assert_eq!(sent.sent_to_masked, "b•••@example.net");
    assert_eq!(sent.valid_for_secs, 600);
    let passcode = bob.passcode_from_mail();
    assert!(
        app.mails().iter().filter(|m| m.to == CAROL).count() == 1,
        "Carol got only her notification"
    );

    // Spaces and dashes in the typed passcode are ignored.
    let typed = format!("{}-{} ", &passcode[..4], &passcode[4..]);
    let opened = bob.submit_passcode(&typed).response().await;
    assert_eq!(opened.status, StatusCode::OK);
    let _: SessionOpened = opened.json();
    let set_cookie = opened.header(header::SET_COOKIE);
    assert!(set_cookie.contains("HttpOnly"), "{set_cookie}");
    assert!(set_cookie.contains("SameSite=Strict"), "{set_cookie}");
    assert!(
        set_cookie.contains(&format!("Path={}", routes::link(bob.token()))),
        "{set_cookie}"
    );
    assert!(
        set_cookie.contains("Secure"),
        "plain http, but not on this machine: Secure all the same ({set_cookie})"
    );
    let bob = bob.with_session(&opened.session_cookie().unwrap());

    let info = bob.open_link().await;
    assert!(info.session_open);

    let view = bob.read().await;
    assert_eq!(view.message_id, message_id);
    assert_eq!(view.subject, "Quarterly numbers");
    assert_eq!(view.body.text.as_deref(), Some(SECRET_BODY));
    assert_eq!(view.from.address, ALICE);
    assert_eq!(
        view.to
            .iter()
            .map(|m| m.address.as_str())
            .collect::<Vec<_>>(),
        [BOB]
    );
    assert_eq!(
        view.cc
            .iter()
            .map(|m| m.address.as_str())
            .collect::<Vec<_>>(),
        [CAROL]
    );

    // Now it counts as opened, for Bob only.
    let status = messages::status(&app.state, &message_id).await.unwrap();
    assert_eq!(status.recipients[0].state, RecipientState::Opened);
    assert!(status.recipients[0].opened_at.is_some());
    assert_eq!(status.recipients[1].state, RecipientState::Sent);
}

#[tokio::test]
async fn session_cookie_is_secure_when_the_public_url_is_https() {
    let app = TestApp::with_args(&["--public-url", "https://mail.example.com"]).await;
    app.send(&[BOB], &[], &[]).await;
    let bob = app.recipient(BOB);
    assert!(
        app.last_mail_to(BOB)
            .unwrap()
            .text
            .contains("https://mail.example.com/m/")
    );
    bob.request_passcode().await;
    let opened = bob
        .submit_passcode(&bob.passcode_from_mail())
        .response()
        .await;
    assert!(opened.header(header::SET_COOKIE).contains("Secure"));
}

#[tokio::test]
async fn attachments_download_streamed_with_safe_headers_and_identical_bytes() {
    let app = TestApp::new().await;
    // Larger than several chunks and not a multiple of the chunk size.
    let big: Vec<u8> = (0..(3 * 65_536 + 1234))
        .map(|i| (i * 7 % 251) as u8)
        .collect();
    let exact: Vec<u8> = vec![42u8; 65_536];
    app.send(
        &[BOB],
        &[],
        &[
            ("report \"Q3\".pdf", "application/pdf", &big),
            ("empty.txt", "text/plain", b""),
            ("page.html", "text/html", b"<script>alert(1)</script>"),
            ("exact.bin", "application/octet-stream", &exact),
        ],
    )
    .await;
    let bob = app.recipient(BOB).signed_in().await;
    let view = bob.read().await;
    let names: Vec<&str> = view.attachments.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(
        names,
        ["report \"Q3\".pdf", "empty.txt", "page.html", "exact.bin"]
    );
    assert_eq!(view.attachments[0].size, big.len() as u64);

    let pdf = bob.download(&view.attachments[0].id).response().await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(pdf.body, big);
    assert_eq!(pdf.header(header::CONTENT_TYPE), "application/pdf");
    assert_eq!(pdf.header(header::CONTENT_LENGTH), big.len().to_string());
    assert_eq!(pdf.header(header::X_CONTENT_TYPE_OPTIONS), "nosniff");
    let disposition = pdf.header(header::CONTENT_DISPOSITION);
    assert!(
        disposition.starts_with("attachment; filename=\"report _Q3_.pdf\""),
        "{disposition}"
    );
    assert!(
        disposition.contains("filename*=UTF-8''report%20%22Q3%22.pdf"),
        "{disposition}"
    );

    let empty = bob.download(&view.attachments[1].id).response().await;
    assert_eq!(empty.status, StatusCode::OK);
    assert!(empty.body.is_empty());

    // Something a browser could run is served as bytes, as a download.
    let html = bob.download(&view.attachments[2].id).response().await;
    assert_eq!(
        html.header(header::CONTENT_TYPE),
        "application/octet-stream"
    );
    assert!(
        html.header(header::CONTENT_DISPOSITION)
            .starts_with("attachment;")
    );

    let exact_back = bob.download(&view.attachments[3].id).await;
    assert_eq!(exact_back, exact);
}

#[tokio::test]
async fn a_reply_reaches_the_sender_as_a_protected_message_of_its_own() {
    let app = TestApp::new().await;
    let original = app.send(&[BOB], &[], &[]).await;
    let bob = app.recipient(BOB).signed_in().await;

    let sent = bob.reply("Thanks, Alice — numbers look fine.").await;
    assert_ne!(sent.message_id, original);

    // Alice gets a notification with her own link, and reads the reply like any recipient.
    let notification = app.last_mail_to(ALICE).unwrap();
    assert_eq!(notification.subject, "Re: Quarterly numbers");
    assert!(!notification.text.contains("numbers look fine"));
    let alice = app.recipient(ALICE).signed_in().await;
    let view = alice.read().await;
    assert_eq!(view.message_id, sent.message_id);
    assert_eq!(view.from.address, BOB);
    assert_eq!(
        view.body.text.as_deref(),
        Some("Thanks, Alice — numbers look fine.")
    );

    let linked: Option<String> = sealmail::store::on_db!(&app.state.db, |c| sqlx::query_scalar(
        "SELECT o.message_id FROM messages r JOIN messages o ON o.id = r.in_reply_to WHERE r.message_id = $1",
    )
    .bind(&sent.message_id)
    .fetch_one(c)
    .await)
    .unwrap();
    assert_eq!(
        linked.as_deref(),
        Some(original.as_str()),
        "the reply is linked to the original"
    );
}

#[tokio::test]
async fn a_reply_can_carry_files_as_multipart() {
    let app = TestApp::new().await;
    let bob = app.bob_reading().await;
    // Far above the JSON limit: files stream to disk under the reply's own limit.
    let big = "x".repeat(300_000);
    bob.reply("see attached")
        .file("notes.txt", "text/plain", b"my notes")
        .file("big.txt", "text/plain", big.as_bytes())
        .await;
    let alice = app.recipient(ALICE).signed_in().await;
    let view = alice.read().await;
    assert_eq!(view.body.text.as_deref(), Some("see attached"));
    assert_eq!(view.attachments.len(), 2);
    assert_eq!(view.attachments[0].name, "notes.txt");
    assert_eq!(view.attachments[1].size, 300_000);
    let file = alice.download(&view.attachments[0].id).await;
    assert_eq!(file, b"my notes");
}

#[tokio::test]
async fn signing_out_ends_the_session() {
    let app = TestApp::new().await;
    let bob = app.bob_reading().await;
    let out = bob.sign_out().response().await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    assert!(
        out.header(header::SET_COOKIE).contains("Max-Age=0"),
        "the cookie is cleared"
    );
    let after = bob.read().response().await;
    assert_eq!(after.code(), sealmail_api::ErrorCode::SessionExpired);
}

#[tokio::test]
async fn large_attachments_stream_in_chunk_sized_frames_not_one_buffer() {
    use http_body_util::BodyExt as _;
    let app = TestApp::new().await;
    let size = 8 * 1024 * 1024 + 3;
    let data: Vec<u8> = (0..size).map(|i| (i % 199) as u8).collect();
    let bob = app
        .bob_reading_with(&[("big.bin", "application/octet-stream", &data)])
        .await;
    let view = bob.read().await;
    let mut body = bob
        .download(&view.attachments[0].id)
        .stream()
        .await
        .into_body();
    let (mut frames, mut largest, mut received) = (0, 0, Vec::with_capacity(size));
    while let Some(frame) = body.frame().await {
        let bytes = frame.unwrap().into_data().unwrap();
        frames += 1;
        largest = largest.max(bytes.len());
        received.extend_from_slice(&bytes);
    }
    assert_eq!(received, data);
    assert!(
        largest <= sealmail::crypto::CHUNK_SIZE,
        "a frame of {largest} bytes"
    );
    assert!(
        frames >= size / sealmail::crypto::CHUNK_SIZE,
        "{frames} frames"
    );
}

#[tokio::test]
async fn over_https_the_recipients_cookie_takes_the_secure_prefix_and_reads() {
    let app = TestApp::with_args(&["--public-url", "https://mail.example"]).await;
    let alice = app.sender(ALICE).await;
    alice.send(&common::sender::message_to(&[BOB])).await;
    let bob = app.recipient(BOB);
    bob.request_passcode().await;
    let opened = bob
        .submit_passcode(&bob.passcode_from_mail())
        .response()
        .await;
    let set_cookie = opened.header(header::SET_COOKIE);
    assert!(
        set_cookie.starts_with("__Secure-sealmail_link="),
        "{set_cookie}"
    );
    assert!(set_cookie.contains("Secure"), "{set_cookie}");
    let bob = bob.with_session(&opened.session_cookie().unwrap());
    assert_eq!(bob.read().await.subject, "Contract draft");
}
