//! Status and revoke by Message-ID (`sealmail status` / `sealmail revoke`
//! over HTTP), and the message trace.

use axum::extract::State;
use sealmail_api::admin::{AuditKind, MessageStatus, TracePage, TraceQuery};
use sealmail_api::sender::{ResendRequest, RevokeRequest};

use crate::auth::AdminUser;
use crate::error::{Error, Result};
use crate::http::paging::{next_cursor, page_size};
use crate::http::{ApiJson, ApiPath, ApiQuery, ClientAddress, RawBody, optional_json};
use crate::messages;
use crate::state::AppState;
use crate::store::{self, sent};

/// `GET /api/v1/admin/messages/{message_id}`: Get-OMEMessageStatus.
/// The look-up is audited.
pub async fn status(
    State(state): State<AppState>,
    admin: AdminUser,
    client: ClientAddress,
    ApiPath(message_id): ApiPath<String>,
) -> Result<ApiJson<MessageStatus>> {
    let actor = admin.0.actor(&client);
    Ok(ApiJson(
        messages::status_audited(&state, &message_id, &actor).await?,
    ))
}

/// `POST /api/v1/admin/messages/{message_id}/revoke`: Set-OMEMessageRevocation.
pub async fn revoke(
    State(state): State<AppState>,
    admin: AdminUser,
    client: ClientAddress,
    ApiPath(message_id): ApiPath<String>,
    body: RawBody,
) -> Result<ApiJson<MessageStatus>> {
    let request: RevokeRequest = optional_json(body)?;
    let row = messages::find(&state, &message_id).await?;
    let actor = admin.0.actor(&client);
    let row =
        messages::revoke_and_audit(&state, &row, request.recipient.as_deref(), &actor).await?;
    Ok(ApiJson(messages::status_of_row(&state, &row).await?))
}

/// `POST /api/v1/admin/messages/{message_id}/resend`: a recipient gets a new link.
pub async fn resend(
    State(state): State<AppState>,
    admin: AdminUser,
    client: ClientAddress,
    ApiPath(message_id): ApiPath<String>,
    ApiJson(request): ApiJson<ResendRequest>,
) -> Result<ApiJson<MessageStatus>> {
    let row = messages::find(&state, &message_id).await?;
    let actor = admin.0.actor(&client);
    messages::resend_notification(&state, &row, &request.recipient, &actor).await?;
    Ok(ApiJson(messages::status_of_row(&state, &row).await?))
}

/// `GET /api/v1/admin/trace`: messages by sender, recipient, subject, date.
/// Each search is audited with its filters, once (not each further page).
pub async fn trace(
    State(state): State<AppState>,
    admin: AdminUser,
    client: ClientAddress,
    ApiQuery(query): ApiQuery<TraceQuery>,
) -> Result<ApiJson<TracePage>> {
    if query.cursor.is_none() {
        let actor = admin.0.actor(&client);
        let event = actor.did(AuditKind::MessageTraceSearched, searched(&query));
        state.audit.record(event).await;
    }
    let limit = page_size(query.limit, 50, 200);
    let text = |v: Option<String>| v.filter(|t| !t.trim().is_empty());
    let search = sent::Search {
        sender: text(query.sender),
        recipient: text(query.recipient),
        subject: text(query.subject),
        from: store::parse_optional_timestamp(query.from.as_ref())?,
        until: store::parse_optional_timestamp(query.until.as_ref())?,
        after: match &query.cursor {
            Some(c) => Some(
                sent::Cursor::decode(c)
                    .ok_or_else(|| Error::InvalidRequest("the cursor is malformed".to_owned()))?,
            ),
            None => None,
        },
        ..Default::default()
    };
    let mut rows = sent::search(&state.db, &search, limit + 1).await?;
    let next_cursor = next_cursor(&mut rows, limit, |r| sent::Cursor::after(r).encode());
    // The Sent list's batched statuses: a fixed number of statements per page.
    let messages = messages::statuses(&state, &rows).await?;
    Ok(ApiJson(TracePage {
        messages,
        next_cursor,
    }))
}

/// A trace search's filters, for the audit: `sender=alice; from=…`. A
/// subject searched for is only noted: it is message content.
fn searched(query: &TraceQuery) -> String {
    fn given(v: &Option<String>) -> Option<&str> {
        v.as_deref().filter(|t| !t.trim().is_empty())
    }
    let mut parts = Vec::new();
    for (name, value) in [
        ("sender", given(&query.sender)),
        ("recipient", given(&query.recipient)),
        ("from", query.from.as_ref().map(|t| t.0.as_str())),
        ("until", query.until.as_ref().map(|t| t.0.as_str())),
    ] {
        if let Some(value) = value {
            parts.push(format!("{name}={}", value.trim()));
        }
    }
    if given(&query.subject).is_some() {
        parts.push("a subject".to_owned());
    }
    if parts.is_empty() {
        "everything".to_owned()
    } else {
        parts.join("; ")
    }
}
