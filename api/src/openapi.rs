//! The API's OpenAPI 3.1 description (the `openapi` feature), generated from
//! this crate: the schemas are derived from the wire types (`utoipa`), the
//! operations come from one table per area (`recipient.rs`, `sender.rs`,
//! `admin.rs`, `tokens.rs`, `sso.rs`, and [`server`] here), whose routes are exactly
//! [`crate::routes::ALL`] (`api/tests/openapi.rs`). The server serves it at
//! [`crate::routes::OPENAPI`].
//!
//! The operations are tables here rather than `#[utoipa::path]` on the
//! handlers: the handlers live in the server, the contract in this crate,
//! and a table lets the shape of an operation (its caller, method, path and
//! body) add the security and the error codes that shape implies, so no
//! entry can forget them. Each entry lists only its own codes, read from
//! its handler.

mod admin;
mod operation;
mod parts;
mod recipient;
mod sender;
mod sso;
mod tokens;

use std::collections::BTreeMap;

use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::tag::Tag;
use utoipa::openapi::{Components, Info, License, OpenApi, OpenApiBuilder, PathItem, Paths, RefOr};

use crate::ErrorCode;
use crate::routes::{
    CSRF_HEADER, CSRF_VALUE, RECIPIENT_SESSION_COOKIE, RECIPIENT_SESSION_COOKIE_HTTPS,
    SENDER_SESSION_COOKIE, SENDER_SESSION_COOKIE_HTTPS,
};
use crate::tokens::TOKEN_PREFIX;

use operation::{Answer, Caller, Operation};
use parts::Registry;

/// The name of the security scheme of a recipient's link session.
const RECIPIENT_SESSION: &str = "recipient_session";
/// The name of the security scheme of a sender's (or administrator's) session.
const SENDER_SESSION: &str = "sender_session";
/// The name of the security scheme of the anti-forgery header.
const ANTI_FORGERY: &str = "anti_forgery";
/// The name of the security scheme of an API token (`Authorization: Bearer`).
const API_TOKEN: &str = "api_token";

/// The whole document: every route of [`crate::routes::ALL`], every schema
/// they use, and every [`ErrorCode`].
pub fn document() -> OpenApi {
    let mut registry = Registry::default();
    let mut paths = Paths::builder();
    let mut tags = Vec::new();
    for (tag, description, operations) in areas() {
        tags.push(
            Tag::builder()
                .name(tag)
                .description(Some(description))
                .build(),
        );
        for operation in operations {
            let (method, path, built) = operation.build(tag, &mut registry);
            // A second method on a path joins the first.
            paths = paths.path(path, PathItem::new(method, built));
        }
    }
    let mut components = Components::new();
    components.schemas = registry.into_schemas();
    components.security_schemes = security_schemes();
    OpenApiBuilder::new()
        .info(
            Info::builder()
                .title("Sealmail API")
                .version(env!("CARGO_PKG_VERSION"))
                .description(Some(description()))
                .license(Some(
                    License::builder()
                        .name("AGPL-3.0-or-later")
                        .identifier(Some("AGPL-3.0-or-later"))
                        .build(),
                )),
        )
        .paths(paths)
        .components(Some(components))
        .tags(Some(tags))
        .build()
}

/// The areas, each a tag: its name, what it holds, its operations.
fn areas() -> [(&'static str, &'static str, Vec<Operation>); 6] {
    [
        (
            "recipient",
            "A recipient: open a link, get a passcode, read, reply",
            recipient::operations(),
        ),
        (
            "sender",
            "A sender: sign in, compose, the Sent list, revoke, the expiry",
            sender::operations(),
        ),
        (
            "admin",
            "An administrator: status, trace, report, audit, branding, mail-flow rules",
            admin::operations(),
        ),
        (
            "tokens",
            "A signed-in user's API tokens, managed with a browser session only",
            tokens::operations(),
        ),
        (
            "sso",
            "Staff single sign-on with the organisation's identity provider (OpenID Connect)",
            sso::operations(),
        ),
        ("server", "The server itself", server()),
    ]
}

/// The server's own operations.
fn server() -> Vec<Operation> {
    use crate::routes::{self, Method::Get};
    vec![
        Operation::new(
            "health",
            Get,
            routes::HEALTH,
            Caller::Anyone,
            "`\"ok\"` while the server runs",
        )
        .answers(Answer::Text("ok")),
        Operation::new(
            "openapi",
            Get,
            routes::OPENAPI,
            Caller::Anyone,
            "This document",
        )
        .answers(Answer::OpenApi),
    ]
}

/// The document's introduction: the error model, with every code and its status.
fn description() -> String {
    let mut text = String::from(
        "Sealmail's JSON API, generated from its `api` crate. Every failing call \
         answers an `ErrorBody`: pick what to do by its `code`, never by the HTTP \
         status or the `message`. Each operation lists the codes it can answer. \
         A path here called with a method it does not take answers 405 \
         `method_not_allowed`; a path under `/api/` that is not here answers 404 \
         `not_found`.\n\nA script may call the sender and admin operations that \
         list the `api_token` scheme with `Authorization: Bearer <token>` instead \
         of a session (and needs no anti-forgery header then): the token needs \
         the scope the operation names, and the account must still be allowed \
         (an administrator, on the admin API). A request with a token is decided \
         by the token alone: `token_invalid` if it is malformed, unknown, expired \
         or revoked, `token_scope` if it lacks the scope or the route takes no \
         token (every operation without `api_token`).\n\n| code | status |\n| --- | --- |\n",
    );
    for code in ErrorCode::ALL {
        text.push_str(&format!("| `{code}` | {} |\n", code.http_status()));
    }
    text
}

/// The two session cookies, the anti-forgery header and API tokens.
fn security_schemes() -> BTreeMap<String, RefOr<SecurityScheme>> {
    let cookie = |name: &str, description: String| {
        RefOr::T(SecurityScheme::ApiKey(ApiKey::Cookie(
            ApiKeyValue::with_description(name.to_owned(), description),
        )))
    };
    BTreeMap::from([
        (
            RECIPIENT_SESSION.to_owned(),
            cookie(
                RECIPIENT_SESSION_COOKIE,
                format!(
                    "A recipient's session for one link, set (HttpOnly, SameSite=Strict, \
                     scoped to the link's API path) by a correct passcode. Named \
                     `{RECIPIENT_SESSION_COOKIE_HTTPS}` when the portal is served over https."
                ),
            ),
        ),
        (
            SENDER_SESSION.to_owned(),
            cookie(
                SENDER_SESSION_COOKIE,
                format!(
                    "A sender's or administrator's session, set (HttpOnly, SameSite=Strict, \
                     path `/`) by signing in. Named `{SENDER_SESSION_COOKIE_HTTPS}` when the \
                     portal is served over https."
                ),
            ),
        ),
        (
            API_TOKEN.to_owned(),
            RefOr::T(SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format(format!("{TOKEN_PREFIX}…"))
                    .description(Some(format!(
                        "An API token, made by `sealmail token create` or on the portal's \
                         API tokens page: `{TOKEN_PREFIX}` and 43 base64url characters. \
                         An operation names the scope it needs: `send`, `status`, \
                         `revoke` or `admin` (none: any token)."
                    )))
                    .build(),
            )),
        ),
        (
            ANTI_FORGERY.to_owned(),
            RefOr::T(SecurityScheme::ApiKey(ApiKey::Header(
                ApiKeyValue::with_description(
                    CSRF_HEADER.to_owned(),
                    format!(
                        "Every request but `GET` must carry `{CSRF_HEADER}: {CSRF_VALUE}`, \
                         which a cross-site form cannot set; without it the answer is 403 \
                         `forbidden`."
                    ),
                ),
            ))),
        ),
    ])
}
