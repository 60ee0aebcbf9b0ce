//! Resending a recipient's notification: a new link, mailed through the
//! queue like the first, when the first never arrived or was lost.

use sealmail_api::admin::{AuditKind, AuditOutcome};
use sealmail_api::{Language, Mailbox};

use crate::audit::Actor;
use crate::crypto;
use crate::error::{Error, Result};
use crate::mail::{Brand, templates};
use crate::state::AppState;
use crate::store::links::{self, Relinked};
use crate::store::mail_queue::MailKind;
use crate::store::messages::{self, MessageRow};
use crate::store::{self, MessageState, audit::NewEvent};

/// Mails recipient `address` of `message` a new link, and records it in the
/// access audit as done by `actor`. The link token exists only in the mail
/// (the database keeps its hash), so a lost notification cannot be sent
/// again as it was: the recipient gets a new token and the old link stops
/// working, in the same transaction that queues the new mail.
pub async fn resend_notification(
    state: &AppState,
    message: &MessageRow,
    address: &str,
    actor: &Actor,
) -> Result<()> {
    let address = address.trim();
    let result = relink(state, message, address).await;
    state
        .audit
        .record(NewEvent {
            kind: AuditKind::NotificationResent,
            outcome: if result.is_ok() {
                AuditOutcome::Success
            } else {
                AuditOutcome::Failure
            },
            message_id: Some(message.message_id.clone()),
            recipient: Some(address.to_owned()),
            actor: Some(actor.name.clone()),
            client_address: actor.client_address.clone(),
            detail: result.as_ref().err().map(|e| e.code().as_str().to_owned()),
        })
        .await;
    result
}

async fn relink(state: &AppState, message: &MessageRow, address: &str) -> Result<()> {
    let now = store::now();
    match message.effective_state(now)? {
        MessageState::Revoked => return Err(Error::MessageRevoked),
        MessageState::Expired => return Err(Error::MessageExpired),
        MessageState::Active => {}
    }
    let not_a_recipient = || {
        Error::NotFound(format!(
            "{address} is not a recipient of {}",
            message.message_id
        ))
    };
    let recipient = messages::recipients(&state.db, &message.id)
        .await?
        .into_iter()
        .find(|r| r.address.eq_ignore_ascii_case(address))
        .ok_or_else(not_a_recipient)?;
    let language = messages::language_of(&state.db, &message.id)
        .await?
        .and_then(|tag| Language::from_tag(&tag))
        .unwrap_or(state.settings.default_language);
    let template = store::branding::for_message(&state.db, &message.id).await?;
    let brand = Brand::load(&state.db, &state.settings.branding, template.as_ref()).await?;
    let token = crypto::new_bearer_token();
    let link = format!(
        "{}{}",
        state.settings.public_url,
        sealmail_api::routes::portal_link_page(token.expose())
    );
    let sender = Mailbox {
        name: message.sender_name.clone(),
        address: message.sender_address.clone(),
    };
    let to = Mailbox {
        name: recipient.name.clone(),
        address: recipient.address.clone(),
    };
    let mail = templates::notification(&brand, language, &sender, &to, &message.subject, &link);
    let queued =
        state
            .mail_queue
            .prepare(&state.master_key, MailKind::Notification, &mail, now, None)?;
    let hash = crypto::sha256(token.expose().as_bytes());
    match links::relink(&state.db, &message.id, recipient.id, &hash, &queued, now).await? {
        Relinked::Done => {
            state.mail_queue.wake();
            tracing::info!(message = %message.id, recipient = recipient.id, "notification resent with a new link");
            Ok(())
        }
        Relinked::Revoked => Err(Error::AlreadyRevoked(format!(
            "{address}'s access to {} is revoked: no new link",
            message.message_id
        ))),
        Relinked::MessageEnded => Err(Error::MessageRevoked),
        Relinked::NotARecipient => Err(not_a_recipient()),
    }
}
