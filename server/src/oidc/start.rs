//! `GET /api/v1/oidc/start`: a sign-in begins. The state (hashed), nonce
//! and PKCE verifier go into the database, a cookie holding the state ties
//! the sign-in to this browser, and the browser goes to the provider.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use openidconnect::core::CoreAuthenticationFlow;
use openidconnect::{CsrfToken, Nonce, PkceCodeChallenge, Scope};
use sealmail_api::routes;
use sealmail_api::sso::SsoStart;

use super::{
    FLOW_SECS, STARTS_PER_CLIENT, back_to_sign_in, configured, flow_cookie, is_navigation,
    state_hash,
};
use crate::auth::SIGN_IN_WINDOW_SECS;
use crate::crypto::{hex, sha256};
use crate::error::{Error, Result};
use crate::http::{ApiQuery, ClientAddress};
use crate::state::AppState;
use crate::store::{self, accounts};

/// Begins a sign-in: a new state, nonce and PKCE verifier, stored; the
/// browser is sent to the provider with the state, the nonce and the
/// verifier's challenge (S256), and keeps a cookie holding the state.
/// A browser that cannot begin (rate-limited, the provider unreachable) is
/// sent back to the sign-in page with the code, as from the callback.
pub(super) async fn start(
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
