//! Middleware: the anti-forgery header, and request logs without secrets.

use axum::extract::Request;
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sealmail_api::routes::{CSRF_HEADER, CSRF_VALUE};

use crate::error::Error;

/// Refuses every state-changing request without `X-Sealmail: 1`: a
/// cross-site form cannot set a custom header.
pub async fn require_csrf_header(request: Request, next: Next) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
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
    use super::redact_path;

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
