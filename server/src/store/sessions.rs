//! Recipient sessions, stored as the SHA-256 of their id.

use sqlx::SqlitePool;

use crate::error::Result;

/// Stores a new session for a recipient.
pub async fn create(
    db: impl sqlx::SqliteExecutor<'_>,
    id_hash: &[u8],
    recipient_id: i64,
    now: i64,
    expires_at: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO recipient_sessions (id_hash, recipient_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
    )
    .bind(id_hash)
    .bind(recipient_id)
    .bind(now)
    .bind(expires_at)
    .execute(db)
    .await?;
    Ok(())
}

/// Whether `id_hash` is an unexpired session of this recipient (a session is
/// bound to one link: another link's session does not count).
pub async fn is_valid(
    pool: &SqlitePool,
    id_hash: &[u8],
    recipient_id: i64,
    now: i64,
) -> Result<bool> {
    Ok(sqlx::query_scalar::<_, i64>(
        "SELECT 1 FROM recipient_sessions WHERE id_hash = ? AND recipient_id = ? AND expires_at > ?",
    )
    .bind(id_hash)
    .bind(recipient_id)
    .bind(now)
    .fetch_optional(pool)
    .await?
    .is_some())
}

/// Ends a session; returns whether it existed.
pub async fn delete(pool: &SqlitePool, id_hash: &[u8], recipient_id: i64) -> Result<bool> {
    Ok(
        sqlx::query("DELETE FROM recipient_sessions WHERE id_hash = ? AND recipient_id = ?")
            .bind(id_hash)
            .bind(recipient_id)
            .execute(pool)
            .await?
            .rows_affected()
            > 0,
    )
}

/// Deletes expired sessions (housekeeping).
pub async fn delete_expired(pool: &SqlitePool, now: i64) -> Result<u64> {
    Ok(
        sqlx::query("DELETE FROM recipient_sessions WHERE expires_at <= ?")
            .bind(now)
            .execute(pool)
            .await?
            .rows_affected(),
    )
}
