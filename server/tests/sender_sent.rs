//! The Sent list, "Remove external access" (whole message or one recipient),
//! the expiry change — and that a sender only ever sees their own messages.

mod common;

use axum::http::{Method, StatusCode};
use common::sender::{DAVE, message_to};
use common::{ALICE, BOB, CAROL, TestApp};
use sealmail_api::ErrorCode;
use sealmail_api::admin::{MessageState, RecipientState};
use sealmail_api::routes;
use sealmail_api::sender::{RevokeRequest, SentMessage, SentQuery};

#[tokio::test]
async fn revoking_one_recipient_leaves_the_other_able_to_read_and_the_sent_list_shows_it() {
    let app = TestApp::new().await;
    let alice = app.sender(ALICE).await;
    let composed = alice
        .send(&message_to(&[BOB, CAROL]))
        .file("a.txt", "text/plain", b"A")
        .await;
    let bob = app.recipient(BOB).signed_in().await;
    let carol = app.recipient(CAROL).signed_in().await;

    let page = alice.sent().await;
    assert_eq!(page.messages.len(), 1);
    let row = &page.messages[0];
    assert_eq!(row.id, composed.id);
    assert!(row.is_revocable);
    assert!(
        row.recipients
            .iter()
            .all(|r| r.state == RecipientState::Opened && r.opened_at.is_some())
    );

    let row = alice.revoke(&composed.id).only(CAROL).await;
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

    let carol_reads = carol.read().response().await;
    assert_eq!(carol_reads.code(), ErrorCode::MessageRevoked);
    let bob_reads = bob.read().await;
    assert_eq!(bob_reads.message_id, composed.message_id);

    // After a reload too.
    let page = alice.sent().await;
    assert_eq!(state_of(&page.messages[0], CAROL), RecipientState::Revoked);
    assert_eq!(state_of(&page.messages[0], BOB), RecipientState::Opened);

    // Twice: already_revoked, nothing changes.
    let again = alice.revoke(&composed.id).only(CAROL).response().await;
    assert_eq!(again.code(), ErrorCode::AlreadyRevoked);
    let unknown = alice
        .revoke(&composed.id)
        .only("nobody@example.com")
        .response()
        .await;
    assert_eq!(unknown.code(), ErrorCode::NotFound);
}

#[tokio::test]
async fn revoking_the_whole_message_ends_it_for_everyone_once() {
    let app = TestApp::new().await;
    let alice = app.sender(ALICE).await;
    let composed = alice.send(&message_to(&[BOB])).await;
    let bob = app.recipient(BOB);

    // No body at all revokes the whole message.
    let row = alice.revoke(&composed.id).await;
    assert_eq!(row.state, MessageState::Revoked);
    assert!(!row.is_revocable);
    assert_eq!(row.recipients[0].state, RecipientState::Revoked);
    assert_eq!(bob.open_link().code().await, ErrorCode::MessageRevoked);
    let keys = app.rows_in("message_keys").await;
    assert_eq!(keys, 0, "the key is destroyed");

    let again = alice
        .revoke(&composed.id)
        .with(&RevokeRequest::default())
        .response()
        .await;
    assert_eq!(again.code(), ErrorCode::AlreadyRevoked);
}

#[tokio::test]
async fn a_sender_cannot_see_or_revoke_another_senders_message() {
    let app = TestApp::new().await;
    let alice = app.sender(ALICE).await;
    let dave = app.sender(DAVE).await;
    let composed = alice.send(&message_to(&[BOB])).await;

    let daves = dave.sent().await;
    assert!(daves.messages.is_empty());
    let missing = dave
        .message("0123456789abcdef0123456789abcdef")
        .response()
        .await;
    for response in [
        dave.message(&composed.id).response().await,
        dave.revoke(&composed.id).response().await,
        dave.set_expiry(&composed.id, None).response().await,
    ] {
        assert_eq!(response.code(), ErrorCode::NotFound);
        assert_eq!(
            response.body, missing.body,
            "the same as a message that does not exist"
        );
    }
    // Still readable: nothing changed.
    let bob = app.recipient(BOB).signed_in().await;
    assert_eq!(bob.read().response().await.status, StatusCode::OK);
}

#[tokio::test]
async fn an_administrator_may_revoke_any_senders_message() {
    let app = TestApp::new().await;
    let alice = app.sender(ALICE).await;
    let admin = app.admin().await;
    let composed = alice.send(&message_to(&[BOB])).await;
    let revoked = admin.as_sender().revoke(&composed.id).await;
    assert_eq!(revoked.state, MessageState::Revoked);
}

#[tokio::test]
async fn the_expiry_can_be_changed_or_removed_while_the_message_is_active() {
    let app = TestApp::new().await;
    let alice = app.sender(ALICE).await;
    let composed = alice.send(&message_to(&[BOB])).await;
    let id = composed.id.as_str();

    let later = "2099-06-01T12:00:00Z";
    let row = alice.set_expiry(id, Some(later)).await;
    assert_eq!(row.expires_at.unwrap().0, "2099-06-01T12:00:00Z");
    let info = app.recipient(BOB).open_link().await;
    assert_eq!(info.expires_at.unwrap().0, "2099-06-01T12:00:00Z");

    let row = alice.set_expiry(id, None).await;
    assert_eq!(row.expires_at, None);

    let past = "2001-01-01T00:00:00Z";
    let refused = alice.set_expiry(id, Some(past)).response().await;
    assert_eq!(refused.code(), ErrorCode::InvalidRequest);
    assert_eq!(
        alice.set_expiry(id, Some("next tuesday")).code().await,
        ErrorCode::InvalidRequest
    );

    alice.revoke(id).await;
    let after = alice.set_expiry(id, Some(later)).response().await;
    assert_eq!(after.code(), ErrorCode::MessageRevoked);
}

#[tokio::test]
async fn the_sent_list_shows_replies_and_can_be_searched() {
    let app = TestApp::new().await;
    let alice = app.sender(ALICE).await;
    let mut first = message_to(&[BOB]);
    first.subject = "Invoice 42".into();
    let invoice = alice.send(&first).await;
    let mut second = message_to(&[CAROL]);
    second.subject = "Holiday plans".into();
    alice.send(&second).await;

    let bob = app.recipient(BOB).signed_in().await;
    bob.reply("Paid.").await;

    let search = |q: &str| SentQuery {
        q: Some(q.into()),
        ..Default::default()
    };
    let by_subject = alice.sent_page(&search("invoice")).await;
    assert_eq!(by_subject.messages.len(), 1);
    assert_eq!(by_subject.messages[0].id, invoice.id);
    assert_eq!(by_subject.messages[0].replies.len(), 1);
    assert_eq!(by_subject.messages[0].replies[0].from.address, BOB);
    assert_eq!(by_subject.messages[0].replies[0].subject, "Re: Invoice 42");

    let by_recipient = alice.sent_page(&search("carol@")).await;
    assert_eq!(by_recipient.messages.len(), 1);
    assert_eq!(by_recipient.messages[0].subject, "Holiday plans");
    let wildcard = alice.sent_page(&search("%")).await;
    assert!(
        wildcard.messages.is_empty(),
        "LIKE wildcards are taken literally"
    );

    let bad_cursor = SentQuery {
        cursor: Some("nonsense".into()),
        ..Default::default()
    };
    assert_eq!(
        alice.sent_page(&bad_cursor).code().await,
        ErrorCode::InvalidRequest
    );
}

#[tokio::test]
async fn a_thousand_message_sent_list_pages_newest_first_without_gaps_or_repeats() {
    let app = TestApp::new().await;
    let alice = app.sender(ALICE).await;
    let dave_id = app.add_user(DAVE, "Dave", false).await;
    let alice_id: i64 = sealmail::store::on_db!(&app.state.db, |c| sqlx::query_scalar(
        "SELECT id FROM users WHERE email = $1"
    )
    .bind(ALICE)
    .fetch_one(c)
    .await)
    .unwrap();
    // 1,000 of Alice's (three per second, so pages split inside a second)
    // and 50 of Dave's, written straight into the store in one statement each.
    for (user, count, prefix) in [(alice_id, 1000, "a"), (dave_id, 50, "d")] {
        sealmail::store::on_db!(&app.state.db, |c, pg| sqlx::query(sealmail::store::dialect!(
            pg,
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $3)
             INSERT INTO messages (id, message_id, sender_user_id, sender_address, subject,
                                   protection, state, created_at)
             SELECT printf('%s%04d', $2, i), printf('<%s%04d@sealmail.test>', $2, i), $1,
                    'x@sealmail.test', printf('Message %d', i), 'encrypt_only', 'active',
                    1700000000 + i / 3
             FROM n",
            "INSERT INTO messages (id, message_id, sender_user_id, sender_address, subject,
                                   protection, state, created_at)
             SELECT $2 || lpad(i::text, 4, '0'), '<' || $2 || lpad(i::text, 4, '0') || '@sealmail.test>',
                    $1, 'x@sealmail.test', 'Message ' || i, 'encrypt_only', 'active',
                    1700000000 + i / 3
             FROM generate_series(1, $3) AS n(i)"
        ))
        .bind(user)
        .bind(prefix)
        .bind(count)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
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
        let page = alice.sent_page(&query).await;
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
    let alice = app.sender(ALICE).await;
    let composed = alice.send(&message_to(&[BOB])).await;
    let path = routes::message_revoke(&composed.id);
    let headers = [("x-sealmail", "1"), ("cookie", alice.cookie())];
    let malformed = app
        .raw(Method::POST, &path, &headers, "{\"recipient\": 5}")
        .await;
    assert_eq!(malformed.code(), ErrorCode::InvalidRequest);
    let huge = app
        .raw(Method::POST, &path, &headers, vec![b' '; 100 * 1024])
        .await;
    assert_eq!(huge.code(), ErrorCode::PayloadTooLarge);
    let row = alice.message(&composed.id).await;
    assert!(row.is_revocable, "nothing changed");
}

#[tokio::test]
async fn two_revokes_at_once_one_wins_the_other_is_already_revoked() {
    let app = TestApp::new().await;
    let alice = app.sender(ALICE).await;
    for only in [None, Some(BOB)] {
        let composed = alice.send(&message_to(&[BOB, CAROL])).await;
        let revoke = || {
            let revoke = alice.revoke(&composed.id);
            match only {
                Some(address) => revoke.only(address),
                None => revoke,
            }
            .response()
        };
        let (a, b) = tokio::join!(revoke(), revoke());
        let mut statuses = [a.status.as_u16(), b.status.as_u16()];
        statuses.sort();
        assert_eq!(statuses, [200, 409], "{only:?}");
    }
}
