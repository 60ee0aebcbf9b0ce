//! `sealmail user add`

use std::io::BufRead as _;

use argon2::Argon2;
use argon2::password_hash::PasswordHasher as _;

use crate::config::UserAddArgs;
use crate::crypto::Secret;
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store;

/// Shortest password accepted (NIST SP 800-63B's minimum for chosen passwords).
const MIN_PASSWORD_CHARS: usize = 8;

/// Creates a sender account; the password comes from standard input.
pub async fn add(state: &AppState, args: &UserAddArgs) -> Result<()> {
    let email = super::send::parse_address(&args.email)?.address;
    let mut line = Secret::new(String::new());
    std::io::stdin().lock().read_line(line.expose_mut())?;
    let password = Secret::new(line.expose().trim_end_matches(['\r', '\n']).to_owned());
    if password.expose().chars().count() < MIN_PASSWORD_CHARS {
        return Err(Error::InvalidRequest(format!(
            "the password (on standard input) must have at least {MIN_PASSWORD_CHARS} characters"
        )));
    }
    // argon2id with the crate's defaults (RFC 9106's second recommended option:
    // 19 MiB, 2 passes), and a random salt.
    let hash = Argon2::default()
        .hash_password(password.expose().as_bytes())
        .map_err(|e| Error::Internal(format!("hashing the password: {e}")))?
        .to_string();
    store::users::insert(
        &state.db,
        &email,
        args.name.as_deref(),
        args.admin,
        &hash,
        store::now(),
    )
    .await?;
    println!(
        "Created {}{}",
        email,
        if args.admin { " (administrator)" } else { "" }
    );
    Ok(())
}
