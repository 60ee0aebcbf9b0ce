//! `sealmail status`

use sealmail_api::admin::{Delivery, MessageState, MessageStatus, RecipientKind, RecipientState};

use crate::audit::Actor;
use crate::config::StatusArgs;
use crate::error::{Error, Result};
use crate::messages;
use crate::state::AppState;

/// Prints a message's status as `Name : Value` lines (or JSON); the
/// look-up is audited, as through the API.
pub async fn run(state: &AppState, args: &StatusArgs) -> Result<()> {
    let actor = Actor::command_line("sealmail status");
    let status = messages::status_audited(state, &args.message_id, &actor).await?;
    if args.json {
        let json =
            serde_json::to_string_pretty(&status).map_err(|e| Error::Internal(e.to_string()))?;
        println!("{json}");
    } else {
        print!("{}", render(&status));
    }
    Ok(())
}

/// The `Name : Value` form, with `True`/`False` like Get-OMEMessageStatus.
pub fn render(s: &MessageStatus) -> String {
    let yes_no = |b: bool| if b { "True" } else { "False" };
    let sender = match &s.sender.name {
        Some(name) => format!("{name} <{}>", s.sender.address),
        None => s.sender.address.clone(),
    };
    let mut out = String::new();
    let mut line = |name: &str, value: &str| out.push_str(&format!("{name} : {value}\n"));
    line("MessageId", &s.message_id);
    line("Subject", &s.subject);
    line("Sender", &sender);
    line("SentAt", &s.sent_at.0);
    if let Some(at) = &s.expires_at {
        line("ExpiresAt", &at.0);
    }
    line(
        "State",
        match s.state {
            MessageState::Active => "Active",
            MessageState::Revoked => "Revoked",
            MessageState::Expired => "Expired",
        },
    );
    line("IsRevocable", yes_no(s.is_revocable));
    line("Revoked", yes_no(s.revoked));
    for r in &s.recipients {
        let kind = match r.kind {
            RecipientKind::To => "To",
            RecipientKind::Cc => "Cc",
        };
        let state = match r.state {
            RecipientState::Sent => "sent",
            RecipientState::Opened => "opened",
            RecipientState::Revoked => "revoked",
            RecipientState::Expired => "expired",
        };
        line(kind, &format!("{} ({state})", r.recipient.address));
        if let Some(delivery) = &r.delivery {
            line(
                "Delivery",
                &format!("{} {}", r.recipient.address, delivery_text(delivery)),
            );
        }
    }
    out
}

/// Where a notification mail stands, in words: `sent at …`, `deferred …`.
fn delivery_text(d: &Delivery) -> String {
    match d {
        Delivery::Queued => "queued".to_owned(),
        Delivery::Sent { at } => format!("sent at {}", at.0),
        Delivery::Deferred {
            last_error,
            next_try_at,
            attempts,
        } => format!(
            "deferred after {attempts} tries, next try at {}: {last_error}",
            next_try_at.0
        ),
        Delivery::Bounced { at, reason } => format!("bounced at {}: {reason}", at.0),
        Delivery::Cancelled { at } => format!("cancelled at {} (not sent: access ended)", at.0),
        Delivery::GaveUp {
            at,
            last_error,
            attempts,
        } => format!("gave up at {} after {attempts} tries: {last_error}", at.0),
    }
}
