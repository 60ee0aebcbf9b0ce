//! Limits hold under concurrent requests: each state change is one
//! conditional statement, so two requests cannot both get past it.

mod common;

use axum::http::StatusCode;
use common::*;
use sealmail_api::ErrorCode;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_correct_submissions_open_exactly_one_session() {
    let app = std::sync::Arc::new(TestApp::new().await);
    app.send(&[BOB], &[], &[]).await;
    let token = app.token_for(BOB);
    app.request_passcode(&token).await;
    let passcode = app.passcode_for(BOB);

    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (app, token, passcode) = (app.clone(), token.clone(), passcode.clone());
            tokio::spawn(async move { app.submit_passcode(&token, &passcode).await })
        })
        .collect();
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
    let sessions: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM recipient_sessions")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(sessions, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_wrong_guesses_cannot_get_past_the_attempt_limit() {
    let app = std::sync::Arc::new(TestApp::new().await);
    app.send(&[BOB], &[], &[]).await;
    let token = app.token_for(BOB);
    app.request_passcode(&token).await;
    let right = app.passcode_for(BOB);

    // 30 different wrong guesses at once: at most 5 may be judged.
    let tasks: Vec<_> = (0..30u32)
        .map(|i| {
            let (app, token) = (app.clone(), token.clone());
            let mut guess = format!("{:08}", 10_000_000 + i);
            if guess == right {
                guess = format!("{:08}", 20_000_000 + i);
            }
            tokio::spawn(async move { app.submit_passcode(&token, &guess).await })
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
    let failed: i64 = sqlx::query_scalar("SELECT MAX(failed_attempts) FROM passcodes")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(failed, 5, "the counter stops at the limit");
    // And the right passcode no longer works.
    assert_eq!(
        app.submit_passcode(&token, &right).await.code(),
        ErrorCode::TooManyAttempts
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_last_try_raced_by_the_right_and_a_wrong_passcode_cannot_both_succeed() {
    for _ in 0..5 {
        let app = std::sync::Arc::new(TestApp::new().await);
        app.send(&[BOB], &[], &[]).await;
        let token = app.token_for(BOB);
        app.request_passcode(&token).await;
        let right = app.passcode_for(BOB);
        let wrong = if right == "00000000" {
            "11111111".to_owned()
        } else {
            "00000000".to_owned()
        };
        for _ in 0..4 {
            assert_eq!(
                app.submit_passcode(&token, &wrong).await.code(),
                ErrorCode::PasscodeWrong
            );
        }
        let a = {
            let (app, token, right) = (app.clone(), token.clone(), right.clone());
            tokio::spawn(async move { app.submit_passcode(&token, &right).await })
        };
        let b = {
            let (app, token, wrong) = (app.clone(), token.clone(), wrong.clone());
            tokio::spawn(async move { app.submit_passcode(&token, &wrong).await })
        };
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
    let app = std::sync::Arc::new(TestApp::new().await);
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
