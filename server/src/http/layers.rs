//! Middleware: the anti-forgery header, request ids, and request logs
//! without secrets.

use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sealmail_api::routes::{CSRF_HEADER, CSRF_VALUE};
use tracing::Instrument as _;

use crate::auth::TokenCaller;
use crate::error::Error;

/// Refuses every state-changing request without `X-Sealmail: 1`: a
/// cross-site form cannot set a custom header. A request an API token was
/// let through with (`crate::auth::bearer`, which runs first) needs none:
/// no cookie speaks for it, and a form cannot set `Authorization` either.
pub async fn require_csrf_header(request: Request, next: Next) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) || request.extensions().get::<TokenCaller>().is_some();
    let has_header = request
        .headers()
        .get(CSRF_HEADER)
        .is_some_and(|v| v.as_bytes() == CSRF_VALUE.as_bytes());
    if safe || has_header {
        next.run(request).await
    } else {
        Error::Forbidden("state-changing requests need the header `X-Sealmail: 1`").into_response()
    }
}

/// The header that carries a request's id, in and out.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The longest incoming request id kept (`--trust-request-id`).
const MAX_REQUEST_ID: usize = 64;

/// Gives every request an id: each log line written while it is served
/// carries it (the span `request{request_id=…}`), and the response sends it
/// back in `X-Request-Id`, so a user's report or a proxy's log leads to the
/// server's lines. With `trust` (`--trust-request-id`) a proxy's id is kept
/// if it is short and plain; otherwise it is a new random one, so a client
/// cannot choose what its requests are logged under, nor put anything odd
/// into a log line.
pub async fn request_id(State(trust): State<bool>, request: Request, next: Next) -> Response {
    let id = trust
        .then(|| request.headers().get(REQUEST_ID))
        .flatten()
        .and_then(|value| value.to_str().ok())
        .filter(|id| is_plain_request_id(id))
        .map_or_else(crate::crypto::random_id, str::to_owned);
    let span = tracing::info_span!("request", request_id = %id);
    let mut response = next.run(request).instrument(span).await;
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    response
}

/// 1 to 64 letters, digits and `-_.:=+/@`: what proxies' ids (UUIDs, hex,
/// `Root=1-…` trace ids) are made of, and nothing that could break a log line.
fn is_plain_request_id(id: &str) -> bool {
    (1..=MAX_REQUEST_ID).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:=+/@".contains(&b))
}

/// Logs method, path (tokens replaced by `{token}`), status and duration;
/// never a query string, header, cookie or body.
pub async fn log_request(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = redact_path(request.uri().path());
    let started = std::time::Instant::now();
    let response = next.run(request).await;
    tracing::info!(
        %method,
        path,
        status = response.status().as_u16(),
        ms = started.elapsed().as_millis() as u64,
        "request"
    );
    response
}

/// Replaces the segment after `links` or `m` (a link token) and after
/// `attachments` with a placeholder.
pub fn redact_path(path: &str) -> String {
    let mut out = Vec::new();
    let mut redact_next = false;
    for segment in path.split('/') {
        if redact_next && !segment.is_empty() {
            out.push("{token}");
        } else {
            out.push(segment);
        }
        redact_next = matches!(segment, "links" | "m");
    }
    out.join("/")
}

#[cfg(test)]
mod tests {
    use super::{is_plain_request_id, redact_path};

    #[test]
    fn only_short_plain_request_ids_are_kept() {
        assert!(is_plain_request_id("3f2c9a1e-7b4d-4c2a-9e8f-0a1b2c3d4e5f"));
        assert!(is_plain_request_id(
            "Root=1-67891233-abcdef012345678912345678"
        ));
        assert!(!is_plain_request_id(""));
        assert!(!is_plain_request_id(&"a".repeat(65)));
        assert!(!is_plain_request_id("id with spaces"));
        assert!(!is_plain_request_id("id\"\n{\"level\":\"ERROR\"}"));
    }

    #[test]
    fn link_tokens_are_redacted_from_logged_paths() {
        assert_eq!(
            redact_path("/api/v1/links/SECRET/message"),
            "/api/v1/links/{token}/message"
        );
        assert_eq!(redact_path("/m/SECRET"), "/m/{token}");
        assert_eq!(redact_path("/api/v1/health"), "/api/v1/health");
    }
}
