//! The passcode's error codes: wrong (with tries left), expired or used,
//! too many attempts (the client is locked out of the link; after 100 in a
//! row the link is blocked until the sender sends a new one), and too many passcodes asked (rate limited).

mod common;

use axum::http::StatusCode;
use common::sender::message_to;
use common::*;
use sealmail_api::ErrorCode;

#[tokio::test]
async fn wrong_passcodes_count_down_then_lock_the_client_out_of_the_link() {
    let app = TestApp::new().await;
    app.send(&[BOB], &[], &[]).await;
    let bob = app.recipient(BOB);
    bob.request_passcode().await;
    let right = bob.passcode_from_mail();
    let wrong = bob.wrong_passcode();
    for tries_left in (1..=4).rev() {
        let response = bob.submit_passcode(&wrong).response().await;
        let error = response.error();
        assert_eq!(error.code, ErrorCode::PasscodeWrong);
        assert_eq!(error.tries_left, Some(tries_left));
    }
    let fifth = bob.submit_passcode(&wrong).response().await.error();
    assert_eq!(fifth.code, ErrorCode::TooManyAttempts);
    assert!(fifth.retry_after_secs.unwrap() > 0);
    // Locked: even the right passcode, and a new passcode request, are refused.
    assert_eq!(
        bob.submit_passcode(&right).code().await,
        ErrorCode::TooManyAttempts
    );
    let again = bob.request_passcode().response().await;
    assert_eq!(again.code(), ErrorCode::TooManyAttempts);
    assert!(!again.header(axum::http::header::RETRY_AFTER).is_empty());

    // When the lock ends, the old passcode is void: a new one is needed, and works.
    app.sql("UPDATE link_locks SET until = 0").await;
    assert_eq!(
        bob.submit_passcode(&right).code().await,
        ErrorCode::PasscodeExpired
    );
    let bob = bob.signed_in().await;
    assert_eq!(bob.read().response().await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_passcode_is_spent_only_together_with_the_session_it_opens() {
    let app = TestApp::new().await;
    app.send(&[BOB], &[], &[]).await;
    let bob = app.recipient(BOB);
    bob.request_passcode().await;
    let right = bob.passcode_from_mail();

    // Storing the session fails (a full disk, say): the passcode stays unused.
    app.sql_of(
        "CREATE TRIGGER no_sessions BEFORE INSERT ON recipient_sessions
         BEGIN SELECT RAISE(ABORT, 'no room'); END",
        "CREATE FUNCTION no_room() RETURNS trigger LANGUAGE plpgsql
             AS $$ BEGIN RAISE EXCEPTION 'no room'; END $$;
         CREATE TRIGGER no_sessions BEFORE INSERT ON recipient_sessions
             FOR EACH ROW EXECUTE FUNCTION no_room()",
    )
    .await;
    assert_eq!(
        bob.submit_passcode(&right).code().await,
        ErrorCode::Internal
    );
    assert_eq!(app.rows_in("recipient_sessions").await, 0);

    app.sql_of(
        "DROP TRIGGER no_sessions",
        "DROP TRIGGER no_sessions ON recipient_sessions",
    )
    .await;
    let opened = bob.submit_passcode(&right).response().await;
    assert_eq!(opened.status, StatusCode::OK, "{}", opened.text());
    let bob = bob.with_session(&opened.session_cookie().expect("a session cookie"));
    assert_eq!(bob.read().response().await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_locked_link_says_until_when_and_no_longer_once_the_lock_ends() {
    let app = TestApp::new().await;
    app.send(&[BOB], &[], &[]).await;
    let bob = app.recipient(BOB);
    let info = bob.open_link().await;
    assert_eq!(info.locked_until, None);
    bob.request_passcode().await;
    let wrong = bob.wrong_passcode();
    let before = sealmail::store::now();
    for _ in 0..5 {
        bob.submit_passcode(&wrong).response().await;
    }

    let info = bob.open_link().await;
    let until = info.locked_until.expect("locked_until while locked");
    let lock = sealmail::recipient::LOCK_SECS;
    let possible: Vec<_> = (before + lock..=sealmail::store::now() + lock)
        .map(sealmail::store::timestamp)
        .collect();
    assert!(possible.contains(&until), "{until:?} not in {possible:?}");

    app.sql("UPDATE link_locks SET until = 1").await;
    let info = bob.open_link().await;
    assert_eq!(
        info.locked_until, None,
        "a lock that has run out is no lock"
    );
}

#[tokio::test]
async fn passcode_expired_when_none_was_asked_used_old_or_replaced() {
    let app = TestApp::new().await;
    app.send(&[BOB], &[], &[]).await;
    let bob = app.recipient(BOB);
    let submit = async |passcode: &str| bob.submit_passcode(passcode).response().await;
    let ask = async || {
        bob.request_passcode().await;
        bob.passcode_from_mail()
    };
    // None asked for.
    assert_eq!(submit("12345678").await.code(), ErrorCode::PasscodeExpired);
    // Used once: single use.
    let first = ask().await;
    assert_eq!(submit(&first).await.status, StatusCode::OK);
    assert_eq!(submit(&first).await.code(), ErrorCode::PasscodeExpired);
    // Older than 10 minutes.
    let second = ask().await;
    app.sql("UPDATE passcodes SET expires_at = created_at - 1")
        .await;
    assert_eq!(submit(&second).await.code(), ErrorCode::PasscodeExpired);
    // Replaced by a newer one.
    let third = ask().await;
    let fourth = ask().await;
    if third != fourth {
        assert_eq!(submit(&third).await.code(), ErrorCode::PasscodeWrong);
    }
    assert_eq!(submit(&fourth).await.status, StatusCode::OK);
}

#[tokio::test]
async fn asking_for_too_many_passcodes_is_rate_limited() {
    let app = TestApp::new().await;
    app.send(&[BOB], &[], &[]).await;
    let bob = app.recipient(BOB);
    for _ in 0..5 {
        bob.request_passcode().await;
    }
    let mails_before = app.mails().len();
    let limited = bob.request_passcode().response().await.error();
    assert_eq!(limited.code, ErrorCode::RateLimited);
    let retry = limited.retry_after_secs.unwrap();
    assert!(retry > 3500 && retry <= 3600, "{retry}");
    assert_eq!(app.mails().len(), mails_before, "no mail when limited");
    // The limit is per link: another recipient is not affected.
    let other = app.send(&[CAROL], &[], &[]).await;
    assert!(!other.is_empty());
    app.recipient(CAROL).request_passcode().await;
    // An hour later it works again.
    app.sql("UPDATE passcodes SET created_at = created_at - 3601")
        .await;
    bob.request_passcode().await;
}

#[tokio::test]
async fn passcode_submission_is_checked_against_the_link_not_the_request() {
    let app = TestApp::new().await;
    app.send(&[BOB], &[CAROL], &[]).await;
    let bob = app.recipient(BOB);
    let carol = app.recipient(CAROL);
    bob.request_passcode().await;
    let bobs = bob.passcode_from_mail();
    // Bob's passcode does not open Carol's link.
    carol.request_passcode().await;
    let response = carol.submit_passcode(&bobs).response().await;
    if bobs != carol.passcode_from_mail() {
        assert_eq!(response.code(), ErrorCode::PasscodeWrong);
    }
}

/// The count of wrong passcodes in a row for Bob's link.
async fn failed_in_a_row(app: &TestApp) -> i64 {
    sealmail::store::on_db!(&app.state.db, |c| sqlx::query_scalar(
        "SELECT failed_passcodes FROM recipients WHERE address = $1"
    )
    .bind(BOB)
    .fetch_one(c)
    .await)
    .unwrap()
}

#[tokio::test]
async fn a_guessers_lock_holds_the_guesser_not_the_recipient() {
    let app = TestApp::with_args(&["--trust-forwarded-for"]).await;
    app.send(&[BOB], &[], &[]).await;
    let bob = app.recipient(BOB);
    bob.request_passcode().await;
    let wrong = bob.wrong_passcode();
    let guesser = "203.0.113.9";
    for _ in 0..4 {
        let code = bob
            .submit_passcode(&wrong)
            .header("x-forwarded-for", guesser)
            .code()
            .await;
        assert_eq!(code, ErrorCode::PasscodeWrong);
    }
    let fifth = bob
        .submit_passcode(&wrong)
        .header("x-forwarded-for", guesser)
        .code()
        .await;
    assert_eq!(fifth, ErrorCode::TooManyAttempts);
    let locked = bob
        .request_passcode()
        .header("x-forwarded-for", guesser)
        .code()
        .await;
    assert_eq!(locked, ErrorCode::TooManyAttempts, "the guesser stays out");
    let seen_by_guesser = bob.open_link().header("x-forwarded-for", guesser).await;
    assert!(seen_by_guesser.locked_until.is_some());

    // Bob, elsewhere, is not locked out: a new passcode opens his session.
    assert_eq!(bob.open_link().await.locked_until, None);
    let bob = bob.signed_in().await;
    assert_eq!(bob.read().response().await.status, StatusCode::OK);
    assert_eq!(
        failed_in_a_row(&app).await,
        0,
        "a right passcode starts the count again"
    );
}

#[tokio::test]
async fn a_hundred_wrong_passcodes_in_a_row_block_the_link_until_the_sender_sends_a_new_one() {
    let app = TestApp::with_args(&["--trust-forwarded-for"]).await;
    let alice = app.sender(ALICE).await;
    let composed = alice.send(&message_to(&[BOB])).await;
    let bob = app.recipient(BOB);
    // Twenty guessers, five tries each: each locks only itself out, but the
    // link keeps count of them all.
    let mut last = None;
    for n in 0..20 {
        let guesser = format!("203.0.113.{n}");
        // Past the passcodes-per-hour limit, as if the hour had gone by.
        app.sql("UPDATE passcodes SET created_at = created_at - 3600")
            .await;
        bob.request_passcode()
            .header("x-forwarded-for", &guesser)
            .await;
        let wrong = bob.wrong_passcode();
        for _ in 0..5 {
            last = Some(
                bob.submit_passcode(&wrong)
                    .header("x-forwarded-for", &guesser)
                    .response()
                    .await,
            );
        }
    }
    let last = last.unwrap();
    assert_eq!(last.code(), ErrorCode::LinkBlocked);
    assert_eq!(last.status, StatusCode::LOCKED);
    assert_eq!(failed_in_a_row(&app).await, 100);

    // Blocked for everyone, the recipient too, whatever they try.
    assert_eq!(bob.open_link().code().await, ErrorCode::LinkBlocked);
    app.sql("UPDATE passcodes SET created_at = created_at - 3600")
        .await;
    assert_eq!(bob.request_passcode().code().await, ErrorCode::LinkBlocked);

    // A new link from the sender starts afresh.
    alice.resend(&composed.id, BOB).await;
    assert_eq!(failed_in_a_row(&app).await, 0);
    let bob = app.recipient(BOB).signed_in().await;
    assert_eq!(bob.read().response().await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_right_passcode_before_the_cap_starts_the_count_again() {
    let app = TestApp::new().await;
    app.send(&[BOB], &[], &[]).await;
    app.sql("UPDATE recipients SET failed_passcodes = 98").await;
    let bob = app.recipient(BOB);
    bob.request_passcode().await;
    assert_eq!(
        bob.submit_passcode(&bob.wrong_passcode()).code().await,
        ErrorCode::PasscodeWrong,
        "the 99th"
    );
    let bob = bob.signed_in().await;
    assert_eq!(failed_in_a_row(&app).await, 0);
    bob.request_passcode().await;
    assert_eq!(
        bob.submit_passcode(&bob.wrong_passcode()).code().await,
        ErrorCode::PasscodeWrong,
        "counting from one again"
    );
}
