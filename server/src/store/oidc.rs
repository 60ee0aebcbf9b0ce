//! Single sign-on: the OpenID Connect sign-ins begun and not yet finished
//! (`oidc_flows`), and the account a sign-in ends in. Portable SQL (`$n`
//! placeholders, standard statements) for the PostgreSQL port.

use super::{Db, on_db, on_tx};

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
    db: &Db,
    state_hash: &str,
    flow: &Flow,
    now: i64,
    expires_at: i64,
) -> Result<()> {
    on_db!(db, |c| sqlx::query(
        "DELETE FROM oidc_flows WHERE expires_at <= $1"
    )
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    on_db!(db, |c| {
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
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Takes the sign-in of this state out, if it is there and unexpired: one
/// statement, so of two callbacks with the same state only one gets it.
pub async fn take(db: &Db, state_hash: &str, now: i64) -> Result<Option<Flow>> {
    Ok(on_db!(db, |c| sqlx::query_as(
        "DELETE FROM oidc_flows WHERE state_hash = $1 AND expires_at > $2
         RETURNING nonce, pkce_verifier, next_page",
    )
    .bind(state_hash)
    .bind(now)
    .fetch_optional(c)
    .await)?)
}

/// The account with this address, made if there is none yet (a sender,
/// with `password_hash` — of a password nobody knows — and `name`); then
/// its administrator role set to `is_admin` when that is given. Returns the
/// account as it is now and whether it was made.
pub async fn sign_in_account(
    db: &Db,
    email: &str,
    name: Option<&str>,
    password_hash: &str,
    is_admin: Option<bool>,
    now: i64,
) -> Result<(UserRow, bool)> {
    let mut tx = db.write().await?;
    // `ON CONFLICT DO NOTHING` (SQLite and PostgreSQL alike): two first
    // sign-ins at once make one account.
    let made = on_tx!(tx, |c| sqlx::query(
        "INSERT INTO users (email, name, is_admin, password_hash, created_at)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (email) DO NOTHING",
    )
    .bind(email)
    .bind(name)
    .bind(is_admin.unwrap_or(false))
    .bind(password_hash)
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?
        > 0;
    if let Some(is_admin) = is_admin {
        on_tx!(tx, |c| sqlx::query(
            "UPDATE users SET is_admin = $1 WHERE email = $2"
        )
        .bind(is_admin)
        .bind(email)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    }
    let user = on_tx!(tx, |c| sqlx::query_as(
        "SELECT id, email, name, is_admin, read_receipts FROM users WHERE email = $1",
    )
    .bind(email)
    .fetch_one(&mut *c)
    .await)?;
    tx.commit().await?;
    Ok((user, made))
}
