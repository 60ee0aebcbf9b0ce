//! The account a single sign-on ends in: the one with the address the
//! provider vouched for, made if there is none (just-in-time), its
//! administrator role as the provider's claim says.

use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store::{self, users::UserRow};

/// Signs `email` in: its account, made as a sender named `name` if it has
/// none, made an administrator or not as `is_admin` says (when the admin
/// claim is configured). Returns the account and whether it was made.
pub(super) async fn sign_in(
    state: &AppState,
    email: &str,
    name: Option<&str>,
    is_admin: Option<bool>,
    now: i64,
) -> Result<(UserRow, bool)> {
    // A new account gets the hash of a password nobody knows: it signs in
    // with the provider, and a password guess at it costs what it costs for
    // anyone (argon2id, off the async workers).
    let password_hash = match store::users::by_email(&state.db, email).await? {
        Some(_) => crate::auth::dummy_hash().to_owned(),
        None => {
            tokio::task::spawn_blocking(|| crate::auth::hash_password(&crate::crypto::random_id()))
                .await
                .map_err(|e| Error::Internal(format!("hashing a password: {e}")))??
        }
    };
    store::oidc::sign_in_account(&state.db, email, name, &password_hash, is_admin, now).await
}
