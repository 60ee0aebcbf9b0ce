//! `sealmail user add`

use std::io::BufRead as _;

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
    let hash = crate::auth::hash_password(password.expose())?;
    let id = store::users::insert(
        &state.db,
        &email,
        args.name.as_deref(),
        args.admin,
        &hash,
        store::now(),
    )
    .await?;
    if args.read_receipts {
        store::users::set_read_receipts_default(&state.db, id, true).await?;
    }
    println!(
        "Created {}{}",
        email,
        if args.admin { " (administrator)" } else { "" }
    );
    Ok(())
}
