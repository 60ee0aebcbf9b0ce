//! What compose does with text: address lists, and the small Markdown-like
//! formatting a sender can choose for the body.

use sealmail_api::Mailbox;

/// The addresses typed into a To or Cc field, split on commas, semicolons and
/// line breaks: the valid ones, and the entries that are not addresses.
/// `Name <address>` is understood too.
pub fn parse_addresses(input: &str) -> (Vec<Mailbox>, Vec<String>) {
    let mut valid = Vec::new();
    let mut invalid = Vec::new();
    for entry in input.split([',', ';', '\n']) {
        let entry = entry.trim();
        if entry.is_empty() {
            continue;
        }
        match parse_mailbox(entry) {
            Some(mailbox) => valid.push(mailbox),
            None => invalid.push(entry.to_owned()),
        }
    }
    (valid, invalid)
}

/// The entries that are not addresses, leaving out the one still being typed
/// (the last, when no separator follows it) — so the field does not complain
/// about every half-typed address.
pub fn invalid_while_typing(input: &str) -> Vec<String> {
    let finished = match input.rfind([',', ';', '\n']) {
        Some(end) => &input[..end],
        None => "",
    };
    parse_addresses(finished).1
}

fn parse_mailbox(entry: &str) -> Option<Mailbox> {
    let (name, address) = match (entry.rfind('<'), entry.strip_suffix('>')) {
        (Some(open), Some(rest)) => {
            let name = entry[..open].trim().trim_matches('"').trim();
            (
                (!name.is_empty()).then(|| name.to_owned()),
                rest[open + 1..].trim(),
            )
        }
        _ => (None, entry),
    };
    is_address(address).then(|| Mailbox {
        name,
        address: address.to_owned(),
    })
}

/// A plausible address: `local@domain.tld`, no spaces or brackets, one `@`.
/// (The server checks again; this is for the sender's typos.)
pub fn is_address(address: &str) -> bool {
    let Some((local, domain)) = address.split_once('@') else {
        return false;
    };
    let allowed = |c: char| !c.is_whitespace() && !"<>()[]\\,;:\"@".contains(c);
    !local.is_empty()
        && local.chars().all(allowed)
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && domain
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '.')
}

/// The body as HTML, from a little Markdown: paragraphs (blank lines), line
/// breaks, `- ` lists, `**bold**` and `*italic*`. Everything else is escaped,
/// so the result holds no markup the sender did not ask for (the server
/// sanitises it again).
pub fn markdown_html(text: &str) -> String {
    let mut html = String::new();
    for block in text.replace("\r\n", "\n").split("\n\n") {
        let lines: Vec<&str> = block.lines().filter(|l| !l.trim().is_empty()).collect();
        if lines.is_empty() {
            continue;
        }
        let is_item =
            |l: &&str| l.trim_start().starts_with("- ") || l.trim_start().starts_with("* ");
        if lines.iter().all(is_item) {
            html.push_str("<ul>");
            for line in lines {
                html.push_str("<li>");
                html.push_str(&inline(line.trim_start()[2..].trim()));
                html.push_str("</li>");
            }
            html.push_str("</ul>");
        } else {
            let joined: Vec<String> = lines.iter().map(|l| inline(l.trim_end())).collect();
            html.push_str("<p>");
            html.push_str(&joined.join("<br>"));
            html.push_str("</p>");
        }
    }
    html
}

/// Escapes a line and turns `**…**` into `<strong>` and `*…*` into `<em>`.
fn inline(line: &str) -> String {
    let escaped = escape(line);
    let bold = pairs(&escaped, "**", "strong");
    pairs(&bold, "*", "em")
}

fn pairs(text: &str, marker: &str, tag: &str) -> String {
    let parts: Vec<&str> = text.split(marker).collect();
    // An odd number of markers leaves the last one as it was typed.
    let mut out = String::new();
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            let closing = i % 2 == 0;
            if !closing && i == parts.len() - 1 {
                out.push_str(marker);
            } else {
                out.push_str(if closing { "</" } else { "<" });
                out.push_str(tag);
                out.push('>');
            }
        }
        out.push_str(part);
    }
    out
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
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
