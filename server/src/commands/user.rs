//! `sealmail user add`, `sealmail user app-password`

use std::io::BufRead as _;

use crate::config::{AppPasswordArgs, UserAddArgs};
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

/// The letters of an app password: no 0/O, 1/l/I, so it can be typed from a
/// screen; 32 of them, so a random byte picks one without bias.
const APP_PASSWORD_ALPHABET: &[u8; 32] = b"abcdefghjkmnpqrstuvwxyz23456789A";

/// Makes (prints once) or removes an app password.
pub async fn app_password(state: &AppState, args: &AppPasswordArgs) -> Result<()> {
    let email = args.email.trim().to_lowercase();
    let user = store::users::by_email(&state.db, &email)
        .await?
        .ok_or_else(|| Error::NotFound(format!("no account {email}")))?;
    let name = args.name.trim();
    if name.is_empty() {
        return Err(Error::InvalidRequest(
            "the app password needs a name".into(),
        ));
    }
    if args.remove {
        if !store::app_passwords::remove(&state.db, user.id, name).await? {
            return Err(Error::NotFound(format!(
                "{email} has no app password `{name}`"
            )));
        }
        println!("Removed the app password `{name}` of {email}");
        return Ok(());
    }
    // 20 letters of 32: 100 random bits, in groups of five.
    let letters: String = crate::crypto::random_bytes::<20>()
        .iter()
        .map(|b| char::from(APP_PASSWORD_ALPHABET[usize::from(b % 32)]))
        .collect();
    let password = Secret::new(
        letters
            .as_bytes()
            .chunks(5)
            .map(|c| std::str::from_utf8(c).expect("ASCII"))
            .collect::<Vec<_>>()
            .join("-"),
    );
    let hash = crate::crypto::sha256(password.expose().as_bytes());
    store::app_passwords::insert(&state.db, user.id, name, &hash, store::now()).await?;
    println!("App password `{name}` for {email} (shown once; for SMTP AUTH only):");
    println!("{}", password.expose());
    Ok(())
}
