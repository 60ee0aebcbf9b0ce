//! A mail that came in over SMTP, read by mail-parser: the bodies (charsets
//! and encoded words decoded), the attachments (RFC 2231 names), inline
//! images, and the headers the rules and the stored message need. A large
//! mail is read from its [skeleton](super::skeleton), its large attachments'
//! bodies left in the spooled mail.

use std::borrow::Cow;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use mail_parser::{
    Address, HeaderName, Message, MessageParser, MessagePart, MimeHeaders as _, PartType,
};
use sealmail_api::Mailbox;

use super::decode::Encoding;
use super::flowed::Flowed;
use super::skeleton::{Elided, Outline};

/// A parsed mail; attachments are borrowed from it, not copied.
pub struct Mail<'a> {
    message: Message<'a>,
    /// Inline images the HTML shows, by part index: kept in the body.
    inlined: Vec<usize>,
    /// The HTML body, its `cid:` images made `data:` URLs.
    html: Option<String>,
    /// The parts whose bodies the skeleton elided, by part index.
    elided: Vec<(usize, &'a Elided)>,
}

/// One attachment of a [`Mail`].
pub struct Attachment<'m> {
    /// Its file name (RFC 2231 and encoded words decoded), or a made-up one.
    pub name: String,
    /// Its MIME type.
    pub content_type: String,
    /// Its bytes.
    pub body: Body<'m>,
}

/// An attachment's bytes.
pub enum Body<'m> {
    /// Decoded, in memory.
    Bytes(&'m [u8]),
    /// Still encoded in the spooled mail, where this says.
    Elided(&'m Elided),
}

/// Parses `raw`; `None` if it is not a mail at all: not one header that
/// RFC 5322 or MIME names (a line of text alone parses as an unknown header).
pub fn parse(raw: &[u8]) -> Option<Mail<'_>> {
    let message = MessageParser::default().parse(raw)?;
    read(message, raw.len(), Vec::new())
}

/// The skeleton cannot stand for the mail: the whole mail is to be parsed.
#[derive(Debug, PartialEq, Eq)]
pub struct NeedsWhole;

/// Parses a large mail from its outline, as [`parse`] would parse the
/// whole of it (the mail's headers are in the skeleton as they came, so
/// whether it is a mail at all is decided there too).
pub fn parse_outline(outline: &Outline) -> Result<Option<Mail<'_>>, NeedsWhole> {
    if outline.is_broken() {
        return Err(NeedsWhole);
    }
    let message = MessageParser::default()
        .parse(outline.skeleton())
        .ok_or(NeedsWhole)?;
    let elided = stand_ins(&message, outline.elided()).ok_or(NeedsWhole)?;
    Ok(read(
        message,
        usize::try_from(outline.len()).unwrap_or(usize::MAX),
        elided,
    ))
}

/// Each elided body's part, by index: where mail-parser found its stand-in
/// as the whole body of a top-level attachment, decoded as the body would
/// be, starting where the body started; `None` if one was not found so.
fn stand_ins<'o>(message: &Message<'_>, elided: &'o [Elided]) -> Option<Vec<(usize, &'o Elided)>> {
    if elided.is_empty() {
        return Some(Vec::new());
    }
    // A mail inside the mail is handed out as the whole raw mail (the skeleton).
    if message
        .parts
        .iter()
        .any(|p| matches!(p.body, PartType::Message(_)))
    {
        return None;
    }
    elided
        .iter()
        .map(|e| {
            let index = message
                .parts
                .iter()
                .position(|p| p.offset_body as usize == e.skeleton_at)?;
            let part = &message.parts[index];
            let encoding = match e.encoding {
                Encoding::Base64 => mail_parser::Encoding::Base64,
                Encoding::QuotedPrintable => mail_parser::Encoding::QuotedPrintable,
            };
            let found = matches!(part.body, PartType::Binary(_) | PartType::InlineBinary(_))
                && !part.is_encoding_problem
                && part.encoding == encoding
                && part.contents() == e.token.as_slice()
                && part.content_id().is_none()
                && message.attachments.contains(&(index as u32));
            found.then_some((index, e))
        })
        .collect()
}

/// The mail `message` (`raw_len` bytes on the wire), if it is one.
fn read<'a>(
    message: Message<'a>,
    raw_len: usize,
    elided: Vec<(usize, &'a Elided)>,
) -> Option<Mail<'a>> {
    let known = |h: &mail_parser::Header<'_>| !matches!(h.name, HeaderName::Other(_));
    if !message.root_part().headers().iter().any(known) {
        return None;
    }
    let mut mail = Mail {
        message,
        inlined: Vec::new(),
        html: None,
        elided,
    };
    mail.html = mail.inline_images(inlined_html_limit(raw_len));
    Some(mail)
}

/// How long the HTML body may grow by carrying its inline images: about
/// the mail itself again (each image once, as base64, as it came). An image
/// named a thousand times in the HTML would otherwise be copied a thousand
/// times, turning a small mail into gigabytes.
fn inlined_html_limit(raw_len: usize) -> usize {
    raw_len.saturating_mul(2).saturating_add(64 * 1024)
}

impl<'a> Mail<'a> {
    /// The decoded subject.
    pub fn subject(&self) -> &str {
        self.message.subject().unwrap_or_default().trim()
    }

    /// The `Message-ID`, with angle brackets, if it has one.
    pub fn message_id(&self) -> Option<String> {
        let id = self.message.message_id()?.trim();
        (!id.is_empty() && !id.contains(['<', '>', ' ']) && id.len() <= 250)
            .then(|| format!("<{id}>"))
    }

    /// The `In-Reply-To` ids, with angle brackets.
    pub fn in_reply_to(&self) -> Vec<String> {
        let value = self.message.in_reply_to();
        let ids: Vec<&str> = match value.as_text_list() {
            Some(list) => list.iter().map(|s| s.as_ref()).collect(),
            None => value.as_text().into_iter().collect(),
        };
        ids.into_iter()
            .map(|id| format!("<{}>", id.trim()))
            .collect()
    }

    /// The `From` mailbox, if there is one.
    pub fn from(&self) -> Option<Mailbox> {
        mailboxes(self.message.from()).into_iter().next()
    }

    /// The `To` mailboxes.
    pub fn to(&self) -> Vec<Mailbox> {
        mailboxes(self.message.to())
    }

    /// The `Cc` mailboxes.
    pub fn cc(&self) -> Vec<Mailbox> {
        mailboxes(self.message.cc())
    }

    /// Every top-level header, name and value (decoded where mail-parser
    /// understands it, else as sent), for the rules.
    pub fn headers(&self) -> Vec<(String, String)> {
        let raw = self.message.raw_message();
        self.message
            .headers()
            .iter()
            .map(|h| {
                let value = match h.value.as_text() {
                    Some(text) => text.to_owned(),
                    None => {
                        let (start, end) = (h.offset_start as usize, h.offset_end as usize);
                        String::from_utf8_lossy(raw.get(start..end).unwrap_or_default())
                            .trim()
                            .to_owned()
                    }
                };
                (h.name.as_str().to_owned(), value)
            })
            .collect()
    }

    /// The plain-text body: the text/plain parts, in order; a flowed one
    /// (RFC 3676) unwrapped into its paragraphs.
    pub fn text(&self) -> Option<String> {
        let parts: Vec<Cow<'_, str>> = self
            .message
            .text_bodies()
            .filter(|p| p.is_text() && !p.is_text_html())
            .filter_map(|p| {
                let text = p.text_contents()?;
                Some(match flowed(p) {
                    Some(flowed) => Cow::Owned(flowed.unwrap(text)),
                    None => Cow::Borrowed(text),
                })
            })
            .collect();
        (!parts.is_empty()).then(|| parts.join("\n"))
    }

    /// The body's text, for the rules: the text/plain parts, then the text
    /// of the text/html parts (tags, styles and scripts left out, entities
    /// decoded), one after the other.
    pub fn body_text(&self) -> String {
        let html = self
            .message
            .html_bodies()
            .filter(|p| p.is_text_html())
            .filter_map(MessagePart::text_contents)
            .map(mail_parser::decoders::html::html_to_text);
        self.text()
            .into_iter()
            .chain(html)
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The HTML body, its inline images carried in it (`data:` URLs, which
    /// the sanitiser keeps for images: nothing is ever fetched).
    pub fn html(&self) -> Option<&str> {
        self.html.as_deref()
    }

    /// The attachments, in order, without the images the HTML shows inline.
    pub fn attachments(&self) -> Vec<Attachment<'_>> {
        let mut out = Vec::new();
        for (index, part) in self.attachment_parts() {
            if self.inlined.contains(&index) {
                continue;
            }
            let content_type = type_of(part);
            let name = match part.attachment_name() {
                Some(name) if !name.trim().is_empty() => name.trim().to_owned(),
                _ if part.is_message() => "forwarded-message.eml".to_owned(),
                _ => format!("attachment-{}", out.len() + 1),
            };
            let body = match self.elided.iter().find(|(i, _)| *i == index) {
                Some((_, elided)) => Body::Elided(elided),
                None => Body::Bytes(part.contents()),
            };
            out.push(Attachment {
                name,
                content_type,
                body,
            });
        }
        out
    }

    fn attachment_parts(&self) -> impl Iterator<Item = (usize, &MessagePart<'a>)> {
        self.message
            .attachments
            .iter()
            .filter_map(|&i| Some((i as usize, self.message.parts.get(i as usize)?)))
    }

    /// The HTML body with each `cid:` image it shows as a `data:` URL, as
    /// long as it stays within `limit` bytes (an image that would pass it
    /// stays an attachment); the images so used are noted in `inlined`.
    fn inline_images(&mut self, limit: usize) -> Option<String> {
        let parts: Vec<&str> = self
            .message
            .html_bodies()
            .filter(|p| p.is_text_html())
            .filter_map(MessagePart::text_contents)
            .collect();
        if parts.is_empty() {
            return None;
        }
        let mut html = parts.join("\n");
        let mut inlined = Vec::new();
        for (index, part) in self.attachment_parts() {
            let Some(id) = part.content_id() else {
                continue;
            };
            let id = id.trim().trim_matches(['<', '>']);
            let content_type = type_of(part);
            let reference = format!("cid:{id}");
            if id.is_empty() || !content_type.starts_with("image/") || !html.contains(&reference) {
                continue;
            }
            let encoded_len = part.contents().len().div_ceil(3) * 4;
            let data_len = "data:;base64,".len() + content_type.len() + encoded_len;
            let uses = html.matches(&reference).count();
            let grown = uses.saturating_mul(data_len.saturating_sub(reference.len()));
            if html.len().saturating_add(grown) > limit {
                continue;
            }
            let data = format!(
                "data:{content_type};base64,{}",
                BASE64.encode(part.contents())
            );
            html = html.replace(&reference, &data);
            inlined.push(index);
        }
        self.inlined = inlined;
        Some(html)
    }
}

/// How `part` is flowed, if its `Content-Type` says `format=flowed`.
fn flowed(part: &MessagePart<'_>) -> Option<Flowed> {
    let attributes = part.content_type()?.attributes()?;
    let value = |name: &str| {
        attributes
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(name))
            .map(|a| a.value.as_ref())
    };
    Flowed::of(value("format"), value("delsp"))
}

/// `type/subtype`, lower case; `application/octet-stream` when unsaid.
fn type_of(part: &MessagePart<'_>) -> String {
    match part.content_type() {
        Some(t) => match t.subtype() {
            Some(sub) => format!("{}/{sub}", t.ctype()).to_ascii_lowercase(),
            None => t.ctype().to_ascii_lowercase(),
        },
        None if part.is_message() => "message/rfc822".to_owned(),
        None => "application/octet-stream".to_owned(),
    }
}

/// The mailboxes of an address header. An address holding a control
/// character (mail-parser keeps a stray CR inside one) is no address: it is
/// dropped, so it can never reach a header Sealmail writes; a name's control
/// characters become spaces.
fn mailboxes(address: Option<&Address<'_>>) -> Vec<Mailbox> {
    address
        .map(|a| {
            a.iter()
                .filter_map(|addr| {
                    let address = addr.address()?.trim();
                    if address.is_empty() || address.chars().any(char::is_control) {
                        return None;
                    }
                    let name = addr
                        .name()
                        .map(|n| n.replace(char::is_control, " ").trim().to_owned())
                        .filter(|n| !n.is_empty());
                    Some(Mailbox {
                        name,
                        address: address.to_owned(),
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A multipart/related mail whose HTML shows the image `img` `uses` times.
    fn related(uses: usize, image: &[u8]) -> Vec<u8> {
        let html = "<img src=\"cid:img\">".repeat(uses);
        format!(
            "From: a@example.org\r\nTo: b@example.net\r\nSubject: s\r\nMIME-Version: 1.0\r\n\
             Content-Type: multipart/related; boundary=\"b\"\r\n\r\n\
             --b\r\nContent-Type: text/html\r\n\r\n{html}\r\n\
             --b\r\nContent-Type: image/png\r\nContent-ID: <img>\r\n\
             Content-Transfer-Encoding: base64\r\n\r\n{}\r\n--b--\r\n",
            BASE64.encode(image)
        )
        .into_bytes()
    }

    #[test]
    fn an_address_with_a_control_character_is_dropped() {
        let raw = b"From: Bob <bob@exa\rmple.org>\r\nTo: Al\x07ice <alice@example.net>, c\r@x.org\r\nSubject: s\r\n\r\nhi\r\n";
        let mail = parse(raw).unwrap();
        assert_eq!(mail.from(), None);
        let to = mail.to();
        assert_eq!(to.len(), 1, "{to:?}");
        assert_eq!(to[0].address, "alice@example.net");
        assert_eq!(to[0].name.as_deref(), Some("Al ice"));
    }

    #[test]
    fn an_image_shown_once_is_carried_in_the_html() {
        let raw = related(1, &[7; 3000]);
        let mail = parse(&raw).unwrap();
        assert!(mail.html().unwrap().contains("data:image/png;base64,"));
        assert!(mail.attachments().is_empty());
    }

    #[test]
    fn an_image_named_many_times_does_not_blow_the_html_up() {
        // 2,000 references to a 30 KB image: inlined each time, a 100 KB
        // mail would become an 80 MB body.
        let raw = related(2000, &[7; 30_000]);
        let mail = parse(&raw).unwrap();
        let html = mail.html().unwrap();
        assert!(
            html.len() <= 3 * raw.len(),
            "{} bytes of HTML from a {}-byte mail",
            html.len(),
            raw.len()
        );
        // The image is still there, as an attachment.
        let attachments = mail.attachments();
        assert_eq!(attachments.len(), 1);
        assert!(matches!(attachments[0].body, Body::Bytes(b) if b.len() == 30_000));
    }
}
