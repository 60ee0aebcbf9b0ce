//! The plain-text part. Prose is wrapped to short lines, so the part can go
//! out as 8bit (lettre takes 8bit only for lines under 76 bytes; longer
//! ones would be quoted-printable, which breaks a line with `=` wherever
//! it likes). Links and the passcode stand alone on their own lines, never
//! wrapped, so a client that linkifies text gets them whole.

use super::{Block, Content};

/// The longest prose line, in bytes (a Japanese character is three).
const WIDTH: usize = 72;

/// The text part of `content`: blocks separated by blank lines, the footer
/// after a `--` line.
pub(super) fn render(content: &Content) -> String {
    let mut out = String::new();
    for block in &content.body {
        push(&mut out, block);
    }
    out.push_str("--\n\n");
    for block in &content.footer {
        push(&mut out, block);
    }
    // One newline at the end, not a blank line.
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

fn push(out: &mut String, block: &Block) {
    match block {
        Block::Heading(text) => prose(out, text),
        Block::Paragraph(text) => prose(out, text),
        Block::Button { label, href } | Block::Link { label, href } => {
            prose(out, &format!("{label}:"));
            out.push_str(href);
            out.push('\n');
        }
        Block::LinkFallback { .. } => return,
        Block::Code { code, .. } => {
            out.push_str(code);
            out.push('\n');
        }
    }
    out.push('\n');
}

/// `text` wrapped, each line ending in `\n`; its own line breaks are kept.
fn prose(out: &mut String, text: &str) {
    for line in text.trim().lines() {
        for wrapped in wrap(line.trim_end(), WIDTH) {
            out.push_str(&wrapped);
            out.push('\n');
        }
    }
}

/// Breaks `line` into lines of at most `width` bytes: at spaces, and, in
/// scripts written without spaces (Japanese), between two characters, but
/// not before closing punctuation (`。`, `」`…) or after an opening bracket.
/// A word longer than `width` (a URL) stays whole on a line of its own.
pub(super) fn wrap(line: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut current = String::new();
    // Where `current` may be broken: (byte index, skip a space there).
    let mut last_break: Option<(usize, bool)> = None;
    let mut previous: Option<char> = None;
    for c in line.chars() {
        if let Some(p) = previous {
            if c == ' ' {
                last_break = Some((current.len(), true));
            } else if p != ' ' && breakable_between(p, c) {
                last_break = Some((current.len(), false));
            }
        }
        current.push(c);
        previous = Some(c);
        if current.len() > width
            && let Some((at, skip_space)) = last_break.take()
        {
            let rest = current.split_off(at);
            let rest = if skip_space { rest.trim_start() } else { &rest };
            let rest = rest.to_owned();
            lines.push(current.trim_end().to_owned());
            current = rest;
            // A break further on may still fit in what was carried over.
            last_break = last_break_in(&current);
        }
    }
    if !current.is_empty() || lines.is_empty() {
        lines.push(current.trim_end().to_owned());
    }
    lines
}

/// The last place `text` may be broken (see [`wrap`]).
fn last_break_in(text: &str) -> Option<(usize, bool)> {
    let mut found = None;
    let mut previous: Option<char> = None;
    for (i, c) in text.char_indices() {
        if let Some(p) = previous {
            if c == ' ' {
                found = Some((i, true));
            } else if p != ' ' && breakable_between(p, c) {
                found = Some((i, false));
            }
        }
        previous = Some(c);
    }
    found
}

/// Whether a line may break between `a` and `b` without a space: next to a
/// wide (CJK) character, unless the line would start with closing
/// punctuation or end with an opening bracket (Japanese line-breaking rules).
fn breakable_between(a: char, b: char) -> bool {
    const NO_START: &str = "。、．，」』）〕】！？：；・ーっゃゅょァィゥェォッャュョー…";
    const NO_END: &str = "「『（〔【";
    (is_wide(a) || is_wide(b)) && !NO_START.contains(b) && !NO_END.contains(a)
}

/// CJK characters and their punctuation: lines may break around them.
fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x3000..=0x30FF    // CJK punctuation, hiragana, katakana
        | 0x3400..=0x4DBF  // CJK extension A
        | 0x4E00..=0x9FFF  // CJK unified ideographs
        | 0xF900..=0xFAFF  // compatibility ideographs
        | 0xFF00..=0xFFEF) // full-width forms
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prose_wraps_at_spaces_and_keeps_every_word() {
        let line = "Om het te openen hebt u een eenmalige wachtwoordcode nodig. Die wordt naar dit e-mailadres verzonden.";
        let lines = wrap(line, 72);
        assert!(lines.len() >= 2, "{lines:?}");
        assert!(
            lines.iter().all(|l| l.len() <= 72 && !l.ends_with(' ')),
            "{lines:?}"
        );
        assert_eq!(lines.join(" "), line);
    }

    #[test]
    fn japanese_wraps_between_characters_but_not_before_closing_punctuation() {
        let line = "開くにはワンタイム パスコードが必要です。パスコードはこのメール アドレスに送信されます。";
        let lines = wrap(line, 30);
        assert!(lines.len() >= 3, "{lines:?}");
        for l in &lines {
            assert!(l.len() <= 30, "{l} is {} bytes", l.len());
            assert!(!l.starts_with('。'), "{lines:?}");
        }
        // Only the spaces the text had are lost at a break.
        assert_eq!(lines.concat().replace(' ', ""), line.replace(' ', ""));
    }

    #[test]
    fn a_word_longer_than_the_line_stays_whole() {
        let url =
            "https://portal.example.org/a/very/long/path/that/goes/on/and/on/m/AbCdEfGhIjKlMnOp";
        assert_eq!(wrap(&format!("Open {url} now"), 40), ["Open", url, "now"]);
        assert_eq!(wrap("", 40), [""]);
    }
}
