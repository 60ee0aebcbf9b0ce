//! HTML bodies are sanitised on the server before any browser sees them.

use std::borrow::Cow;
use std::sync::LazyLock;

use ammonia::{Builder, UrlRelative};

/// CSS properties a `style` attribute may keep: what mail layouts are made
/// of (colours, fonts, text, spacing, borders, sizes, table layout), and none
/// that takes a URL (`background`, `background-image`, `list-style`,
/// `border-image`, `cursor`, `content`) or moves things out of the body's box
/// (`position`, `z-index`, `transform`).
const STYLE_PROPERTIES: &[&str] = &[
    "color",
    "background-color",
    "opacity",
    // fonts and text
    "font",
    "font-family",
    "font-size",
    "font-style",
    "font-variant",
    "font-weight",
    "line-height",
    "letter-spacing",
    "word-spacing",
    "text-align",
    "text-decoration",
    "text-decoration-color",
    "text-decoration-line",
    "text-decoration-style",
    "text-indent",
    "text-transform",
    "white-space",
    "word-break",
    "overflow-wrap",
    "word-wrap",
    "direction",
    "list-style-type",
    // spacing
    "margin",
    "margin-top",
    "margin-right",
    "margin-bottom",
    "margin-left",
    "padding",
    "padding-top",
    "padding-right",
    "padding-bottom",
    "padding-left",
    // borders
    "border",
    "border-top",
    "border-right",
    "border-bottom",
    "border-left",
    "border-color",
    "border-style",
    "border-width",
    "border-top-color",
    "border-right-color",
    "border-bottom-color",
    "border-left-color",
    "border-top-style",
    "border-right-style",
    "border-bottom-style",
    "border-left-style",
    "border-top-width",
    "border-right-width",
    "border-bottom-width",
    "border-left-width",
    "border-radius",
    // sizes and layout
    "width",
    "height",
    "min-width",
    "max-width",
    "min-height",
    "max-height",
    "display",
    "vertical-align",
    "overflow",
    // tables
    "table-layout",
    "border-collapse",
    "border-spacing",
    "caption-side",
    "empty-cells",
];

/// Text that has no business in an allowed declaration: a URL or image
/// function, old IE's `expression()` and `behavior`, Gecko's `-moz-binding`,
/// and CSS escapes (which could spell any of them). A declaration holding one
/// is dropped before ammonia's own filter sees it.
const STYLE_FORBIDDEN: &[&str] = &[
    "url(",
    "image(",
    "image-set(",
    "element(",
    "expression",
    "behavior",
    "binding",
    "@import",
    "\\",
];

/// Lengths measured against the viewport: `vh`, `vw`, `vb`, `vi`, `vmin`,
/// `vmax`, with their small, large and dynamic (`s`, `l`, `d`) forms, and the
/// container units, which fall back to the viewport's when there is no
/// container. The portal sizes the body's frame to its content (its viewport
/// is as tall as the mail): content sized by that viewport would grow the
/// frame, which grows the content, without end.
const VIEWPORT_UNITS: &[&str] = &[
    "vh", "vw", "vb", "vi", "vmin", "vmax", "svh", "svw", "svb", "svi", "svmin", "svmax", "lvh",
    "lvw", "lvb", "lvi", "lvmin", "lvmax", "dvh", "dvw", "dvb", "dvi", "dvmin", "dvmax", "cqh",
    "cqw", "cqb", "cqi", "cqmin", "cqmax",
];

static POLICY: LazyLock<Builder<'static>> = LazyLock::new(|| {
    let mut b = Builder::default();
    // ammonia's defaults already drop <script>, <style> (with their content),
    // event handlers and `javascript:` URLs. On top:
    // relative URLs would point into the portal itself, so they go; `data:` is
    // allowed only for inline images (no remote content: a remote image is a
    // read receipt the recipient never agreed to); `style` attributes keep
    // only STYLE_PROPERTIES. The body document's CSP is the second wall:
    // even a style that got through could fetch nothing.
    b.url_relative(UrlRelative::Deny)
        .add_url_schemes(["data"])
        .add_generic_attributes(["style"])
        .filter_style_properties(STYLE_PROPERTIES.iter().copied().collect())
        .attribute_filter(|element, attribute, value| {
            if attribute == "style" {
                return Some(Cow::Owned(without_forbidden_declarations(value)));
            }
            let url = as_a_browser_reads(value);
            let is_data = starts_with_ignoring_case(&url, "data:");
            match (element, attribute) {
                ("img", "src") if starts_with_ignoring_case(&url, "data:image/") => {
                    Some(Cow::Owned(url))
                }
                ("img", "src") => None,
                (_, "srcset") => None,
                _ if is_data => None,
                _ => Some(Cow::Borrowed(value)),
            }
        });
    b
});

/// A URL attribute as a browser's URL parser reads it (WHATWG URL): ASCII
/// tab and newline removed anywhere, C0 controls and spaces trimmed at both
/// ends — so `da&#9;ta:` is judged as the `data:` it is.
fn as_a_browser_reads(value: &str) -> String {
    value
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect::<String>()
        .trim_matches(|c: char| c <= ' ')
        .to_owned()
}

fn starts_with_ignoring_case(text: &str, prefix: &str) -> bool {
    text.get(..prefix.len())
        .is_some_and(|start| start.eq_ignore_ascii_case(prefix))
}

/// The declarations of a `style` value that hold nothing of
/// [`STYLE_FORBIDDEN`] and no length in [`VIEWPORT_UNITS`]. Splitting on `;`
/// may cut a quoted value in two; the pieces are then invalid CSS, which
/// ammonia's parser drops.
fn without_forbidden_declarations(style: &str) -> String {
    style
        .split(';')
        .filter(|declaration| {
            let lower = declaration.to_ascii_lowercase();
            !STYLE_FORBIDDEN.iter().any(|bad| lower.contains(bad)) && !has_viewport_length(&lower)
        })
        .collect::<Vec<_>>()
        .join(";")
}

/// Whether `declaration` (lower case) holds a number with a unit of
/// [`VIEWPORT_UNITS`] (`100vh`, `calc(50dvh - 1px)`, `1e2vmax`).
fn has_viewport_length(declaration: &str) -> bool {
    let mut rest = declaration;
    while let Some(digit) = rest.find(|c: char| c.is_ascii_digit()) {
        let number = &rest[digit..];
        let unit_at = number
            .find(|c: char| !c.is_ascii_digit() && c != '.')
            .unwrap_or(number.len());
        let unit = &number[unit_at..];
        let unit_end = unit
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(unit.len());
        if VIEWPORT_UNITS.contains(&&unit[..unit_end]) {
            return true;
        }
        rest = &number[unit_at..];
    }
    false
}

/// Sanitises an HTML body: no script, no event handlers, no `javascript:`
/// URLs, no remote images, and only inline styles that can neither fetch
/// anything nor leave the body's box.
pub fn sanitize_html(html: &str) -> String {
    POLICY.clean(html).to_string()
}

#[cfg(test)]
mod tests {
    use super::sanitize_html;

    #[test]
    fn layout_styles_stay() {
        let clean = sanitize_html(
            r#"<table style="border-collapse: collapse; width: 100%"><tr><td style="background-color: #ffcc00; color: rgb(0, 0, 128); padding: 4px 8px; border: 1px solid #333; font-family: Arial, sans-serif; text-align: center; vertical-align: top">cell</td></tr></table>"#,
        );
        for kept in [
            "border-collapse:collapse",
            "width:100%",
            "background-color:#ffcc00",
            "color:rgb(0, 0, 128)",
            "padding:4px 8px",
            "border:1px solid #333",
            "font-family:Arial , sans-serif",
            "text-align:center",
            "vertical-align:top",
        ] {
            assert!(clean.contains(kept), "{kept} lost: {clean}");
        }
    }

    #[test]
    fn styles_that_fetch_run_or_escape_the_box_go() {
        for (style, kept) in [
            (
                "color: red; background-image: url(https://t.example/p.gif)",
                "color:red",
            ),
            (
                "color: red; background: url(https://t.example/p.gif)",
                "color:red",
            ),
            ("color: red; width: expression(alert(1))", "color:red"),
            (
                "color: red; position: fixed; top: 0; z-index: 9",
                "color:red",
            ),
            (
                "color: red; list-style: url(https://t.example/l.png)",
                "color:red",
            ),
            (
                "color: red; border-image: url(https://t.example/b.png) 30",
                "color:red",
            ),
            (
                "color: red; width: \\75 rl(https://t.example/e.png)",
                "color:red",
            ),
            ("color: red; -moz-binding: url(x.xml#y)", "color:red"),
            (
                "color: red; font-family: u\\72l(https://t.example/f)",
                "color:red",
            ),
            ("color: red; content: url(https://t.example/c)", "color:red"),
            ("color: red; behavior: url(x.htc)", "color:red"),
            ("color: red; transform: scale(9)", "color:red"),
        ] {
            let clean = sanitize_html(&format!(r#"<p style="{style}">x</p>"#));
            assert!(clean.contains(kept), "{style}: {clean}");
            for gone in [
                "url",
                "expression",
                "position",
                "z-index",
                "binding",
                "behavior",
                "transform",
                "t.example",
                "\\",
            ] {
                assert!(!clean.contains(gone), "{style}: {gone} kept in {clean}");
            }
        }
    }

    #[test]
    fn lengths_measured_by_the_viewport_go_as_the_frame_is_sized_by_its_content() {
        for style in [
            "color: red; min-height: 100vh",
            "color: red; height: calc(100vh - 2px)",
            "color: red; font-size: 5vmax",
            "color: red; height: 50dvh",
            "color: red; padding-top: 1.5svh",
            "color: red; margin-bottom: 10cqh",
            "color: red; line-height: 1e2VMIN",
            "color: red; width: 100vw",
        ] {
            let clean = sanitize_html(&format!(r#"<p style="{style}">x</p>"#));
            assert_eq!(clean, r#"<p style="color:red">x</p>"#, "{style}");
        }
        let clean = sanitize_html(
            r#"<p style="height: 300px; min-height: 50%; width: 12em; font-family: Verdana, Helvetica">x</p>"#,
        );
        for kept in ["height:300px", "min-height:50%", "width:12em", "Verdana"] {
            assert!(clean.contains(kept), "{kept} lost: {clean}");
        }
    }

    #[test]
    fn data_urls_are_judged_as_a_browser_reads_them() {
        // A browser's URL parser drops tabs and newlines anywhere and control
        // characters and spaces at either end, so each of these is `data:`.
        for hidden in [
            "da&#9;ta:text/html,&lt;b&gt;x",
            "da&#10;ta:text/html,&lt;b&gt;x",
            "d&#13;ata:text/html,&lt;b&gt;x",
            "&#1; data:text/html,&lt;b&gt;x",
            " DATA:text/html,&lt;b&gt;x",
        ] {
            let clean = sanitize_html(&format!(
                r#"<a href="{hidden}">link</a><img src="{hidden}"><img src="da&#9;ta:image/png;base64,AAAA">"#
            ));
            let read = clean
                .chars()
                .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
                .collect::<String>()
                .to_ascii_lowercase();
            assert!(!read.contains("text/html"), "{hidden}: {clean}");
            assert!(
                read.contains("data:image/png;base64,aaaa"),
                "{hidden}: {clean}"
            );
        }
    }

    #[test]
    fn everything_else_the_sanitiser_does_still_holds() {
        let clean = sanitize_html(
            r#"<p onclick="x()">a</p><script>alert(1)</script><style>p{color:red}</style><a href="javascript:alert(1)">l</a><img src="https://t.example/p.gif"><img src="data:image/png;base64,AAAA"><a href="/m/x">rel</a>"#,
        );
        for gone in [
            "onclick",
            "<script",
            "alert",
            "<style",
            "javascript:",
            "t.example",
            "/m/x",
        ] {
            assert!(!clean.contains(gone), "{gone} kept in {clean}");
        }
        assert!(clean.contains("data:image/png;base64,AAAA"), "{clean}");
    }
}
