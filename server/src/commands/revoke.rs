//! `sealmail revoke`

use crate::AppState;
use crate::config::RevokeArgs;
use crate::error::Result;
use crate::messages::{self, normalize_message_id};

/// Revokes the message, or one recipient's access.
pub async fn run(state: &AppState, args: &RevokeArgs) -> Result<()> {
    let id = normalize_message_id(&args.message_id);
    match &args.recipient {
        Some(address) => {
            messages::revoke_recipient(state, &id, address).await?;
            println!("Revoked {address}'s access to {id}");
        }
        None => {
            messages::revoke(state, &id).await?;
            println!("Revoked {id}: its key and content are destroyed");
        }
    }
    Ok(())
}
