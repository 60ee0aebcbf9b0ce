//! Staff single sign-on with OpenID Connect (issue 20): what the sign-in
//! page asks the server, and the two browser navigations of a sign-in
//! ([`crate::routes::OIDC_START`], [`crate::routes::OIDC_CALLBACK`]).

use serde::{Deserialize, Serialize};

/// `GET /api/v1/sign-in-options`: how staff may sign in on this server. The
/// password form is always there; single sign-on only when configured.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignInOptions {
    /// Single sign-on with the organisation's identity provider; absent
    /// when the server has none configured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub single_sign_on: Option<SingleSignOn>,
}

/// The identity provider staff may sign in with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SingleSignOn {
    /// Its name, as the sign-in button says it ("Sign in with …").
    pub provider_name: String,
}

/// `GET /api/v1/oidc/start`: query parameters. The browser is sent on to
/// the identity provider.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct SsoStart {
    /// The portal page to open once signed in (a path on this server, such
    /// as `/compose`); anything else, or nothing, opens the Sent list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

impl SsoStart {
    /// The query string (`"?next=…"`, or `""`), percent-encoded.
    pub fn to_query_string(&self) -> String {
        crate::query::query_string(&[("next", self.next.clone())])
    }
}

/// `GET /api/v1/oidc/callback`: what the identity provider sends back
/// (OpenID Connect Core §3.1.2.5 and §3.1.2.6): a `code` and the `state`,
/// or an `error`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct SsoCallback {
    /// The authorization code, to exchange for the ID token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The `state` the sign-in was started with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// The issuer that answers (RFC 9207), from providers that say it: it
    /// must be ours, or another provider is answering for it (a mix-up).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    /// The provider's error (`access_denied` when the person cancelled).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The provider's words about its error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_description: Option<String>,
}

/// The query parameter of the sign-in page ([`crate::routes::pages::SIGN_IN`])
/// that names why single sign-on failed: an [`crate::ErrorCode`], for the
/// portal to say in the reader's language. A browser that followed the
/// callback is sent there instead of being shown the JSON error.
pub const SIGN_IN_ERROR_PARAM: &str = "sso_error";
