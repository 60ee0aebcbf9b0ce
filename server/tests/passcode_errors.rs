//! The passcode's error codes: wrong (with tries left), expired or used,
//! too many attempts (the link locks), and too many passcodes asked (rate limited).

mod common;

use axum::http::StatusCode;
use common::*;
use sealmail_api::ErrorCode;
use sealmail_api::recipient::{LinkInfo, PasscodeSubmit};
use sealmail_api::routes;

#[tokio::test]
async fn wrong_passcodes_count_down_then_lock_the_link() {
    let app = TestApp::new().await;
    app.send(&[BOB], &[], &[]).await;
    let token = app.token_for(BOB);
    app.request_passcode(&token).await;
    let right = app.passcode_for(BOB);
    let wrong = if right == "00000000" {
        "11111111"
    } else {
        "00000000"
    };
    for tries_left in (1..=4).rev() {
        let response = app.submit_passcode(&token, wrong).await;
        let error = response.error();
        assert_eq!(error.code, ErrorCode::PasscodeWrong);
        assert_eq!(error.tries_left, Some(tries_left));
    }
    let fifth = app.submit_passcode(&token, wrong).await.error();
    assert_eq!(fifth.code, ErrorCode::TooManyAttempts);
    assert!(fifth.retry_after_secs.unwrap() > 0);
    // Locked: even the right passcode, and a new passcode request, are refused.
    assert_eq!(
        app.submit_passcode(&token, &right).await.code(),
        ErrorCode::TooManyAttempts
    );
    let again = app.request_passcode(&token).await;
    assert_eq!(again.code(), ErrorCode::TooManyAttempts);
    assert!(!again.header(axum::http::header::RETRY_AFTER).is_empty());

    // When the lock ends, the old passcode is void: a new one is needed, and works.
    app.sql("UPDATE recipients SET locked_until = 0").await;
    assert_eq!(
        app.submit_passcode(&token, &right).await.code(),
        ErrorCode::PasscodeExpired
    );
    let cookie = app.sign_in(&token, BOB).await;
    assert_eq!(
        app.get(&routes::link_message(&token), Some(&cookie))
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_locked_link_says_until_when_and_no_longer_once_the_lock_ends() {
    let app = TestApp::new().await;
    app.send(&[BOB], &[], &[]).await;
    let token = app.token_for(BOB);
    let info = app
        .get(&routes::link(&token), None)
        .await
        .json::<LinkInfo>();
    assert_eq!(info.locked_until, None);
    app.request_passcode(&token).await;
    let wrong = if app.passcode_for(BOB) == "00000000" {
        "11111111"
    } else {
        "00000000"
    };
    let before = sealmail::store::now();
    for _ in 0..5 {
        app.submit_passcode(&token, wrong).await;
    }

    let info = app
        .get(&routes::link(&token), None)
        .await
        .json::<LinkInfo>();
    let until = info.locked_until.expect("locked_until while locked");
    let lock = sealmail::recipient::LOCK_SECS;
    let possible: Vec<_> = (before + lock..=sealmail::store::now() + lock)
        .map(sealmail::store::timestamp)
        .collect();
    assert!(possible.contains(&until), "{until:?} not in {possible:?}");

    app.sql("UPDATE recipients SET locked_until = 1").await;
    let info = app
        .get(&routes::link(&token), None)
        .await
        .json::<LinkInfo>();
    assert_eq!(
        info.locked_until, None,
        "a lock that has run out is no lock"
    );
}

#[tokio::test]
async fn passcode_expired_when_none_was_asked_used_old_or_replaced() {
    let app = TestApp::new().await;
    app.send(&[BOB], &[], &[]).await;
    let token = app.token_for(BOB);
    // None asked for.
    assert_eq!(
        app.submit_passcode(&token, "12345678").await.code(),
        ErrorCode::PasscodeExpired
    );
    // Used once: single use.
    app.request_passcode(&token).await;
    let first = app.passcode_for(BOB);
    assert_eq!(
        app.submit_passcode(&token, &first).await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.submit_passcode(&token, &first).await.code(),
        ErrorCode::PasscodeExpired
    );
    // Older than 10 minutes.
    app.request_passcode(&token).await;
    let second = app.passcode_for(BOB);
    app.sql("UPDATE passcodes SET expires_at = created_at - 1")
        .await;
    assert_eq!(
        app.submit_passcode(&token, &second).await.code(),
        ErrorCode::PasscodeExpired
    );
    // Replaced by a newer one.
    app.request_passcode(&token).await;
    let third = app.passcode_for(BOB);
    app.request_passcode(&token).await;
    let fourth = app.passcode_for(BOB);
    if third != fourth {
        assert_eq!(
            app.submit_passcode(&token, &third).await.code(),
            ErrorCode::PasscodeWrong
        );
    }
    assert_eq!(
        app.submit_passcode(&token, &fourth).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn asking_for_too_many_passcodes_is_rate_limited() {
    let app = TestApp::new().await;
    app.send(&[BOB], &[], &[]).await;
    let token = app.token_for(BOB);
    for _ in 0..5 {
        assert_eq!(app.request_passcode(&token).await.status, StatusCode::OK);
    }
    let mails_before = app.mailer.sent().len();
    let limited = app.request_passcode(&token).await.error();
    assert_eq!(limited.code, ErrorCode::RateLimited);
    let retry = limited.retry_after_secs.unwrap();
    assert!(retry > 3500 && retry <= 3600, "{retry}");
    assert_eq!(
        app.mailer.sent().len(),
        mails_before,
        "no mail when limited"
    );
    // The limit is per link: another recipient is not affected.
    let other = app.send(&[CAROL], &[], &[]).await;
    assert!(!other.is_empty());
    assert_eq!(
        app.request_passcode(&app.token_for(CAROL)).await.status,
        StatusCode::OK
    );
    // An hour later it works again.
    app.sql("UPDATE passcodes SET created_at = created_at - 3601")
        .await;
    assert_eq!(app.request_passcode(&token).await.status, StatusCode::OK);
}

#[tokio::test]
async fn passcode_submission_is_checked_against_the_link_not_the_request() {
    let app = TestApp::new().await;
    app.send(&[BOB], &[CAROL], &[]).await;
    let bob = app.token_for(BOB);
    let carol = app.token_for(CAROL);
    app.request_passcode(&bob).await;
    let bobs = app.passcode_for(BOB);
    // Bob's passcode does not open Carol's link.
    app.request_passcode(&carol).await;
    let response = app
        .post(
            &routes::link_session(&carol),
            Some(&PasscodeSubmit {
                passcode: bobs.clone(),
            }),
            None,
        )
        .await;
    if bobs != app.passcode_for(CAROL) {
        assert_eq!(response.code(), ErrorCode::PasscodeWrong);
    }
}
