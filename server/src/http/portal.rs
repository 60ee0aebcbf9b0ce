//! The built portal, with the single-page-app fallback: any path that is not
//! a file gets an index.html, and the portal's router takes it from there.
//!
//! The portal is two bundles (see the portal's `src/app.rs`): the recipient's
//! in the portal folder itself and the staff's in its `staff/` folder. A staff
//! page's path ([`sealmail_api::routes::pages::is_staff`]) gets the staff
//! bundle's index.html, every other page the recipient bundle's, so a
//! recipient never downloads the sender's and administrator's pages.

use std::convert::Infallible;
use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, any_service, get};
use sealmail_api::routes::pages;
use tower::ServiceExt as _;
use tower_http::services::{ServeDir, ServeFile};

/// The staff bundle's folder, inside the portal folder (served at
/// [`pages::STAFF_BUNDLE`]).
const STAFF_DIR: &str = "staff";

/// Serves `dir`, or a page saying the portal is not built if it has no index.html.
pub fn service(dir: &Path) -> MethodRouter {
    let index = dir.join("index.html");
    if !index.is_file() {
        tracing::warn!(dir = %dir.display(), "the portal is not built; serving a placeholder page");
        return get(not_built);
    }
    let staff_index = dir.join(STAFF_DIR).join("index.html");
    if !staff_index.is_file() {
        tracing::warn!(dir = %dir.display(), "the staff bundle is not built; staff pages get the recipient bundle");
    }
    let pages = tower::service_fn(move |request: Request| {
        page_index(index.clone(), staff_index.clone(), request)
    });
    any_service(ServeDir::new(dir).fallback(pages))
}

/// The index.html of the bundle that draws the page at this request's path.
async fn page_index(
    index: PathBuf,
    staff_index: PathBuf,
    request: Request,
) -> Result<Response, Infallible> {
    let file = if pages::is_staff(request.uri().path()) && staff_index.is_file() {
        staff_index
    } else {
        index
    };
    let response = ServeFile::new(file).oneshot(request).await?;
    Ok(response.map(Body::new))
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
/// inline `<script>` in the bundles' index.html files. Trunk's default output
/// starts the wasm with one small inline module script; allowing exactly those
/// scripts by their hashes keeps the policy strict (no `'unsafe-inline'`: an
/// injected script has another hash). Without inline scripts the policy is
/// [`super::CSP`] as is.
pub fn content_security_policy(dir: &Path) -> String {
    let mut hashes: Vec<String> = [
        dir.join("index.html"),
        dir.join(STAFF_DIR).join("index.html"),
    ]
    .iter()
    .filter_map(|index| std::fs::read_to_string(index).ok())
    .flat_map(|html| inline_script_hashes(&html))
    .collect();
    hashes.dedup();
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
