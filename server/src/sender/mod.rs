//! The sender's API: sign in, compose, the Sent list, revoke, expiry.

mod compose;
mod sent;
mod session;

pub use sent::{owned_message, sent_message, sent_messages};
pub use session::{me_of, open_session};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use sealmail_api::routes;

use crate::state::AppState;

/// A sender session lasts a working day; after that, sign in again.
pub const SESSION_SECS: i64 = 8 * 3600;
pub use crate::auth::{
    SIGN_IN_WINDOW_SECS, SIGN_INS_PER_ADDRESS, SIGN_INS_PER_CLIENT, SIGN_INS_PER_CLIENT_AND_ADDRESS,
};

/// The sender routes.
pub fn router() -> Router<AppState> {
    // Computed now, so the first sign-in with an unknown address is not
    // slower than later ones (which would tell that the address is unknown).
    crate::auth::dummy_hash();
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
        .route(routes::MESSAGE_RESEND, post(sent::resend))
        .route(routes::SENT, get(sent::list))
}
