//! Status and revoke by Message-ID (`sealmail status` / `sealmail revoke`
//! over HTTP), and the message trace.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use sealmail_api::admin::{MessageStatus, TracePage, TraceQuery};
use sealmail_api::sender::RevokeRequest;

use super::AdminUser;
use crate::AppState;
use crate::error::{Error, Result};
use crate::http::{ApiJson, ApiPath, ClientAddress};
use crate::messages::{self as lifecycle, normalize_message_id};
use crate::sender::{RawBody, page_size, parse_time};
use crate::store::{self, sent};

/// `GET /api/v1/admin/messages/{message_id}`: Get-OMEMessageStatus.
pub async fn status(
    State(state): State<AppState>,
    _admin: AdminUser,
    ApiPath(message_id): ApiPath<String>,
) -> Result<ApiJson<MessageStatus>> {
    Ok(ApiJson(lifecycle::status(&state, &message_id).await?))
}

/// `POST /api/v1/admin/messages/{message_id}/revoke`: Set-OMEMessageRevocation.
pub async fn revoke(
    State(state): State<AppState>,
    admin: AdminUser,
    client: ClientAddress,
    ApiPath(message_id): ApiPath<String>,
    body: RawBody,
) -> Result<ApiJson<MessageStatus>> {
    let request: RevokeRequest = crate::sender::optional_json(body)?;
    let row = store::messages::by_message_id(&state.db, &normalize_message_id(&message_id))
        .await?
        .ok_or_else(|| Error::NotFound(format!("no message with Message-ID {message_id}")))?;
    crate::sender::revoke_and_audit(&state, &row, &request, &admin.0.0.email, &client).await?;
    Ok(ApiJson(lifecycle::status(&state, &row.message_id).await?))
}

/// `GET /api/v1/admin/trace`: messages by sender, recipient, subject, date.
pub async fn trace(
    State(state): State<AppState>,
    _admin: AdminUser,
    query: Result<Query<TraceQuery>, QueryRejection>,
) -> Result<ApiJson<TracePage>> {
    let Query(query) =
        query.map_err(|_| Error::InvalidRequest("the query string is malformed".to_owned()))?;
    let limit = page_size(query.limit, 50, 200);
    let text = |v: Option<String>| v.filter(|t| !t.trim().is_empty());
    let search = sent::Search {
        sender: text(query.sender),
        recipient: text(query.recipient),
        subject: text(query.subject),
        from: query.from.as_ref().map(parse_time).transpose()?,
        until: query.until.as_ref().map(parse_time).transpose()?,
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
    let next_cursor = if rows.len() as i64 > limit {
        rows.truncate(limit as usize);
        rows.last().map(|r| sent::Cursor::after(r).encode())
    } else {
        None
    };
    let mut messages = Vec::with_capacity(rows.len());
    for row in &rows {
        messages.push(lifecycle::status(&state, &row.message_id).await?);
    }
    Ok(ApiJson(TracePage {
        messages,
        next_cursor,
    }))
}
