//! `GET /api/v1/links/{token}/body`: the sanitised HTML body as a document of
//! its own, for the message view's sandboxed frame.
//!
//! A frame with `srcdoc` inherits the portal's CSP, whose `style-src 'self'`
//! strips the inline styles real mail is made of. Served from here, the body
//! gets a policy of its own: inline styles yes (the sanitiser allows only
//! properties that cannot fetch anything), and nothing else — no script, no
//! remote image, font or stylesheet, no form. Its `sandbox` directive keeps it
//! sandboxed (no script) even when opened outside the portal's frame.

use axum::extract::State;
use axum::http::{HeaderName, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use sealmail_api::Protection;

use crate::error::{Error, Result};
use crate::http::ApiPath;
use crate::state::AppState;
use crate::{messages, store};

/// The body document's policy. `sandbox`: no script, no form, no top-level
/// navigation, as the portal's `<iframe sandbox>` (links may open a new tab);
/// `allow-same-origin` so the portal can read the document's height to size
/// its frame, which without `allow-scripts` gives the document itself nothing
/// (`src/components/html_body.rs` has the whole argument); never add
/// `allow-scripts`. No `script-src`: script falls back to `default-src
/// 'none'`. `img-src data:` only (a remote image is a read receipt); inline
/// styles only; framed only by the portal itself.
pub const BODY_CSP: &str = "sandbox allow-same-origin allow-popups allow-popups-to-escape-sandbox; \
default-src 'none'; img-src data:; style-src 'unsafe-inline'; form-action 'none'; \
frame-ancestors 'self'; base-uri 'none'";

/// How the body looks inside its frame (font, links, images that fit, and
/// copy and print discouraged for Do-not-forward).
const FRAME_CSS: &str = include_str!("frame.css");

/// The body document, for a recipient with a session (the same checks as the
/// message view, link state first); `not_found` when the message has no HTML body.
pub async fn html(
    State(state): State<AppState>,
    ApiPath(token): ApiPath<String>,
    jar: CookieJar,
) -> Result<Response> {
    let (view, content) = super::message::readable(&state, &token, &jar).await?;
    let body = messages::open_body(&state, &view.link.message.id, content)?;
    let html = body
        .html
        .ok_or_else(|| Error::NotFound("this message has no HTML body".to_owned()))?;
    let do_not_forward =
        store::protection_from_str(&view.link.message.protection) == Protection::DoNotForward;
    Ok((headers(), document(&html, do_not_forward)).into_response())
}

/// The sanitised `html` in a document with its charset, no Referer for its
/// links, links opening in a new tab, and the frame's styles.
pub fn document(html: &str, do_not_forward: bool) -> String {
    let class = if do_not_forward { " class=\"dnf\"" } else { "" };
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\">\
         <meta name=\"referrer\" content=\"no-referrer\"><base target=\"_blank\">\
         <style>{FRAME_CSS}</style></head><body{class}>{html}</body></html>"
    )
}

/// This response's own security headers; the global layers leave them be.
fn headers() -> [(HeaderName, HeaderValue); 6] {
    [
        (
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        ),
        (
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(BODY_CSP),
        ),
        (
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("SAMEORIGIN"),
        ),
        (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        (
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ),
    ]
}
