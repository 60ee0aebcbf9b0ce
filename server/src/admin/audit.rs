//! `GET /api/v1/admin/audit`: the access audit, a page at a time or as CSV;
//! each read of it audited in turn.

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use sealmail_api::admin::{AuditKind, AuditPage, AuditQuery};

use crate::audit::export::{described, filter, to_csv};
use crate::auth::AdminUser;
use crate::error::{Error, Result};
use crate::http::paging::{next_cursor, page_size};
use crate::http::{ApiJson, ApiQuery, ClientAddress};
use crate::state::AppState;
use crate::store;

/// `GET /api/v1/admin/audit`: a page of events, newest first, or with
/// `format=csv` every matching event as CSV.
///
/// Reading it is audited too (ASVS 7.2.2), before it is read, so a read
/// shows itself: an export each time, a page read once per search (its
/// first page).
pub async fn list(
    State(state): State<AppState>,
    admin: AdminUser,
    client: ClientAddress,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> Result<Response> {
    let filter = filter(&query)?;
    let read = match query.format.as_deref() {
        Some("csv") => Some(AuditKind::AuditExported),
        None | Some("json") if query.cursor.is_none() => Some(AuditKind::AuditViewed),
        None | Some("json") => None,
        Some(_) => {
            return Err(Error::InvalidRequest(
                "`format` must be csv or json".to_owned(),
            ));
        }
    };
    if let Some(kind) = read {
        let event = admin.0.actor(&client).did(kind, described(&query));
        state.audit.record(event).await;
    }
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
        _ => {
            let limit = page_size(query.limit, 100, 1000);
            let mut events = store::audit::list(&state.db, &filter, Some(limit + 1)).await?;
            let next_cursor = next_cursor(&mut events, limit, |e| e.id.to_string());
            Ok(ApiJson(AuditPage {
                events,
                next_cursor,
            })
            .into_response())
        }
    }
}
