//! The recipient's API: open a link, get a passcode, open a session, read
//! the message and its attachments, reply, sign out.

mod audit;
mod body;
mod link;
mod message;
mod passcode;
mod reply;
mod session;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::{Extension, Router};
use sealmail_api::routes;

use crate::crypto::sha256;
use crate::error::{Error, Result};
use crate::http::ClientAddress;
use crate::state::AppState;
use crate::store::{self, MessageState, links::LinkRow};

/// A passcode is valid this long (design: 10 minutes).
pub const PASSCODE_VALID_SECS: i64 = 10 * 60;
/// Wrong tries a passcode allows before the link locks (design: 5).
pub const MAX_ATTEMPTS: i64 = 5;
/// How long a client stays locked out of a link after a passcode's tries run out.
pub const LOCK_SECS: i64 = 15 * 60;
/// Wrong passcodes in a row, from any client, after which the link is
/// blocked until the sender sends a new one: a lifetime cap on guessing that
/// per-client locks alone would not give (issue 18 finding 6). A recipient
/// who mistypes now and then never comes near it: a right passcode resets it.
pub const MAX_FAILED_PASSCODES: i64 = 100;
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

/// The link the access audit read for this request just before the handler
/// ([`audit::recipient_events`]), handed on in the request's extensions so
/// the handler does not read it again (one query fewer per passcode entry).
#[derive(Debug, Clone)]
pub struct KnownLink(pub LinkRow);

/// [`load_link`], from the audit's `known` read when there is one.
pub async fn load_known_link(
    state: &AppState,
    token: &str,
    known: Option<Extension<KnownLink>>,
) -> Result<LinkRow> {
    match known {
        Some(Extension(KnownLink(link))) => {
            check_readable(state, &link).await?;
            Ok(link)
        }
        None => load_link(state, token).await,
    }
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

/// `link_blocked` once the link's wrong passcodes reached the lifetime cap;
/// `too_many_attempts` while this client is locked out of the link.
async fn check_not_locked(
    state: &AppState,
    link: &LinkRow,
    client: &ClientAddress,
    now: i64,
) -> Result<()> {
    if link.failed_passcodes >= MAX_FAILED_PASSCODES {
        return Err(Error::LinkBlocked);
    }
    let until = client_locked_until(state, link, client, now).await?;
    match until {
        Some(until) => Err(Error::TooManyAttempts {
            retry_after_secs: (until - now) as u64,
        }),
        None => Ok(()),
    }
}

/// Until when this client is locked out of the link, if it is now.
async fn client_locked_until(
    state: &AppState,
    link: &LinkRow,
    client: &ClientAddress,
    now: i64,
) -> Result<Option<i64>> {
    store::links::client_locked_until(&state.db, link.recipient_id, &lock_key(client), now).await
}

/// Whom a lock holds: the client's rate-limit key (an IPv6 client's /64).
/// Clients of unknown address share one key.
fn lock_key(client: &ClientAddress) -> String {
    client.limit_key().unwrap_or_default()
}
