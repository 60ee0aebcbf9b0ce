//! `sealmail revoke`

use crate::audit::Actor;
use crate::config::RevokeArgs;
use crate::error::Result;
use crate::messages;
use crate::state::AppState;

/// Revokes the message, or one recipient's access — through the same code
/// as the API, so the access audit records it too.
pub async fn run(state: &AppState, args: &RevokeArgs) -> Result<()> {
    let message = messages::find(state, &args.message_id).await?;
    let actor = Actor::command_line("sealmail revoke");
    messages::revoke_and_audit(state, &message, args.recipient.as_deref(), &actor).await?;
    let id = &message.message_id;
    match &args.recipient {
        Some(address) => println!("Revoked {address}'s access to {id}"),
        None => println!("Revoked {id}: its key and content are destroyed"),
    }
    Ok(())
}
