//! Ending messages (revoke, expiry) and reporting their status.

use std::collections::HashMap;
use std::time::Duration;

use sealmail_api::Mailbox;
use sealmail_api::admin::{AuditKind, AuditOutcome};
use sealmail_api::admin::{
    Delivery, MessageState as ApiState, MessageStatus, RecipientKind, RecipientState,
    RecipientStatus,
};

use super::normalize_message_id;
use crate::audit::Actor;
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store::audit::NewEvent;
use crate::store::{
    self, MessageState,
    mail_queue::{self, DeliveryRow, MailState},
    messages,
    messages::{MessageRow, RecipientRow},
};

/// The message with this Message-ID (brackets optional), or `not_found`.
pub async fn find(state: &AppState, message_id: &str) -> Result<MessageRow> {
    let message_id = normalize_message_id(message_id);
    messages::by_message_id(&state.db, &message_id)
        .await?
        .ok_or_else(|| Error::NotFound(format!("no message with Message-ID {message_id}")))
}

/// Ends a message (revoked or expired): the state change and the destruction
/// of its key and content are one transaction; its attachments go from the
/// blob store right after it commits.
/// Returns whether this call ended it.
pub async fn end(state: &AppState, id: &str, to: MessageState) -> Result<bool> {
    let changed = messages::end(&state.db, id, to, store::now()).await?;
    if changed {
        // Without the key the objects are unreadable already; this frees the
        // space and keeps the promise. If it fails the orphan sweep finishes it.
        if let Err(e) = state.blobs.delete_message(id).await {
            tracing::warn!(message = %id, error = %e, "could not remove attachment files");
        }
        if let Err(e) = store::checkpoint(&state.db).await {
            tracing::warn!(error = %e, "WAL checkpoint after ending a message failed");
        }
        tracing::info!(message = %id, state = to.as_str(), "message ended");
    }
    Ok(changed)
}

/// Revokes the whole message (Set-OMEMessageRevocation -Revoke $true), or
/// with `recipient` only that recipient's access, and records it in the
/// access audit as done by `actor`. The API and `sealmail revoke` both come
/// here with the message they have loaded; returns it as it stands after.
pub async fn revoke_and_audit(
    state: &AppState,
    message: &MessageRow,
    recipient: Option<&str>,
    actor: &Actor,
) -> Result<MessageRow> {
    let recipient = recipient.map(str::trim).filter(|r| !r.is_empty());
    let result = match recipient {
        Some(address) => revoke_recipient(state, message, address)
            .await
            .map(|()| message.clone()),
        None => revoke(state, message).await,
    };
    state
        .audit
        .record(NewEvent {
            kind: AuditKind::Revoked,
            outcome: if result.is_ok() {
                AuditOutcome::Success
            } else {
                AuditOutcome::Failure
            },
            message_id: Some(message.message_id.clone()),
            recipient: recipient.map(str::to_owned),
            actor: Some(actor.name.clone()),
            client_address: actor.client_address.clone(),
            detail: result.as_ref().err().map(|e| e.code().as_str().to_owned()),
        })
        .await;
    result
}

/// Revokes the whole message: its key and content are destroyed. Returns the
/// message as revoked.
async fn revoke(state: &AppState, message: &MessageRow) -> Result<MessageRow> {
    let already =
        || Error::AlreadyRevoked(format!("message {} is already revoked", message.message_id));
    match message.effective_state(store::now())? {
        MessageState::Revoked => return Err(already()),
        MessageState::Expired => {
            end(state, &message.id, MessageState::Expired).await?;
            return Err(Error::MessageExpired);
        }
        MessageState::Active => {}
    }
    if end(state, &message.id, MessageState::Revoked).await? {
        Ok(MessageRow {
            state: MessageState::Revoked.as_str().to_owned(),
            ..message.clone()
        })
    } else {
        // Someone else ended it between our read and our update.
        Err(already())
    }
}

/// Revokes one recipient's access; the others keep theirs (so the message's
/// key stays: it is destroyed only when the whole message is revoked).
async fn revoke_recipient(state: &AppState, message: &MessageRow, address: &str) -> Result<()> {
    match message.effective_state(store::now())? {
        MessageState::Revoked => {
            return Err(Error::AlreadyRevoked(format!(
                "message {} is already revoked",
                message.message_id
            )));
        }
        MessageState::Expired => return Err(Error::MessageExpired),
        MessageState::Active => {}
    }
    match store::links::revoke_recipient(&state.db, &message.id, address, store::now()).await? {
        Some(true) => Ok(()),
        Some(false) => Err(Error::AlreadyRevoked(format!(
            "{address}'s access to {} is already revoked",
            message.message_id
        ))),
        None => Err(Error::NotFound(format!(
            "{address} is not a recipient of {}",
            message.message_id
        ))),
    }
}

/// The status of a message (Get-OMEMessageStatus).
pub async fn status(state: &AppState, message_id: &str) -> Result<MessageStatus> {
    let message = find(state, message_id).await?;
    status_of_row(state, &message).await
}

/// [`status`] for an administrator (the admin API, `sealmail status`),
/// recorded in the audit: who looked up which Message-ID, and whether there
/// was such a message (ASVS 7.2.2). The status itself is not recorded.
pub async fn status_audited(
    state: &AppState,
    message_id: &str,
    actor: &Actor,
) -> Result<MessageStatus> {
    let result = status(state, message_id).await;
    // What was asked for, bounded: a Message-ID has at most 250 characters.
    let asked = normalize_message_id(message_id).chars().take(252).collect();
    state
        .audit
        .record(NewEvent {
            kind: AuditKind::MessageStatusViewed,
            outcome: if result.is_ok() {
                AuditOutcome::Success
            } else {
                AuditOutcome::Failure
            },
            message_id: Some(result.as_ref().map_or(asked, |s| s.message_id.clone())),
            recipient: None,
            actor: Some(actor.name.clone()),
            client_address: actor.client_address.clone(),
            detail: result.as_ref().err().map(|e| e.code().as_str().to_owned()),
        })
        .await;
    result
}

/// The status of a message already loaded: its recipients are read.
pub async fn status_of_row(state: &AppState, message: &MessageRow) -> Result<MessageStatus> {
    let recipients = messages::recipients(&state.db, &message.id).await?;
    let ids: Vec<i64> = recipients.iter().map(|r| r.id).collect();
    let deliveries = mail_queue::deliveries(&state.db, &ids).await?;
    status_of(message, recipients, &deliveries, store::now())
}

/// The status of each of `rows` (a page of a list), with three statements
/// whatever the page's length: the rows' recipients are read together.
pub async fn statuses(state: &AppState, rows: &[MessageRow]) -> Result<Vec<MessageStatus>> {
    let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    let mut recipients = messages::recipients_of(&state.db, &ids).await?;
    let recipient_ids: Vec<i64> = recipients.values().flatten().map(|r| r.id).collect();
    let deliveries = mail_queue::deliveries(&state.db, &recipient_ids).await?;
    let now = store::now();
    rows.iter()
        .map(|row| {
            let recipients = recipients.remove(&row.id).unwrap_or_default();
            status_of(row, recipients, &deliveries, now)
        })
        .collect()
}

/// A notification's delivery as the API shows it.
fn delivery_of(row: &DeliveryRow) -> Delivery {
    let at = || store::timestamp(row.finished_at.unwrap_or(row.next_try_at));
    let error = || row.last_error.clone().unwrap_or_default();
    let attempts = u32::try_from(row.attempts).unwrap_or(u32::MAX);
    match MailState::parse(&row.state) {
        Ok(MailState::Queued) => Delivery::Queued,
        Ok(MailState::Sent) => Delivery::Sent { at: at() },
        Ok(MailState::Deferred) => Delivery::Deferred {
            last_error: error(),
            next_try_at: store::timestamp(row.next_try_at),
            attempts,
        },
        Ok(MailState::Bounced) => Delivery::Bounced {
            at: at(),
            reason: error(),
        },
        Ok(MailState::Cancelled) => Delivery::Cancelled { at: at() },
        // A notification has no expiry of its own; shown as given up if it ever had one.
        Ok(MailState::GaveUp | MailState::Expired) | Err(_) => Delivery::GaveUp {
            at: at(),
            last_error: error(),
            attempts,
        },
    }
}

/// The status of `message`, whose recipients are `recipients` (To first, in
/// order), their notifications' delivery in `deliveries`.
fn status_of(
    message: &MessageRow,
    recipients: Vec<RecipientRow>,
    deliveries: &HashMap<i64, DeliveryRow>,
    now: i64,
) -> Result<MessageStatus> {
    let message_state = message.effective_state(now)?;
    Ok(MessageStatus {
        message_id: message.message_id.clone(),
        subject: message.subject.clone(),
        sender: Mailbox {
            name: message.sender_name.clone(),
            address: message.sender_address.clone(),
        },
        sent_at: store::timestamp(message.created_at),
        expires_at: message.expires_at.map(store::timestamp),
        state: match message_state {
            MessageState::Active => ApiState::Active,
            MessageState::Revoked => ApiState::Revoked,
            MessageState::Expired => ApiState::Expired,
        },
        is_revocable: message_state == MessageState::Active,
        revoked: message_state == MessageState::Revoked,
        recipients: recipients
            .into_iter()
            .map(|r| RecipientStatus {
                state: match message_state {
                    MessageState::Revoked => RecipientState::Revoked,
                    MessageState::Expired => RecipientState::Expired,
                    MessageState::Active if r.revoked_at.is_some() => RecipientState::Revoked,
                    MessageState::Active if r.opened_at.is_some() => RecipientState::Opened,
                    MessageState::Active => RecipientState::Sent,
                },
                recipient: Mailbox {
                    name: r.name,
                    address: r.address,
                },
                kind: if r.kind == "cc" {
                    RecipientKind::Cc
                } else {
                    RecipientKind::To
                },
                opened_at: r.opened_at.map(store::timestamp),
                delivery: deliveries.get(&r.id).map(delivery_of),
            })
            .collect(),
    })
}

/// Ends every message whose expiry has passed; returns how many.
pub async fn purge_expired(state: &AppState) -> Result<usize> {
    let now = store::now();
    let mut ended = 0;
    for id in messages::due_for_expiry(&state.db, now).await? {
        if end(state, &id, MessageState::Expired).await? {
            ended += 1;
        }
    }
    store::sessions::delete_expired(&state.db, now).await?;
    // Logos kept for mails that have all gone (or were cancelled just now).
    mail_queue::drop_unused_logos(&state.db).await?;
    Ok(ended)
}

/// Purges expired messages every `every`, for as long as the server runs.
pub async fn run_purge_task(state: AppState, every: Duration) {
    let mut ticker = tokio::time::interval(every);
    loop {
        ticker.tick().await;
        match purge_expired(&state).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(count = n, "expired messages purged"),
            Err(e) => tracing::error!(error = %e, "purging expired messages failed"),
        }
    }
}
