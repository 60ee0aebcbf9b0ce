//! Access errors of the recipient API (unknown link, forbidden, malformed
//! input, no session, revoked, expired), each with a fitting status and our
//! JSON body. Passcode errors are in passcode_errors.rs.

mod common;

use axum::http::{Method, StatusCode, header};
use common::*;
use sealmail::messages;
use sealmail_api::ErrorCode;
use sealmail_api::routes;

#[tokio::test]
async fn unknown_link_is_link_unknown_on_every_route() {
    let app = TestApp::new().await;
    app.send(&[BOB], &[], &[]).await;
    let bogus = app.recipient_with_link(BOB, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    for response in [
        bogus.open_link().response().await,
        bogus.request_passcode().response().await,
        bogus.submit_passcode("12345678").response().await,
        bogus.read().response().await,
        bogus.body_document().response().await,
        bogus.download("x").response().await,
    ] {
        assert_eq!(response.code(), ErrorCode::LinkUnknown);
    }
    assert!(app.last_mail_to(BOB).unwrap().subject != "Your one-time passcode");
}

#[tokio::test]
async fn state_changing_requests_without_the_header_are_forbidden() {
    let app = TestApp::new().await;
    app.send(&[BOB], &[], &[]).await;
    let token = app.token_for(BOB);
    for (method, path) in [
        (Method::POST, routes::link_passcode(&token)),
        (Method::POST, routes::link_session(&token)),
        (Method::DELETE, routes::link_session(&token)),
        (Method::POST, routes::link_reply(&token)),
    ] {
        let response = app
            .raw(
                method.clone(),
                &path,
                &[("content-type", "application/json")],
                "{}",
            )
            .await;
        assert_eq!(response.code(), ErrorCode::Forbidden, "{method} {path}");
    }
    let wrong_value = app
        .raw(
            Method::POST,
            &routes::link_passcode(&token),
            &[("x-sealmail", "0")],
            "",
        )
        .await;
    assert_eq!(wrong_value.code(), ErrorCode::Forbidden);
    // Refused before anything happened: no passcode was mailed.
    assert_eq!(app.mails().len(), 1);
}

#[tokio::test]
async fn malformed_bodies_and_paths_get_our_json_error() {
    let app = TestApp::new().await;
    app.send(&[BOB], &[], &[]).await;
    let token = app.token_for(BOB);
    let session = routes::link_session(&token);
    let json = [("x-sealmail", "1"), ("content-type", "application/json")];
    for body in ["{not json", "{}", "{\"passcode\": 12345678}", "[]"] {
        let response = app.raw(Method::POST, &session, &json, body).await;
        assert_eq!(response.code(), ErrorCode::InvalidRequest, "{body}");
    }
    let no_type = app
        .raw(
            Method::POST,
            &session,
            &[("x-sealmail", "1")],
            "{\"passcode\":\"1\"}",
        )
        .await;
    assert_eq!(no_type.code(), ErrorCode::InvalidRequest);
    let huge = format!("{{\"passcode\":\"{}\"}}", "1".repeat(200_000));
    assert_eq!(
        app.raw(Method::POST, &session, &json, huge).await.code(),
        ErrorCode::PayloadTooLarge
    );
    // Replies: JSON has its own limit, and the type must be JSON or multipart.
    let bob = app.recipient(BOB).signed_in().await;
    let reply = routes::link_reply(&token);
    let with_cookie = [
        ("x-sealmail", "1"),
        ("content-type", "application/json"),
        ("cookie", bob.cookie()),
    ];
    let huge_reply = format!("{{\"text\":\"{}\"}}", "a".repeat(500_000));
    assert_eq!(
        app.raw(Method::POST, &reply, &with_cookie, huge_reply)
            .await
            .code(),
        ErrorCode::PayloadTooLarge
    );
    assert_eq!(
        app.raw(Method::POST, &reply, &with_cookie, "{\"txt\":1}")
            .await
            .code(),
        ErrorCode::InvalidRequest
    );
    assert_eq!(
        app.raw(Method::POST, &reply, &with_cookie, "{\"text\":\"  \"}")
            .await
            .code(),
        ErrorCode::InvalidRequest
    );
    let plain = [
        ("x-sealmail", "1"),
        ("content-type", "text/plain"),
        ("cookie", bob.cookie()),
    ];
    assert_eq!(
        app.raw(Method::POST, &reply, &plain, "hello").await.code(),
        ErrorCode::InvalidRequest
    );
    // A path segment that is not valid UTF-8 once decoded.
    let bad_path = app.get("/api/v1/links/%FF%FE/message", None).await;
    assert_eq!(bad_path.code(), ErrorCode::InvalidRequest);
}

#[tokio::test]
async fn unknown_api_routes_are_json_not_found_and_wrong_methods_json_405() {
    let app = TestApp::new().await;
    for path in [
        "/api/v1/nope",
        "/api",
        "/api/v2/links/x",
        "/api/v1/links/x/y/z",
    ] {
        let response = app.get(path, None).await;
        assert_eq!(response.code(), ErrorCode::NotFound, "{path}");
    }
    let wrong_method = app
        .raw(Method::PUT, &routes::link("x"), &[("x-sealmail", "1")], "")
        .await;
    assert_eq!(wrong_method.code(), ErrorCode::MethodNotAllowed);
    assert_eq!(wrong_method.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(wrong_method.header(header::ALLOW), "GET,HEAD");
}

#[tokio::test]
async fn unknown_attachment_is_not_found() {
    let app = TestApp::new().await;
    let bob = app
        .bob_reading_with(&[("a.txt", "text/plain", b"hello")])
        .await;
    assert_eq!(bob.download("nope").code().await, ErrorCode::NotFound);
}

#[tokio::test]
async fn reading_without_a_live_session_for_this_link_is_session_expired() {
    let app = TestApp::new().await;
    app.send(&[BOB], &[CAROL], &[("a.txt", "text/plain", b"hi")])
        .await;
    let bob = app.recipient(BOB);
    let carol = app.recipient(CAROL);
    // No cookie.
    assert_eq!(bob.read().code().await, ErrorCode::SessionExpired);
    assert_eq!(bob.body_document().code().await, ErrorCode::SessionExpired);
    // A made-up cookie.
    let fake = bob
        .clone()
        .with_session("sealmail_link=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    assert_eq!(fake.read().code().await, ErrorCode::SessionExpired);
    assert_eq!(fake.body_document().code().await, ErrorCode::SessionExpired);
    // Carol's session does not open Bob's link: a session is bound to one link.
    let carol = carol.signed_in().await;
    let bob_with_carols = bob.with_session(carol.cookie());
    for response in [
        bob_with_carols.read().response().await,
        bob_with_carols.download("x").response().await,
        bob_with_carols.body_document().response().await,
        bob_with_carols.reply("hi").response().await,
    ] {
        assert_eq!(response.code(), ErrorCode::SessionExpired);
    }
    // A session past its end.
    assert_eq!(carol.read().response().await.status, StatusCode::OK);
    app.sql("UPDATE recipient_sessions SET expires_at = created_at")
        .await;
    assert_eq!(carol.read().code().await, ErrorCode::SessionExpired);
    assert_eq!(
        carol.body_document().code().await,
        ErrorCode::SessionExpired
    );
}

#[tokio::test]
async fn revoked_message_cannot_be_read_even_with_a_valid_session() {
    let app = TestApp::new().await;
    let message_id = app
        .send(&[BOB], &[], &[("a.txt", "text/plain", b"hello")])
        .await;
    let bob = app.recipient(BOB).signed_in().await;
    let view = bob.read().await;
    let attachment = view.attachments[0].id.clone();

    revoke(&app.state, &message_id).await.unwrap();

    let message = bob.read().response().await.error();
    assert_eq!(message.code, ErrorCode::MessageRevoked);
    assert_eq!(
        message.message,
        "the message has been revoked by the sender"
    );
    for response in [
        bob.open_link().response().await,
        bob.body_document().response().await,
        bob.download(&attachment).response().await,
        bob.request_passcode().response().await,
        bob.submit_passcode("12345678").response().await,
        bob.reply("x").response().await,
    ] {
        assert_eq!(response.code(), ErrorCode::MessageRevoked);
    }
}

#[tokio::test]
async fn revoking_one_recipient_leaves_the_others_their_access() {
    let app = TestApp::new().await;
    let message_id = app.send(&[BOB], &[CAROL], &[]).await;
    let bob = app.recipient(BOB).signed_in().await;
    let carol = app.recipient(CAROL).signed_in().await;

    revoke_recipient(&app.state, &message_id, BOB)
        .await
        .unwrap();
    assert_eq!(bob.read().code().await, ErrorCode::MessageRevoked);
    assert_eq!(carol.read().response().await.status, StatusCode::OK);

    let again = revoke_recipient(&app.state, &message_id, BOB)
        .await
        .unwrap_err();
    assert_eq!(again.code(), ErrorCode::AlreadyRevoked);
    let stranger = revoke_recipient(&app.state, &message_id, "eve@example.com")
        .await
        .unwrap_err();
    assert_eq!(stranger.code(), ErrorCode::NotFound);
}

#[tokio::test]
async fn expired_message_is_refused_before_the_purge_runs_and_then_purged() {
    let app = TestApp::new().await;
    let mut draft = app.draft(&[BOB], &[]);
    draft.expires_at = Some(sealmail::store::now() + 3600);
    let message_id = app
        .send_draft(draft, &[("a.txt", "text/plain", b"hello")])
        .await;
    let stranger = app.recipient(BOB);
    let bob = stranger.clone().signed_in().await;
    let info = stranger.open_link().await;
    assert!(info.expires_at.is_some());

    // Time passes: the expiry is enforced on access, and the content destroyed.
    app.sql("UPDATE messages SET expires_at = created_at - 1")
        .await;
    assert_eq!(bob.read().code().await, ErrorCode::MessageExpired);
    assert_eq!(bob.body_document().code().await, ErrorCode::MessageExpired);
    assert_eq!(stranger.open_link().code().await, ErrorCode::MessageExpired);
    let keys = app.rows_in("message_keys").await;
    assert_eq!(keys, 0, "the wrapped key is gone");
    let status = messages::status(&app.state, &message_id).await.unwrap();
    assert_eq!(status.state, sealmail_api::admin::MessageState::Expired);
    assert!(!status.is_revocable);
    assert_eq!(
        revoke(&app.state, &message_id).await.unwrap_err().code(),
        ErrorCode::MessageExpired
    );
}

#[tokio::test]
async fn the_purge_task_destroys_expired_messages_nobody_opened() {
    let app = TestApp::new().await;
    let mut draft = app.draft(&[BOB], &[]);
    draft.expires_at = Some(sealmail::store::now() + 3600);
    app.send_draft(draft, &[("a.txt", "text/plain", b"hello")])
        .await;
    let keep = app.send(&[CAROL], &[], &[]).await;
    assert_eq!(messages::purge_expired(&app.state).await.unwrap(), 0);
    app.sql("UPDATE messages SET expires_at = created_at - 1 WHERE expires_at IS NOT NULL")
        .await;
    assert_eq!(messages::purge_expired(&app.state).await.unwrap(), 1);
    let counts: (i64, i64, i64) = sealmail::store::on_db!(&app.state.db, |c| sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM message_keys), (SELECT COUNT(*) FROM message_bodies), (SELECT COUNT(*) FROM attachments)",
    )
    .fetch_one(c)
    .await)
    .unwrap();
    assert_eq!(
        counts,
        (1, 1, 0),
        "only the unexpired message keeps its key and body"
    );
    assert_eq!(app.stored_objects().await, [], "attachments removed");
    assert_eq!(
        messages::status(&app.state, &keep).await.unwrap().state,
        sealmail_api::admin::MessageState::Active
    );
}

#[tokio::test]
async fn the_background_purge_task_ends_expired_messages_on_its_own() {
    let app = TestApp::new().await;
    let mut draft = app.draft(&[BOB], &[]);
    draft.expires_at = Some(sealmail::store::now() + 3600);
    let message_id = app.send_draft(draft, &[]).await;
    app.sql("UPDATE messages SET expires_at = created_at - 1")
        .await;
    let task = tokio::spawn(messages::run_purge_task(
        app.state.clone(),
        std::time::Duration::from_millis(20),
    ));
    let mut state = String::new();
    for _ in 0..100 {
        state = sealmail::store::on_db!(&app.state.db, |c| sqlx::query_scalar(
            "SELECT state FROM messages WHERE message_id = $1"
        )
        .bind(&message_id)
        .fetch_one(c)
        .await)
        .unwrap();
        if state == "expired" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    task.abort();
    assert_eq!(state, "expired", "nobody accessed it, yet it was purged");
    let keys = app.rows_in("message_keys").await;
    assert_eq!(keys, 0);
}
