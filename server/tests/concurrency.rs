//! Limits hold under concurrent requests: each state change is one
//! conditional statement, so two requests cannot both get past it.

mod common;

use std::sync::Arc;

use axum::http::StatusCode;
use common::*;
use sealmail_api::ErrorCode;
use tokio::task::JoinHandle;

/// Bob types `passcode` into his link on a task of its own, to race others.
fn submit_on_a_task(app: &Arc<TestApp>, passcode: &str) -> JoinHandle<TestResponse> {
    let (app, passcode) = (app.clone(), passcode.to_owned());
    tokio::spawn(async move {
        app.recipient(BOB)
            .submit_passcode(&passcode)
            .response()
            .await
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_correct_submissions_open_exactly_one_session() {
    let app = Arc::new(TestApp::new().await);
    app.send(&[BOB], &[], &[]).await;
    let bob = app.recipient(BOB);
    bob.request_passcode().await;
    let passcode = bob.passcode_from_mail();

    let tasks: Vec<_> = (0..8).map(|_| submit_on_a_task(&app, &passcode)).collect();
    let mut opened = 0;
    for task in tasks {
        let response = task.await.unwrap();
        if response.status == StatusCode::OK {
            opened += 1;
        } else {
            assert_eq!(
                response.code(),
                ErrorCode::PasscodeExpired,
                "the others find it used"
            );
        }
    }
    assert_eq!(opened, 1, "a passcode is single use");
    let sessions = app.rows_in("recipient_sessions").await;
    assert_eq!(sessions, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_wrong_guesses_cannot_get_past_the_attempt_limit() {
    let app = Arc::new(TestApp::new().await);
    app.send(&[BOB], &[], &[]).await;
    let bob = app.recipient(BOB);
    bob.request_passcode().await;
    let right = bob.passcode_from_mail();

    // 30 different wrong guesses at once: at most 5 may be judged.
    let tasks: Vec<_> = (0..30u32)
        .map(|i| {
            let mut guess = format!("{:08}", 10_000_000 + i);
            if guess == right {
                guess = format!("{:08}", 20_000_000 + i);
            }
            submit_on_a_task(&app, &guess)
        })
        .collect();
    let mut judged_wrong = 0;
    for task in tasks {
        let code = task.await.unwrap().code();
        match code {
            ErrorCode::PasscodeWrong => judged_wrong += 1,
            ErrorCode::TooManyAttempts | ErrorCode::PasscodeExpired => {}
            other => panic!("unexpected {other}"),
        }
    }
    assert!(
        judged_wrong <= 4,
        "only 4 wrong tries may report tries left, got {judged_wrong}"
    );
    let failed: i64 = sealmail::store::on_db!(&app.state.db, |c| sqlx::query_scalar(
        "SELECT MAX(failed_attempts) FROM passcodes"
    )
    .fetch_one(c)
    .await)
    .unwrap();
    assert_eq!(failed, 5, "the counter stops at the limit");
    // And the right passcode no longer works.
    assert_eq!(
        bob.submit_passcode(&right).code().await,
        ErrorCode::TooManyAttempts
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_last_try_raced_by_the_right_and_a_wrong_passcode_cannot_both_succeed() {
    for _ in 0..5 {
        let app = Arc::new(TestApp::new().await);
        app.send(&[BOB], &[], &[]).await;
        let bob = app.recipient(BOB);
        bob.request_passcode().await;
        let right = bob.passcode_from_mail();
        let wrong = bob.wrong_passcode();
        for _ in 0..4 {
            assert_eq!(
                bob.submit_passcode(&wrong).code().await,
                ErrorCode::PasscodeWrong
            );
        }
        let a = submit_on_a_task(&app, &right);
        let b = submit_on_a_task(&app, &wrong);
        let (a, b) = (a.await.unwrap(), b.await.unwrap());
        let wrong_code = b.code();
        if a.status == StatusCode::OK {
            // The right one won; the wrong one found the passcode used.
            assert_eq!(wrong_code, ErrorCode::PasscodeExpired);
        } else {
            // The wrong one used the last try: the right one is locked out too.
            assert_eq!(a.code(), ErrorCode::TooManyAttempts);
            assert_eq!(wrong_code, ErrorCode::TooManyAttempts);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_revokes_succeed_exactly_once() {
    let app = Arc::new(TestApp::new().await);
    let message_id = app.send(&[BOB], &[], &[]).await;
    let tasks: Vec<_> = (0..6)
        .map(|_| {
            let (app, id) = (app.clone(), message_id.clone());
            tokio::spawn(async move { revoke(&app.state, &id).await })
        })
        .collect();
    let mut ok = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => ok += 1,
            Err(e) => assert_eq!(e.code(), ErrorCode::AlreadyRevoked),
        }
    }
    assert_eq!(ok, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn workers_claiming_at_once_never_claim_the_same_mail() {
    use sealmail::store::mail_queue;
    let app = Arc::new(TestApp::new().await);
    app.hold_mail();
    let crowd: Vec<String> = (0..60).map(|i| format!("r{i}@example.com")).collect();
    let crowd: Vec<&str> = crowd.iter().map(String::as_str).collect();
    app.send(&crowd, &[], &[]).await;
    let now = sealmail::store::now();
    // Eight workers (several servers' worth), each claiming small batches
    // until the queue is empty.
    let workers: Vec<_> = (0..8)
        .map(|_| {
            let app = app.clone();
            tokio::spawn(async move {
                let mut mine = Vec::new();
                loop {
                    let claimed = mail_queue::claim(&app.state.db, now, 600, 3, None)
                        .await
                        .unwrap();
                    if claimed.is_empty() {
                        return mine;
                    }
                    mine.extend(claimed.into_iter().map(|m| m.id));
                }
            })
        })
        .collect();
    let mut all = Vec::new();
    for worker in workers {
        all.extend(worker.await.unwrap());
    }
    let claimed = all.len();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), claimed, "a mail was claimed twice");
    assert_eq!(claimed, 60, "every mail claimed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn downloads_audited_while_their_message_ends_keep_no_file_name() {
    use sealmail::store::audit::{self, NewEvent};
    use sealmail::store::{MessageState, messages, now};
    use sealmail_api::admin::{AuditKind, AuditOutcome};

    let app = Arc::new(TestApp::new().await);
    for round in 0..12 {
        let message_id = app.send(&[BOB], &[], &[]).await;
        let id = app.internal_id(&message_id).await;
        let download = NewEvent {
            kind: AuditKind::AttachmentDownloaded,
            outcome: AuditOutcome::Success,
            message_id: Some(message_id.clone()),
            recipient: Some(BOB.into()),
            actor: None,
            client_address: None,
            detail: Some(format!("round-{round}.pdf")),
        };
        // Downloads stored from several writers (replicas) as the revoke commits.
        let writers: Vec<_> = (0..4)
            .map(|_| {
                let (app, download) = (app.clone(), download.clone());
                tokio::spawn(async move {
                    for _ in 0..3 {
                        audit::insert_all(&app.state.db, &[(download.clone(), now())])
                            .await
                            .unwrap();
                    }
                })
            })
            .collect();
        let ended = messages::end(&app.state.db, &id, MessageState::Revoked, now())
            .await
            .unwrap();
        assert!(ended);
        for writer in writers {
            writer.await.unwrap();
        }
    }
    let named: i64 = sealmail::store::on_db!(&app.state.db, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_events WHERE kind = 'attachment_downloaded' AND detail IS NOT NULL"
    )
    .fetch_one(c)
    .await)
    .unwrap();
    assert_eq!(named, 0, "an ended message's file names are all gone");
}
