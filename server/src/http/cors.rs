//! Cross-origin calls to the API, only when configured (`--cors-allow-origin`).
//!
//! The portal is normally served by this server, so its calls are same-origin
//! and need no CORS. A portal page served from another origin (the browser
//! tests' runner) needs the browser to send the session cookie and read the
//! answer: that takes CORS with credentials, and then only exact origins are
//! safe — never `*`, which browsers refuse with credentials anyway.

use axum::Router;
use axum::http::{HeaderName, HeaderValue, Method, header};
use axum::response::Response;
use sealmail_api::routes::CSRF_HEADER;
use tower_http::cors::{AllowOrigin, CorsLayer};

/// `router` answering CORS requests from `origins`; unchanged (no CORS headers
/// at all, not even `Vary`) when there are none.
pub fn allow<S>(router: Router<S>, origins: &[String]) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    match layer(origins) {
        Some(layer) => router
            .layer(layer)
            .layer(axum::middleware::map_response(only_for_an_allowed_origin)),
        None => router,
    }
}

/// tower-http leaves out only `Allow-Origin` for an origin it does not allow
/// (which is what makes the browser refuse) and still sends the rest; drop
/// the rest too, so another origin gets no CORS headers at all.
async fn only_for_an_allowed_origin(mut response: Response) -> Response {
    let headers = response.headers_mut();
    if !headers.contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN) {
        for name in [
            header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            header::ACCESS_CONTROL_ALLOW_METHODS,
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            header::ACCESS_CONTROL_MAX_AGE,
        ] {
            headers.remove(name);
        }
    }
    response
}

fn layer(origins: &[String]) -> Option<CorsLayer> {
    let origins: Vec<HeaderValue> = origins
        .iter()
        // Validated by the configuration (`config::parse_origin`); a wildcard
        // can never get here.
        .filter(|origin| origin.as_str() != "*")
        .filter_map(|origin| HeaderValue::from_str(origin).ok())
        .collect();
    if origins.is_empty() {
        return None;
    }
    Some(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(origins))
            .allow_credentials(true)
            // The anti-forgery header every state-changing call carries, and JSON bodies.
            .allow_headers([HeaderName::from_static(CSRF_HEADER), header::CONTENT_TYPE])
            .allow_methods([
                Method::GET,
                Method::POST,
                Method::PUT,
                Method::PATCH,
                Method::DELETE,
            ]),
    )
}
