//! App passwords (`app_passwords`): for mail clients over SMTP only, stored
//! as the SHA-256 of their 100 random bits.

use super::{Db, on_db};

use crate::error::{Error, Result};

/// Stores an app password's hash for account `user_id` under `name`.
pub async fn insert(db: &Db, user_id: i64, name: &str, hash: &[u8], now: i64) -> Result<()> {
    let result = on_db!(db, |c| sqlx::query(
        "INSERT INTO app_passwords (user_id, name, hash, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(user_id)
    .bind(name)
    .bind(hash)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()));
    match result {
        Ok(_) => Ok(()),
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Err(Error::InvalidRequest(
            format!("this account already has an app password named `{name}`"),
        )),
        Err(e) => Err(e.into()),
    }
}

/// Whether `hash` is one of account `user_id`'s app passwords; notes its use.
pub async fn used(db: &Db, user_id: i64, hash: &[u8], now: i64) -> Result<bool> {
    let found: Option<i64> = on_db!(db, |c| {
        sqlx::query_scalar(
        "UPDATE app_passwords SET last_used_at = $1 WHERE user_id = $2 AND hash = $3 RETURNING id",
    )
    .bind(now)
    .bind(user_id)
    .bind(hash)
    .fetch_optional(c)
    .await
    })?;
    Ok(found.is_some())
}

/// Removes account `user_id`'s app password `name`; `false` if there is none.
pub async fn remove(db: &Db, user_id: i64, name: &str) -> Result<bool> {
    Ok(on_db!(db, |c| sqlx::query(
        "DELETE FROM app_passwords WHERE user_id = $1 AND name = $2"
    )
    .bind(user_id)
    .bind(name)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?
        > 0)
}
