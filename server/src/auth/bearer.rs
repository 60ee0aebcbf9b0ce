//! API tokens on the wire: their format, and the middleware that lets a
//! request with `Authorization: Bearer smt_…` through — or refuses it — by
//! the token, its scopes, the route's line in
//! [`sealmail_api::routes::TOKEN_ROUTES`] and the account's role now.
//!
//! A request with a token is decided by the token alone: a session cookie
//! beside it is not looked at, and it needs no anti-forgery header (no
//! cross-site form can set `Authorization`, and no cookie speaks for it).
//! Other schemes (`Basic`, from a proxy in front) are left alone.

use axum::extract::{MatchedPath, Request, State};
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sealmail_api::admin::{AuditKind, AuditOutcome};
use sealmail_api::routes::token_needs;
use sealmail_api::tokens::{TOKEN_LENGTH, TOKEN_PREFIX, TokenNeeds, TokenScope};

use super::{TokenCaller, TokenRef};
use crate::audit::Actor;
use crate::crypto::{Secret, new_bearer_token, sha256};
use crate::error::Error;
use crate::http::ClientAddress;
use crate::state::AppState;
use crate::store::{self, api_tokens, audit::NewEvent};

/// A token's use is noted (`last_used_at`) at most this often: a script
/// calling many times a second writes once a minute, not each time.
pub const NOTE_USE_EVERY_SECS: i64 = 60;

/// How many characters of a secret are kept to tell tokens apart: the
/// prefix and four more (24 of its 256 bits).
const HINT_LENGTH: usize = TOKEN_PREFIX.len() + 4;

/// A new token's secret: [`TOKEN_PREFIX`] and 256 random bits in base64url.
pub fn new_secret() -> Secret<String> {
    Secret::new(format!("{TOKEN_PREFIX}{}", new_bearer_token().expose()))
}

/// The first characters of `secret`, kept to tell tokens apart.
pub fn hint(secret: &str) -> String {
    secret.chars().take(HINT_LENGTH).collect()
}

/// How a secret is stored and looked up.
pub fn hash(secret: &str) -> Vec<u8> {
    sha256(secret.as_bytes())
}

/// What a request's `Authorization` header holds, if it is a bearer token.
#[derive(Debug, PartialEq, Eq)]
pub enum Presented<'a> {
    /// Shaped like one of our tokens (not yet looked up).
    Token(&'a str),
    /// `Bearer` with nothing, or with something that is not one of ours, or
    /// more than one `Authorization` header.
    Malformed,
}

/// The bearer token of `headers`; `None` without an `Authorization` header
/// or with another scheme than `Bearer` (RFC 6750 §2.1; the scheme is
/// case-insensitive).
pub fn presented(headers: &HeaderMap) -> Option<Presented<'_>> {
    let mut values = headers.get_all(AUTHORIZATION).iter();
    let value = values.next()?;
    let bytes = value.as_bytes();
    let is_bearer = bytes.len() >= 6
        && bytes[..6].eq_ignore_ascii_case(b"bearer")
        && bytes.get(6).is_none_or(|b| *b == b' ');
    if !is_bearer {
        return None;
    }
    if values.next().is_some() {
        return Some(Presented::Malformed);
    }
    let token = value
        .to_str()
        .ok()
        .map(|v| v[6..].trim_matches(' '))
        .filter(|t| is_well_formed(t));
    Some(token.map_or(Presented::Malformed, Presented::Token))
}

/// [`TOKEN_PREFIX`] and 43 base64url characters: checked before anything is
/// hashed or looked up, so a 10 KB header costs nothing.
fn is_well_formed(token: &str) -> bool {
    token.len() == TOKEN_LENGTH
        && token.strip_prefix(TOKEN_PREFIX).is_some_and(|rest| {
            rest.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

/// Middleware on the API: a request with a bearer token goes on only if
/// the token is ours, works, has the scope the route needs (and the account
/// is an administrator where the route needs one); it then carries a
/// [`TokenCaller`]. Every such request is audited (`api_token_used`), let
/// through or refused, with the method and route — never the token.
/// Requests without a bearer token pass untouched.
pub async fn authenticate(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let Some(presented) = presented(request.headers()) else {
        return next.run(request).await;
    };
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("", |path| path.as_str())
        .to_owned();
    let method = crate::http::method_name(request.method());
    let client = ClientAddress::from_request(
        request.headers(),
        request.extensions(),
        state.settings.trust_forwarded_for,
    );
    let what = format!("{method} {route}");
    match check(&state, presented, method, &route).await {
        Ok(caller) => {
            let actor = Actor::via_token(&caller.user.email, &caller.token, &client);
            state
                .audit
                .record(actor.did(AuditKind::ApiTokenUsed, what))
                .await;
            request.extensions_mut().insert(caller);
            next.run(request).await
        }
        Err(refusal) => {
            let code = refusal.error.code();
            state
                .audit
                .record(NewEvent {
                    kind: AuditKind::ApiTokenUsed,
                    outcome: AuditOutcome::Failure,
                    message_id: None,
                    recipient: None,
                    actor: refusal
                        .by
                        .map(|(email, token)| Actor::via_token(&email, &token, &client).name),
                    client_address: client.0,
                    detail: Some(format!("{code} ({}) {what}", refusal.why)),
                })
                .await;
            refusal.error.into_response()
        }
    }
}

/// Why a token was refused: the error sent, what the audit says, and whose
/// token it was if it is known.
struct Refusal {
    error: Error,
    why: &'static str,
    by: Option<(String, TokenRef)>,
}

/// Checks the token against the database and the route: one read, and a
/// write at most once a minute (its last use).
async fn check(
    state: &AppState,
    presented: Presented<'_>,
    method: &str,
    route: &str,
) -> Result<TokenCaller, Refusal> {
    let refuse = |error, why, by| Refusal { error, why, by };
    let Presented::Token(secret) = presented else {
        return Err(refuse(Error::TokenInvalid, "malformed", None));
    };
    let found = api_tokens::by_hash(&state.db, &hash(secret))
        .await
        .map_err(|e| refuse(e, "not checked", None))?;
    let Some((row, user)) = found else {
        return Err(refuse(Error::TokenInvalid, "unknown", None));
    };
    let token = TokenRef {
        id: row.id,
        name: row.name.clone(),
    };
    let by = Some((user.email.clone(), token.clone()));
    let now = store::now();
    if row.revoked_at.is_some() {
        return Err(refuse(Error::TokenInvalid, "revoked", by));
    }
    if row.expires_at.is_some_and(|at| at <= now) {
        return Err(refuse(Error::TokenInvalid, "expired", by));
    }
    match token_needs(method, route) {
        None => {
            return Err(refuse(
                Error::TokenScope("this route does not take API tokens".to_owned()),
                "route takes no token",
                by,
            ));
        }
        Some(TokenNeeds::AnyScope) => {}
        Some(TokenNeeds::Scope(scope)) => {
            if !scopes_of(&row.scopes).contains(&scope) {
                return Err(refuse(
                    Error::TokenScope(format!(
                        "this API token lacks the `{}` scope this route needs",
                        scope.as_str()
                    )),
                    scope_missing(scope),
                    by,
                ));
            }
            // The account's role now, not when the token was made.
            if scope == TokenScope::Admin && !user.is_admin {
                return Err(refuse(
                    Error::Forbidden("this needs an administrator"),
                    "not an administrator",
                    by,
                ));
            }
        }
    }
    if row
        .last_used_at
        .is_none_or(|at| at <= now - NOTE_USE_EVERY_SECS)
    {
        // A missed note is no reason to refuse the request.
        if let Err(e) = api_tokens::note_use(&state.db, row.id, now, NOTE_USE_EVERY_SECS).await {
            tracing::warn!(error = %e, token = row.id, "could not note an API token's use");
        }
    }
    Ok(TokenCaller { user, token })
}

/// What the audit says of a missing scope.
fn scope_missing(scope: TokenScope) -> &'static str {
    match scope {
        TokenScope::Send => "lacks scope send",
        TokenScope::Status => "lacks scope status",
        TokenScope::Revoke => "lacks scope revoke",
        TokenScope::Admin => "lacks scope admin",
    }
}

/// The scopes stored as `send,status`, in [`TokenScope::ALL`]'s order; a
/// name this version does not know is dropped, never widened.
pub fn scopes_of(stored: &str) -> Vec<TokenScope> {
    TokenScope::ALL
        .into_iter()
        .filter(|scope| stored.split(',').any(|name| name == scope.as_str()))
        .collect()
}

/// How scopes are stored: their names, comma-separated.
pub fn stored_scopes(scopes: &[TokenScope]) -> String {
    scopes_of_list(scopes)
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

/// `scopes` in [`TokenScope::ALL`]'s order, each once.
pub fn scopes_of_list(scopes: &[TokenScope]) -> Vec<TokenScope> {
    TokenScope::ALL
        .into_iter()
        .filter(|scope| scopes.contains(scope))
        .collect()
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append(AUTHORIZATION, HeaderValue::from_str(value).unwrap());
        }
        headers
    }

    #[test]
    fn a_new_secret_is_recognisable_well_formed_and_hinted_at() {
        let secret = new_secret();
        let secret = secret.expose();
        assert!(secret.starts_with("smt_"), "{secret}");
        assert_eq!(secret.len(), TOKEN_LENGTH);
        assert!(is_well_formed(secret));
        assert_eq!(hint(secret), secret[..8]);
        assert_ne!(new_secret().expose(), secret);
    }

    #[test]
    fn only_bearer_headers_are_read_and_only_our_tokens_are_well_formed() {
        let good = new_secret().expose().clone();
        assert_eq!(presented(&HeaderMap::new()), None);
        assert_eq!(presented(&headers(&["Basic dXNlcjpwYXNz"])), None);
        assert_eq!(presented(&headers(&["Bearerish x"])), None);
        for value in [
            format!("Bearer {good}"),
            format!("bearer {good}"),
            format!("BEARER  {good} "),
        ] {
            assert_eq!(
                presented(&headers(&[&value])),
                Some(Presented::Token(good.as_str())),
                "{value}"
            );
        }
        let long = format!("Bearer smt_{}", "a".repeat(10_000));
        let wrong_prefix = format!("Bearer ghp_{}", &good[4..]);
        let bad_char = format!("Bearer {}=", &good[..good.len() - 1]);
        for value in [
            "Bearer",
            "Bearer ",
            "Bearer x",
            wrong_prefix.as_str(),
            bad_char.as_str(),
            long.as_str(),
        ] {
            assert_eq!(
                presented(&headers(&[value])),
                Some(Presented::Malformed),
                "{value}"
            );
        }
        let twice = format!("Bearer {good}");
        assert_eq!(
            presented(&headers(&[&twice, &twice])),
            Some(Presented::Malformed)
        );
    }

    #[test]
    fn scopes_are_stored_in_order_and_unknown_ones_are_dropped() {
        use TokenScope::*;
        assert_eq!(stored_scopes(&[Revoke, Send, Revoke]), "send,revoke");
        assert_eq!(scopes_of("send,revoke"), [Send, Revoke]);
        assert_eq!(scopes_of("status,superuser,admin"), [Status, Admin]);
        assert_eq!(scopes_of(""), []);
        assert_eq!(scopes_of("sendstatus"), []);
    }
}
