//! The HTML body, shown so it can neither run script nor load anything.
//!
//! The server sanitises the HTML (ammonia, inline styles limited to harmless
//! properties); this is the second wall, for the day a sanitiser misses
//! something. The body is a document of its own, served by
//! [`routes::LINK_BODY`](sealmail_api::routes::LINK_BODY) and loaded with
//! `<iframe src>` (not `srcdoc`, which would inherit the portal's CSP and so
//! lose the mail's inline styles):
//! - the frame's `sandbox` has no `allow-scripts` and no `allow-same-origin`:
//!   no script runs in it and it gets an opaque origin, so it cannot reach the
//!   portal's DOM, cookies or storage; forms and top-level navigation are
//!   blocked. `allow-popups` (+ `-to-escape-sandbox`) only lets ordinary links
//!   open in a new tab, as links in mail do; the document's
//!   `<base target="_blank">` sends them there.
//! - the document's own CSP (`sandbox …; default-src 'none'; img-src data:;
//!   style-src 'unsafe-inline'`) blocks every remote image, font or
//!   stylesheet (tracking pixels) and keeps it sandboxed even when opened
//!   outside this frame; `frame-ancestors 'self'` lets only the portal frame it.
//! - `referrerpolicy="no-referrer"` here and `Referrer-Policy: no-referrer` on
//!   the document: the link token in the URLs never leaves in a Referer.
//!
//! The session cookie is scoped to the link's API path, so the frame's
//! request carries it; a revoked or expired message answers with an error
//! instead of the body.

use leptos::prelude::*;

use crate::i18n::tr;

/// The sandbox tokens: no `allow-scripts`, no `allow-same-origin`.
pub const SANDBOX: &str = "allow-popups allow-popups-to-escape-sandbox";

/// The sanitised HTML body at `src`, in a sandboxed frame.
#[component]
pub fn HtmlBody(src: String) -> impl IntoView {
    view! {
        <iframe
            class="body-html"
            sandbox=SANDBOX
            referrerpolicy="no-referrer"
            title=tr(|s| s.message_body)
            src=src
            data-testid="body-html"
        ></iframe>
    }
}
