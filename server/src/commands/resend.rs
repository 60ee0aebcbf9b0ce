//! `sealmail resend`

use crate::audit::Actor;
use crate::config::ResendArgs;
use crate::error::Result;
use crate::messages;
use crate::state::AppState;

/// Mails the recipient a new link through the queue (the same code as the
/// API, audited), then tries to deliver it once, as `sealmail send` does.
pub async fn run(state: &AppState, args: &ResendArgs) -> Result<()> {
    let message = messages::find(state, &args.message_id).await?;
    let actor = Actor::command_line("sealmail resend");
    messages::resend_notification(state, &message, &args.recipient, &actor).await?;
    println!(
        "Queued a new link to {} for {}; the old link no longer works",
        args.recipient, message.message_id
    );
    // One try now, as `sealmail send` does; what the relay does not take
    // stays queued for `sealmail serve`.
    let tally = crate::mail::delivery::deliver_message(state, &message.id).await?;
    if tally.deferred + tally.bounced + tally.gave_up > 0 {
        eprintln!(
            "warning: the new link has not reached the relay yet \
             (see `sealmail status --message-id {}`)",
            message.message_id
        );
    }
    Ok(())
}
