//! `POST /api/v1/session` (sign in), `DELETE` (sign out), `GET /api/v1/me`.

use axum::extract::State;
use axum::http::StatusCode;
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use sealmail_api::sender::{Me, SignIn};

use super::SESSION_SECS;
use crate::auth::{Credential, CurrentUser, check_password};
use crate::crypto::{Secret, new_bearer_token, sha256};
use crate::error::Result;
use crate::http::{ApiJson, ClientAddress};
use crate::state::AppState;
use crate::store::{self, accounts};

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
    let user = check_password(&state, &request.email, password, &client, None, false).await?;
    let jar = open_session(&state, jar, user.id).await?;
    tracing::info!(user = user.id, "sender signed in");
    let me = me_of(&CurrentUser(user, Credential::Session), &state);
    Ok((jar, ApiJson(me)))
}

/// Opens a session for the account `user_id` and adds its cookie to `jar`:
/// where the password and single sign-on both end.
pub async fn open_session(state: &AppState, jar: CookieJar, user_id: i64) -> Result<CookieJar> {
    let now = store::now();
    let session = new_bearer_token();
    accounts::create_session(
        &state.db,
        &sha256(session.expose().as_bytes()),
        user_id,
        now,
        now + SESSION_SECS,
    )
    .await?;
    let cookie = Cookie::build((state.settings.sender_cookie(), session.expose().clone()))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(state.settings.secure_cookies)
        .max_age(time::Duration::seconds(SESSION_SECS))
        .build();
    Ok(jar.add(cookie))
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
