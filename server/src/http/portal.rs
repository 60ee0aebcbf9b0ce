//! The built portal, with the single-page-app fallback: any path that is not
//! a file gets an index.html, and the portal's router takes it from there.
//!
//! The portal is three bundles (see the portal's `src/app.rs`): the
//! recipient's in the portal folder itself, the staff's in its `staff/` folder
//! and the reader's in its `reader/` folder. A staff page's path
//! ([`sealmail_api::routes::pages::is_staff`]) gets the staff bundle's
//! index.html, a reading page's ([`sealmail_api::routes::pages::is_reader`])
//! the reader bundle's, every other page the recipient bundle's: a recipient
//! never downloads the sender's and administrator's pages, and the link page
//! a recipient lands on first loads only what it needs.

use std::convert::Infallible;
use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, any_service, get};
use sealmail_api::routes::pages;
use tower::ServiceExt as _;
use tower_http::services::{ServeDir, ServeFile};

/// The staff bundle's folder, inside the portal folder (served at
/// [`pages::STAFF_BUNDLE`]).
const STAFF_DIR: &str = "staff";
/// The reader bundle's folder, inside the portal folder (served at
/// [`pages::READER_BUNDLE`]).
const READER_DIR: &str = "reader";

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
    let reader_index = dir.join(READER_DIR).join("index.html");
    if !reader_index.is_file() {
        tracing::warn!(dir = %dir.display(), "the reader bundle is not built; reading pages get the recipient bundle");
    }
    let indexes = Indexes {
        recipient: index,
        staff: staff_index,
        reader: reader_index,
    };
    let pages = tower::service_fn(move |request: Request| page_index(indexes.clone(), request));
    any_service(ServeDir::new(dir).fallback(pages)).layer(middleware::from_fn(cache_control))
}

/// How long a browser may keep what it got. A file whose name carries
/// Trunk's content hash never changes, so for a year, without asking again
/// (a returning reader's first load is then the page alone, and the reader
/// bundle the link page fetched ahead is not fetched again); a page (an index.html) is asked for again every time, so a new
/// build reaches readers at once.
async fn cache_control(request: Request, next: Next) -> Response {
    let hashed = is_content_hashed(request.uri().path());
    let mut response = next.run(request).await;
    if response.status().is_success() {
        let policy = if hashed { IMMUTABLE } else { NO_CACHE };
        // A page (the fallback above) has said already.
        response
            .headers_mut()
            .entry(header::CACHE_CONTROL)
            .or_insert(HeaderValue::from_static(policy));
    }
    response
}

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const NO_CACHE: &str = "no-cache";

/// Whether a file's name carries Trunk's content hash: up to 16 lowercase hex
/// digits after a dash, then the extension or `_bg` (`main-828acdf6841d9cb5.css`,
/// `sealmail-portal-c845190a02912e60_bg.wasm`). Trunk writes the 64-bit hash
/// with `{:x}`, so one build in 16 has fewer digits (`…-73bfc54c32e9da3_bg.wasm`);
/// 8 or more are asked for, which only a 2^-32 hash falls short of.
pub fn is_content_hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default();
    name.match_indices('-').any(|(dash, _)| {
        let rest = &name.as_bytes()[dash + 1..];
        let digits = rest
            .iter()
            .take_while(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(*b))
            .count();
        (8..=16).contains(&digits) && matches!(rest.get(digits), Some(b'.' | b'_'))
    })
}

/// Each bundle's index.html.
#[derive(Clone)]
struct Indexes {
    recipient: PathBuf,
    staff: PathBuf,
    reader: PathBuf,
}

/// The index.html of the bundle that draws the page at this request's path
/// (the recipient bundle's when that bundle is not built).
async fn page_index(indexes: Indexes, request: Request) -> Result<Response, Infallible> {
    let path = request.uri().path();
    let file = if pages::is_staff(path) && indexes.staff.is_file() {
        indexes.staff
    } else if pages::is_reader(path) && indexes.reader.is_file() {
        indexes.reader
    } else if let Some(token) = link_page_token(path)
        && let Some(page) = link_page(&indexes, token).await
    {
        let mut response = page.into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(NO_CACHE));
        return Ok(response);
    } else {
        indexes.recipient
    };
    let mut response = ServeFile::new(file).oneshot(request).await?;
    // Whatever the path looks like, a page is asked for again every time.
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(NO_CACHE));
    Ok(response.map(Body::new))
}

/// The token of a link page's path (`/m/{token}`, as the path spells it).
fn link_page_token(path: &str) -> Option<&str> {
    let token = path.strip_prefix("/m/")?.trim_end_matches('/');
    (!token.is_empty() && !token.contains('/')).then_some(token)
}

/// The link page: the recipient bundle's index.html with the link's info and
/// the reader bundle to fetch ahead ([`super::prefetch`]). Read from disk
/// each time, as `ServeFile` does, so a new build reaches readers at once;
/// `None` (the page as it is) if either page cannot be read or has no `</head>`.
async fn link_page(indexes: &Indexes, token: &str) -> Option<String> {
    let (page, reader) = tokio::join!(
        tokio::fs::read_to_string(&indexes.recipient),
        tokio::fs::read_to_string(&indexes.reader)
    );
    let links = [
        super::prefetch::link_info_link(token),
        super::prefetch::reader_links(&reader.ok()?),
    ]
    .concat();
    super::prefetch::with_links(&page.ok()?, &links)
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
    let mut hashes: Vec<String> = Vec::new();
    for html in [
        dir.join("index.html"),
        dir.join(STAFF_DIR).join("index.html"),
        dir.join(READER_DIR).join("index.html"),
    ]
    .iter()
    .filter_map(|index| std::fs::read_to_string(index).ok())
    {
        for hash in inline_script_hashes(&html) {
            if !hashes.contains(&hash) {
                hashes.push(hash);
            }
        }
    }
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
