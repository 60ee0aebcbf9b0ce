//! Fetching the reader bundle ahead: while the recipient goes to their mail
//! for the passcode, the browser downloads the bundle that will show the
//! message, so the message appears at once after the passcode. The bundle's
//! files carry content hashes the gate cannot know, so it reads them from the
//! reading page the server would serve (`<link rel="preload">` and
//! `<link rel="modulepreload">`), and hands each to the browser as a
//! `<link rel="prefetch">` (the server lets the browser keep them for a year:
//! `server/src/http/portal.rs`).

use gloo_net::http::Request;
use leptos::prelude::document;
use sealmail_api::routes::{self, pages::READER_BUNDLE};

/// Starts fetching the reader bundle for the link `token`; failures are
/// silent (the reader then loads as usual).
pub fn reader(token: &str) {
    let page = routes::portal_read_page(token);
    // Leptos' executor boxes the future: one task type for every spawn.
    leptos::task::spawn_local(async move {
        let Some(html) = fetch_text(&page).await else {
            return;
        };
        let Some(head) = document().head() else {
            return;
        };
        for href in bundle_files(&html) {
            let Ok(link) = document().create_element("link") else {
                return;
            };
            let _ = link.set_attribute("rel", "prefetch");
            let _ = link.set_attribute("href", href);
            // As the reading page asks for them (Trunk's preloads), so the
            // browser finds them in its cache under the same terms.
            let _ = link.set_attribute("crossorigin", "anonymous");
            let _ = head.append_child(&link);
        }
    });
}

async fn fetch_text(url: &str) -> Option<String> {
    let response = Request::get(url).send().await.ok()?;
    if !response.ok() {
        return None;
    }
    response.text().await.ok()
}

/// The reader bundle's script and wasm that a reading page preloads: each
/// `href` of a `<link>` with `rel="preload"` or `rel="modulepreload"` under
/// [`READER_BUNDLE`], once.
pub fn bundle_files(html: &str) -> Vec<&str> {
    let mut files: Vec<&str> = Vec::new();
    for tag in html.split('<').filter(|tag| tag.starts_with("link ")) {
        let preload = attribute(tag, "rel").is_some_and(|rel| {
            rel.split_ascii_whitespace()
                .any(|r| r == "preload" || r == "modulepreload")
        });
        if let Some(href) = attribute(tag, "href").filter(|_| preload)
            && href.starts_with(READER_BUNDLE)
            && !files.contains(&href)
        {
            files.push(href);
        }
    }
    files
}

/// The value of `name="…"` in a tag's text, or of `name=…` unquoted (as a
/// release build's minified HTML writes most values).
fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let start = tag.find(&[" ", name, "="].concat())? + name.len() + 2;
    let value = &tag[start..];
    let (value, end) = match value.strip_prefix('"') {
        Some(quoted) => (quoted, quoted.find('"')?),
        None => (value, value.find([' ', '>']).unwrap_or(value.len())),
    };
    Some(&value[..end])
}
