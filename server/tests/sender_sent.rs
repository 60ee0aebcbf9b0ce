//! The Sent list, "Remove external access" (whole message or one recipient),
//! the expiry change — and that a sender only ever sees their own messages.

mod common;

use axum::http::{Method, StatusCode};
use common::sender::{ADMIN, DAVE, get_with, message_to};
use common::{ALICE, BOB, CAROL, TestApp};
use sealmail_api::admin::{MessageState, RecipientState};
use sealmail_api::recipient::MessageView;
use sealmail_api::routes;
use sealmail_api::sender::{ExpiryChange, RevokeRequest, SentMessage, SentPage, SentQuery};
use sealmail_api::{ErrorCode, Timestamp};

fn revoke_one(address: &str) -> RevokeRequest {
    RevokeRequest {
        recipient: Some(address.to_owned()),
    }
}

#[tokio::test]
async fn revoking_one_recipient_leaves_the_other_able_to_read_and_the_sent_list_shows_it() {
    let app = TestApp::new().await;
    let alice = app.sender(ALICE, false).await;
    let composed = app
        .compose_ok(
            &alice,
            &message_to(&[BOB, CAROL]),
            &[("a.txt", "text/plain", b"A")],
        )
        .await;
    let bob_token = app.token_for(BOB);
    let carol_token = app.token_for(CAROL);
    let bob = app.sign_in(&bob_token, BOB).await;
    let carol = app.sign_in(&carol_token, CAROL).await;

    let page: SentPage = get_with(&app, routes::SENT, &alice).await.json();
    assert_eq!(page.messages.len(), 1);
    let row = &page.messages[0];
    assert_eq!(row.id, composed.id);
    assert!(row.is_revocable);
    assert!(
        row.recipients
            .iter()
            .all(|r| r.state == RecipientState::Opened && r.opened_at.is_some())
    );

    let revoked = app
        .call(
            Method::POST,
            &routes::message_revoke(&composed.id),
            Some(&revoke_one(CAROL)),
            &alice,
        )
        .await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.text());
    let row: SentMessage = revoked.json();
    assert_eq!(row.state, MessageState::Active, "the message itself stays");
    assert!(row.is_revocable);
    let state_of = |row: &SentMessage, a: &str| {
        row.recipients
            .iter()
            .find(|r| r.recipient.address == a)
            .unwrap()
            .state
    };
    assert_eq!(state_of(&row, CAROL), RecipientState::Revoked);
    assert_eq!(state_of(&row, BOB), RecipientState::Opened);

    let carol_reads = app
        .get(&routes::link_message(&carol_token), Some(&carol))
        .await;
    assert_eq!(carol_reads.code(), ErrorCode::MessageRevoked);
    let bob_reads: MessageView = app
        .get(&routes::link_message(&bob_token), Some(&bob))
        .await
        .json();
    assert_eq!(bob_reads.message_id, composed.message_id);

    // After a reload too.
    let page: SentPage = get_with(&app, routes::SENT, &alice).await.json();
    assert_eq!(state_of(&page.messages[0], CAROL), RecipientState::Revoked);
    assert_eq!(state_of(&page.messages[0], BOB), RecipientState::Opened);

    // Twice: already_revoked, nothing changes.
    let again = app
        .call(
            Method::POST,
            &routes::message_revoke(&composed.id),
            Some(&revoke_one(CAROL)),
            &alice,
        )
        .await;
    assert_eq!(again.code(), ErrorCode::AlreadyRevoked);
    let unknown = app
        .call(
            Method::POST,
            &routes::message_revoke(&composed.id),
            Some(&revoke_one("nobody@example.com")),
            &alice,
        )
        .await;
    assert_eq!(unknown.code(), ErrorCode::NotFound);
}

#[tokio::test]
async fn revoking_the_whole_message_ends_it_for_everyone_once() {
    let app = TestApp::new().await;
    let alice = app.sender(ALICE, false).await;
    let composed = app.compose_ok(&alice, &message_to(&[BOB]), &[]).await;
    let bob_token = app.token_for(BOB);

    // No body at all revokes the whole message.
    let revoked = app
        .call::<()>(
            Method::POST,
            &routes::message_revoke(&composed.id),
            None,
            &alice,
        )
        .await;
    let row: SentMessage = revoked.json();
    assert_eq!(row.state, MessageState::Revoked);
    assert!(!row.is_revocable);
    assert_eq!(row.recipients[0].state, RecipientState::Revoked);
    assert_eq!(
        app.get(&routes::link(&bob_token), None).await.code(),
        ErrorCode::MessageRevoked
    );
    let keys: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM message_keys")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(keys, 0, "the key is destroyed");

    let again = app
        .call(
            Method::POST,
            &routes::message_revoke(&composed.id),
            Some(&RevokeRequest::default()),
            &alice,
        )
        .await;
    assert_eq!(again.code(), ErrorCode::AlreadyRevoked);
}

#[tokio::test]
async fn a_sender_cannot_see_or_revoke_another_senders_message() {
    let app = TestApp::new().await;
    let alice = app.sender(ALICE, false).await;
    let dave = app.sender(DAVE, false).await;
    let composed = app.compose_ok(&alice, &message_to(&[BOB]), &[]).await;

    let daves: SentPage = get_with(&app, routes::SENT, &dave).await.json();
    assert!(daves.messages.is_empty());
    let missing = get_with(
        &app,
        &routes::message("0123456789abcdef0123456789abcdef"),
        &dave,
    )
    .await;
    for response in [
        get_with(&app, &routes::message(&composed.id), &dave).await,
        app.call::<()>(
            Method::POST,
            &routes::message_revoke(&composed.id),
            None,
            &dave,
        )
        .await,
        app.call(
            Method::PATCH,
            &routes::message(&composed.id),
            Some(&ExpiryChange { expires_at: None }),
            &dave,
        )
        .await,
    ] {
        assert_eq!(response.code(), ErrorCode::NotFound);
        assert_eq!(
            response.body, missing.body,
            "the same as a message that does not exist"
        );
    }
    // Still readable: nothing changed.
    let bob_token = app.token_for(BOB);
    let cookie = app.sign_in(&bob_token, BOB).await;
    assert_eq!(
        app.get(&routes::link_message(&bob_token), Some(&cookie))
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn an_administrator_may_revoke_any_senders_message() {
    let app = TestApp::new().await;
    let alice = app.sender(ALICE, false).await;
    let admin = app.sender(ADMIN, true).await;
    let composed = app.compose_ok(&alice, &message_to(&[BOB]), &[]).await;
    let revoked = app
        .call::<()>(
            Method::POST,
            &routes::message_revoke(&composed.id),
            None,
            &admin,
        )
        .await;
    assert_eq!(revoked.json::<SentMessage>().state, MessageState::Revoked);
}

#[tokio::test]
async fn the_expiry_can_be_changed_or_removed_while_the_message_is_active() {
    let app = TestApp::new().await;
    let alice = app.sender(ALICE, false).await;
    let composed = app.compose_ok(&alice, &message_to(&[BOB]), &[]).await;
    let path = routes::message(&composed.id);

    let later = ExpiryChange {
        expires_at: Some(Timestamp("2099-06-01T12:00:00Z".into())),
    };
    let row: SentMessage = app
        .call(Method::PATCH, &path, Some(&later), &alice)
        .await
        .json();
    assert_eq!(row.expires_at.unwrap().0, "2099-06-01T12:00:00Z");
    let bob_token = app.token_for(BOB);
    let info: sealmail_api::recipient::LinkInfo =
        app.get(&routes::link(&bob_token), None).await.json();
    assert_eq!(info.expires_at.unwrap().0, "2099-06-01T12:00:00Z");

    let none = ExpiryChange { expires_at: None };
    let row: SentMessage = app
        .call(Method::PATCH, &path, Some(&none), &alice)
        .await
        .json();
    assert_eq!(row.expires_at, None);

    let past = ExpiryChange {
        expires_at: Some(Timestamp("2001-01-01T00:00:00Z".into())),
    };
    let refused = app.call(Method::PATCH, &path, Some(&past), &alice).await;
    assert_eq!(refused.code(), ErrorCode::InvalidRequest);
    let garbage = ExpiryChange {
        expires_at: Some(Timestamp("next tuesday".into())),
    };
    assert_eq!(
        app.call(Method::PATCH, &path, Some(&garbage), &alice)
            .await
            .code(),
        ErrorCode::InvalidRequest
    );

    app.call::<()>(
        Method::POST,
        &routes::message_revoke(&composed.id),
        None,
        &alice,
    )
    .await;
    let after = app.call(Method::PATCH, &path, Some(&later), &alice).await;
    assert_eq!(after.code(), ErrorCode::MessageRevoked);
}

#[tokio::test]
async fn the_sent_list_shows_replies_and_can_be_searched() {
    let app = TestApp::new().await;
    let alice = app.sender(ALICE, false).await;
    let mut first = message_to(&[BOB]);
    first.subject = "Invoice 42".into();
    let invoice = app.compose_ok(&alice, &first, &[]).await;
    let mut second = message_to(&[CAROL]);
    second.subject = "Holiday plans".into();
    app.compose_ok(&alice, &second, &[]).await;

    let bob_token = app.token_for(BOB);
    let bob = app.sign_in(&bob_token, BOB).await;
    let reply = app
        .post(
            &routes::link_reply(&bob_token),
            Some(&sealmail_api::recipient::ReplyRequest {
                text: "Paid.".into(),
            }),
            Some(&bob),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());

    let search = |q: &str| SentQuery {
        q: Some(q.into()),
        ..Default::default()
    };
    let by_subject: SentPage = get_with(&app, &routes::sent(&search("invoice")), &alice)
        .await
        .json();
    assert_eq!(by_subject.messages.len(), 1);
    assert_eq!(by_subject.messages[0].id, invoice.id);
    assert_eq!(by_subject.messages[0].replies.len(), 1);
    assert_eq!(by_subject.messages[0].replies[0].from.address, BOB);
    assert_eq!(by_subject.messages[0].replies[0].subject, "Re: Invoice 42");

    let by_recipient: SentPage = get_with(&app, &routes::sent(&search("carol@")), &alice)
        .await
        .json();
    assert_eq!(by_recipient.messages.len(), 1);
    assert_eq!(by_recipient.messages[0].subject, "Holiday plans");
    let wildcard: SentPage = get_with(&app, &routes::sent(&search("%")), &alice)
        .await
        .json();
    assert!(
        wildcard.messages.is_empty(),
        "LIKE wildcards are taken literally"
    );

    let bad_cursor = SentQuery {
        cursor: Some("nonsense".into()),
        ..Default::default()
    };
    assert_eq!(
        get_with(&app, &routes::sent(&bad_cursor), &alice)
            .await
            .code(),
        ErrorCode::InvalidRequest
    );
}

#[tokio::test]
async fn a_thousand_message_sent_list_pages_newest_first_without_gaps_or_repeats() {
    let app = TestApp::new().await;
    let alice = app.sender(ALICE, false).await;
    let dave_id = app.add_user(DAVE, "Dave", false).await;
    let alice_id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE email = ?")
        .bind(ALICE)
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    // 1,000 of Alice's (three per second, so pages split inside a second)
    // and 50 of Dave's, written straight into the store in one statement each.
    for (user, count, prefix) in [(alice_id, 1000, "a"), (dave_id, 50, "d")] {
        sqlx::query(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?3)
             INSERT INTO messages (id, message_id, sender_user_id, sender_address, subject,
                                   protection, state, created_at)
             SELECT printf('%s%04d', ?2, i), printf('<%s%04d@sealmail.test>', ?2, i), ?1,
                    'x@sealmail.test', printf('Message %d', i), 'encrypt_only', 'active',
                    1700000000 + i / 3
             FROM n",
        )
        .bind(user)
        .bind(prefix)
        .bind(count)
        .execute(&app.state.db)
        .await
        .unwrap();
    }

    let mut seen = Vec::new();
    let mut cursor = None;
    let mut pages = 0;
    loop {
        let query = SentQuery {
            cursor: cursor.clone(),
            limit: Some(200),
            ..Default::default()
        };
        let page: SentPage = get_with(&app, &routes::sent(&query), &alice).await.json();
        pages += 1;
        seen.extend(page.messages.iter().map(|m| m.id.clone()));
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(pages, 5);
    let expected: Vec<String> = (1..=1000).rev().map(|i| format!("a{i:04}")).collect();
    assert_eq!(seen, expected);
}

#[tokio::test]
async fn a_malformed_or_oversized_revoke_body_is_refused_as_json() {
    let app = TestApp::new().await;
    let alice = app.sender(ALICE, false).await;
    let composed = app.compose_ok(&alice, &message_to(&[BOB]), &[]).await;
    let path = routes::message_revoke(&composed.id);
    let headers = [("x-sealmail", "1"), ("cookie", alice.as_str())];
    let malformed = app
        .raw(Method::POST, &path, &headers, "{\"recipient\": 5}")
        .await;
    assert_eq!(malformed.code(), ErrorCode::InvalidRequest);
    let huge = app
        .raw(Method::POST, &path, &headers, vec![b' '; 100 * 1024])
        .await;
    assert_eq!(huge.code(), ErrorCode::PayloadTooLarge);
    let row: SentMessage = get_with(&app, &routes::message(&composed.id), &alice)
        .await
        .json();
    assert!(row.is_revocable, "nothing changed");
}

#[tokio::test]
async fn two_revokes_at_once_one_wins_the_other_is_already_revoked() {
    let app = TestApp::new().await;
    let alice = app.sender(ALICE, false).await;
    for body in [None, Some(revoke_one(BOB))] {
        let composed = app
            .compose_ok(&alice, &message_to(&[BOB, CAROL]), &[])
            .await;
        let path = routes::message_revoke(&composed.id);
        let (a, b) = tokio::join!(
            app.call(Method::POST, &path, body.as_ref(), &alice),
            app.call(Method::POST, &path, body.as_ref(), &alice),
        );
        let mut statuses = [a.status.as_u16(), b.status.as_u16()];
        statuses.sort();
        assert_eq!(statuses, [200, 409], "{body:?}");
    }
}
