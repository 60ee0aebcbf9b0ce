//! `GET /api/v1/admin/audit`: the access audit, a page at a time or as CSV.

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use sealmail_api::admin::{AuditPage, AuditQuery};

use crate::audit::export::{filter, to_csv};
use crate::auth::AdminUser;
use crate::error::{Error, Result};
use crate::http::paging::{next_cursor, page_size};
use crate::http::{ApiJson, ApiQuery};
use crate::state::AppState;
use crate::store;

/// `GET /api/v1/admin/audit`: a page of events, newest first, or with
/// `format=csv` every matching event as CSV.
pub async fn list(
    State(state): State<AppState>,
    _admin: AdminUser,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> Result<Response> {
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
            let next_cursor = next_cursor(&mut events, limit, |e| e.id.to_string());
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
