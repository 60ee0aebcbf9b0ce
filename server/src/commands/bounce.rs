//! `sealmail bounce`

use crate::config::BounceArgs;
use crate::error::{Error, Result};
use crate::mail::bounce::{self, Recorded};
use crate::state::AppState;

/// Reads a bounce from a file and marks the mail it names bounced; prints
/// what it did.
pub async fn run(state: &AppState, args: &BounceArgs) -> Result<()> {
    let raw = std::fs::read(&args.eml)
        .map_err(|e| Error::InvalidRequest(format!("cannot read {}: {e}", args.eml.display())))?;
    match bounce::record(state, &raw).await? {
        Recorded::Bounced { address, reason } => println!("{address} : bounced ({reason})"),
        Recorded::AlreadyBounced { address } => println!("{address} : already bounced"),
        Recorded::NotAFailure { action } => {
            println!("not a failure (Action: {action}); nothing changed")
        }
    }
    Ok(())
}
