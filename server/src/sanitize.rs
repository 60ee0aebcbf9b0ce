//! HTML bodies are sanitised on the server before any browser sees them.

use std::borrow::Cow;
use std::sync::LazyLock;

use ammonia::{Builder, UrlRelative};

static POLICY: LazyLock<Builder<'static>> = LazyLock::new(|| {
    let mut b = Builder::default();
    // ammonia's defaults already drop <script>, <style> (with their content),
    // event handlers, `style` attributes and `javascript:` URLs. On top:
    // relative URLs would point into the portal itself, so they go; `data:` is
    // allowed only for inline images (no remote content: a remote image is a
    // read receipt the recipient never agreed to).
    b.url_relative(UrlRelative::Deny)
        .add_url_schemes(["data"])
        .attribute_filter(|element, attribute, value| {
            let is_data = value
                .trim_start()
                .get(..5)
                .is_some_and(|s| s.eq_ignore_ascii_case("data:"));
            match (element, attribute) {
                ("img", "src") if is_data && value.trim_start()[5..].starts_with("image/") => {
                    Some(Cow::Borrowed(value))
                }
                ("img", "src") => None,
                (_, "srcset") => None,
                _ if is_data => None,
                _ => Some(Cow::Borrowed(value)),
            }
        });
    b
});

/// Sanitises an HTML body: no script, no event handlers, no `javascript:`
/// URLs, no remote images, no styles that could fetch anything.
pub fn sanitize_html(html: &str) -> String {
    POLICY.clean(html).to_string()
}
