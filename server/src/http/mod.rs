//! The HTTP surface: the API routes, the portal's files, and what every
//! response carries (security headers, JSON errors, no secrets in logs).

mod client;
mod cors;
mod extract;
mod layers;
mod portal;

pub use client::ClientAddress;
pub use extract::{ApiJson, ApiPath};
pub use portal::{content_security_policy, inline_script_hashes};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, header};
use axum::routing::{any, get};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::AppState;
use crate::error::Error;

/// Largest JSON body the API accepts (replies with files have their own limit).
pub const JSON_BODY_LIMIT: usize = 64 * 1024;

/// The Content-Security-Policy of every response: only our own script (and
/// WebAssembly compiled from it), styles and connections; images also as
/// `data:` (inline images of sanitised mail bodies); no plugins, no framing,
/// no `<base>` tricks, forms only to ourselves.
pub const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
frame-ancestors 'none'; form-action 'self'";

/// The router: API under `/api`, the portal everywhere else.
pub fn router(state: AppState) -> Router {
    let csp = portal::content_security_policy(&state.settings.portal_dir);
    let api = Router::new()
        .route(sealmail_api::routes::HEALTH, get(health))
        .merge(
            crate::recipient::router().layer(axum::middleware::from_fn_with_state(
                state.clone(),
                crate::admin::audit::recipient_events,
            )),
        )
        .merge(crate::sender::router())
        .merge(crate::admin::router())
        .route("/api", any(api_not_found))
        .route("/api/", any(api_not_found))
        .route("/api/{*rest}", any(api_not_found))
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn(layers::require_csrf_header))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(DefaultBodyLimit::max(JSON_BODY_LIMIT))
        .with_state(state.clone());
    let api = cors::allow(api, &state.settings.cors_allow_origins);

    api.fallback_service(portal::service(&state.settings.portal_dir))
        .layer(axum::middleware::from_fn(layers::log_request))
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
    Error::NotFound("this API route does not take this method".to_owned())
}
