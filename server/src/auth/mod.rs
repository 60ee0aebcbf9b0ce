//! Who is calling: the signed-in sender or administrator (extractors), by
//! session cookie or API token ([`bearer`]), and the password hashing behind
//! sign-in and `sealmail user`.

pub mod bearer;

use std::sync::OnceLock;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum_extra::extract::CookieJar;

use sealmail_api::admin::{AuditKind, AuditOutcome};

use crate::audit::Actor;
use crate::crypto::{Secret, sha256};
use crate::error::{Error, Result};
use crate::http::ClientAddress;
use crate::state::AppState;
use crate::store::{self, accounts, audit::NewEvent, users::UserRow};

/// Failed sign-ins counted per address and per client within this window.
pub const SIGN_IN_WINDOW_SECS: i64 = 15 * 60;
/// Failed sign-ins allowed per client for one address in the window: plenty
/// for typos, far too few to guess a password (OWASP's authentication cheat
/// sheet). Per client, so a stranger's guesses do not lock the owner out.
pub const SIGN_INS_PER_CLIENT_AND_ADDRESS: i64 = 10;
/// Failed sign-ins allowed per address from anywhere in the window: the cap
/// on guessing spread over many clients (NIST SP 800-63B §5.2.2: at most 100).
pub const SIGN_INS_PER_ADDRESS: i64 = 100;
/// Failed sign-ins allowed per client address in the window (an office
/// behind one NAT address has several people typing).
pub const SIGN_INS_PER_CLIENT: i64 = 50;

/// The signed-in sender (or administrator), and how they proved it;
/// `not_signed_in` without a live session or a token [`bearer`] let through.
#[derive(Debug, Clone)]
pub struct CurrentUser(pub UserRow, pub Credential);

/// How the caller proved who they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// The browser's session cookie.
    Session,
    /// An API token (`Authorization: Bearer`), already checked against the
    /// route by [`bearer::authenticate`].
    Token(TokenRef),
}

pub use crate::audit::TokenRef;

/// What [`bearer::authenticate`] puts in a request it let through: the
/// token's account (as it is now) and the token. Its presence is also what
/// lets the request past the anti-forgery check.
#[derive(Debug, Clone)]
pub struct TokenCaller {
    /// The account.
    pub user: UserRow,
    /// The token.
    pub token: TokenRef,
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        if let Some(caller) = parts.extensions.get::<TokenCaller>() {
            return Ok(CurrentUser(
                caller.user.clone(),
                Credential::Token(caller.token.clone()),
            ));
        }
        // A token the middleware did not let through (a route outside its
        // reach) is refused, never passed over for the cookie beside it.
        if bearer::presented(&parts.headers).is_some() {
            return Err(Error::TokenScope(
                "this route does not take API tokens".to_owned(),
            ));
        }
        let jar = CookieJar::from_headers(&parts.headers);
        let cookie = jar
            .get(state.settings.sender_cookie())
            .ok_or(Error::NotSignedIn)?;
        accounts::session_user(&state.db, &sha256(cookie.value().as_bytes()), store::now())
            .await?
            .map(|user| CurrentUser(user, Credential::Session))
            .ok_or(Error::NotSignedIn)
    }
}

impl CurrentUser {
    /// This account acting from `client`, for the access audit: "via API
    /// token …" when a token acted.
    pub fn actor(&self, client: &ClientAddress) -> Actor {
        match &self.1 {
            Credential::Session => Actor {
                name: self.0.email.clone(),
                client_address: client.0.clone(),
            },
            Credential::Token(token) => Actor::via_token(&self.0.email, token, client),
        }
    }
}

/// A user signed in with the browser's session: what managing API tokens
/// needs, so a token can never list, mint or revoke tokens. A token gets
/// `token_scope`.
#[derive(Debug, Clone)]
pub struct SessionUser(pub CurrentUser);

impl FromRequestParts<AppState> for SessionUser {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        let user = CurrentUser::from_request_parts(parts, state).await?;
        match user.1 {
            Credential::Session => Ok(SessionUser(user)),
            Credential::Token(_) => Err(Error::TokenScope(
                "API tokens are managed with a browser session, not a token".to_owned(),
            )),
        }
    }
}

/// Hashes a password with argon2id (the crate's defaults: RFC 9106's second
/// recommended option, 19 MiB and 2 passes) and a random salt.
pub fn hash_password(password: &str) -> Result<String> {
    Ok(Argon2::default()
        .hash_password(password.as_bytes())
        .map_err(|e| Error::Internal(format!("hashing a password: {e}")))?
        .to_string())
}

/// Whether `password` matches the PHC string `hash`.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// A hash of a random password, verified against when the address has no
/// account, so an unknown address takes as long as a wrong password.
pub fn dummy_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| hash_password(&crate::crypto::random_id()).unwrap_or_default())
}

/// A signed-in administrator: `not_signed_in` without a session, `forbidden`
/// for a sender who is not an administrator.
#[derive(Debug, Clone)]
pub struct AdminUser(pub CurrentUser);

impl FromRequestParts<AppState> for AdminUser {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        let user = CurrentUser::from_request_parts(parts, state).await?;
        if user.0.is_admin {
            Ok(AdminUser(user))
        } else {
            Err(Error::Forbidden("this needs an administrator"))
        }
    }
}

/// Checks an account's password, as the web sign-in and SMTP AUTH both do:
/// rate-limited per client and address, per client, and (more loosely) per
/// address; argon2id on the blocking pool, at most `--password-checks` at
/// once; the same `credentials_wrong` for an unknown address and a wrong
/// password. Each attempt is audited (`sign_in`, `detail` naming `via` for
/// anything but the web). With `app_passwords` (SMTP), one of the account's
/// app passwords is as good as its password.
pub async fn check_password(
    state: &AppState,
    email: &str,
    password: Secret<String>,
    client: &ClientAddress,
    via: Option<&str>,
    app_passwords: bool,
) -> Result<UserRow> {
    let email = email.trim().to_lowercase();
    let now = store::now();
    let event = |outcome, detail: Option<&str>| NewEvent {
        kind: AuditKind::SignIn,
        outcome,
        message_id: None,
        recipient: None,
        // Only something shaped like an address: people type passwords into
        // the wrong field, and the audit must never hold one.
        actor: looks_like_address(&email).then(|| email.clone()),
        client_address: client.0.clone(),
        detail: match (detail, via) {
            (Some(d), Some(v)) => Some(format!("{d} ({v})")),
            (Some(d), None) => Some(d.to_owned()),
            (None, v) => v.map(str::to_owned),
        },
    };

    // Count this attempt against the client and address, the client and the
    // address first (one conditional INSERT each); a success takes its own
    // rows back out. Counter keys are hashed: what was typed is not kept,
    // even for the window.
    let key = |text: String| crate::crypto::hex(&sha256(text.as_bytes()));
    let from = client.limit_key().unwrap_or_else(|| "unknown".to_owned());
    let mut keys = vec![
        (
            key(format!("ip+email:{from} {email}")),
            SIGN_INS_PER_CLIENT_AND_ADDRESS,
        ),
        (key(format!("email:{email}")), SIGN_INS_PER_ADDRESS),
    ];
    if let Some(ip) = client.limit_key() {
        keys.push((key(format!("ip:{ip}")), SIGN_INS_PER_CLIENT));
    }
    let mut attempts = Vec::new();
    for (key, max) in &keys {
        match accounts::attempt_if_under_limit(&state.db, key, now, SIGN_IN_WINDOW_SECS, *max)
            .await?
        {
            Some(id) => attempts.push(id),
            None => {
                let retry_after_secs =
                    accounts::retry_after(&state.db, key, now, SIGN_IN_WINDOW_SECS).await?;
                accounts::forget_attempts(&state.db, &attempts, now - SIGN_IN_WINDOW_SECS).await?;
                state
                    .audit
                    .record(event(AuditOutcome::Failure, Some("rate_limited")))
                    .await;
                return Err(Error::TooManySignIns { retry_after_secs });
            }
        }
    }

    let account = accounts::with_password_hash(&state.db, &email).await?;
    let hash = account
        .as_ref()
        .map_or_else(|| dummy_hash().to_owned(), |(_, h)| h.clone());
    // argon2 takes tens of milliseconds of CPU and 19 MiB: off the async
    // workers, and only so many at once.
    let Ok(permit) = state.password_checks.clone().try_acquire_owned() else {
        accounts::forget_attempts(&state.db, &attempts, now - SIGN_IN_WINDOW_SECS).await?;
        return Err(Error::RateLimited {
            retry_after_secs: 1,
        });
    };
    // The argon2 check runs either way, so an app password takes as long.
    let app_hash = app_passwords.then(|| sha256(password.expose().as_bytes()));
    let mut matches = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        verify_password(password.expose(), &hash)
    })
    .await
    .map_err(|e| Error::Internal(format!("password check: {e}")))?;
    if let (false, Some(app_hash), Some((user, _))) = (matches, &app_hash, &account) {
        matches = store::app_passwords::used(&state.db, user.id, app_hash, now).await?;
    }
    let user = match account {
        Some((user, _)) if matches => user,
        _ => {
            state
                .audit
                .record(event(AuditOutcome::Failure, Some("credentials_wrong")))
                .await;
            return Err(Error::CredentialsWrong);
        }
    };
    accounts::forget_attempts(&state.db, &attempts, now - SIGN_IN_WINDOW_SECS).await?;
    state.audit.record(event(AuditOutcome::Success, None)).await;
    Ok(user)
}

/// One `@` with something on both sides, no spaces: an address, not a stray password.
fn looks_like_address(text: &str) -> bool {
    matches!(text.split_once('@'), Some((local, domain))
        if !local.is_empty() && domain.contains('.') && !domain.contains('@'))
        && !text.chars().any(char::is_whitespace)
        && text.len() <= 254
}
