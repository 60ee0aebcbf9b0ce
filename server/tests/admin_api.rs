//! The admin API: status and revoke by Message-ID, message trace, the
//! encryption report — administrators only.

mod common;

use axum::http::Method;
use common::sender::{ADMIN, DAVE, get_with, message_to};
use common::{ALICE, BOB, CAROL, TestApp};
use sealmail_api::admin::{
    MessageState, MessageStatus, RecipientState, Report, ReportQuery, TracePage, TraceQuery,
};
use sealmail_api::routes;
use sealmail_api::sender::RevokeRequest;
use sealmail_api::{ErrorCode, Timestamp};

#[tokio::test]
async fn an_administrator_checks_and_revokes_a_message_by_its_message_id() {
    let app = TestApp::new().await;
    let alice = app.sender(ALICE, false).await;
    let admin = app.sender(ADMIN, true).await;
    let composed = app
        .compose_ok(&alice, &message_to(&[BOB, CAROL]), &[])
        .await;

    // With or without the angle brackets.
    let bare = composed.message_id.trim_matches(['<', '>']).to_owned();
    for id in [composed.message_id.clone(), bare] {
        let status: MessageStatus = get_with(&app, &routes::admin_message(&id), &admin)
            .await
            .json();
        assert_eq!(status.message_id, composed.message_id);
        assert!(status.is_revocable);
        assert!(!status.revoked);
        assert_eq!(status.subject, "Contract draft");
    }

    let one = RevokeRequest {
        recipient: Some(BOB.into()),
    };
    let status: MessageStatus = app
        .call(
            Method::POST,
            &routes::admin_message_revoke(&composed.message_id),
            Some(&one),
            &admin,
        )
        .await
        .json();
    assert!(
        status.is_revocable,
        "one recipient revoked; the message is still active"
    );
    assert_eq!(status.recipients[0].state, RecipientState::Revoked);
    assert_eq!(status.recipients[1].state, RecipientState::Sent);

    let status: MessageStatus = app
        .call::<()>(
            Method::POST,
            &routes::admin_message_revoke(&composed.message_id),
            None,
            &admin,
        )
        .await
        .json();
    assert_eq!(status.state, MessageState::Revoked);
    assert!(!status.is_revocable);
    assert!(status.revoked);

    let again = app
        .call::<()>(
            Method::POST,
            &routes::admin_message_revoke(&composed.message_id),
            None,
            &admin,
        )
        .await;
    assert_eq!(again.code(), ErrorCode::AlreadyRevoked);
    let unknown = get_with(&app, &routes::admin_message("<nope@sealmail.test>"), &admin).await;
    assert_eq!(unknown.code(), ErrorCode::NotFound);
    let unknown_revoke = app
        .call::<()>(
            Method::POST,
            &routes::admin_message_revoke("<nope@sealmail.test>"),
            None,
            &admin,
        )
        .await;
    assert_eq!(unknown_revoke.code(), ErrorCode::NotFound);
}

/// The admin status page's per-recipient "Remove external access": every
/// answer the portal has to tell apart.
#[tokio::test]
async fn an_administrator_removes_one_recipients_access_and_each_refusal_has_its_code() {
    let app = TestApp::new().await;
    let alice = app.sender(ALICE, false).await;
    let admin = app.sender(ADMIN, true).await;
    let composed = app
        .compose_ok(&alice, &message_to(&[BOB, CAROL]), &[])
        .await;
    let revoke = |recipient: &str| {
        let request = RevokeRequest {
            recipient: Some(recipient.into()),
        };
        let app = &app;
        let admin = admin.clone();
        let path = routes::admin_message_revoke(&composed.message_id);
        async move { app.call(Method::POST, &path, Some(&request), &admin).await }
    };

    let status: MessageStatus = revoke(&format!(" {BOB} ")).await.json();
    assert_eq!(status.state, MessageState::Active);
    assert_eq!(status.recipients[0].state, RecipientState::Revoked);
    assert_eq!(status.recipients[1].state, RecipientState::Sent);
    let bob_link = app.get(&routes::link(&app.token_for(BOB)), None).await;
    assert_eq!(bob_link.code(), ErrorCode::MessageRevoked);
    let carol_link = app.get(&routes::link(&app.token_for(CAROL)), None).await;
    assert!(carol_link.status.is_success(), "carol keeps her access");

    assert_eq!(revoke(BOB).await.code(), ErrorCode::AlreadyRevoked);
    assert_eq!(
        revoke("mallory@example.com").await.code(),
        ErrorCode::NotFound
    );
    let malformed = app
        .call(
            Method::POST,
            &routes::admin_message_revoke(&composed.message_id),
            Some(&serde_json::json!({ "recipient": 7 })),
            &admin,
        )
        .await;
    assert_eq!(malformed.code(), ErrorCode::InvalidRequest);

    app.sql("UPDATE messages SET expires_at = created_at - 1")
        .await;
    assert_eq!(revoke(CAROL).await.code(), ErrorCode::MessageExpired);
}

#[tokio::test]
async fn the_admin_api_is_forbidden_to_senders_and_closed_to_strangers() {
    let app = TestApp::new().await;
    let dave = app.sender(DAVE, false).await;
    let paths = [
        routes::admin_message("<x@y>"),
        routes::ADMIN_TRACE.to_owned(),
        routes::ADMIN_REPORT.to_owned(),
        routes::ADMIN_AUDIT.to_owned(),
        routes::ADMIN_BRANDING.to_owned(),
    ];
    for path in &paths {
        assert_eq!(
            get_with(&app, path, &dave).await.code(),
            ErrorCode::Forbidden,
            "{path}"
        );
        assert_eq!(
            app.get(path, None).await.code(),
            ErrorCode::NotSignedIn,
            "{path}"
        );
    }
    let revoke = app
        .call::<()>(
            Method::POST,
            &routes::admin_message_revoke("<x@y>"),
            None,
            &dave,
        )
        .await;
    assert_eq!(revoke.code(), ErrorCode::Forbidden);
}

#[tokio::test]
async fn message_trace_finds_messages_by_sender_recipient_subject_and_date() {
    let app = TestApp::new().await;
    let alice = app.sender(ALICE, false).await;
    let dave = app.sender(DAVE, false).await;
    let admin = app.sender(ADMIN, true).await;
    let mut contract = message_to(&[BOB]);
    contract.subject = "Contract".into();
    let a = app.compose_ok(&alice, &contract, &[]).await;
    let mut lunch = message_to(&[CAROL]);
    lunch.subject = "Lunch".into();
    let d = app.compose_ok(&dave, &lunch, &[]).await;
    // Alice's a minute earlier, so the newest-first order is certain.
    sqlx::query("UPDATE messages SET created_at = created_at - 60 WHERE message_id = ?")
        .bind(&a.message_id)
        .execute(&app.state.db)
        .await
        .unwrap();

    let trace = |q: TraceQuery| {
        let app = &app;
        let admin = admin.clone();
        async move {
            let page: TracePage = get_with(app, &routes::admin_trace(&q), &admin).await.json();
            page.messages
                .into_iter()
                .map(|m| m.message_id)
                .collect::<Vec<_>>()
        }
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
    let page: TracePage = get_with(&app, &routes::admin_trace(&paged), &admin)
        .await
        .json();
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
    let response = get_with(&app, &routes::admin_trace(&bad), &admin).await;
    assert_eq!(response.code(), ErrorCode::InvalidRequest);
}

#[tokio::test]
async fn the_report_counts_sent_opened_revoked_per_day_and_top_domains() {
    let app = TestApp::new().await;
    let alice = app.sender(ALICE, false).await;
    let admin = app.sender(ADMIN, true).await;
    let first = app
        .compose_ok(&alice, &message_to(&[BOB, CAROL]), &[])
        .await;
    app.compose_ok(&alice, &message_to(&["erin@example.net"]), &[])
        .await;
    let bob_token = app.token_for(BOB);
    app.sign_in(&bob_token, BOB).await;
    app.call::<()>(
        Method::POST,
        &routes::message_revoke(&first.id),
        None,
        &alice,
    )
    .await;

    let report: Report = get_with(&app, routes::ADMIN_REPORT, &admin).await.json();
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
    let old: Report = get_with(&app, &routes::admin_report(&empty), &admin)
        .await
        .json();
    assert_eq!(old.totals.sent, 0);
    assert_eq!(old.per_day.len(), 2);
    assert_eq!(old.per_day[0].date, "2001-01-01");

    let backwards = ReportQuery {
        from: Some(Timestamp("2001-01-03".into())),
        until: Some(Timestamp("2001-01-01".into())),
    };
    let response = get_with(&app, &routes::admin_report(&backwards), &admin).await;
    assert_eq!(response.code(), ErrorCode::InvalidRequest);
}
