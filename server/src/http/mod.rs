//! What every area's HTTP handlers share: extractors and body helpers, paging,
//! the client's address, the middleware (anti-forgery header, request logs,
//! CORS), the portal's files, the API's OpenAPI document, and accepting
//! connections. The router that puts the areas together is
//! `app` in `lib.rs`; nothing here imports an area.

mod client;
pub mod cors;
mod extract;
pub mod layers;
pub mod listen;
pub mod openapi;
pub mod paging;
pub mod portal;
mod prefetch;

pub use client::ClientAddress;

use axum::http::Method;

/// A request's method as logs, metrics and the audit name it: a client may
/// send any token as a method, so anything unusual is `other` (it can then
/// neither grow the metrics' series nor write its own text into the audit).
pub fn method_name(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}
pub use extract::{ApiJson, ApiPath, ApiQuery, RawBody, body_bytes, optional_json};
pub use portal::{content_security_policy, inline_script_hashes};

/// Largest JSON body the API accepts (replies with files have their own limit).
pub const JSON_BODY_LIMIT: usize = 64 * 1024;

/// The Content-Security-Policy of every response: only our own script (and
/// WebAssembly compiled from it), styles and connections; images also as
/// `data:` (inline images of sanitised mail bodies); no plugins, no framing,
/// no `<base>` tricks, forms only to ourselves.
pub const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
frame-ancestors 'none'; form-action 'self'";

#[cfg(test)]
mod tests {
    use axum::http::Method;

    #[test]
    fn unusual_methods_share_one_name() {
        assert_eq!(super::method_name(&Method::GET), "GET");
        let made_up = Method::from_bytes(b"X-TOKEN-abc123").unwrap();
        assert_eq!(super::method_name(&made_up), "other");
    }
}
