//! Sealmail's own mail: the notification and the passcode. Each is written
//! once as a list of [`Block`]s in the message's language, then rendered
//! twice: as accessible HTML ([`html`]) and as plain text ([`text`]), so the
//! two parts of the multipart/alternative mail say the same.

mod html;
mod text;

use std::borrow::Cow;

use sealmail_api::{Language, Mailbox};

use super::OutgoingMail;
use super::brand::Brand;
use super::i18n::{self, MailStrings};

/// One piece of a mail's content.
#[derive(Debug)]
enum Block<'a> {
    /// The mail's heading (`<h1>`).
    Heading(&'a str),
    /// A paragraph; line breaks in it are kept.
    Paragraph(Cow<'a, str>),
    /// The call to action: a button in HTML, `label:` and the URL in text.
    Button { label: &'a str, href: &'a str },
    /// The button's URL spelled out, for clients that show no button (HTML
    /// only: the text part already shows the URL under the button's label).
    LinkFallback { label: &'a str, href: &'a str },
    /// A link such as the privacy statement.
    Link { label: &'a str, href: &'a str },
    /// The passcode: large in HTML, alone on its line in text.
    Code { label: &'a str, code: &'a str },
}

/// A whole mail's content.
struct Content<'a> {
    language: Language,
    /// The HTML document's title: the heading.
    title: &'a str,
    body: Vec<Block<'a>>,
    /// Under a rule: the disclaimer, who encrypts, the privacy statement.
    footer: Vec<Block<'a>>,
}

/// "You received a protected message": the recipient's own link.
pub fn notification(
    brand: &Brand,
    language: Language,
    sender: &Mailbox,
    to: &Mailbox,
    subject: &str,
    link: &str,
) -> OutgoingMail {
    let s = i18n::strings(language);
    let who = match &sender.name {
        Some(name) => format!("{name} <{}>", sender.address),
        None => sender.address.clone(),
    };
    let button = brand.read_button_text.as_deref().unwrap_or(s.read_message);
    let mut body = vec![
        Block::Heading(s.protected_message),
        Block::Paragraph(s.sent_you.replace("{sender}", &who).into()),
    ];
    body.extend(paragraph(&brand.introduction_text));
    body.extend([
        Block::Button {
            label: button,
            href: link,
        },
        Block::Paragraph(s.passcode_needed.into()),
        Block::LinkFallback {
            label: s.link_fallback,
            href: link,
        },
    ]);
    body.extend(paragraph(&brand.email_text));
    let content = Content {
        language,
        title: s.protected_message,
        body,
        footer: footer(brand, s),
    };
    render(brand, content, to, subject.to_owned())
}

/// The one-time passcode.
pub fn passcode(
    brand: &Brand,
    language: Language,
    to: &Mailbox,
    code: &str,
    valid_minutes: u32,
) -> OutgoingMail {
    let s = i18n::strings(language);
    let content = Content {
        language,
        title: s.passcode_subject,
        body: vec![
            Block::Heading(s.passcode_subject),
            Block::Paragraph(s.passcode_intro.into()),
            Block::Code {
                label: s.passcode_label,
                code,
            },
            Block::Paragraph(
                s.passcode_valid
                    .replace("{minutes}", &valid_minutes.to_string())
                    .into(),
            ),
            Block::Paragraph(s.passcode_ignore.into()),
        ],
        footer: footer(brand, s),
    };
    render(brand, content, to, s.passcode_subject.to_owned())
}

/// The sender's read receipt: "`reader` opened “`subject`”".
pub fn read_receipt(
    brand: &Brand,
    language: Language,
    reader: &Mailbox,
    to: &Mailbox,
    subject: &str,
    opened_at: &str,
) -> OutgoingMail {
    let s = i18n::strings(language);
    let fill = |text: &str| {
        text.replace("{reader}", &reader.address)
            .replace("{subject}", subject)
            .replace("{time}", opened_at)
    };
    let title = fill(s.receipt_subject);
    let content = Content {
        language,
        title: &title,
        body: vec![
            Block::Heading(&title),
            Block::Paragraph(fill(s.receipt_body).into()),
        ],
        footer: footer(brand, s),
    };
    render(brand, content, to, title.clone())
}

fn paragraph(text: &Option<String>) -> Option<Block<'_>> {
    text.as_deref().map(|t| Block::Paragraph(t.into()))
}

fn footer<'a>(brand: &'a Brand, s: &'a MailStrings) -> Vec<Block<'a>> {
    let mut footer: Vec<Block> = paragraph(&brand.disclaimer_text).into_iter().collect();
    footer.push(Block::Paragraph(if brand.organisation == "Sealmail" {
        s.footer_sealmail.into()
    } else {
        s.footer_organisation
            .replace("{organisation}", &brand.organisation)
            .into()
    }));
    if let Some(url) = &brand.privacy_statement_url {
        footer.push(Block::Link {
            label: s.privacy_statement,
            href: url,
        });
    }
    footer
}

fn render(brand: &Brand, content: Content, to: &Mailbox, subject: String) -> OutgoingMail {
    OutgoingMail {
        to: to.clone(),
        subject,
        text: text::render(&content),
        html: Some(html::render(brand, &content)),
        logo: brand.logo.clone(),
        language: content.language,
    }
}

#[cfg(test)]
mod tests;
