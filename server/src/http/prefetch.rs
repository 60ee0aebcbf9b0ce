//! What the link page has the browser fetch ahead, written into its
//! index.html by the server:
//!
//! - the link's info (`<link rel="preload">` of [`routes::link`]), which the
//!   gate asks for first: it then comes while the wasm loads, not one round
//!   trip after it (the link page's time to interactive on a phone);
//! - the reader bundle (a `<link rel="prefetch">` for each file the reading
//!   page loads: the reader's script, wasm and styles, whose names carry
//!   content hashes), so the message appears at once after the passcode,
//!   from the browser's cache (the files are kept for a year: `portal.rs`).
//!
//! Done here, not in the portal, because any view the link page draws for it
//! costs the recipient's budgeted first load some 1.5 KB gzip, and the
//! portal would first have to fetch the reading page to learn the names.

use html5ever::tendril::TendrilSink as _;
use markup5ever_rcdom::{Handle, NodeData, RcDom};
use sealmail_api::routes::{self, pages::READER_BUNDLE};

/// The `<link rel="prefetch">` tags for what `reader_page` (the reader
/// bundle's index.html) loads from the reader bundle: each `<link>` whose
/// `rel` is `preload`, `modulepreload` or `stylesheet`, once, with its
/// `crossorigin` as it was (the prefetched file then matches the later
/// request in the browser's cache).
pub fn reader_links(reader_page: &str) -> String {
    let dom = html5ever::parse_document(RcDom::default(), Default::default()).one(reader_page);
    let mut files: Vec<(String, Option<String>)> = Vec::new();
    walk(&dom.document, &mut |attributes| {
        let value = |name: &str| {
            attributes
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
        };
        let loads = value("rel").is_some_and(|rel| {
            rel.split_ascii_whitespace()
                .any(|r| matches!(r, "preload" | "modulepreload" | "stylesheet"))
        });
        if let Some(href) = value("href").filter(|_| loads)
            && href.starts_with(READER_BUNDLE)
            && !files.iter().any(|(h, _)| *h == href)
        {
            files.push((href, value("crossorigin")));
        }
    });
    files
        .iter()
        .map(|(href, crossorigin)| {
            let crossorigin = match crossorigin.as_deref() {
                None => "",
                Some("use-credentials") => " crossorigin=use-credentials",
                Some(_) => " crossorigin",
            };
            format!("<link rel=prefetch href=\"{}\"{crossorigin}>", escape(href))
        })
        .collect()
}

/// The preload of the link info for `token` (as the link page's path spells
/// it), as the gate asks for it: same URL, `fetch` with the credentials
/// included, so the browser hands the gate's request the preloaded answer.
pub fn link_info_link(token: &str) -> String {
    let token = percent_encoding::percent_decode_str(token).decode_utf8_lossy();
    format!(
        "<link rel=preload as=fetch crossorigin=use-credentials href=\"{}\">",
        escape(&routes::link(&token))
    )
}

/// `page` with `links` just before its `</head>`; `None` if it has none.
pub fn with_links(page: &str, links: &str) -> Option<String> {
    let at = page.to_ascii_lowercase().find("</head>")?;
    Some([&page[..at], links, &page[at..]].concat())
}

/// Calls `found` with the attributes of every `<link>` under `node`.
fn walk(node: &Handle, found: &mut impl FnMut(&[(String, String)])) {
    if let NodeData::Element { name, attrs, .. } = &node.data
        && &*name.local == "link"
    {
        let attributes: Vec<(String, String)> = attrs
            .borrow()
            .iter()
            .map(|a| (a.name.local.to_string(), a.value.to_string()))
            .collect();
        found(&attributes);
    }
    for child in node.children.borrow().iter() {
        walk(child, found);
    }
}

/// An attribute value as HTML text between double quotes.
fn escape(value: &str) -> String {
    value.replace('&', "&amp;").replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// As Trunk writes the reader bundle's index.html.
    const READER: &str = r#"<!DOCTYPE html><html lang="en"><head>
<link rel="stylesheet" href="/reader/main-828acdf6841d9cb5.css" integrity="sha384-x"/>
<link rel="modulepreload" href="/reader/sealmail-reader-0123456789abcdef.js" crossorigin="anonymous" integrity="sha384-y">
<link rel="preload" href="/reader/sealmail-reader-0123456789abcdef_bg.wasm" crossorigin="anonymous" integrity="sha384-z" as="fetch" type="application/wasm">
<link rel="preload" href="/elsewhere/x.js">
<link rel="icon" href="/reader/favicon-697f80b26a6b95a6.svg"/>
<script type="module">import init from '/reader/sealmail-reader-0123456789abcdef.js';</script>
</head><body></body></html>"#;

    const EXPECTED: &str = "<link rel=prefetch href=\"/reader/main-828acdf6841d9cb5.css\">\
        <link rel=prefetch href=\"/reader/sealmail-reader-0123456789abcdef.js\" crossorigin>\
        <link rel=prefetch href=\"/reader/sealmail-reader-0123456789abcdef_bg.wasm\" crossorigin>";

    #[test]
    fn the_link_page_prefetches_exactly_what_the_reading_page_loads() {
        assert_eq!(reader_links(READER), EXPECTED);
        assert_eq!(reader_links("<p>not a reading page</p>"), "");
    }

    #[test]
    fn a_minified_reading_page_gives_the_same_links() {
        // As a release build writes it (Trunk's `minify`): no <head>, values
        // unquoted, a bare `crossorigin`, a value holding `+/=`.
        let minified = r#"<!doctype html><html lang=en><link href=/reader/main-828acdf6841d9cb5.css integrity=sha384-x rel=stylesheet><link crossorigin href=/reader/sealmail-reader-0123456789abcdef.js integrity=sha384-y rel=modulepreload><link as=fetch crossorigin href=/reader/sealmail-reader-0123456789abcdef_bg.wasm integrity="sha384-z+/=" rel=preload type=application/wasm><link href=/reader/favicon-697f80b26a6b95a6.svg rel=icon></head><body></body></html>"#;
        assert_eq!(reader_links(minified), EXPECTED);
    }

    #[test]
    fn the_links_go_at_the_end_of_the_head() {
        let page = "<!doctype html><html lang=en><title>Sealmail</title><link href=/a.css rel=stylesheet></head><body></body></html>";
        assert_eq!(
            with_links(page, "<link rel=prefetch href=\"/reader/x.js\">").as_deref(),
            Some(
                "<!doctype html><html lang=en><title>Sealmail</title><link href=/a.css rel=stylesheet>\
                 <link rel=prefetch href=\"/reader/x.js\"></head><body></body></html>"
            )
        );
        assert_eq!(with_links("<p>no head</p>", "<link>"), None);
    }

    #[test]
    fn the_link_info_is_preloaded_at_the_url_the_gate_asks_for() {
        assert_eq!(
            link_info_link("abc_-DEF"),
            "<link rel=preload as=fetch crossorigin=use-credentials href=\"/api/v1/links/abc_-DEF\">"
        );
        // Decoded from the page's path, encoded again as the gate does.
        assert_eq!(
            link_info_link("a%20b%22c"),
            "<link rel=preload as=fetch crossorigin=use-credentials href=\"/api/v1/links/a%20b%22c\">"
        );
    }

    #[test]
    fn a_quote_in_a_name_cannot_end_the_attribute() {
        let reader = r#"<link rel=preload href='/reader/a"onload="x.js' crossorigin>"#;
        assert_eq!(
            reader_links(reader),
            "<link rel=prefetch href=\"/reader/a&quot;onload=&quot;x.js\" crossorigin>"
        );
    }
}
