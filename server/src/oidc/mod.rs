//! Staff single sign-on with OpenID Connect (issue 20 item 5): the
//! authorization code flow with PKCE, through the `openidconnect` crate.
//!
//! `GET` [`routes::OIDC_START`] stores the sign-in's state (hashed), nonce
//! and PKCE verifier in the database — any replica may get the callback —
//! sets a cookie tying it to this browser, and sends the browser to the
//! provider. [`routes::OIDC_CALLBACK`] ([`callback`]) takes the state out
//! once, exchanges the code with the verifier, has `openidconnect` check the
//! ID token (issuer, audience, signature, nonce, expiry), checks the address
//! (verified, in an allowed domain), and opens the same session as the
//! password. Someone new gets a sender account (just-in-time); the
//! configured claim decides, at every sign-in, who is an administrator.

mod callback;
mod claims;
mod http;
mod provider;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use openidconnect::core::CoreAuthenticationFlow;
use openidconnect::{
    ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, PkceCodeChallenge, RedirectUrl, Scope,
};
use sealmail_api::ErrorCode;
use sealmail_api::routes;
use sealmail_api::sso::{SIGN_IN_ERROR_PARAM, SignInOptions, SingleSignOn, SsoStart};

use crate::auth::SIGN_IN_WINDOW_SECS;
use crate::config::OidcConfig;
use crate::crypto::{hex, sha256};
use crate::error::{Error, Result};
use crate::http::{ApiJson, ApiQuery, ClientAddress};
use crate::state::{AppState, Settings};
use crate::store::{self, accounts};

pub use claims::AdminClaim;

/// How long a sign-in may take at the provider (typing a password, a second
/// factor) before its state is no longer taken.
pub const FLOW_SECS: i64 = 10 * 60;

/// Sign-ins one client (an address, an IPv6 /64) may begin in [`FLOW_SECS`]:
/// plenty for an office behind one address, and a bound on the unfinished
/// ones anyone can leave in the database.
pub const STARTS_PER_CLIENT: i64 = 60;

/// Single sign-on as configured (`--oidc-*`).
#[derive(Debug)]
pub struct Sso {
    provider: provider::Provider,
    /// The name on the sign-in button.
    provider_name: String,
    /// Scopes asked for beside `openid`.
    scopes: Vec<String>,
    /// The e-mail domains whose people may sign in, lower case.
    allowed_domains: Vec<String>,
    /// What makes an administrator, if anything.
    admin: Option<AdminClaim>,
}

impl Sso {
    /// Single sign-on from the configuration, or `None` when no issuer is set.
    pub fn from_config(config: &OidcConfig, public_url: &str) -> Result<Option<Self>> {
        let Some(issuer) = &config.oidc_issuer else {
            return Ok(None);
        };
        let invalid = |what: &str| Error::InvalidRequest(format!("single sign-on: {what}"));
        let client_id = config
            .oidc_client_id
            .clone()
            .ok_or_else(|| invalid("--oidc-client-id is missing"))?;
        let allowed_domains: Vec<String> = config
            .oidc_allowed_domains
            .iter()
            .map(|d| d.trim().trim_start_matches('@').to_lowercase())
            .filter(|d| !d.is_empty())
            .collect();
        if allowed_domains.is_empty() {
            return Err(invalid("--oidc-allowed-domains names no domain"));
        }
        // Discovery compares the issuer as a string: keep it as configured,
        // without the slash `Url` adds to a bare host.
        let issuer_text = issuer.as_str().trim_end_matches('/').to_owned();
        let issuer =
            IssuerUrl::new(issuer_text).map_err(|e| invalid(&format!("--oidc-issuer: {e}")))?;
        let redirect = RedirectUrl::new(format!("{public_url}{}", routes::OIDC_CALLBACK))
            .map_err(|e| invalid(&format!("the callback URL: {e}")))?;
        let provider_name = config.oidc_provider_name.clone().unwrap_or_else(|| {
            issuer
                .url()
                .host_str()
                .unwrap_or("single sign-on")
                .to_owned()
        });
        let provider = provider::Provider::new(
            issuer,
            ClientId::new(client_id),
            config
                .oidc_client_secret
                .as_ref()
                .map(|s| ClientSecret::new(s.0.expose().clone())),
            redirect,
        )
        .map_err(Error::Internal)?;
        Ok(Some(Sso {
            provider,
            provider_name,
            scopes: config.oidc_scopes.clone(),
            allowed_domains,
            admin: AdminClaim::from_config(config),
        }))
    }
}

/// The single sign-on routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(routes::SIGN_IN_OPTIONS, get(options))
        .route(routes::OIDC_START, get(start))
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

/// Begins a sign-in: a new state, nonce and PKCE verifier, stored; the
/// browser is sent to the provider with the state, the nonce and the
/// verifier's challenge (S256), and keeps a cookie holding the state.
/// A browser that cannot begin (rate-limited, the provider unreachable) is
/// sent back to the sign-in page with the code, as from the callback.
async fn start(
    State(state): State<AppState>,
    client: ClientAddress,
    headers: HeaderMap,
    jar: CookieJar,
    ApiQuery(query): ApiQuery<SsoStart>,
) -> Response {
    match begin(&state, &client, jar, query).await {
        Ok(answer) => answer.into_response(),
        Err(error) if is_navigation(&headers) => {
            tracing::debug!(code = %error.code(), "single sign-on not begun");
            back_to_sign_in(error.code()).into_response()
        }
        Err(error) => error.into_response(),
    }
}

async fn begin(
    state: &AppState,
    client: &ClientAddress,
    jar: CookieJar,
    query: SsoStart,
) -> Result<(CookieJar, Redirect)> {
    let sso = configured(state)?;
    let now = store::now();
    count_start(state, client, now).await?;
    let client = sso.provider.client().await.map_err(|why| {
        tracing::warn!(%why, "single sign-on: the identity provider is unavailable");
        Error::SsoUnavailable
    })?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut request = client.authorize_url(
        CoreAuthenticationFlow::AuthorizationCode,
        CsrfToken::new_random,
        Nonce::new_random,
    );
    for scope in &sso.scopes {
        request = request.add_scope(Scope::new(scope.clone()));
    }
    let (url, csrf, nonce) = request.set_pkce_challenge(challenge).url();
    let flow = store::oidc::Flow {
        nonce: nonce.secret().clone(),
        pkce_verifier: verifier.secret().clone(),
        next_page: safe_next(query.next),
    };
    store::oidc::begin(
        &state.db,
        &state_hash(csrf.secret()),
        &flow,
        now,
        now + FLOW_SECS,
    )
    .await?;
    let cookie = flow_cookie(&state.settings, csrf.secret().clone());
    Ok((jar.add(cookie), Redirect::to(url.as_str())))
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

/// Counts a sign-in begun by `client` (one conditional INSERT into the
/// sign-in counters), or refuses it past [`STARTS_PER_CLIENT`]; and drops
/// counts older than any window.
async fn count_start(state: &AppState, client: &ClientAddress, now: i64) -> Result<()> {
    let from = client.limit_key().unwrap_or_else(|| "unknown".to_owned());
    let key = hex(&sha256(format!("oidc-start:{from}").as_bytes()));
    accounts::forget_attempts(&state.db, &[], now - SIGN_IN_WINDOW_SECS.max(FLOW_SECS)).await?;
    match accounts::attempt_if_under_limit(&state.db, &key, now, FLOW_SECS, STARTS_PER_CLIENT)
        .await?
    {
        Some(_) => Ok(()),
        None => Err(Error::TooManySsoStarts {
            retry_after_secs: accounts::retry_after(&state.db, &key, now, FLOW_SECS).await?,
        }),
    }
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

/// A `next` page that stays on this portal (a path, not `//host`, a URL or
/// the API), else the Sent list: the sign-in cannot be used to send someone
/// elsewhere.
fn safe_next(next: Option<String>) -> String {
    match next {
        Some(next)
            if next.starts_with('/')
                && !next.starts_with("//")
                && !next.starts_with("/api/")
                && !next.contains('\\')
                && !next.chars().any(char::is_control)
                && next.len() <= 2000 =>
        {
            next
        }
        _ => routes::pages::SENT.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn the_page_after_signing_in_stays_on_the_portal() {
        assert_eq!(safe_next(Some("/compose".into())), "/compose");
        assert_eq!(
            safe_next(Some("/admin/audit?kind=sign_in".into())),
            "/admin/audit?kind=sign_in"
        );
        for elsewhere in [
            "https://evil.example/",
            "//evil.example/",
            "/\\evil.example",
            "/api/v1/session",
            "/x\r\nLocation: https://evil.example",
            "",
        ] {
            assert_eq!(safe_next(Some(elsewhere.into())), "/sent", "{elsewhere:?}");
        }
        assert_eq!(safe_next(None), "/sent");
    }
}
