//! Single sign-on: the OpenID Connect sign-ins begun and not yet finished
//! (`oidc_flows`), and the account a sign-in ends in. Portable SQL (`$n`
//! placeholders, standard statements) for the PostgreSQL port.

use sqlx::SqlitePool;

use super::users::UserRow;
use crate::error::Result;

/// A sign-in begun: what the callback needs to finish it.
#[derive(Debug, sqlx::FromRow)]
pub struct Flow {
    /// The nonce the ID token must carry.
    pub nonce: String,
    /// The PKCE verifier of the challenge sent to the provider.
    pub pkce_verifier: String,
    /// The portal page to open once signed in.
    pub next_page: String,
}

/// Stores a sign-in begun, and drops those whose time ran out unused.
pub async fn begin(
    pool: &SqlitePool,
    state_hash: &str,
    flow: &Flow,
    now: i64,
    expires_at: i64,
) -> Result<()> {
    sqlx::query("DELETE FROM oidc_flows WHERE expires_at <= $1")
        .bind(now)
        .execute(pool)
        .await?;
    sqlx::query(
        "INSERT INTO oidc_flows (state_hash, nonce, pkce_verifier, next_page, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(state_hash)
    .bind(&flow.nonce)
    .bind(&flow.pkce_verifier)
    .bind(&flow.next_page)
    .bind(now)
    .bind(expires_at)
    .execute(pool)
    .await?;
    Ok(())
}

/// Takes the sign-in of this state out, if it is there and unexpired: one
/// statement, so of two callbacks with the same state only one gets it.
pub async fn take(pool: &SqlitePool, state_hash: &str, now: i64) -> Result<Option<Flow>> {
    Ok(sqlx::query_as(
        "DELETE FROM oidc_flows WHERE state_hash = $1 AND expires_at > $2
         RETURNING nonce, pkce_verifier, next_page",
    )
    .bind(state_hash)
    .bind(now)
    .fetch_optional(pool)
    .await?)
}

/// The account with this address, made if there is none yet (a sender,
/// with `password_hash` — of a password nobody knows — and `name`); then
/// its administrator role set to `is_admin` when that is given. Returns the
/// account as it is now and whether it was made.
pub async fn sign_in_account(
    pool: &SqlitePool,
    email: &str,
    name: Option<&str>,
    password_hash: &str,
    is_admin: Option<bool>,
    now: i64,
) -> Result<(UserRow, bool)> {
    let mut tx = pool.begin().await?;
    // `ON CONFLICT DO NOTHING` (SQLite and PostgreSQL alike): two first
    // sign-ins at once make one account.
    let made = sqlx::query(
        "INSERT INTO users (email, name, is_admin, password_hash, created_at)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (email) DO NOTHING",
    )
    .bind(email)
    .bind(name)
    .bind(is_admin.unwrap_or(false))
    .bind(password_hash)
    .bind(now)
    .execute(&mut *tx)
    .await?
    .rows_affected()
        > 0;
    if let Some(is_admin) = is_admin {
        sqlx::query("UPDATE users SET is_admin = $1 WHERE email = $2")
            .bind(is_admin)
            .bind(email)
            .execute(&mut *tx)
            .await?;
    }
    let user = sqlx::query_as(
        "SELECT id, email, name, is_admin, read_receipts FROM users WHERE email = $1",
    )
    .bind(email)
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok((user, made))
}
