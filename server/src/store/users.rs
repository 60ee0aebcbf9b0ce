//! Sender accounts.

use super::{Db, on_db};

use crate::error::{Error, Result};

/// A sender account.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    /// Row id.
    pub id: i64,
    /// Address (sign-in name).
    pub email: String,
    /// Display name.
    pub name: Option<String>,
    /// Whether the account is an administrator.
    pub is_admin: bool,
    /// Whether its messages ask for read receipts unless the sender says otherwise.
    pub read_receipts: bool,
}

/// Creates an account; the password must already be an argon2id PHC string.
pub async fn insert(
    db: &Db,
    email: &str,
    name: Option<&str>,
    is_admin: bool,
    password_hash: &str,
    now: i64,
) -> Result<i64> {
    let result = on_db!(db, |c| {
        sqlx::query_scalar(
        "INSERT INTO users (email, name, is_admin, password_hash, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(email)
    .bind(name)
    .bind(is_admin)
    .bind(password_hash)
    .bind(now)
    .fetch_one(c)
    .await
    });
    match result {
        Ok(id) => Ok(id),
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Err(Error::InvalidRequest(
            format!("an account for {email} already exists"),
        )),
        Err(e) => Err(e.into()),
    }
}

/// Finds an account by address (case-insensitive).
pub async fn by_email(db: &Db, email: &str) -> Result<Option<UserRow>> {
    Ok(on_db!(db, |c| sqlx::query_as(
        "SELECT id, email, name, is_admin, read_receipts FROM users WHERE email = $1",
    )
    .bind(email)
    .fetch_optional(c)
    .await)?)
}

/// Sets the account's read-receipt default.
pub async fn set_read_receipts_default(db: &Db, id: i64, on: bool) -> Result<()> {
    on_db!(db, |c| sqlx::query(
        "UPDATE users SET read_receipts = $1 WHERE id = $2"
    )
    .bind(on)
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}
