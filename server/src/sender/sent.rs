//! The Sent list, one sent message, "Remove external access" (revoke) and
//! the expiry change — over the same status and revoke code as the CLI.

use axum::extract::State;
use sealmail_api::Mailbox;
use sealmail_api::admin::{AuditKind, AuditOutcome};
use sealmail_api::sender::{
    ExpiryChange, ReplySummary, ResendRequest, RevokeRequest, SentMessage, SentPage, SentQuery,
};

use crate::auth::CurrentUser;
use crate::error::{Error, Result};
use crate::http::paging::{next_cursor, page_size};
use crate::http::{ApiJson, ApiPath, ApiQuery, ClientAddress, RawBody, optional_json};
use crate::messages;
use crate::state::AppState;
use crate::store::{self, audit::NewEvent, messages::MessageRow, sent};

/// The Sent list entry of a stored message: its status (as `sealmail status`
/// computes it) and its replies. The row is read again, so the entry shows
/// what a revoke or an expiry change just did.
pub async fn sent_message(state: &AppState, row: &MessageRow) -> Result<SentMessage> {
    let (fresh, _) = sent::by_id(&state.db, &row.id)
        .await?
        .ok_or_else(|| Error::NotFound("no such message".to_owned()))?;
    entry_of(state, &fresh).await
}

/// The Sent list entry of `row` as it is given (no read of the message).
async fn entry_of(state: &AppState, row: &MessageRow) -> Result<SentMessage> {
    let mut one = sent_messages(state, std::slice::from_ref(row)).await?;
    one.pop()
        .ok_or_else(|| Error::Internal("no Sent list entry for a message".to_owned()))
}

/// The Sent list entries of `rows`, in order, with a fixed number of
/// statements whatever the page's length.
pub async fn sent_messages(state: &AppState, rows: &[MessageRow]) -> Result<Vec<SentMessage>> {
    let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    let statuses = messages::statuses(state, rows).await?;
    let mut replies = sent::replies_to(&state.db, &ids).await?;
    Ok(rows
        .iter()
        .zip(statuses)
        .map(|(row, status)| SentMessage {
            id: row.id.clone(),
            message_id: status.message_id,
            subject: status.subject,
            sent_at: status.sent_at,
            protection: store::protection_from_str(&row.protection),
            expires_at: status.expires_at,
            state: status.state,
            is_revocable: status.is_revocable,
            recipients: status.recipients,
            replies: replies
                .remove(&row.id)
                .unwrap_or_default()
                .into_iter()
                .map(|r| ReplySummary {
                    message_id: r.message_id,
                    from: Mailbox {
                        name: r.sender_name,
                        address: r.sender_address,
                    },
                    sent_at: store::timestamp(r.created_at),
                    subject: r.subject,
                })
                .collect(),
        })
        .collect())
}

/// The message `id` if `user` sent it or is an administrator. Anyone else
/// gets `not_found`, exactly as for an id that does not exist: another
/// sender's message is not revealed.
pub async fn owned_message(state: &AppState, user: &CurrentUser, id: &str) -> Result<MessageRow> {
    match sent::by_id(&state.db, id).await? {
        Some((row, owner)) if user.0.is_admin || owner == Some(user.0.id) => Ok(row),
        _ => Err(Error::NotFound("no such message".to_owned())),
    }
}

/// `GET /api/v1/sent`: the signed-in sender's messages, newest first.
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(query): ApiQuery<SentQuery>,
) -> Result<ApiJson<SentPage>> {
    let limit = page_size(query.limit, 50, 200);
    let after = match &query.cursor {
        Some(c) => Some(
            sent::Cursor::decode(c)
                .ok_or_else(|| Error::InvalidRequest("the cursor is malformed".to_owned()))?,
        ),
        None => None,
    };
    let search = sent::Search {
        sender_user_id: Some(user.0.id),
        any_text: query.q.filter(|q| !q.trim().is_empty()),
        after,
        ..Default::default()
    };
    // One more than asked tells whether there is a next page.
    let mut rows = sent::search(&state.db, &search, limit + 1).await?;
    let next_cursor = next_cursor(&mut rows, limit, |r| sent::Cursor::after(r).encode());
    let messages = sent_messages(&state, &rows).await?;
    Ok(ApiJson(SentPage {
        messages,
        next_cursor,
    }))
}

/// `GET /api/v1/messages/{id}`: one sent message.
pub async fn one(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
) -> Result<ApiJson<SentMessage>> {
    let row = owned_message(&state, &user, &id).await?;
    Ok(ApiJson(sent_message(&state, &row).await?))
}

/// `POST /api/v1/messages/{id}/revoke`: "Remove external access".
pub async fn revoke(
    State(state): State<AppState>,
    user: CurrentUser,
    client: ClientAddress,
    ApiPath(id): ApiPath<String>,
    body: RawBody,
) -> Result<ApiJson<SentMessage>> {
    let row = owned_message(&state, &user, &id).await?;
    let request: RevokeRequest = optional_json(body)?;
    let actor = user.actor(&client);
    let row =
        messages::revoke_and_audit(&state, &row, request.recipient.as_deref(), &actor).await?;
    Ok(ApiJson(entry_of(&state, &row).await?))
}

/// `POST /api/v1/messages/{id}/resend`: mail one recipient a new link.
pub async fn resend(
    State(state): State<AppState>,
    user: CurrentUser,
    client: ClientAddress,
    ApiPath(id): ApiPath<String>,
    ApiJson(request): ApiJson<ResendRequest>,
) -> Result<ApiJson<SentMessage>> {
    let row = owned_message(&state, &user, &id).await?;
    let actor = user.actor(&client);
    messages::resend_notification(&state, &row, &request.recipient, &actor).await?;
    Ok(ApiJson(entry_of(&state, &row).await?))
}

/// `PATCH /api/v1/messages/{id}`: a new expiry (or none) for an active message.
pub async fn change_expiry(
    State(state): State<AppState>,
    user: CurrentUser,
    client: ClientAddress,
    ApiPath(id): ApiPath<String>,
    ApiJson(change): ApiJson<ExpiryChange>,
) -> Result<ApiJson<SentMessage>> {
    let row = owned_message(&state, &user, &id).await?;
    let now = store::now();
    let expires_at = match &change.expires_at {
        Some(at) => Some(super::compose::future(at, now)?),
        None => None,
    };
    if !sent::set_expiry(&state.db, &row.id, expires_at, now).await? {
        // Not active any more: say why, as a recipient would hear it.
        return Err(match row.effective_state(now)? {
            store::MessageState::Expired => Error::MessageExpired,
            _ => Error::MessageRevoked,
        });
    }
    state
        .audit
        .record(NewEvent {
            kind: AuditKind::ExpiryChanged,
            outcome: AuditOutcome::Success,
            message_id: Some(row.message_id.clone()),
            recipient: None,
            actor: Some(user.actor(&client).name),
            client_address: client.0.clone(),
            detail: Some(
                expires_at
                    .map(|t| store::timestamp(t).0)
                    .unwrap_or_else(|| "none".to_owned()),
            ),
        })
        .await;
    Ok(ApiJson(sent_message(&state, &row).await?))
}
