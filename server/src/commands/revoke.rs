//! `sealmail revoke`

use sealmail_api::sender::RevokeRequest;

use crate::AppState;
use crate::config::RevokeArgs;
use crate::error::{Error, Result};
use crate::http::ClientAddress;
use crate::messages::normalize_message_id;
use crate::store;

/// Revokes the message, or one recipient's access — through the same code
/// as the API, so the access audit records it too.
pub async fn run(state: &AppState, args: &RevokeArgs) -> Result<()> {
    let id = normalize_message_id(&args.message_id);
    let row = store::messages::by_message_id(&state.db, &id)
        .await?
        .ok_or_else(|| Error::NotFound(format!("no message with Message-ID {id}")))?;
    let request = RevokeRequest {
        recipient: args.recipient.clone(),
    };
    let actor = "sealmail revoke (command line)";
    crate::sender::revoke_and_audit(state, &row, &request, actor, &ClientAddress(None)).await?;
    match &args.recipient {
        Some(address) => println!("Revoked {address}'s access to {id}"),
        None => println!("Revoked {id}: its key and content are destroyed"),
    }
    Ok(())
}
