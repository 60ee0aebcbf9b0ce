//! Sealmail's server: the recipient, sender and admin API, the portal's files,
//! the message store, and the `sealmail` commands. `main.rs` only parses the
//! command line; [`app`] puts the areas' routers together, and nothing below
//! imports it back.

pub mod admin;
pub mod audit;
pub mod auth;
pub mod blobs;
pub mod branding;
pub mod commands;
pub mod config;
pub mod crypto;
pub mod error;
pub mod files;
pub mod http;
pub mod ingress;
pub mod logging;
pub mod mail;
pub mod mailflow;
pub mod messages;
pub mod metrics;
pub mod oidc;
pub mod recipient;
pub mod sanitize;
pub mod sender;
pub mod state;
pub mod store;
pub mod tokens;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, header};
use axum::routing::{any, get};
use tower_http::set_header::SetResponseHeaderLayer;

pub use error::Error;
pub use state::{AppState, Settings};

use crate::http::{CSP, JSON_BODY_LIMIT, cors, layers, portal};

/// The whole HTTP application: the API under `/api` (each area's routes, the
/// recipient's behind its access audit; API tokens checked against the
/// route before the anti-forgery header), the portal everywhere else, and
/// the security headers on every response.
pub fn app(state: AppState) -> Router {
    let csp = portal::content_security_policy(&state.settings.portal_dir);
    let api = Router::new()
        .route(sealmail_api::routes::HEALTH, get(health))
        .route(sealmail_api::routes::OPENAPI, get(http::openapi::document))
        .merge(recipient::router(state.clone()))
        .merge(sender::router())
        .merge(admin::router())
        .merge(branding::router())
        .merge(tokens::router())
        .merge(oidc::router())
        .route("/api", any(api_not_found))
        .route("/api/", any(api_not_found))
        .route("/api/{*rest}", any(api_not_found))
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn(layers::require_csrf_header))
        // Before the anti-forgery check: a request it lets through with an
        // API token needs no anti-forgery header.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::bearer::authenticate,
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(DefaultBodyLimit::max(JSON_BODY_LIMIT))
        .with_state(state.clone());
    let api = cors::allow(api, &state.settings.cors_allow_origins);

    // Served over https: browsers keep to https for a year (RFC 6797), so a
    // link typed or followed as http:// never goes out in the clear again.
    let hsts = state
        .settings
        .https
        .then(|| header_layer(header::STRICT_TRANSPORT_SECURITY, "max-age=31536000"));
    // Counted by route template, so it must see the route that matched:
    // a layer of the router (each route and the fallback), not around it.
    let count = state
        .settings
        .metrics
        .then(|| axum::middleware::from_fn(metrics::track_request));
    api.fallback_service(portal::service(&state.settings.portal_dir))
        .layer(tower::util::option_layer(count))
        .layer(axum::middleware::from_fn(layers::log_request))
        .layer(axum::middleware::from_fn_with_state(
            state.settings.trust_request_id,
            layers::request_id,
        ))
        .layer(tower::util::option_layer(hsts))
        // The policy and framing rule are set unless a response brings its
        // own: only the message body's document does (recipient/body.rs: a
        // sandboxed policy of its own, framed by the portal). Nothing else
        // in the router sets either header.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_str(&csp).unwrap_or(HeaderValue::from_static(CSP)),
        ))
        .layer(header_layer(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(header_layer(header::REFERRER_POLICY, "no-referrer"))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
}

fn header_layer(name: HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::overriding(name, HeaderValue::from_static(value))
}

async fn health() -> axum::Json<&'static str> {
    axum::Json("ok")
}

async fn api_not_found() -> Error {
    Error::NotFound("no such API route".to_owned())
}

async fn method_not_allowed() -> Error {
    Error::MethodNotAllowed
}
