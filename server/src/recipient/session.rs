//! `POST /api/v1/links/{token}/session` (passcode → session cookie) and
//! `DELETE` (sign out); session checks for the other routes.

use axum::extract::State;
use axum::http::StatusCode;
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use sealmail_api::recipient::{PasscodeSubmit, SessionOpened};
use sealmail_api::routes;
use sealmail_api::{Language, Mailbox};

use super::{LOCK_SECS, MAX_ATTEMPTS, SESSION_SECS, check_not_locked, load_link};
use crate::crypto::{constant_time_eq, new_bearer_token, sha256};
use crate::error::{Error, Result};
use crate::http::{ApiJson, ApiPath};
use crate::mail::{Brand, templates};
use crate::state::AppState;
use crate::store::mail_queue::MailKind;
use crate::store::{self, links::LinkRow, passcodes, sessions};

/// Checks the passcode; on success opens a session (an HttpOnly, SameSite=Strict
/// cookie scoped to this link's API path) and records the open.
pub async fn open(
    State(state): State<AppState>,
    ApiPath(token): ApiPath<String>,
    jar: CookieJar,
    ApiJson(submit): ApiJson<PasscodeSubmit>,
) -> Result<(CookieJar, ApiJson<SessionOpened>)> {
    let link = load_link(&state, &token).await?;
    let now = store::now();
    check_not_locked(&link, now)?;
    let Some((passcode, failed)) = passcodes::current(&state.db, link.recipient_id, now).await?
    else {
        // A concurrent request may have just locked the link (voiding its passcode).
        return match store::links::locked_until(&state.db, link.recipient_id).await? {
            Some(until) if until > now => Err(Error::TooManyAttempts {
                retry_after_secs: (until - now) as u64,
            }),
            _ => Err(Error::PasscodeExpired),
        };
    };
    if failed >= MAX_ATTEMPTS {
        return Err(lock(&state, &link, now).await?);
    }
    let typed: String = submit
        .passcode
        .chars()
        .filter(|c| !matches!(c, ' ' | '-'))
        .collect();
    let mac = state.master_key.passcode_mac(link.recipient_id, &typed);

    if constant_time_eq(&mac, &passcode.code_mac) {
        // The UPDATE re-checks unused, unexpired and under the limit: of two
        // concurrent correct submissions only one gets a session.
        if !passcodes::consume(&state.db, passcode.id, now, MAX_ATTEMPTS).await? {
            return Err(spent(&state, &link, passcode.id, now).await?);
        }
        return start_session(&state, &link, &token, jar, now).await;
    }

    match passcodes::record_failure(&state.db, passcode.id, now, MAX_ATTEMPTS).await? {
        Some(failed) if failed >= MAX_ATTEMPTS => Err(lock(&state, &link, now).await?),
        Some(failed) => Err(Error::PasscodeWrong {
            tries_left: (MAX_ATTEMPTS - failed) as u32,
        }),
        None => Err(spent(&state, &link, passcode.id, now).await?),
    }
}

/// Stores a new session, records the open, and sets the cookie.
async fn start_session(
    state: &AppState,
    link: &LinkRow,
    token: &str,
    jar: CookieJar,
    now: i64,
) -> Result<(CookieJar, ApiJson<SessionOpened>)> {
    let session = new_bearer_token();
    let expires_at = now + SESSION_SECS;
    sessions::create(
        &state.db,
        &sha256(session.expose().as_bytes()),
        link.recipient_id,
        now,
        expires_at,
    )
    .await?;
    let receipt =
        if store::messages::wants_read_receipt(&state.db, &link.message.id, link.recipient_id)
            .await?
        {
            Some(read_receipt(state, link, now).await?)
        } else {
            None
        };
    store::links::mark_opened(&state.db, link.recipient_id, now, receipt.as_ref()).await?;
    if receipt.is_some() {
        state.mail_queue.wake();
    }
    tracing::info!(recipient = link.recipient_id, "recipient session opened");
    let cookie = Cookie::build((state.settings.recipient_cookie(), session.expose().clone()))
        .path(routes::link(token))
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(state.settings.secure_cookies)
        .max_age(time::Duration::seconds(SESSION_SECS))
        .build();
    Ok((
        jar.add(cookie),
        ApiJson(SessionOpened {
            expires_at: store::timestamp(expires_at),
        }),
    ))
}

/// The tries ran out: lock the link for a while.
async fn lock(state: &AppState, link: &LinkRow, now: i64) -> Result<Error> {
    store::links::lock(&state.db, link.recipient_id, now, now + LOCK_SECS).await?;
    tracing::warn!(
        recipient = link.recipient_id,
        "link locked after too many wrong passcodes"
    );
    Ok(Error::TooManyAttempts {
        retry_after_secs: LOCK_SECS as u64,
    })
}

/// A concurrent request changed the passcode first: out of tries, or used.
async fn spent(state: &AppState, link: &LinkRow, passcode_id: i64, now: i64) -> Result<Error> {
    let failed = passcodes::failed_attempts(&state.db, passcode_id).await?;
    if failed >= MAX_ATTEMPTS {
        lock(state, link, now).await
    } else {
        Ok(Error::PasscodeExpired)
    }
}

/// Ends this browser's session for the link (sign out). 204 either way.
pub async fn close(
    State(state): State<AppState>,
    ApiPath(token): ApiPath<String>,
    jar: CookieJar,
) -> Result<(CookieJar, StatusCode)> {
    let link = store::links::by_token_hash(&state.db, &sha256(token.as_bytes()))
        .await?
        .ok_or(Error::LinkUnknown)?;
    if let Some(hash) = session_hash(&state, &jar) {
        sessions::delete(&state.db, &hash, link.recipient_id).await?;
    }
    let removal = Cookie::build((state.settings.recipient_cookie(), ""))
        .path(routes::link(&token))
        .secure(state.settings.secure_cookies)
        .build();
    Ok((jar.remove(removal), StatusCode::NO_CONTENT))
}

pub(super) fn session_hash(state: &AppState, jar: &CookieJar) -> Option<Vec<u8>> {
    jar.get(state.settings.recipient_cookie())
        .map(|c| sha256(c.value().as_bytes()))
}

/// Whether the request carries a live session for this link.
pub async fn is_open(state: &AppState, jar: &CookieJar, link: &LinkRow) -> Result<bool> {
    match session_hash(state, jar) {
        Some(hash) => sessions::is_valid(&state.db, &hash, link.recipient_id, store::now()).await,
        None => Ok(false),
    }
}

/// `session_expired` unless the request carries a live session for this link.
pub async fn require(state: &AppState, jar: &CookieJar, link: &LinkRow) -> Result<()> {
    if is_open(state, jar, link).await? {
        Ok(())
    } else {
        Err(Error::SessionExpired)
    }
}

/// The sender's read receipt for `link`'s first open, ready for the queue.
async fn read_receipt(
    state: &AppState,
    link: &LinkRow,
    now: i64,
) -> Result<store::mail_queue::NewMail> {
    let language = Language::from_tag(&link.language).unwrap_or(state.settings.default_language);
    let template = store::branding::for_message(&state.db, &link.message.id).await?;
    let brand = Brand::load(&state.db, &state.settings.branding, template.as_ref()).await?;
    let reader = Mailbox {
        name: link.name.clone(),
        address: link.address.clone(),
    };
    let sender = Mailbox {
        name: link.message.sender_name.clone(),
        address: link.message.sender_address.clone(),
    };
    let mail = templates::read_receipt(
        &brand,
        language,
        &reader,
        &sender,
        &link.message.subject,
        &store::timestamp(now).0,
    );
    state
        .mail_queue
        .prepare(&state.master_key, MailKind::Notification, &mail, now, None)
}
