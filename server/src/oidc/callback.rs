//! `GET /api/v1/oidc/callback`: where the identity provider sends the
//! browser back. Every refusal is audited (`sign_in`, failure, `detail` the
//! error code and why) and answered with its `sso_*` code: as JSON, or — to
//! a browser, which followed a redirect and would otherwise be shown raw
//! JSON — as a 303 to the sign-in page with the code in `?sso_error=`, for
//! the portal to say in the reader's language.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use openidconnect::{
    AuthorizationCode, ClaimsVerificationError, Nonce, OAuth2TokenResponse as _, PkceCodeVerifier,
    RequestTokenError, TokenResponse as _,
};
use sealmail_api::admin::{AuditKind, AuditOutcome};
use sealmail_api::sso::SsoCallback;
use subtle::ConstantTimeEq as _;

use super::claims::allowed_address;
use super::provider::chain;
use super::{
    Sso, back_to_sign_in, configured, flow_cookie, flow_cookie_name, is_navigation, state_hash,
};
use crate::auth::{Credential, CurrentUser};
use crate::error::Error;
use crate::http::{ApiJson, ApiQuery, ClientAddress};
use crate::state::AppState;
use crate::store::{self, audit::NewEvent, users::UserRow};

/// A refused sign-in: the error the caller gets, and why, for the audit.
struct Refused {
    error: Error,
    why: String,
    /// The address the provider vouched for, once known.
    email: Option<String>,
}

fn refused(error: Error, why: impl Into<String>) -> Refused {
    Refused {
        error,
        why: why.into(),
        email: None,
    }
}

/// A signed-in account, and what the audit says about the sign-in.
struct SignedIn {
    user: UserRow,
    next_page: String,
    detail: String,
}

pub(super) async fn callback(
    State(state): State<AppState>,
    client: ClientAddress,
    headers: HeaderMap,
    jar: CookieJar,
    ApiQuery(query): ApiQuery<SsoCallback>,
) -> Response {
    let browser = is_navigation(&headers);
    let sso = match configured(&state) {
        Ok(sso) => sso,
        Err(error) => return error.into_response(),
    };
    let outcome = finish(&state, sso, &jar, query).await;
    // The state is spent either way: the browser may drop its cookie.
    let jar = jar.remove(flow_cookie(&state.settings, String::new()));
    let event = |outcome, actor: Option<String>, detail: String| NewEvent {
        kind: AuditKind::SignIn,
        outcome,
        message_id: None,
        recipient: None,
        actor,
        client_address: client.0.clone(),
        detail: Some(detail),
    };
    match outcome {
        Ok(signed_in) => {
            let jar = match crate::sender::open_session(&state, jar, signed_in.user.id).await {
                Ok(jar) => jar,
                Err(error) => return error.into_response(),
            };
            tracing::info!(user = signed_in.user.id, "signed in with single sign-on");
            state
                .audit
                .record(event(
                    AuditOutcome::Success,
                    Some(signed_in.user.email.clone()),
                    signed_in.detail,
                ))
                .await;
            if browser {
                (jar, Redirect::to(&signed_in.next_page)).into_response()
            } else {
                let me =
                    crate::sender::me_of(&CurrentUser(signed_in.user, Credential::Session), &state);
                (jar, ApiJson(me)).into_response()
            }
        }
        Err(refusal) => {
            let code = refusal.error.code();
            let why = audit_text(&refusal.why);
            // The error itself too: a database failure's details are only here.
            tracing::warn!(%code, %why, error = %refusal.error, "single sign-on refused");
            state
                .audit
                .record(event(
                    AuditOutcome::Failure,
                    refusal.email,
                    format!("{code}: {why} (oidc)"),
                ))
                .await;
            if browser {
                (jar, back_to_sign_in(code)).into_response()
            } else {
                (jar, refusal.error).into_response()
            }
        }
    }
}

/// Checks the callback and signs the person in, or says why not.
async fn finish(
    state: &AppState,
    sso: &Sso,
    jar: &CookieJar,
    query: SsoCallback,
) -> Result<SignedIn, Refused> {
    if let Some(error) = query.error {
        let description = query.error_description.unwrap_or_default();
        return Err(refused(
            Error::SsoUnavailable,
            format!("the provider answered {error}: {description}"),
        ));
    }
    let Some(state_value) = query.state.filter(|s| !s.is_empty()) else {
        return Err(refused(Error::SsoStateInvalid, "the callback has no state"));
    };
    // The state must be the one this browser began with: a code and state
    // planted in someone else's browser (login CSRF) have no cookie there.
    let cookie = jar
        .get(flow_cookie_name(&state.settings))
        .map(|c| c.value().to_owned())
        .unwrap_or_default();
    if !bool::from(cookie.as_bytes().ct_eq(state_value.as_bytes())) {
        return Err(refused(
            Error::SsoStateInvalid,
            "the state is not the one this browser began with",
        ));
    }
    let now = store::now();
    let flow = store::oidc::take(&state.db, &state_hash(&state_value), now)
        .await
        .map_err(|e| refused(e, "reading the sign-in's state"))?
        .ok_or_else(|| {
            refused(
                Error::SsoStateInvalid,
                "the state is unknown, already used or expired",
            )
        })?;
    let code = query
        .code
        .filter(|c| !c.is_empty())
        .ok_or_else(|| refused(Error::SsoUnavailable, "the callback has no code"))?;
    // A provider that names itself (RFC 9207) must be ours: otherwise another
    // provider is answering for this sign-in (a mix-up), and its code is not
    // sent to our token endpoint.
    if let Some(iss) = query.iss
        && iss != sso.provider.issuer()
    {
        return Err(refused(
            Error::SsoTokenInvalid,
            format!("the callback names another issuer: {iss}"),
        ));
    }

    let client = sso
        .provider
        .client()
        .await
        .map_err(|why| refused(Error::SsoUnavailable, why))?;
    let http = &sso.provider.http;
    let tokens = client
        .exchange_code(AuthorizationCode::new(code))
        .map_err(|e| refused(Error::SsoUnavailable, chain(&e)))?
        .set_pkce_verifier(PkceCodeVerifier::new(flow.pkce_verifier))
        .request_async(http)
        .await
        .map_err(|e| match &e {
            // The provider refused the code (another provider's, used, or
            // not for this verifier), or sent what is no token.
            RequestTokenError::ServerResponse(answer) => refused(
                Error::SsoTokenInvalid,
                format!("the provider refused the code: {}", answer.error()),
            ),
            RequestTokenError::Parse(..) => refused(Error::SsoTokenInvalid, chain(&e)),
            _ => refused(Error::SsoUnavailable, chain(&e)),
        })?;
    let id_token = tokens
        .id_token()
        .ok_or_else(|| refused(Error::SsoTokenInvalid, "the provider sent no ID token"))?;
    // Issuer, audience (and `azp`), signature by one of the issuer's keys
    // with an algorithm it announces, expiry, and our nonce. `at_hash` is
    // optional in the code flow (OpenID Connect Core §3.1.3.6): the access
    // token came straight from the token endpoint.
    let verifier = client.id_token_verifier();
    let claims = match id_token.claims(&verifier, &Nonce::new(flow.nonce)) {
        Ok(claims) => claims,
        Err(error) => {
            if matches!(error, ClaimsVerificationError::SignatureVerification(_)) {
                // A key rotated in since discovery: the next sign-in fetches
                // the keys again rather than waiting out the cache.
                sso.provider.forget_metadata().await;
            }
            return Err(refused(Error::SsoTokenInvalid, token_refusal(&error)));
        }
    };

    let person = super::person::person(sso, &client, claims, tokens.access_token())
        .await
        .map_err(|why| refused(Error::SsoUnavailable, why))?;
    let email = allowed_address(
        person.email.as_deref(),
        person.email_verified,
        &sso.allowed_domains,
    )
    .map_err(|why| Refused {
        error: Error::SsoAccountRefused,
        why: why.as_str().to_owned(),
        email: person.email.as_ref().map(|e| audit_text(&e.to_lowercase())),
    })?;
    let is_admin = sso
        .admin
        .as_ref()
        .map(|admin| admin.grants(person.admin_claim.as_ref()));
    let name = person.name;

    let (user, made) = super::account::sign_in(state, &email, name.as_deref(), is_admin, now)
        .await
        .map_err(|error| Refused {
            error,
            why: "storing the account".to_owned(),
            email: Some(email.clone()),
        })?;
    let mut detail = "oidc".to_owned();
    if made {
        detail.push_str(", account created");
    }
    if user.is_admin {
        detail.push_str(", administrator");
    }
    Ok(SignedIn {
        user,
        next_page: flow.next_page,
        detail,
    })
}

/// Why the ID token was refused, in a few words for the audit.
fn token_refusal(error: &ClaimsVerificationError) -> String {
    let what = match error {
        ClaimsVerificationError::InvalidIssuer(_) => "the ID token is from another issuer",
        ClaimsVerificationError::InvalidAudience(_) => "the ID token is for another audience",
        ClaimsVerificationError::SignatureVerification(_) => {
            "the ID token's signature does not verify"
        }
        ClaimsVerificationError::InvalidNonce(_) => "the ID token's nonce is not this sign-in's",
        ClaimsVerificationError::Expired(_) => "the ID token has expired",
        _ => "the ID token is not valid",
    };
    format!("{what} ({})", chain(error))
}

/// What the provider or an error said, made fit for the audit and the log:
/// one line, no control characters, at most 300 characters (a provider's
/// `error_description`, and the callback's query with it, is text of anyone's
/// choosing).
fn audit_text(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(300)
        .collect()
}
