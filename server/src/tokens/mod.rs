//! API tokens for scripts: create (the secret shown once), list, revoke —
//! for the signed-in user over HTTP ([`router`], with a browser session
//! only) and for any account on the command line (`sealmail token`). How a
//! request with a token is let through is [`crate::auth::bearer`].

mod http;

use sealmail_api::admin::AuditKind;
use sealmail_api::tokens::{
    ApiToken, CreatedApiToken, MAX_TOKEN_DAYS, MAX_TOKEN_NAME, TokenScope, TokenState,
};

pub use http::router;

use crate::audit::Actor;
use crate::auth::bearer;
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store::{self, api_tokens, api_tokens::TokenRow, users::UserRow};

/// Tokens that still work one account may have at once: plenty for every
/// script, and a bound on what a stolen session could mint.
pub const MAX_WORKING_TOKENS: i64 = 50;

/// The shortest a token may last: a minute (`sealmail token create --expires 1m`).
const MIN_LIFETIME_SECS: i64 = 60;

/// What a new token is to be.
#[derive(Debug, Clone)]
pub struct Wanted {
    /// What it is for.
    pub name: String,
    /// What it may do.
    pub scopes: Vec<TokenScope>,
    /// How long it lasts, in seconds; `None`: until revoked.
    pub lifetime_secs: Option<i64>,
}

/// Creates a token for `user` and audits it (never the secret): the name
/// and scopes checked, the admin scope only for an administrator, at most
/// [`MAX_WORKING_TOKENS`] working at once.
pub async fn create(
    state: &AppState,
    user: &UserRow,
    wanted: Wanted,
    actor: &Actor,
) -> Result<CreatedApiToken> {
    let name = checked_name(&wanted.name)?;
    let scopes = bearer::scopes_of_list(&wanted.scopes);
    if scopes.is_empty() {
        return Err(Error::InvalidRequest(
            "a token needs at least one scope: send, status, revoke or admin".to_owned(),
        ));
    }
    if scopes.contains(&TokenScope::Admin) && !user.is_admin {
        return Err(Error::Forbidden(
            "only an administrator's token may have the admin scope",
        ));
    }
    let max_lifetime = i64::from(MAX_TOKEN_DAYS) * 86_400;
    if let Some(secs) = wanted.lifetime_secs
        && !(MIN_LIFETIME_SECS..=max_lifetime).contains(&secs)
    {
        return Err(Error::InvalidRequest(format!(
            "a token lasts from a minute to {MAX_TOKEN_DAYS} days, or never expires"
        )));
    }
    let now = store::now();
    let secret = bearer::new_secret();
    let stored = bearer::stored_scopes(&scopes);
    let row = api_tokens::insert(
        &state.db,
        &api_tokens::NewToken {
            user_id: user.id,
            name: &name,
            hint: &bearer::hint(secret.expose()),
            scopes: &stored,
            hash: &bearer::hash(secret.expose()),
            expires_at: wanted.lifetime_secs.map(|secs| now + secs),
        },
        now,
        MAX_WORKING_TOKENS,
    )
    .await?
    .ok_or_else(|| {
        Error::InvalidRequest(format!(
            "{} already has {MAX_WORKING_TOKENS} working API tokens; revoke one first",
            user.email
        ))
    })?;
    let expiry = row.expires_at.map_or_else(
        || "never expires".to_owned(),
        |at| format!("expires {}", store::timestamp(at).0),
    );
    state
        .audit
        .record(actor.did(
            AuditKind::ApiTokenCreated,
            format!(
                "token {} ({}) of {}: {stored}; {expiry}",
                row.id, row.name, user.email
            ),
        ))
        .await;
    tracing::info!(user = user.id, token = row.id, "API token created");
    Ok(CreatedApiToken {
        token: api_token(&row, now),
        secret: secret.expose().clone(),
    })
}

/// The tokens of account `user_id` (every account's with `None`), newest
/// first, each with its account's address.
pub async fn list(state: &AppState, user_id: Option<i64>) -> Result<Vec<(ApiToken, String)>> {
    let now = store::now();
    Ok(api_tokens::list(&state.db, user_id)
        .await?
        .into_iter()
        .map(|(row, email)| (api_token(&row, now), email))
        .collect())
}

/// Revokes token `id` (of account `owner` only, when given) and audits it:
/// `not_found` for no such token (or another account's), `already_revoked`
/// if it was.
pub async fn revoke(
    state: &AppState,
    id: i64,
    owner: Option<i64>,
    actor: &Actor,
) -> Result<ApiToken> {
    let now = store::now();
    let Some(row) = api_tokens::revoke(&state.db, id, owner, now).await? else {
        return Err(match api_tokens::by_id(&state.db, id, owner).await? {
            Some(_) => Error::AlreadyRevoked(format!("API token {id} was already revoked")),
            None => Error::NotFound(format!("no API token {id}")),
        });
    };
    state
        .audit
        .record(actor.did(
            AuditKind::ApiTokenRevoked,
            format!("token {} ({})", row.id, row.name),
        ))
        .await;
    tracing::info!(token = row.id, "API token revoked");
    Ok(api_token(&row, now))
}

/// A token as the API lists it (its state as of `now`).
fn api_token(row: &TokenRow, now: i64) -> ApiToken {
    let state = if row.revoked_at.is_some() {
        TokenState::Revoked
    } else if row.expires_at.is_some_and(|at| at <= now) {
        TokenState::Expired
    } else {
        TokenState::Active
    };
    ApiToken {
        id: row.id,
        name: row.name.clone(),
        hint: row.hint.clone(),
        scopes: bearer::scopes_of(&row.scopes),
        state,
        created_at: store::timestamp(row.created_at),
        expires_at: row.expires_at.map(store::timestamp),
        last_used_at: row.last_used_at.map(store::timestamp),
        revoked_at: row.revoked_at.map(store::timestamp),
    }
}

/// The name trimmed: 1 to [`MAX_TOKEN_NAME`] characters, none a control
/// character (it is printed in lists and the audit).
fn checked_name(name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_TOKEN_NAME {
        return Err(Error::InvalidRequest(format!(
            "a token's name has 1 to {MAX_TOKEN_NAME} characters"
        )));
    }
    if name.chars().any(char::is_control) {
        return Err(Error::InvalidRequest(
            "a token's name has no control characters".to_owned(),
        ));
    }
    Ok(name.to_owned())
}
