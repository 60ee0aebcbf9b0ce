//! A recipient's encrypted replies are bounded: so many an hour, so much in
//! all, and kept no longer than the message they answer (90 days at most).

mod common;

use common::*;
use sealmail_api::ErrorCode;

#[tokio::test]
async fn a_recipient_may_send_ten_replies_an_hour() {
    let app = TestApp::new().await;
    let bob = app.bob_reading().await;
    for i in 0..10 {
        bob.reply(&format!("reply {i}")).await;
    }
    let flood = bob.reply("one more").response().await;
    assert_eq!(flood.code(), ErrorCode::RateLimited);
    assert!(flood.error().retry_after_secs.unwrap() > 0);
    assert_eq!(
        app.rows_in("messages").await,
        11,
        "the message and its 10 replies"
    );
}

#[tokio::test]
async fn replies_stop_at_100_mib_stored_per_recipient() {
    let app = TestApp::new().await;
    let bob = app.bob_reading().await;
    let file = vec![7u8; 24 * 1024 * 1024];
    for i in 0..4 {
        bob.reply(&format!("part {i}"))
            .file("scan.bin", "application/octet-stream", &file)
            .await;
    }
    let over = bob
        .reply("part 5")
        .file("scan.bin", "application/octet-stream", &file)
        .response()
        .await;
    assert_eq!(over.code(), ErrorCode::PayloadTooLarge);
    assert_eq!(app.rows_in("messages").await, 5);
}

#[tokio::test]
async fn a_reply_expires_with_the_message_it_answers_or_after_90_days() {
    let app = TestApp::new().await;
    let bob = app.bob_reading().await;
    bob.reply("no expiry on the original").await;
    let now = sealmail::store::now();
    let kept: Option<i64> = sealmail::store::on_db!(&app.state.db, |c| sqlx::query_scalar(
        "SELECT expires_at FROM messages WHERE in_reply_to IS NOT NULL"
    )
    .fetch_one(c)
    .await)
    .unwrap();
    let days = (kept.expect("an expiry") - now) as f64 / 86_400.0;
    assert!((89.9..=90.1).contains(&days), "{days} days");

    let original_ends = now + 3_600;
    sealmail::store::on_db!(&app.state.db, |c| sqlx::query(
        "UPDATE messages SET expires_at = $1 WHERE in_reply_to IS NULL"
    )
    .bind(original_ends)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .unwrap();
    bob.reply("the original ends in an hour").await;
    let latest: Option<i64> = sealmail::store::on_db!(&app.state.db, |c| sqlx::query_scalar(
        sqlx::AssertSqlSafe(format!("SELECT expires_at FROM messages WHERE in_reply_to IS NOT NULL ORDER BY created_at DESC, {rowid} DESC LIMIT 1", rowid = common::pg::rowid())),
    )
    .fetch_one(c)
    .await)
    .unwrap();
    assert_eq!(latest, Some(original_ends));
}
