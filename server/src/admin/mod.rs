//! The admin API (administrators only, else `forbidden`): status and revoke
//! by Message-ID, message trace, the encryption report, the access audit,
//! branding templates.

pub mod audit;
mod audit_log;
pub mod branding;
mod messages;
mod report;

use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRequestParts};
use axum::http::request::Parts;
use axum::routing::{get, post, put};
use sealmail_api::routes;

use crate::AppState;
use crate::error::Error;
use crate::sender::CurrentUser;

pub use audit_log::AuditLog;

/// A signed-in administrator: `not_signed_in` without a session, `forbidden`
/// for a sender who is not an administrator.
#[derive(Debug, Clone)]
pub struct AdminUser(pub CurrentUser);

impl FromRequestParts<AppState> for AdminUser {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Error> {
        let user = CurrentUser::from_request_parts(parts, state).await?;
        if user.0.is_admin {
            Ok(AdminUser(user))
        } else {
            Err(Error::Forbidden("this needs an administrator"))
        }
    }
}

/// The admin routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(routes::ADMIN_MESSAGE, get(messages::status))
        .route(routes::ADMIN_MESSAGE_REVOKE, post(messages::revoke))
        .route(routes::ADMIN_TRACE, get(messages::trace))
        .route(routes::ADMIN_REPORT, get(report::report))
        .route(routes::ADMIN_AUDIT, get(audit::list))
        .route(
            routes::ADMIN_BRANDING,
            get(branding::list).post(branding::create),
        )
        .route(
            routes::ADMIN_BRANDING_ONE,
            get(branding::one)
                .put(branding::replace)
                .delete(branding::delete),
        )
        .route(
            routes::ADMIN_BRANDING_LOGO,
            put(branding::upload_logo)
                .delete(branding::delete_logo)
                .layer(DefaultBodyLimit::max(branding::MAX_LOGO_BYTES)),
        )
}
