//! The HTML body, shown so it can neither run script nor load anything, in a
//! frame as tall as the mail, so the page has one scroll bar.
//!
//! The server sanitises the HTML (ammonia, inline styles limited to harmless
//! properties); this is the second wall, for the day a sanitiser misses
//! something. The body is a document of its own, served by
//! [`routes::LINK_BODY`](sealmail_api::routes::LINK_BODY) and loaded with
//! `<iframe src>` (not `srcdoc`, which would inherit the portal's CSP and so
//! lose the mail's inline styles):
//! - the frame's `sandbox` has no `allow-scripts`: no script runs in it, and
//!   forms, top-level navigation, dialogs and downloads are blocked.
//!   `allow-popups` (+ `-to-escape-sandbox`) only lets ordinary links open in
//!   a new tab, as links in mail do; the document's `<base target="_blank">`
//!   sends them there, and the sanitiser gives each `rel="noopener"`.
//! - `allow-same-origin` keeps the body's document in the portal's origin so
//!   the portal can read its height and size the frame to it. Without
//!   `allow-scripts` this gives the body nothing: same-origin access is
//!   something script does, and no script can run in the frame (the
//!   sandbox forbids it, and so does the document's own CSP, which has no
//!   `script-src` and falls back to `default-src 'none'`). The well-known
//!   danger of `allow-same-origin` is its pairing with `allow-scripts`, which
//!   lets a frame's script lift its own sandbox: never add `allow-scripts`
//!   here (tests/message_view.rs and the end-to-end tests check it).
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

use leptos::html::Iframe;
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::HtmlIFrameElement;

use crate::translate::tr;

/// The sandbox tokens: `allow-same-origin` so the portal can measure the
/// body, never `allow-scripts` (see the module's documentation).
pub const SANDBOX: &str = "allow-same-origin allow-popups allow-popups-to-escape-sandbox";

/// The sanitised HTML body at `src`, in a sandboxed frame as tall as it is.
#[component]
pub fn HtmlBody(src: String) -> impl IntoView {
    let frame = NodeRef::<Iframe>::new();
    let loads = RwSignal::new(0_u32);
    let height = use_content_height(frame, loads.read_only());
    view! {
        <iframe
            class="body-html"
            node_ref=frame
            sandbox=SANDBOX
            referrerpolicy="no-referrer"
            title=tr(|s| s.message_body)
            src=src
            on:load=move |_| loads.update(|n| *n += 1)
            style:height=move || height.get().map(|px| format!("{px}px"))
            data-testid="body-html"
        ></iframe>
    }
}

/// The height in CSS pixels `frame` needs to show all of its document, kept
/// up to date as that document changes size (images decoding, fonts
/// loading, a narrower or wider window); `None` until it has loaded.
/// `loads` counts the frame's `load` events: each new document is followed
/// afresh.
fn use_content_height(frame: NodeRef<Iframe>, loads: ReadSignal<u32>) -> ReadSignal<Option<i32>> {
    let (height, set_height) = signal(None);
    Effect::new(move |_| {
        // Before the first load the frame holds the empty initial document.
        if loads.get() == 0 {
            return;
        }
        let Some(frame) = frame.get() else { return };
        if let Some(follower) = ContentSize::follow(frame, set_height) {
            // Stops when the frame loads another document or leaves the page.
            let follower = SendWrapper::new(follower);
            on_cleanup(move || drop(follower));
        }
    });
    height
}

/// A `ResizeObserver` on the body of a frame's document, writing the height
/// the frame needs; disconnected when dropped.
struct ContentSize {
    observer: web_sys::ResizeObserver,
    _on_resize: Closure<dyn FnMut()>,
}

impl ContentSize {
    /// `None` when the frame's document cannot be read: an error page the
    /// server would not let be framed keeps the stylesheet's height.
    fn follow(frame: HtmlIFrameElement, height: WriteSignal<Option<i32>>) -> Option<ContentSize> {
        let body = frame.content_document()?.body()?;
        // The observer reports the body's size when it starts observing and
        // whenever it changes; a frame that gets narrower makes the body taller.
        let on_resize = Closure::<dyn FnMut()>::new(move || {
            if let Some(needed) = needed_height(&frame) {
                height.try_set(Some(needed));
            }
        });
        let observer = web_sys::ResizeObserver::new(on_resize.as_ref().unchecked_ref()).ok()?;
        observer.observe(&body);
        Some(ContentSize {
            observer,
            _on_resize: on_resize,
        })
    }
}

impl Drop for ContentSize {
    fn drop(&mut self) {
        self.observer.disconnect();
    }
}

/// The frame's height that shows its whole document without a scroll bar,
/// in whole pixels (rounded up; formatting an integer also keeps float
/// formatting out of the reader's wasm).
fn needed_height(frame: &HtmlIFrameElement) -> Option<i32> {
    let document = frame.content_document()?;
    let root = document.document_element()?;
    let body = document.body()?;
    // The body's own height (with anything overflowing it), not the root's
    // scroll height: that is never less than the frame's viewport, so a frame
    // sized by it could grow but never shrink back when the window widens.
    let content =
        (body.get_bounding_client_rect().height().ceil() as i32).max(body.scroll_height());
    // What the frame adds around its viewport: its borders, and a sideways
    // scroll bar when the mail is wider than the frame.
    let around = frame.offset_height() - root.client_height();
    Some(content + around)
}
