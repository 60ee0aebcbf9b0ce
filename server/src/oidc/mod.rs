//! Staff single sign-on with OpenID Connect (issue 20 item 5): the
//! authorization code flow with PKCE, through the `openidconnect` crate.
//!
//! `GET` [`routes::OIDC_START`] stores the sign-in's state (hashed), nonce
//! and PKCE verifier in the database — any replica may get the callback —
//! sets a cookie tying it to this browser, and sends the browser to the
//! provider. [`routes::OIDC_CALLBACK`] ([`callback`]) takes the state out
//! once, exchanges the code with the verifier, has `openidconnect` check the
//! ID token (issuer, audience, signature, nonce, expiry), completes its
//! claims from the UserInfo endpoint if need be ([`person`]), checks the
//! address (verified, in an allowed domain), and opens the same session as
//! the password. Someone new gets a sender account (just-in-time); the
//! configured claim decides, at every sign-in, who is an administrator.

mod account;
mod callback;
mod claims;
mod http;
mod person;
mod provider;
pub mod sso;
mod start;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::Redirect;
use axum::routing::get;
use axum_extra::extract::cookie::{Cookie, SameSite};
use sealmail_api::ErrorCode;
use sealmail_api::routes;
use sealmail_api::sso::{SIGN_IN_ERROR_PARAM, SignInOptions, SingleSignOn};

use crate::crypto::{hex, sha256};
use crate::error::{Error, Result};
use crate::http::ApiJson;
use crate::state::{AppState, Settings};

pub use claims::AdminClaim;
pub use sso::Sso;

/// How long a sign-in may take at the provider (typing a password, a second
/// factor) before its state is no longer taken.
pub const FLOW_SECS: i64 = 10 * 60;

/// Sign-ins one client (an address, an IPv6 /64) may begin in [`FLOW_SECS`]:
/// plenty for an office behind one address, and a bound on the unfinished
/// ones anyone can leave in the database.
pub const STARTS_PER_CLIENT: i64 = 60;

/// The single sign-on routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(routes::SIGN_IN_OPTIONS, get(options))
        .route(routes::OIDC_START, get(start::start))
        .route(routes::OIDC_CALLBACK, get(callback::callback))
}

/// How staff may sign in.
async fn options(State(state): State<AppState>) -> ApiJson<SignInOptions> {
    ApiJson(SignInOptions {
        single_sign_on: state.sso.as_ref().map(|sso| SingleSignOn {
            provider_name: sso.provider_name.clone(),
        }),
    })
}

/// Whether the request is a browser's navigation (it asks for HTML first):
/// then a refusal is a page, not JSON.
fn is_navigation(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"))
}

/// The sign-in page, saying why single sign-on did not work (`?sso_error=`).
fn back_to_sign_in(code: ErrorCode) -> Redirect {
    Redirect::to(&format!(
        "{}?{SIGN_IN_ERROR_PARAM}={code}",
        routes::pages::SIGN_IN
    ))
}

/// Single sign-on, or `not_found` when it is not configured.
fn configured(state: &AppState) -> Result<&Sso> {
    state
        .sso
        .as_deref()
        .ok_or_else(|| Error::NotFound("single sign-on is not configured".to_owned()))
}

/// The key a state is stored under: its SHA-256, so the table holds nothing
/// a callback could be made from.
fn state_hash(state: &str) -> String {
    hex(&sha256(state.as_bytes()))
}

/// The cookie that ties a sign-in to the browser that began it, holding
/// the state (`value`). `Lax`, not `Strict`: it must come back with the
/// provider's redirect, a top-level navigation from another site. Only
/// sent to the callback; it lasts as long as the sign-in may.
fn flow_cookie(settings: &Settings, value: String) -> Cookie<'static> {
    Cookie::build((flow_cookie_name(settings), value))
        .path(routes::OIDC_CALLBACK)
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(settings.secure_cookies)
        .max_age(time::Duration::seconds(FLOW_SECS))
        .build()
}

/// The flow cookie's name: `__Secure-` prefixed over https.
fn flow_cookie_name(settings: &Settings) -> &'static str {
    if settings.https {
        routes::OIDC_FLOW_COOKIE_HTTPS
    } else {
        routes::OIDC_FLOW_COOKIE
    }
}
