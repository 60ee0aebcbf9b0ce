//! The admin API (administrators only, else `forbidden`): status and revoke
//! by Message-ID, message trace, the encryption report, the access audit,
//! branding templates, the mail-flow rules.

mod audit;
mod branding;
mod mail_flow;
mod messages;
mod report;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post, put};
use sealmail_api::routes;

use crate::state::AppState;

/// The admin routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(routes::ADMIN_MESSAGE, get(messages::status))
        .route(routes::ADMIN_MESSAGE_REVOKE, post(messages::revoke))
        .route(routes::ADMIN_MESSAGE_RESEND, post(messages::resend))
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
        .route(
            routes::ADMIN_MAIL_FLOW_RULES,
            get(mail_flow::list).post(mail_flow::add),
        )
        .route(
            routes::ADMIN_MAIL_FLOW_RULE,
            put(mail_flow::edit).delete(mail_flow::delete),
        )
        .route(routes::ADMIN_MAIL_FLOW_RULE_MOVE, post(mail_flow::move_to))
        .route(
            routes::ADMIN_MAIL_FLOW_TEST,
            post(mail_flow::test).layer(DefaultBodyLimit::max(MAIL_FLOW_TEST_BYTES)),
        )
}

/// The largest mail the rules may be tried on through the API (a pasted
/// mail's headers and text decide; its attachments rarely matter).
const MAIL_FLOW_TEST_BYTES: usize = 4 << 20;
