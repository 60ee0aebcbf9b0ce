//! The recipient's API: open a link, get a passcode, open a session, read
//! the message and its attachments, reply, sign out.

mod audit;
mod body;
mod link;
mod message;
mod passcode;
mod reply;
mod session;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use sealmail_api::routes;

use crate::crypto::sha256;
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store::{self, MessageState, links::LinkRow};

/// A passcode is valid this long (design: 10 minutes).
pub const PASSCODE_VALID_SECS: i64 = 10 * 60;
/// Wrong tries a passcode allows before the link locks (design: 5).
pub const MAX_ATTEMPTS: i64 = 5;
/// How long a link stays locked after the tries run out.
pub const LOCK_SECS: i64 = 15 * 60;
/// Passcodes that can be sent for one link per hour: enough for a few
/// retries, too few to flood the recipient's mailbox.
pub const PASSCODES_PER_HOUR: i64 = 5;
/// A recipient session lasts this long ("short-lived": reading, not staying signed in).
pub const SESSION_SECS: i64 = 30 * 60;
/// The largest reply, files included.
pub const REPLY_BODY_LIMIT: usize = 25 * 1024 * 1024;

pub use audit::AuditSubject;

/// The recipient routes, each behind the access audit.
pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route(routes::LINK, get(link::info))
        .route(routes::LINK_PASSCODE, post(passcode::request))
        .route(
            routes::LINK_SESSION,
            post(session::open).delete(session::close),
        )
        .route(routes::LINK_MESSAGE, get(message::read))
        .route(routes::LINK_BODY, get(body::html))
        .route(routes::LINK_ATTACHMENT, get(message::attachment))
        .route(
            routes::LINK_REPLY,
            post(reply::send).layer(DefaultBodyLimit::max(REPLY_BODY_LIMIT)),
        )
        .layer(axum::middleware::from_fn_with_state(
            state,
            audit::recipient_events,
        ))
}

/// Finds the link for `token` and checks the message can still be read:
/// `link_unknown`, `message_revoked` or `message_expired` otherwise. An
/// expiry that has passed is enforced here, before the purge task runs.
pub async fn load_link(state: &AppState, token: &str) -> Result<LinkRow> {
    let link = store::links::by_token_hash(&state.db, &sha256(token.as_bytes()))
        .await?
        .ok_or(Error::LinkUnknown)?;
    check_readable(state, &link).await?;
    Ok(link)
}

/// `message_revoked` or `message_expired` unless the link's message can still
/// be read. An expiry that has passed is enforced here, before the purge task runs.
pub async fn check_readable(state: &AppState, link: &LinkRow) -> Result<()> {
    match link.message.effective_state(store::now())? {
        MessageState::Revoked => Err(Error::MessageRevoked),
        MessageState::Expired => {
            if link.message.state == MessageState::Active.as_str() {
                // Past its expiry but not purged yet: destroy it now.
                crate::messages::end(state, &link.message.id, MessageState::Expired).await?;
            }
            Err(Error::MessageExpired)
        }
        MessageState::Active if link.revoked_at.is_some() => Err(Error::MessageRevoked),
        MessageState::Active => Ok(()),
    }
}

/// `too_many_attempts` while the link is locked.
fn check_not_locked(link: &LinkRow, now: i64) -> Result<()> {
    match link.locked_until {
        Some(until) if until > now => Err(Error::TooManyAttempts {
            retry_after_secs: (until - now) as u64,
        }),
        _ => Ok(()),
    }
}
