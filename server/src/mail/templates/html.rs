//! The HTML part, made for mail clients rather than browsers: a layout of
//! tables with inline styles (many clients drop `<style>` and ignore flexbox),
//! no remote images (the logo travels in the mail as a `cid:` part), one
//! real `<a href>` as the button, and every text escaped.
//!
//! Accessibility: `lang` on `<html>`, headings, `role="presentation"` on the
//! layout tables so screen readers do not announce them, `alt` on the logo,
//! and text colours with a contrast of at least 4.5:1 (WCAG 2.2 AA) against
//! their background, whatever colour the branding template chose.

use std::fmt::Write as _;

use super::super::brand::{Brand, LOGO_CONTENT_ID};
use super::{Block, Content};

/// Body text on white: #1f2937 is 14.7:1.
const TEXT: &str = "#1f2937";
/// Secondary text on white (the footer): #4b5563 is 7.6:1.
const MUTED: &str = "#4b5563";
/// Links on white: #1d4ed8 is 6.7:1.
const LINK: &str = "#1d4ed8";
const FONT: &str = "Arial, Helvetica, sans-serif";

/// The whole HTML document for `content` in `brand`'s look.
pub(super) fn render(brand: &Brand, content: &Content) -> String {
    let lang = content.language.code();
    let colour = brand.colour.as_str();
    let on_colour = text_colour_on(colour);
    let mut out = String::with_capacity(6 * 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{lang}\" dir=\"ltr\">\n<head>\n\
         <meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"color-scheme\" content=\"light\">\n\
         <title>{title}</title>\n</head>\n\
         <body style=\"margin:0;padding:0;background-color:#f3f4f6;\">\n\
         <table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" style=\"background-color:#f3f4f6;\">\n\
         <tr><td align=\"center\" style=\"padding:24px 12px;\">\n\
         <table role=\"presentation\" width=\"600\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" style=\"width:100%;max-width:600px;background-color:#ffffff;border:1px solid #e5e7eb;\">\n",
        title = escape(content.title),
    );

    // The banner: the logo if there is one (its alt text names the
    // organisation), else the organisation's name.
    let banner = match &brand.logo {
        Some(_) => format!(
            "<img src=\"cid:{LOGO_CONTENT_ID}\" alt=\"{}\" height=\"48\" style=\"display:block;height:48px;width:auto;max-width:100%;border:0;\">",
            escape(&brand.organisation)
        ),
        None => escape(&brand.organisation),
    };
    let _ = write!(
        out,
        "<tr><td style=\"background-color:{colour};color:{on_colour};padding:20px 32px;font-family:{FONT};font-size:20px;font-weight:bold;line-height:1.3;\">{banner}</td></tr>\n\
         <tr><td style=\"padding:32px 32px 16px 32px;font-family:{FONT};font-size:16px;line-height:1.5;color:{TEXT};\">\n",
    );
    for block in &content.body {
        push(&mut out, block, colour, on_colour, TEXT);
    }
    let _ = write!(
        out,
        "</td></tr>\n\
         <tr><td style=\"padding:16px 32px 24px 32px;border-top:1px solid #e5e7eb;font-family:{FONT};font-size:13px;line-height:1.5;color:{MUTED};\">\n",
    );
    for block in &content.footer {
        push(&mut out, block, colour, on_colour, MUTED);
    }
    out.push_str("</td></tr>\n</table>\n</td></tr>\n</table>\n</body>\n</html>\n");
    out
}

fn push(out: &mut String, block: &Block, colour: &str, on_colour: &str, text: &str) {
    let _ = match block {
        Block::Heading(heading) => writeln!(
            out,
            "<h1 style=\"margin:0 0 16px 0;font-size:22px;line-height:1.3;color:#111827;\">{}</h1>",
            escape(heading)
        ),
        Block::Paragraph(paragraph) => writeln!(
            out,
            "<p style=\"margin:0 0 16px 0;color:{text};\">{}</p>",
            lines(paragraph)
        ),
        Block::Button { label, href } => {
            // A light template colour would vanish on the white card: then
            // the button gets a dark border (WCAG 1.4.11, 3:1 for controls).
            let border = if contrast(colour, "#ffffff") < 3.0 {
                format!("border:2px solid {TEXT};")
            } else {
                format!("border:2px solid {colour};")
            };
            writeln!(
                out,
                "<table role=\"presentation\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" style=\"margin:8px 0 24px 0;\"><tr>\
                 <td style=\"background-color:{colour};{border}\">\
                 <a href=\"{href}\" style=\"display:inline-block;padding:12px 28px;font-family:{FONT};font-size:16px;font-weight:bold;line-height:1.25;color:{on_colour};text-decoration:none;\">{label}</a>\
                 </td></tr></table>",
                href = escape(href),
                label = escape(label),
            )
        }
        Block::LinkFallback { label, href } => writeln!(
            out,
            "<p style=\"margin:0 0 16px 0;font-size:14px;color:{MUTED};\">{}<br>\
             <a href=\"{href}\" style=\"color:{LINK};word-break:break-all;\">{href}</a></p>",
            escape(label),
            href = escape(href),
        ),
        Block::Link { label, href } => writeln!(
            out,
            "<p style=\"margin:0 0 8px 0;\"><a href=\"{}\" style=\"color:{LINK};\">{}</a></p>",
            escape(href),
            escape(label),
        ),
        Block::Code { label, code } => writeln!(
            out,
            "<p style=\"margin:0 0 4px 0;font-size:14px;color:{MUTED};\">{}</p>\
             <p style=\"margin:0 0 24px 0;\"><span style=\"display:inline-block;padding:12px 20px;background-color:#f3f4f6;border:1px solid #d1d5db;font-family:'Courier New', Courier, monospace;font-size:28px;font-weight:bold;letter-spacing:4px;color:#111827;\">{}</span></p>",
            escape(label),
            escape(code),
        ),
    };
}

/// Escapes text for HTML content and quoted attribute values: every
/// character that could end the text or start markup.
pub(super) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Escaped text whose line breaks become `<br>` (template texts are typed
/// in a textarea, with breaks that mean something).
fn lines(text: &str) -> String {
    text.trim()
        .lines()
        .map(|line| escape(line.trim_end()))
        .collect::<Vec<_>>()
        .join("<br>\n")
}

/// White or near-black, whichever reads better on `background` (`#rrggbb`).
pub(super) fn text_colour_on(background: &str) -> &'static str {
    const WHITE: &str = "#ffffff";
    // Black, not a softer dark: with black and white to pick from, the
    // better one never falls below 4.58:1 on any background (AA is 4.5).
    const DARK: &str = "#000000";
    if contrast(background, WHITE) >= contrast(background, DARK) {
        WHITE
    } else {
        DARK
    }
}

/// The WCAG contrast ratio of two `#rrggbb` colours (1 to 21).
pub(super) fn contrast(a: &str, b: &str) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    let (light, dark) = if la > lb { (la, lb) } else { (lb, la) };
    (light + 0.05) / (dark + 0.05)
}

/// WCAG 2.x relative luminance; an unreadable colour counts as black.
fn luminance(colour: &str) -> f64 {
    let channel = |i: usize| {
        let value = colour
            .get(1 + 2 * i..3 + 2 * i)
            .and_then(|hex| u8::from_str_radix(hex, 16).ok())
            .unwrap_or(0);
        let c = f64::from(value) / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(0) + 0.7152 * channel(1) + 0.0722 * channel(2)
}
