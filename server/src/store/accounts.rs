//! Sender sign-in: password hashes, sessions (stored as the SHA-256 of their
//! id) and the sign-in attempt counters that rate-limit guessing.

use super::{Db, Serial, on_db, on_tx};

use super::users::UserRow;
use crate::error::Result;

/// The account and its argon2id PHC string, by address (case-insensitive).
pub async fn with_password_hash(db: &Db, email: &str) -> Result<Option<(UserRow, String)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        user: UserRow,
        password_hash: String,
    }
    let row: Option<Row> = on_db!(db, |c| {
        sqlx::query_as(
        "SELECT id, email, name, is_admin, read_receipts, password_hash FROM users WHERE email = $1",
    )
    .bind(email)
    .fetch_optional(c)
    .await
    })?;
    Ok(row.map(|r| (r.user, r.password_hash)))
}

/// Counts an attempt for `key`, unless `max` attempts are already in the
/// window — one conditional INSERT, so concurrent guesses cannot slip past.
/// Returns the new attempt's row id, or `None` when over the limit.
pub async fn attempt_if_under_limit(
    db: &Db,
    key: &str,
    now: i64,
    window_secs: i64,
    max: i64,
) -> Result<Option<i64>> {
    // The count and the insert as one step, on PostgreSQL too.
    let mut tx = db.write_serial(Serial::SignIn).await?;
    let id = on_tx!(tx, |c| sqlx::query_scalar(
        "INSERT INTO sign_in_attempts (key, at)
         SELECT $1, $2 WHERE (SELECT COUNT(*) FROM sign_in_attempts WHERE key = $1 AND at > $3) < $4
         RETURNING id",
    )
    .bind(key)
    .bind(now)
    .bind(now - window_secs)
    .bind(max)
    .fetch_optional(&mut *c)
    .await)?;
    tx.commit().await?;
    Ok(id)
}

/// Seconds until the oldest attempt of `key` leaves the window.
pub async fn retry_after(db: &Db, key: &str, now: i64, window_secs: i64) -> Result<u64> {
    let oldest: Option<i64> = on_db!(db, |c| sqlx::query_scalar(
        "SELECT MIN(at) FROM sign_in_attempts WHERE key = $1 AND at > $2"
    )
    .bind(key)
    .bind(now - window_secs)
    .fetch_one(c)
    .await)?;
    Ok(oldest.map_or(1, |t| (t + window_secs - now).max(1) as u64))
}

/// Forgets attempts (a successful sign-in does not count against anyone),
/// and attempts older than the window.
pub async fn forget_attempts(db: &Db, ids: &[i64], older_than: i64) -> Result<()> {
    for id in ids {
        on_db!(db, |c| sqlx::query(
            "DELETE FROM sign_in_attempts WHERE id = $1"
        )
        .bind(id)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    }
    on_db!(db, |c| sqlx::query(
        "DELETE FROM sign_in_attempts WHERE at <= $1"
    )
    .bind(older_than)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Stores a new sender session.
pub async fn create_session(
    db: &Db,
    id_hash: &[u8],
    user_id: i64,
    now: i64,
    expires_at: i64,
) -> Result<()> {
    on_db!(db, |c| {
        sqlx::query(
        "INSERT INTO user_sessions (id_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(id_hash)
    .bind(user_id)
    .bind(now)
    .bind(expires_at)
    .execute(c)
    .await.map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// The account of an unexpired session.
pub async fn session_user(db: &Db, id_hash: &[u8], now: i64) -> Result<Option<UserRow>> {
    Ok(on_db!(db, |c| {
        sqlx::query_as(
        "SELECT u.id, u.email, u.name, u.is_admin, u.read_receipts FROM user_sessions s JOIN users u ON u.id = s.user_id
         WHERE s.id_hash = $1 AND s.expires_at > $2",
    )
    .bind(id_hash)
    .bind(now)
    .fetch_optional(c)
    .await
    })?)
}

/// Ends a session (and, while at it, every expired one).
pub async fn delete_session(db: &Db, id_hash: &[u8], now: i64) -> Result<()> {
    on_db!(db, |c| sqlx::query(
        "DELETE FROM user_sessions WHERE id_hash = $1 OR expires_at <= $2"
    )
    .bind(id_hash)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}
