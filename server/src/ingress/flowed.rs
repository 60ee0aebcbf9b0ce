//! `text/plain; format=flowed` (RFC 3676), as mail clients such as
//! Thunderbird and Apple Mail send it: paragraphs wrapped at ~72 columns
//! with a space before each soft line break. Stored as it came, a reader's
//! narrow screen would show the sender's wrapping broken again; unwrapped,
//! each paragraph is one line the portal wraps to its width.
//!
//! No maintained crate does only this (crates.io has none by that name;
//! the decoders there live inside mail clients), and it is a page of rules.

/// How a flowed body's soft line breaks are undone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Flowed {
    /// `delsp=yes`: the space before a soft break was added by the sender
    /// (text without spaces between words, such as Japanese) and goes.
    pub delsp: bool,
}

impl Flowed {
    /// The flowed parameters of a `Content-Type`'s `format` and `delsp`
    /// values; `None` when the text is not flowed (RFC 3676 §4: `fixed`
    /// or absent). Both are case-insensitive.
    pub fn of(format: Option<&str>, delsp: Option<&str>) -> Option<Flowed> {
        format
            .is_some_and(|f| f.trim().eq_ignore_ascii_case("flowed"))
            .then(|| Flowed {
                delsp: delsp.is_some_and(|d| d.trim().eq_ignore_ascii_case("yes")),
            })
    }

    /// `text` with its soft line breaks joined: each paragraph on one line,
    /// space-stuffing undone, quoted lines kept at their depth (`> `, `>> `)
    /// and the signature separator (`-- `) on its own line.
    pub fn unwrap(self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        // The paragraph being joined: its quote depth and text so far.
        let mut open: Option<(usize, String)> = None;
        let mut lines = text.split('\n').peekable();
        while let Some(line) = lines.next() {
            // The last "line" after a final line break is no line.
            if line.is_empty() && lines.peek().is_none() {
                break;
            }
            let line = line.strip_suffix('\r').unwrap_or(line);
            let depth = line.bytes().take_while(|&b| b == b'>').count();
            let rest = &line[depth..];
            // §4.4: a space at the start (after any quote marks) was stuffed.
            let rest = rest.strip_prefix(' ').unwrap_or(rest);
            // §4.3: the signature separator is never flowed, and starts a line.
            let signature = rest == "-- ";
            let soft = !signature && rest.ends_with(' ');
            // §4.5: a paragraph does not continue into another quote depth.
            if let Some((at, _)) = &open
                && (*at != depth || signature)
            {
                let (at, paragraph) = open.take().expect("checked above");
                push_line(&mut out, at, &paragraph);
            }
            let piece = if soft && self.delsp {
                &rest[..rest.len() - 1]
            } else {
                rest
            };
            let (_, paragraph) = open.get_or_insert_with(|| (depth, String::new()));
            paragraph.push_str(piece);
            if !soft {
                let (at, paragraph) = open.take().expect("just inserted");
                push_line(&mut out, at, &paragraph);
            }
        }
        if let Some((at, paragraph)) = open {
            push_line(&mut out, at, &paragraph);
        }
        out
    }
}

/// One unwrapped line: its quote marks, a space, then its text.
fn push_line(out: &mut String, depth: usize, text: &str) {
    if depth > 0 {
        out.extend(std::iter::repeat_n('>', depth));
        if !text.is_empty() {
            out.push(' ');
        }
    }
    out.push_str(text);
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    const FLOWED: Flowed = Flowed { delsp: false };

    #[test]
    fn only_format_flowed_is_unwrapped_and_delsp_is_read() {
        assert_eq!(
            Flowed::of(Some("Flowed"), None),
            Some(Flowed { delsp: false })
        );
        assert_eq!(
            Flowed::of(Some("flowed"), Some("YES")),
            Some(Flowed { delsp: true })
        );
        assert_eq!(
            Flowed::of(Some("flowed"), Some("no")),
            Some(Flowed { delsp: false })
        );
        assert_eq!(Flowed::of(Some("fixed"), Some("yes")), None);
        assert_eq!(Flowed::of(None, None), None);
    }

    #[test]
    fn soft_line_breaks_are_joined_and_hard_ones_kept() {
        let text = "Hello Bob,\r\n\r\nThe numbers for the third quarter \r\nare in, and they \r\nlook good.\r\nSee you.\r\n";
        assert_eq!(
            FLOWED.unwrap(text),
            "Hello Bob,\n\nThe numbers for the third quarter are in, and they look good.\nSee you.\n"
        );
    }

    #[test]
    fn with_delsp_the_space_before_a_soft_break_goes() {
        let text = "日本語の文章は単語の間に空白が \r\nありません。\r\n";
        assert_eq!(
            Flowed { delsp: true }.unwrap(text),
            "日本語の文章は単語の間に空白がありません。\n"
        );
        assert_eq!(
            FLOWED.unwrap(text),
            "日本語の文章は単語の間に空白が ありません。\n"
        );
    }

    #[test]
    fn space_stuffing_is_undone() {
        // Stuffed because they start with a space, "From " or ">".
        let text = "  indented\r\n From the start\r\n >not a quote\r\n";
        assert_eq!(
            FLOWED.unwrap(text),
            " indented\nFrom the start\n>not a quote\n"
        );
    }

    #[test]
    fn quoted_paragraphs_keep_their_depth_and_do_not_join_another() {
        let text = "> Bob wrote that the \r\n> plan is fine.\r\n>> And Alice \r\n>> agreed.\r\n>\r\nNo \r\n> soft break into a quote.\r\n";
        assert_eq!(
            FLOWED.unwrap(text),
            "> Bob wrote that the plan is fine.\n>> And Alice agreed.\n>\nNo \n> soft break into a quote.\n"
        );
    }

    #[test]
    fn the_signature_separator_stays_on_its_own_line() {
        let text = "Regards, \r\n-- \r\nAlice Demo \r\nContoso\r\n";
        assert_eq!(FLOWED.unwrap(text), "Regards, \n-- \nAlice Demo Contoso\n");
    }

    #[test]
    fn a_body_ending_on_a_soft_break_or_without_a_line_break_keeps_its_text() {
        assert_eq!(FLOWED.unwrap("one \r\ntwo "), "one two \n");
        assert_eq!(FLOWED.unwrap("no break"), "no break\n");
        assert_eq!(FLOWED.unwrap(""), "");
    }
}
