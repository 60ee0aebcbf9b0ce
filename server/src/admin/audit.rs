//! The access audit: recording events (the recipient routes through a
//! middleware, senders and admins where they act), listing and CSV export.

use axum::extract::rejection::QueryRejection;
use axum::extract::{MatchedPath, Query, Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sealmail_api::admin::{
    AUDIT_CSV_HEADER, AuditEvent, AuditKind, AuditOutcome, AuditPage, AuditQuery,
};
use sealmail_api::{ErrorCode, routes};

use super::AdminUser;
use crate::AppState;
use crate::crypto::sha256;
use crate::error::{Error, Result};
use crate::http::{ApiJson, ClientAddress};
use crate::messages::normalize_message_id;
use crate::sender::{page_size, parse_time};
use crate::store::{self, audit::NewEvent};

/// Stores an event. A failure to audit is logged, never turned into a failed
/// request: the reader's access already happened (or was refused).
pub async fn record(state: &AppState, event: NewEvent) {
    state.audit.record(event).await;
}

/// Which recipient requests are audited, by route and method.
fn recipient_kind(method: &Method, route: &str) -> Option<AuditKind> {
    match (method.as_str(), route) {
        ("POST", routes::LINK_PASSCODE) => Some(AuditKind::PasscodeRequested),
        ("POST", routes::LINK_SESSION) => Some(AuditKind::PasscodeEntered),
        ("GET", routes::LINK_MESSAGE) => Some(AuditKind::MessageOpened),
        ("GET", routes::LINK_ATTACHMENT) => Some(AuditKind::AttachmentDownloaded),
        ("POST", routes::LINK_REPLY) => Some(AuditKind::ReplySent),
        _ => None,
    }
}

/// Whom an audited recipient request concerned. A handler that reads the
/// link anyway puts it in its response's extensions (`axum::Extension`), which
/// spares [`recipient_events`] a lookup of its own.
#[derive(Debug, Clone)]
pub struct AuditSubject {
    /// The message's Message-ID.
    pub message_id: String,
    /// The link's recipient address.
    pub recipient: String,
}

impl AuditSubject {
    /// The subject of a request for `link`.
    pub fn of(link: &store::links::LinkRow) -> AuditSubject {
        AuditSubject {
            message_id: link.message.message_id.clone(),
            recipient: link.address.clone(),
        }
    }
}

/// Middleware on the recipient routes: after each audited request, records
/// what it was, for which message and recipient, its outcome (the error
/// code on failure) and the client address. Requests for unknown links are
/// not recorded (they concern no message). The link token is never stored.
pub async fn recipient_events(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned());
    let Some(kind) = route.and_then(|r| recipient_kind(request.method(), &r)) else {
        return next.run(request).await;
    };
    // /api/v1/links/{token}[/attachments/{id}]
    let segments: Vec<&str> = request.uri().path().split('/').collect();
    let token_hash = sha256(segments.get(4).copied().unwrap_or_default().as_bytes());
    let attachment = segments.get(6).map(|s| (*s).to_owned());
    let client = ClientAddress::from_request(
        request.headers(),
        request.extensions(),
        state.settings.trust_forwarded_for,
    );
    let (response, subject, detail) = if kind == AuditKind::MessageOpened {
        // A message shown hands over the link it read (one statement fewer
        // per view, issue 9); a refusal is looked up here, after it.
        let response = next.run(request).await;
        let subject = match response.extensions().get::<AuditSubject>() {
            Some(subject) => subject.clone(),
            None => match store::links::by_token_hash(&state.db, &token_hash).await {
                Ok(Some(link)) => AuditSubject::of(&link),
                _ => return response,
            },
        };
        (response, subject, None)
    } else {
        let link = match store::links::by_token_hash(&state.db, &token_hash).await {
            Ok(Some(link)) => link,
            _ => return next.run(request).await,
        };
        // Looked up first: a revoke deletes the attachment rows.
        let detail = match (kind, attachment) {
            (AuditKind::AttachmentDownloaded, Some(id)) => {
                store::messages::attachments(&state.db, &link.message.id)
                    .await
                    .ok()
                    .and_then(|list| list.into_iter().find(|a| a.id == id))
                    .map(|a| a.name)
            }
            _ => None,
        };
        (next.run(request).await, AuditSubject::of(&link), detail)
    };

    let succeeded = response.status().is_success();
    let code = response.extensions().get::<ErrorCode>().copied();
    record(
        &state,
        NewEvent {
            kind,
            outcome: if succeeded {
                AuditOutcome::Success
            } else {
                AuditOutcome::Failure
            },
            message_id: Some(subject.message_id),
            recipient: Some(subject.recipient),
            actor: None,
            client_address: client.0,
            detail: if succeeded {
                detail
            } else {
                Some(code.map_or_else(
                    || response.status().as_u16().to_string(),
                    |c| c.as_str().to_owned(),
                ))
            },
        },
    )
    .await;
    response
}

/// The store's filter for a query.
pub fn filter(query: &AuditQuery) -> Result<store::audit::Filter> {
    Ok(store::audit::Filter {
        since: query.since.as_ref().map(parse_time).transpose()?,
        until: query.until.as_ref().map(parse_time).transpose()?,
        kind: query.kind,
        outcome: query.outcome,
        message_id: query
            .message_id
            .as_deref()
            .filter(|m| !m.trim().is_empty())
            .map(normalize_message_id),
        recipient: query.recipient.clone().filter(|r| !r.trim().is_empty()),
        before_id: match &query.cursor {
            Some(c) => Some(
                c.parse()
                    .map_err(|_| Error::InvalidRequest("the cursor is malformed".to_owned()))?,
            ),
            None => None,
        },
    })
}

/// `GET /api/v1/admin/audit`: a page of events, newest first, or with
/// `format=csv` every matching event as CSV.
pub async fn list(
    State(state): State<AppState>,
    _admin: AdminUser,
    query: Result<Query<AuditQuery>, QueryRejection>,
) -> Result<Response> {
    let Query(query) = query.map_err(|_| {
        Error::InvalidRequest("the query string is malformed (kind, outcome or a time?)".to_owned())
    })?;
    let filter = filter(&query)?;
    match query.format.as_deref() {
        Some("csv") => {
            let events = store::audit::list(&state.db, &filter, None).await?;
            Ok((
                [
                    (
                        header::CONTENT_TYPE,
                        HeaderValue::from_static("text/csv; charset=utf-8"),
                    ),
                    (
                        header::CONTENT_DISPOSITION,
                        HeaderValue::from_static("attachment; filename=\"sealmail-audit.csv\""),
                    ),
                ],
                to_csv(&events),
            )
                .into_response())
        }
        None | Some("json") => {
            let limit = page_size(query.limit, 100, 1000);
            let mut events = store::audit::list(&state.db, &filter, Some(limit + 1)).await?;
            let next_cursor = if events.len() as i64 > limit {
                events.truncate(limit as usize);
                events.last().map(|e| e.id.to_string())
            } else {
                None
            };
            Ok(ApiJson(AuditPage {
                events,
                next_cursor,
            })
            .into_response())
        }
        Some(_) => Err(Error::InvalidRequest(
            "`format` must be csv or json".to_owned(),
        )),
    }
}

/// The events as CSV (RFC 4180: CRLF line ends, fields quoted when needed),
/// with the columns of [`AUDIT_CSV_HEADER`].
pub fn to_csv(events: &[AuditEvent]) -> String {
    let mut out = String::new();
    push_row(&mut out, AUDIT_CSV_HEADER.iter().map(|h| h.to_string()));
    for e in events {
        push_row(
            &mut out,
            [
                e.id.to_string(),
                e.at.0.clone(),
                e.kind.as_str().to_owned(),
                e.outcome.as_str().to_owned(),
                e.message_id.clone().unwrap_or_default(),
                e.recipient.clone().unwrap_or_default(),
                e.actor.clone().unwrap_or_default(),
                e.client_address.clone().unwrap_or_default(),
                e.detail.clone().unwrap_or_default(),
            ],
        );
    }
    out
}

fn push_row(out: &mut String, fields: impl IntoIterator<Item = String>) {
    for (i, field) in fields.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&csv_field(&field));
    }
    out.push_str("\r\n");
}

/// One CSV field. Quoted (quotes doubled) if it holds a comma, quote or line
/// break; a leading `=`, `+`, `-`, `@` or tab gets a `'` first, so a
/// spreadsheet shows the text instead of running it as a formula (OWASP's
/// CSV injection advice) — recipient addresses come from senders.
pub fn csv_field(field: &str) -> String {
    let field = if field.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{field}")
    } else {
        field.to_owned()
    };
    if field.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field
    }
}

#[cfg(test)]
mod tests {
    use super::csv_field;

    #[test]
    fn csv_fields_are_quoted_and_cannot_become_formulas() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("line\nbreak"), "\"line\nbreak\"");
        assert_eq!(csv_field("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(csv_field("<a@b>"), "<a@b>");
    }
}
