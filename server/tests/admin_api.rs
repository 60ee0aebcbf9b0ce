//! The admin API: status and revoke by Message-ID, message trace, the
//! encryption report — administrators only.

mod common;

use common::sender::{DAVE, message_to};
use common::{ALICE, BOB, CAROL, TestApp};
use sealmail_api::admin::{MessageState, RecipientState, ReportQuery, TraceQuery};
use sealmail_api::routes;
use sealmail_api::{ErrorCode, Timestamp};

#[tokio::test]
async fn an_administrator_checks_and_revokes_a_message_by_its_message_id() {
    let app = TestApp::new().await;
    let alice = app.sender(ALICE).await;
    let admin = app.admin().await;
    let composed = alice.send(&message_to(&[BOB, CAROL])).await;

    // With or without the angle brackets.
    let bare = composed.message_id.trim_matches(['<', '>']).to_owned();
    for id in [composed.message_id.clone(), bare] {
        let status = admin.status(&id).await;
        assert_eq!(status.message_id, composed.message_id);
        assert!(status.is_revocable);
        assert!(!status.revoked);
        assert_eq!(status.subject, "Contract draft");
    }

    let status = admin.revoke(&composed.message_id).only(BOB).await;
    assert!(
        status.is_revocable,
        "one recipient revoked; the message is still active"
    );
    assert_eq!(status.recipients[0].state, RecipientState::Revoked);
    assert_eq!(status.recipients[1].state, RecipientState::Sent);

    let status = admin.revoke(&composed.message_id).await;
    assert_eq!(status.state, MessageState::Revoked);
    assert!(!status.is_revocable);
    assert!(status.revoked);

    let again = admin.revoke(&composed.message_id).response().await;
    assert_eq!(again.code(), ErrorCode::AlreadyRevoked);
    let unknown = admin.status("<nope@sealmail.test>").response().await;
    assert_eq!(unknown.code(), ErrorCode::NotFound);
    let unknown_revoke = admin.revoke("<nope@sealmail.test>").response().await;
    assert_eq!(unknown_revoke.code(), ErrorCode::NotFound);
}

/// The admin status page's per-recipient "Remove external access": every
/// answer the portal has to tell apart.
#[tokio::test]
async fn an_administrator_removes_one_recipients_access_and_each_refusal_has_its_code() {
    let app = TestApp::new().await;
    let alice = app.sender(ALICE).await;
    let admin = app.admin().await;
    let composed = alice.send(&message_to(&[BOB, CAROL])).await;
    let revoke = |recipient: &str| admin.revoke(&composed.message_id).only(recipient);

    let status = revoke(&format!(" {BOB} ")).await;
    assert_eq!(status.state, MessageState::Active);
    assert_eq!(status.recipients[0].state, RecipientState::Revoked);
    assert_eq!(status.recipients[1].state, RecipientState::Sent);
    let bob_link = app.recipient(BOB).open_link().response().await;
    assert_eq!(bob_link.code(), ErrorCode::MessageRevoked);
    let carol_link = app.recipient(CAROL).open_link().response().await;
    assert!(carol_link.status.is_success(), "carol keeps her access");

    assert_eq!(revoke(BOB).code().await, ErrorCode::AlreadyRevoked);
    assert_eq!(
        revoke("mallory@example.com").code().await,
        ErrorCode::NotFound
    );
    let malformed = app
        .call(
            axum::http::Method::POST,
            &routes::admin_message_revoke(&composed.message_id),
            &serde_json::json!({ "recipient": 7 }),
            admin.cookie(),
        )
        .await;
    assert_eq!(malformed.code(), ErrorCode::InvalidRequest);

    app.sql("UPDATE messages SET expires_at = created_at - 1")
        .await;
    assert_eq!(revoke(CAROL).code().await, ErrorCode::MessageExpired);
}

#[tokio::test]
async fn the_admin_api_is_forbidden_to_senders_and_closed_to_strangers() {
    let app = TestApp::new().await;
    let dave = app.sender(DAVE).await;
    let paths = [
        routes::admin_message("<x@y>"),
        routes::ADMIN_TRACE.to_owned(),
        routes::ADMIN_REPORT.to_owned(),
        routes::ADMIN_AUDIT.to_owned(),
        routes::ADMIN_BRANDING.to_owned(),
    ];
    for path in &paths {
        assert_eq!(dave.get(path).code().await, ErrorCode::Forbidden, "{path}");
        assert_eq!(
            app.get(path, None).await.code(),
            ErrorCode::NotSignedIn,
            "{path}"
        );
    }
    let revoke = dave.as_admin().revoke("<x@y>").response().await;
    assert_eq!(revoke.code(), ErrorCode::Forbidden);
}

#[tokio::test]
async fn message_trace_finds_messages_by_sender_recipient_subject_and_date() {
    let app = TestApp::new().await;
    let alice = app.sender(ALICE).await;
    let dave = app.sender(DAVE).await;
    let admin = app.admin().await;
    let mut contract = message_to(&[BOB]);
    contract.subject = "Contract".into();
    let a = alice.send(&contract).await;
    let mut lunch = message_to(&[CAROL]);
    lunch.subject = "Lunch".into();
    let d = dave.send(&lunch).await;
    // Alice's a minute earlier, so the newest-first order is certain.
    sealmail::store::on_db!(&app.state.db, |c| sqlx::query(
        "UPDATE messages SET created_at = created_at - 60 WHERE message_id = $1"
    )
    .bind(&a.message_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .unwrap();

    let trace = async |q: TraceQuery| {
        let page = admin.trace(&q).await;
        page.messages
            .into_iter()
            .map(|m| m.message_id)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        trace(TraceQuery::default()).await,
        [d.message_id.clone(), a.message_id.clone()]
    );
    let by_sender = TraceQuery {
        sender: Some("dave@".into()),
        ..Default::default()
    };
    assert_eq!(trace(by_sender).await, [d.message_id.as_str()]);
    let by_recipient = TraceQuery {
        recipient: Some(BOB.into()),
        ..Default::default()
    };
    assert_eq!(trace(by_recipient).await, [a.message_id.as_str()]);
    let by_subject = TraceQuery {
        subject: Some("lunch".into()),
        ..Default::default()
    };
    assert_eq!(trace(by_subject).await, [d.message_id.as_str()]);
    let long_ago = TraceQuery {
        from: Some(Timestamp("2001-01-01".into())),
        until: Some(Timestamp("2002-01-01T00:00:00Z".into())),
        ..Default::default()
    };
    assert!(trace(long_ago).await.is_empty());
    let paged = TraceQuery {
        limit: Some(1),
        ..Default::default()
    };
    let page = admin.trace(&paged).await;
    assert_eq!(page.messages.len(), 1);
    let rest = TraceQuery {
        cursor: page.next_cursor,
        ..Default::default()
    };
    assert_eq!(trace(rest).await, [a.message_id.as_str()]);

    let bad = TraceQuery {
        from: Some(Timestamp("yesterday".into())),
        ..Default::default()
    };
    let response = admin.trace(&bad).response().await;
    assert_eq!(response.code(), ErrorCode::InvalidRequest);
}

#[tokio::test]
async fn the_report_counts_sent_opened_revoked_per_day_and_top_domains() {
    let app = TestApp::new().await;
    let alice = app.sender(ALICE).await;
    let admin = app.admin().await;
    let first = alice.send(&message_to(&[BOB, CAROL])).await;
    alice.send(&message_to(&["erin@example.net"])).await;
    app.recipient(BOB).signed_in().await;
    alice.revoke(&first.id).await;

    let report = admin.report(&ReportQuery::default()).await;
    assert_eq!(report.totals.sent, 2);
    assert_eq!(report.totals.opened, 1);
    assert_eq!(report.totals.revoked, 1);
    assert_eq!(report.totals.expired, 0);
    assert!(
        report.per_day.len() >= 7 && report.per_day.len() <= 8,
        "{:?}",
        report.per_day
    );
    let today = report.per_day.last().unwrap();
    assert_eq!(today.counts.sent, 2);
    assert_eq!(report.per_day.iter().map(|d| d.counts.sent).sum::<u64>(), 2);
    assert_eq!(report.top_recipient_domains[0].domain, "example.net");
    assert_eq!(report.top_recipient_domains[0].messages, 2);
    assert_eq!(report.top_recipient_domains[1].domain, "example.org");

    let empty = ReportQuery {
        from: Some(Timestamp("2001-01-01".into())),
        until: Some(Timestamp("2001-01-03".into())),
    };
    let old = admin.report(&empty).await;
    assert_eq!(old.totals.sent, 0);
    assert_eq!(old.per_day.len(), 2);
    assert_eq!(old.per_day[0].date, "2001-01-01");

    let backwards = ReportQuery {
        from: Some(Timestamp("2001-01-03".into())),
        until: Some(Timestamp("2001-01-01".into())),
    };
    let response = admin.report(&backwards).response().await;
    assert_eq!(response.code(), ErrorCode::InvalidRequest);
}
