//! The sender's API: sign in, compose, the Sent list, revoke, expiry.

mod compose;
mod sent;
mod session;

pub use sent::{
    RawBody, body_bytes, optional_json, owned_message, revoke_and_audit, sent_message,
    sent_messages,
};
pub use session::{CurrentUser, hash_password, verify_password};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use sealmail_api::{Timestamp, routes};

use crate::AppState;
use crate::error::{Error, Result};

/// A sender session lasts a working day; after that, sign in again.
pub const SESSION_SECS: i64 = 8 * 3600;
/// Failed sign-ins counted per address and per client within this window.
pub const SIGN_IN_WINDOW_SECS: i64 = 15 * 60;
/// Failed sign-ins allowed per address in the window: plenty for typos, far
/// too few to guess a password (OWASP's authentication cheat sheet).
pub const SIGN_INS_PER_ADDRESS: i64 = 10;
/// Failed sign-ins allowed per client address in the window (an office
/// behind one NAT address has several people typing).
pub const SIGN_INS_PER_CLIENT: i64 = 50;

/// The sender routes.
pub fn router() -> Router<AppState> {
    // Computed now, so the first sign-in with an unknown address is not
    // slower than later ones (which would tell that the address is unknown).
    session::dummy_hash();
    Router::new()
        .route(
            routes::SESSION,
            post(session::sign_in).delete(session::sign_out),
        )
        .route(routes::ME, get(session::me))
        // The size limit is the configured per-message one, counted while
        // the files stream to disk (compose.rs), not axum's default.
        .route(
            routes::MESSAGES,
            post(compose::compose).layer(DefaultBodyLimit::disable()),
        )
        .route(routes::MESSAGE, get(sent::one).patch(sent::change_expiry))
        .route(routes::MESSAGE_REVOKE, post(sent::revoke))
        .route(routes::SENT, get(sent::list))
        .route(
            routes::BRANDING_TEMPLATES,
            get(crate::admin::branding::list_for_senders),
        )
        .route(routes::BRANDING_LOGO, get(crate::admin::branding::logo))
}

/// Parses an RFC 3339 timestamp (or a bare `YYYY-MM-DD`, meaning its start
/// in UTC) to Unix seconds; `invalid_request` otherwise.
pub fn parse_time(value: &Timestamp) -> Result<i64> {
    let text = value.0.trim();
    if let Ok(t) = time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
    {
        return Ok(t.unix_timestamp());
    }
    let date_format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(text, date_format)
        .map(|d| d.midnight().assume_utc().unix_timestamp())
        .map_err(|_| {
            Error::InvalidRequest(format!(
                "`{text}` is not a time like 2026-11-23T09:30:00Z or a date like 2026-11-23"
            ))
        })
}

/// A page size: `default` when unset, at most `max`, at least 1.
pub fn page_size(limit: Option<u32>, default: u32, max: u32) -> i64 {
    i64::from(limit.unwrap_or(default).clamp(1, max))
}
