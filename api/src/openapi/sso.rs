//! Staff single sign-on (OpenID Connect), as the server's `oidc` handlers
//! answer it: the sign-in page's question, and the two browser navigations.

use super::operation::{Answer, Caller::*, Operation};
use super::parts::named;
use crate::ErrorCode::*;
use crate::routes::{self, Method::*};
use crate::sender::Me;
use crate::sso::{SignInOptions, SsoCallback, SsoStart};

pub(super) fn operations() -> Vec<Operation> {
    vec![
        Operation::new(
            "sign_in_options",
            Get,
            routes::SIGN_IN_OPTIONS,
            Anyone,
            "How staff may sign in: the password, and single sign-on when configured",
        )
        .answers(Answer::Json(named::<SignInOptions>())),
        Operation::new(
            "sso_start",
            Get,
            routes::OIDC_START,
            Anyone,
            "Begin signing in with the identity provider (a browser navigation)",
        )
        .query::<SsoStart>()
        .answers(Answer::Redirect(
            "the identity provider's authorization endpoint, with the sign-in's \
             state, nonce and PKCE challenge; a cookie ties the sign-in to this browser. \
             A browser that cannot begin is sent to the sign-in page with the error \
             code in `sso_error` instead of the JSON error",
        ))
        .fails(&[NotFound, RateLimited, SsoUnavailable]),
        Operation::new(
            "sso_callback",
            Get,
            routes::OIDC_CALLBACK,
            Anyone,
            "Where the identity provider sends the browser back: signs in, sets the session cookie",
        )
        .query::<SsoCallback>()
        .answers(Answer::JsonOrRedirect(
            named::<Me>(),
            "signed in, the page the sign-in was for; refused, the sign-in page \
             with the error code in `sso_error`",
        ))
        .fails(&[
            NotFound,
            SsoStateInvalid,
            SsoTokenInvalid,
            SsoAccountRefused,
            SsoUnavailable,
        ]),
    ]
}
