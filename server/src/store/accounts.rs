//! Sender sign-in: password hashes, sessions (stored as the SHA-256 of their
//! id) and the sign-in attempt counters that rate-limit guessing.

use sqlx::SqlitePool;

use super::users::UserRow;
use crate::error::Result;

/// The account and its argon2id PHC string, by address (case-insensitive).
pub async fn with_password_hash(
    pool: &SqlitePool,
    email: &str,
) -> Result<Option<(UserRow, String)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        user: UserRow,
        password_hash: String,
    }
    let row: Option<Row> = sqlx::query_as(
        "SELECT id, email, name, is_admin, read_receipts, password_hash FROM users WHERE email = ?",
    )
    .bind(email)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| (r.user, r.password_hash)))
}

/// Counts an attempt for `key`, unless `max` attempts are already in the
/// window — one conditional INSERT, so concurrent guesses cannot slip past.
/// Returns the new attempt's row id, or `None` when over the limit.
pub async fn attempt_if_under_limit(
    pool: &SqlitePool,
    key: &str,
    now: i64,
    window_secs: i64,
    max: i64,
) -> Result<Option<i64>> {
    Ok(sqlx::query_scalar(
        "INSERT INTO sign_in_attempts (key, at)
         SELECT ?1, ?2 WHERE (SELECT COUNT(*) FROM sign_in_attempts WHERE key = ?1 AND at > ?3) < ?4
         RETURNING id",
    )
    .bind(key)
    .bind(now)
    .bind(now - window_secs)
    .bind(max)
    .fetch_optional(pool)
    .await?)
}

/// Seconds until the oldest attempt of `key` leaves the window.
pub async fn retry_after(pool: &SqlitePool, key: &str, now: i64, window_secs: i64) -> Result<u64> {
    let oldest: Option<i64> =
        sqlx::query_scalar("SELECT MIN(at) FROM sign_in_attempts WHERE key = ? AND at > ?")
            .bind(key)
            .bind(now - window_secs)
            .fetch_one(pool)
            .await?;
    Ok(oldest.map_or(1, |t| (t + window_secs - now).max(1) as u64))
}

/// Forgets attempts (a successful sign-in does not count against anyone),
/// and attempts older than the window.
pub async fn forget_attempts(pool: &SqlitePool, ids: &[i64], older_than: i64) -> Result<()> {
    for id in ids {
        sqlx::query("DELETE FROM sign_in_attempts WHERE id = ?")
            .bind(id)
            .execute(pool)
            .await?;
    }
    sqlx::query("DELETE FROM sign_in_attempts WHERE at <= ?")
        .bind(older_than)
        .execute(pool)
        .await?;
    Ok(())
}

/// Stores a new sender session.
pub async fn create_session(
    pool: &SqlitePool,
    id_hash: &[u8],
    user_id: i64,
    now: i64,
    expires_at: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO user_sessions (id_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
    )
    .bind(id_hash)
    .bind(user_id)
    .bind(now)
    .bind(expires_at)
    .execute(pool)
    .await?;
    Ok(())
}

/// The account of an unexpired session.
pub async fn session_user(pool: &SqlitePool, id_hash: &[u8], now: i64) -> Result<Option<UserRow>> {
    Ok(sqlx::query_as(
        "SELECT u.id, u.email, u.name, u.is_admin, u.read_receipts FROM user_sessions s JOIN users u ON u.id = s.user_id
         WHERE s.id_hash = ? AND s.expires_at > ?",
    )
    .bind(id_hash)
    .bind(now)
    .fetch_optional(pool)
    .await?)
}

/// Ends a session (and, while at it, every expired one).
pub async fn delete_session(pool: &SqlitePool, id_hash: &[u8], now: i64) -> Result<()> {
    sqlx::query("DELETE FROM user_sessions WHERE id_hash = ? OR expires_at <= ?")
        .bind(id_hash)
        .bind(now)
        .execute(pool)
        .await?;
    Ok(())
}
