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
