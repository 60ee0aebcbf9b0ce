//! API tokens (`api_tokens`): stored as the SHA-256 of their secret, with
//! the account they act for. Revoked tokens keep their row.

use super::{Db, on_db};

use super::users::UserRow;
use crate::error::Result;

/// A stored token (never its secret).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TokenRow {
    /// Row id: the token's id on the wire and in the audit.
    pub id: i64,
    /// The account it acts for.
    pub user_id: i64,
    /// What it is for.
    pub name: String,
    /// The secret's first characters.
    pub hint: String,
    /// Comma-separated scope names.
    pub scopes: String,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds; `None`: never.
    pub expires_at: Option<i64>,
    /// Unix seconds, noted at most once a minute.
    pub last_used_at: Option<i64>,
    /// Unix seconds, if revoked.
    pub revoked_at: Option<i64>,
}

const COLUMNS: &str =
    "id, user_id, name, hint, scopes, created_at, expires_at, last_used_at, revoked_at";

/// What a new token is.
pub struct NewToken<'a> {
    /// The account it acts for.
    pub user_id: i64,
    /// What it is for.
    pub name: &'a str,
    /// The secret's first characters.
    pub hint: &'a str,
    /// Comma-separated scope names.
    pub scopes: &'a str,
    /// SHA-256 of the secret.
    pub hash: &'a [u8],
    /// Unix seconds; `None`: never.
    pub expires_at: Option<i64>,
}

/// Stores a new token, unless its account already has `max_working` tokens
/// that still work (one conditional INSERT, so two at once cannot both slip
/// past the limit). `None` when over it.
pub async fn insert(
    db: &Db,
    token: &NewToken<'_>,
    now: i64,
    max_working: i64,
) -> Result<Option<TokenRow>> {
    Ok(on_db!(db, |c| sqlx::query_as(sqlx::AssertSqlSafe(
        format!(
            "INSERT INTO api_tokens (user_id, name, hint, scopes, hash, created_at, expires_at)
         SELECT $1, $2, $3, $4, $5, $6, $7
         WHERE (SELECT COUNT(*) FROM api_tokens WHERE user_id = $1 AND revoked_at IS NULL
                AND (expires_at IS NULL OR expires_at > $6)) < $8
         RETURNING {COLUMNS}"
        )
    ))
    .bind(token.user_id)
    .bind(token.name)
    .bind(token.hint)
    .bind(token.scopes)
    .bind(token.hash)
    .bind(now)
    .bind(token.expires_at)
    .bind(max_working)
    .fetch_optional(c)
    .await)?)
}

/// The token whose secret hashes to `hash`, with its account as it is now
/// (one statement: a demoted administrator is seen at once).
pub async fn by_hash(db: &Db, hash: &[u8]) -> Result<Option<(TokenRow, UserRow)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        token: TokenRow,
        email: String,
        user_name: Option<String>,
        is_admin: bool,
        read_receipts: bool,
    }
    let row: Option<Row> = on_db!(db, |c| sqlx::query_as(
        "SELECT t.id, t.user_id, t.name, t.hint, t.scopes, t.created_at, t.expires_at,
                t.last_used_at, t.revoked_at,
                u.email, u.name AS user_name, u.is_admin, u.read_receipts
         FROM api_tokens t JOIN users u ON u.id = t.user_id
         WHERE t.hash = $1",
    )
    .bind(hash)
    .fetch_optional(c)
    .await)?;
    Ok(row.map(|r| {
        let user = UserRow {
            id: r.token.user_id,
            email: r.email,
            name: r.user_name,
            is_admin: r.is_admin,
            read_receipts: r.read_receipts,
        };
        (r.token, user)
    }))
}

/// Notes that the token was used now, unless that was noted less than
/// `every_secs` ago: a script calling many times a second writes once a minute.
pub async fn note_use(db: &Db, id: i64, now: i64, every_secs: i64) -> Result<()> {
    on_db!(db, |c| sqlx::query(
        "UPDATE api_tokens SET last_used_at = $2
         WHERE id = $1 AND (last_used_at IS NULL OR last_used_at <= $2 - $3)",
    )
    .bind(id)
    .bind(now)
    .bind(every_secs)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The tokens of account `user_id` (every account's with `None`), newest
/// first, each with its account's address.
pub async fn list(db: &Db, user_id: Option<i64>) -> Result<Vec<(TokenRow, String)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        token: TokenRow,
        email: String,
    }
    let rows: Vec<Row> = on_db!(db, |c| sqlx::query_as(
        "SELECT t.id, t.user_id, t.name, t.hint, t.scopes, t.created_at, t.expires_at,
                t.last_used_at, t.revoked_at, u.email
         FROM api_tokens t JOIN users u ON u.id = t.user_id
         WHERE $1 IS NULL OR t.user_id = $1
         ORDER BY t.id DESC",
    )
    .bind(user_id)
    .fetch_all(c)
    .await)?;
    Ok(rows.into_iter().map(|r| (r.token, r.email)).collect())
}

/// The token `id` (of account `user_id` only, when given).
pub async fn by_id(db: &Db, id: i64, user_id: Option<i64>) -> Result<Option<TokenRow>> {
    Ok(on_db!(db, |c| sqlx::query_as(sqlx::AssertSqlSafe(
        format!("SELECT {COLUMNS} FROM api_tokens WHERE id = $1 AND ($2 IS NULL OR user_id = $2)")
    ))
    .bind(id)
    .bind(user_id)
    .fetch_optional(c)
    .await)?)
}

/// Revokes the token `id` (of account `user_id` only, when given) if it is
/// not revoked yet: one conditional UPDATE. `None` if there is no such
/// token or it was revoked already.
pub async fn revoke(db: &Db, id: i64, user_id: Option<i64>, now: i64) -> Result<Option<TokenRow>> {
    Ok(on_db!(db, |c| sqlx::query_as(sqlx::AssertSqlSafe(
        format!(
            "UPDATE api_tokens SET revoked_at = $3
         WHERE id = $1 AND ($2 IS NULL OR user_id = $2) AND revoked_at IS NULL
         RETURNING {COLUMNS}"
        )
    ))
    .bind(id)
    .bind(user_id)
    .bind(now)
    .fetch_optional(c)
    .await)?)
}
