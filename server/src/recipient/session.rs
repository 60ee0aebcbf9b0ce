//! `POST /api/v1/links/{token}/session` (passcode → session cookie) and
//! `DELETE` (sign out); session checks for the other routes.

use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use sealmail_api::admin::AuditKind;
use sealmail_api::recipient::{PasscodeSubmit, SessionOpened};
use sealmail_api::routes;
use sealmail_api::{Language, Mailbox};

use super::audit::AuditedInline;
use super::{
    KnownLink, LOCK_SECS, MAX_ATTEMPTS, MAX_FAILED_PASSCODES, SESSION_SECS, client_locked_until,
    load_known_link, lock_key,
};
use crate::crypto::{constant_time_eq, new_bearer_token, sha256};
use crate::error::{Error, Result};
use crate::http::{ApiJson, ApiPath, ClientAddress};
use crate::mail::{Brand, templates};
use crate::metrics::Lockout;
use crate::state::AppState;
use crate::store::mail_queue::MailKind;
use crate::store::{self, links::LinkRow, passcodes, sessions};

/// Checks the passcode; on success opens a session (an HttpOnly, SameSite=Strict
/// cookie scoped to this link's API path) and records the open.
pub async fn open(
    State(state): State<AppState>,
    ApiPath(token): ApiPath<String>,
    client: ClientAddress,
    jar: CookieJar,
    known: Option<Extension<KnownLink>>,
    ApiJson(submit): ApiJson<PasscodeSubmit>,
) -> Result<(
    CookieJar,
    Option<Extension<AuditedInline>>,
    ApiJson<SessionOpened>,
)> {
    let link = load_known_link(&state, &token, known).await?;
    let now = store::now();
    if link.failed_passcodes >= MAX_FAILED_PASSCODES {
        return Err(Error::LinkBlocked);
    }
    let entry = passcodes::entry(&state.db, link.recipient_id, &lock_key(&client), now).await?;
    if let Some(until) = entry.client_locked_until {
        return Err(Error::TooManyAttempts {
            retry_after_secs: (until - now) as u64,
        });
    }
    let Some((passcode, failed)) = entry.passcode else {
        return Err(Error::PasscodeExpired);
    };
    if failed >= MAX_ATTEMPTS {
        return Err(spent(&state, &link, &client, now).await?);
    }
    let typed: String = submit
        .passcode
        .chars()
        .filter(|c| !matches!(c, ' ' | '-'))
        .collect();
    let mac = state.master_key.passcode_mac(link.recipient_id, &typed);

    if constant_time_eq(&mac, &passcode.code_mac) {
        return start_session(&state, &link, &token, &client, jar, passcode.id, now).await;
    }

    let lock = (lock_key(&client), now + LOCK_SECS);
    let failure =
        passcodes::record_failure(&state.db, passcode.id, now, MAX_ATTEMPTS, (&lock.0, lock.1))
            .await?;
    if failure.is_some() {
        crate::metrics::passcode_wrong();
    }
    match failure {
        Some(failure) if failure.of_link >= MAX_FAILED_PASSCODES => {
            crate::metrics::passcode_lockout(Lockout::Link);
            tracing::warn!(
                recipient = link.recipient_id,
                "link blocked after {MAX_FAILED_PASSCODES} wrong passcodes in a row"
            );
            Err(Error::LinkBlocked)
        }
        Some(failure) if failure.of_passcode >= MAX_ATTEMPTS => {
            crate::metrics::passcode_lockout(Lockout::Client);
            tracing::warn!(
                recipient = link.recipient_id,
                "client locked out of the link after too many wrong passcodes"
            );
            Err(Error::TooManyAttempts {
                retry_after_secs: LOCK_SECS as u64,
            })
        }
        Some(failure) => Err(Error::PasscodeWrong {
            tries_left: (MAX_ATTEMPTS - failure.of_passcode) as u32,
        }),
        None => Err(spent(&state, &link, &client, now).await?),
    }
}

/// The passcode was used, or its last try spent, by another request (maybe
/// a racing one): `too_many_attempts` if that locked this client out, else
/// `passcode_expired` (ask for a new one).
async fn spent(
    state: &AppState,
    link: &LinkRow,
    client: &ClientAddress,
    now: i64,
) -> Result<Error> {
    Ok(match client_locked_until(state, link, client, now).await? {
        Some(until) => Error::TooManyAttempts {
            retry_after_secs: (until - now) as u64,
        },
        None => Error::PasscodeExpired,
    })
}

/// Uses the passcode and stores a new session with it (and the first
/// open, with the sender's read receipt if wanted), then sets the cookie.
/// The store re-checks the passcode unused, unexpired and under the limit:
/// of two concurrent correct submissions only one gets a session.
async fn start_session(
    state: &AppState,
    link: &LinkRow,
    token: &str,
    client: &ClientAddress,
    jar: CookieJar,
    passcode_id: i64,
    now: i64,
) -> Result<(
    CookieJar,
    Option<Extension<AuditedInline>>,
    ApiJson<SessionOpened>,
)> {
    let session = new_bearer_token();
    let expires_at = now + SESSION_SECS;
    // The first open queues it; of two racing first opens, only the one
    // that records the open does (`mark_opened`, in the same transaction).
    let receipt = if link.wants_read_receipt && link.opened_at.is_none() {
        Some(read_receipt(state, link, now).await?)
    } else {
        None
    };
    let event = super::audit::success(AuditKind::PasscodeEntered, link, client);
    let new_session = passcodes::NewSession {
        id_hash: &sha256(session.expose().as_bytes()),
        expires_at,
        audit: &event,
    };
    let Some(redeemed) = passcodes::redeem(
        &state.db,
        passcode_id,
        now,
        MAX_ATTEMPTS,
        new_session,
        receipt.as_ref(),
        link.opened_at.is_none(),
    )
    .await?
    else {
        return Err(spent(state, link, client, now).await?);
    };
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
        redeemed.audited.then_some(Extension(AuditedInline)),
        ApiJson(SessionOpened {
            expires_at: store::timestamp(expires_at),
        }),
    ))
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
