//! Who is calling: the signed-in sender or administrator (extractors), and
//! the password hashing behind sign-in and `sealmail user`.

use std::sync::OnceLock;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum_extra::extract::CookieJar;

use crate::audit::Actor;
use crate::crypto::sha256;
use crate::error::{Error, Result};
use crate::http::ClientAddress;
use crate::state::AppState;
use crate::store::{self, accounts, users::UserRow};

/// The signed-in sender (or administrator); `not_signed_in` without a live session.
#[derive(Debug, Clone)]
pub struct CurrentUser(pub UserRow);

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        let jar = CookieJar::from_headers(&parts.headers);
        let cookie = jar
            .get(state.settings.sender_cookie())
            .ok_or(Error::NotSignedIn)?;
        accounts::session_user(&state.db, &sha256(cookie.value().as_bytes()), store::now())
            .await?
            .map(CurrentUser)
            .ok_or(Error::NotSignedIn)
    }
}

impl CurrentUser {
    /// This account acting from `client`, for the access audit.
    pub fn actor(&self, client: &ClientAddress) -> Actor {
        Actor {
            name: self.0.email.clone(),
            client_address: client.0.clone(),
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
