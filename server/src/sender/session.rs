//! `POST /api/v1/session` (sign in), `DELETE` (sign out), `GET /api/v1/me`.

use axum::extract::State;
use axum::http::StatusCode;
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use sealmail_api::admin::{AuditKind, AuditOutcome};
use sealmail_api::sender::{Me, SignIn};

use super::{
    SESSION_SECS, SIGN_IN_WINDOW_SECS, SIGN_INS_PER_ADDRESS, SIGN_INS_PER_CLIENT,
    SIGN_INS_PER_CLIENT_AND_ADDRESS,
};
use crate::auth::{CurrentUser, dummy_hash, verify_password};
use crate::crypto::{Secret, new_bearer_token, sha256};
use crate::error::{Error, Result};
use crate::http::{ApiJson, ClientAddress};
use crate::state::AppState;
use crate::store::{self, accounts, audit::NewEvent};

/// Signs in: argon2id check, rate-limited per client and address, per
/// client, and (more loosely) per address; the same `credentials_wrong` for
/// an unknown address and a wrong password.
pub async fn sign_in(
    State(state): State<AppState>,
    client: ClientAddress,
    jar: CookieJar,
    ApiJson(request): ApiJson<SignIn>,
) -> Result<(CookieJar, ApiJson<Me>)> {
    let password = Secret::new(request.password.clone());
    let email = request.email.trim().to_lowercase();
    let now = store::now();
    let event = |outcome, detail: Option<&str>| NewEvent {
        kind: AuditKind::SignIn,
        outcome,
        message_id: None,
        recipient: None,
        // Only something shaped like an address: people type passwords into
        // the wrong field, and the audit must never hold one.
        actor: looks_like_address(&email).then(|| email.clone()),
        client_address: client.0.clone(),
        detail: detail.map(str::to_owned),
    };

    // Count this attempt against the client and address, the client and the
    // address first (one conditional INSERT each); a success takes its own
    // rows back out. Counter keys are hashed: what was typed is not kept,
    // even for the window.
    let key = |text: String| crate::crypto::hex(&sha256(text.as_bytes()));
    let from = client.limit_key().unwrap_or_else(|| "unknown".to_owned());
    let mut keys = vec![
        (
            key(format!("ip+email:{from} {email}")),
            SIGN_INS_PER_CLIENT_AND_ADDRESS,
        ),
        (key(format!("email:{email}")), SIGN_INS_PER_ADDRESS),
    ];
    if let Some(ip) = client.limit_key() {
        keys.push((key(format!("ip:{ip}")), SIGN_INS_PER_CLIENT));
    }
    let mut attempts = Vec::new();
    for (key, max) in &keys {
        match accounts::attempt_if_under_limit(&state.db, key, now, SIGN_IN_WINDOW_SECS, *max)
            .await?
        {
            Some(id) => attempts.push(id),
            None => {
                let retry_after_secs =
                    accounts::retry_after(&state.db, key, now, SIGN_IN_WINDOW_SECS).await?;
                accounts::forget_attempts(&state.db, &attempts, now - SIGN_IN_WINDOW_SECS).await?;
                state
                    .audit
                    .record(event(AuditOutcome::Failure, Some("rate_limited")))
                    .await;
                return Err(Error::TooManySignIns { retry_after_secs });
            }
        }
    }

    let account = accounts::with_password_hash(&state.db, &email).await?;
    let hash = account
        .as_ref()
        .map_or_else(|| dummy_hash().to_owned(), |(_, h)| h.clone());
    // argon2 takes tens of milliseconds of CPU and 19 MiB: off the async
    // workers, and only so many at once.
    let Ok(permit) = state.password_checks.clone().try_acquire_owned() else {
        accounts::forget_attempts(&state.db, &attempts, now - SIGN_IN_WINDOW_SECS).await?;
        return Err(Error::RateLimited {
            retry_after_secs: 1,
        });
    };
    let matches = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        verify_password(password.expose(), &hash)
    })
    .await
    .map_err(|e| Error::Internal(format!("password check: {e}")))?;
    let user = match account {
        Some((user, _)) if matches => user,
        _ => {
            state
                .audit
                .record(event(AuditOutcome::Failure, Some("credentials_wrong")))
                .await;
            return Err(Error::CredentialsWrong);
        }
    };
    accounts::forget_attempts(&state.db, &attempts, now - SIGN_IN_WINDOW_SECS).await?;

    let session = new_bearer_token();
    accounts::create_session(
        &state.db,
        &sha256(session.expose().as_bytes()),
        user.id,
        now,
        now + SESSION_SECS,
    )
    .await?;
    state.audit.record(event(AuditOutcome::Success, None)).await;
    tracing::info!(user = user.id, "sender signed in");
    let cookie = Cookie::build((state.settings.sender_cookie(), session.expose().clone()))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(state.settings.secure_cookies)
        .max_age(time::Duration::seconds(SESSION_SECS))
        .build();
    let me = me_of(&CurrentUser(user), &state);
    Ok((jar.add(cookie), ApiJson(me)))
}

/// One `@` with something on both sides, no spaces: an address, not a stray password.
fn looks_like_address(text: &str) -> bool {
    matches!(text.split_once('@'), Some((local, domain))
        if !local.is_empty() && domain.contains('.') && !domain.contains('@'))
        && !text.chars().any(char::is_whitespace)
        && text.len() <= 254
}

/// Signs out: ends the session and clears the cookie. 204 even without one.
pub async fn sign_out(
    State(state): State<AppState>,
    jar: CookieJar,
) -> Result<(CookieJar, StatusCode)> {
    if let Some(cookie) = jar.get(state.settings.sender_cookie()) {
        accounts::delete_session(&state.db, &sha256(cookie.value().as_bytes()), store::now())
            .await?;
    }
    let removal = Cookie::build((state.settings.sender_cookie(), ""))
        .path("/")
        .secure(state.settings.secure_cookies)
        .build();
    Ok((jar.remove(removal), StatusCode::NO_CONTENT))
}

/// Who is signed in.
pub async fn me(State(state): State<AppState>, user: CurrentUser) -> ApiJson<Me> {
    ApiJson(me_of(&user, &state))
}

/// What `GET /api/v1/me` says about `user`, with this server's message size limit.
pub fn me_of(user: &CurrentUser, state: &AppState) -> Me {
    Me {
        name: user.0.name.clone(),
        address: user.0.email.clone(),
        is_admin: user.0.is_admin,
        max_message_bytes: Some(state.settings.max_message_bytes),
        read_receipts: user.0.read_receipts,
    }
}
