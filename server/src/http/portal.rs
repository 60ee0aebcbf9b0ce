//! The built portal, with the single-page-app fallback: any path that is not
//! a file gets index.html, and the portal's router takes it from there.

use std::path::Path;

use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{MethodRouter, any_service, get};
use tower_http::services::{ServeDir, ServeFile};

/// Serves `dir`, or a page saying the portal is not built if it has no index.html.
pub fn service(dir: &Path) -> MethodRouter {
    let index = dir.join("index.html");
    if index.is_file() {
        any_service(ServeDir::new(dir).fallback(ServeFile::new(index)))
    } else {
        tracing::warn!(dir = %dir.display(), "the portal is not built; serving a placeholder page");
        get(not_built)
    }
}

async fn not_built() -> impl IntoResponse {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "Sealmail's portal is not built. Build it with `trunk build --release` \
         (or `cargo xtask run`), or point --portal-dir at it. The API under /api works.\n",
    )
}

/// The CSP for this portal build: [`super::CSP`], plus the SHA-256 of each
/// inline `<script>` in index.html. Trunk's default output starts the wasm
/// with one small inline module script; allowing exactly that script by its
/// hash keeps the policy strict (no `'unsafe-inline'`: an injected script has
/// another hash). Without inline scripts the policy is [`super::CSP`] as is.
pub fn content_security_policy(dir: &Path) -> String {
    let hashes = std::fs::read_to_string(dir.join("index.html"))
        .map(|html| inline_script_hashes(&html))
        .unwrap_or_default();
    if hashes.is_empty() {
        return super::CSP.to_owned();
    }
    let extra: String = hashes.iter().map(|h| format!(" '{h}'")).collect();
    super::CSP.replacen(
        "script-src 'self' 'wasm-unsafe-eval'",
        &format!("script-src 'self' 'wasm-unsafe-eval'{extra}"),
        1,
    )
}

/// `sha256-…` (base64) of the text of every `<script>` without a `src`.
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    use base64::Engine as _;
    let lower = html.to_ascii_lowercase();
    let mut hashes = Vec::new();
    let mut at = 0;
    while let Some(start) = lower[at..].find("<script").map(|i| i + at) {
        let Some(open_end) = lower[start..].find('>').map(|i| i + start) else {
            break;
        };
        let Some(close) = lower[open_end..].find("</script").map(|i| i + open_end) else {
            break;
        };
        let tag = &lower[start..open_end];
        if !tag.contains(" src=") && !tag.contains("\nsrc=") {
            // Browsers hash the text after HTML's newline normalisation.
            let text = html[open_end + 1..close].replace("\r\n", "\n");
            let digest = crate::crypto::sha256(text.as_bytes());
            hashes.push(format!(
                "sha256-{}",
                base64::engine::general_purpose::STANDARD.encode(digest)
            ));
        }
        at = close;
    }
    hashes
}
