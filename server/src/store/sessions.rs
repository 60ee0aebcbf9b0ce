//! Recipient sessions, stored as the SHA-256 of their id.

use super::{Db, Tx, on_db, on_tx};
use crate::error::Result;

/// Stores a new session for a recipient.
pub async fn create(
    tx: &mut Tx,
    id_hash: &[u8],
    recipient_id: i64,
    now: i64,
    expires_at: i64,
) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO recipient_sessions (id_hash, recipient_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(id_hash)
    .bind(recipient_id)
    .bind(now)
    .bind(expires_at)
    .execute(&mut *c)
    .await.map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Whether `id_hash` is an unexpired session of this recipient (a session is
/// bound to one link: another link's session does not count).
pub async fn is_valid(db: &Db, id_hash: &[u8], recipient_id: i64, now: i64) -> Result<bool> {
    Ok(on_db!(db, |c| sqlx::query_scalar::<_, bool>(
        "SELECT EXISTS (SELECT 1 FROM recipient_sessions
                        WHERE id_hash = $1 AND recipient_id = $2 AND expires_at > $3)",
    )
    .bind(id_hash)
    .bind(recipient_id)
    .bind(now)
    .fetch_one(c)
    .await)?)
}

/// Ends a session; returns whether it existed.
pub async fn delete(db: &Db, id_hash: &[u8], recipient_id: i64) -> Result<bool> {
    Ok(on_db!(db, |c| sqlx::query(
        "DELETE FROM recipient_sessions WHERE id_hash = $1 AND recipient_id = $2"
    )
    .bind(id_hash)
    .bind(recipient_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?
        > 0)
}

/// Deletes expired sessions (housekeeping).
pub async fn delete_expired(db: &Db, now: i64) -> Result<u64> {
    Ok(on_db!(db, |c| sqlx::query(
        "DELETE FROM recipient_sessions WHERE expires_at <= $1"
    )
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?)
}
