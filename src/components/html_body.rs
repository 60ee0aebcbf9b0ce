//! The HTML body, shown so it can neither run script nor load anything.
//!
//! The server sanitises the HTML (ammonia); this is the second wall, for the
//! day a sanitiser misses something. The body goes into an `<iframe srcdoc>`:
//! - `sandbox` without `allow-scripts` or `allow-same-origin`: no script runs in
//!   it and it gets an opaque origin, so it cannot reach the portal's DOM,
//!   cookies or storage; forms and top-level navigation are blocked.
//!   `allow-popups` (+ `-to-escape-sandbox`) only lets ordinary links open in a
//!   new tab, as links in mail do; `<base target="_blank">` sends them there.
//! - its own CSP (`default-src 'none'; img-src data:`, plus the portal's
//!   `frame.css`) blocks every remote image, font or stylesheet (tracking
//!   pixels) and `javascript:` URLs even where the portal's page itself is
//!   served without a CSP. A srcdoc document also inherits the portal's CSP,
//!   so both apply — which also drops the mail's own inline styles under the
//!   portal's `style-src 'self'`.
//! - `referrerpolicy="no-referrer"` and a referrer meta: the link token in the
//!   portal's URL never leaves in a Referer.

use leptos::prelude::*;

use crate::i18n::tr;

/// The sandbox tokens: no `allow-scripts`, no `allow-same-origin`.
pub const SANDBOX: &str = "allow-popups allow-popups-to-escape-sandbox";

/// The policy the body's document carries (`{origin}`: the portal's, whose
/// `/frame.css` styles the body).
const BODY_CSP: &str =
    "default-src 'none'; img-src data:; style-src 'unsafe-inline' {origin}; form-action 'none'";

/// The sanitised HTML body in a sandboxed frame.
#[component]
pub fn HtmlBody(html: String, do_not_forward: bool) -> impl IntoView {
    let origin = window().location().origin().unwrap_or_default();
    let document = frame_document(&html, do_not_forward, &origin);
    view! {
        <iframe
            class="body-html"
            sandbox=SANDBOX
            referrerpolicy="no-referrer"
            title=tr(|s| s.message_body)
            srcdoc=document
            data-testid="body-html"
        ></iframe>
    }
}

/// The document the frame shows: the policy first, then the body. The
/// stylesheet is named by absolute URL: the frame's own origin is opaque.
pub fn frame_document(html: &str, do_not_forward: bool, origin: &str) -> String {
    let policy = BODY_CSP.replace("{origin}", origin);
    let class = if do_not_forward { " class=\"dnf\"" } else { "" };
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{policy}\">\
         <meta name=\"referrer\" content=\"no-referrer\"><base target=\"_blank\">\
         <link rel=\"stylesheet\" href=\"{origin}/frame.css\"></head>\
         <body{class}>{html}</body></html>"
    )
}
