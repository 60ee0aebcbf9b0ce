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
