//! A recipient's reply mailed to an internal sender without encryption
//! (`--remove-encryption-from-replies`): a normal mail, threaded under the
//! message it answers, with the reply's text, HTML and attachments.

use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox as LettreMailbox, MultiPart, SinglePart};
use sealmail_api::Mailbox;

use super::{MailError, MailSender, text_part};

/// What the reply mail says, and what it answers.
pub struct PlainReply<'a> {
    /// The recipient who wrote the reply.
    pub from: &'a Mailbox,
    /// The original message's sender, inside the organisation.
    pub to: &'a Mailbox,
    /// The reply's subject (`Re: …`).
    pub subject: &'a str,
    /// The reply's own Message-ID, as stored (`<…>`): the mail and the
    /// stored reply are found by the same id.
    pub message_id: &'a str,
    /// The original message's Message-ID (`<…>`).
    pub answers: &'a str,
    /// The reply's text.
    pub text: Option<&'a str>,
    /// The reply's HTML.
    pub html: Option<&'a str>,
    /// The reply's files, opened.
    pub attachments: Vec<PlainAttachment>,
}

/// One of the reply's files, in plain.
pub struct PlainAttachment {
    /// Its file name.
    pub name: String,
    /// Its MIME type, as uploaded.
    pub content_type: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// Builds the reply mail (unsigned: the delivery worker signs what it sends).
///
/// It is From Sealmail's own address with the recipient's name ("Bob Jones
/// via Sealmail"), Reply-To the recipient: the mail leaves through the
/// organisation's relay, signed with Sealmail's DKIM key, so only a From in
/// Sealmail's domain passes SPF and DMARC alignment; a From of the
/// recipient's own domain (gmail.com, a partner's p=reject domain) would be
/// quarantined or refused by the sender's own mail server. Answering it
/// still reaches the recipient, as mailing lists have done since DMARC.
pub fn build(sender: &MailSender, reply: PlainReply<'_>) -> Result<lettre::Message, MailError> {
    let address = |m: &Mailbox| {
        m.address
            .parse()
            .map_err(|e| MailError(format!("bad address {}: {e}", m.address)))
    };
    let who = reply.from.name.as_deref().unwrap_or(&reply.from.address);
    let via = sender.from.name.as_deref().unwrap_or("Sealmail");
    let from = LettreMailbox::new(Some(format!("{who} via {via}")), sender.from.email.clone());
    let builder = lettre::Message::builder()
        .from(from)
        .reply_to(LettreMailbox::new(
            reply.from.name.clone(),
            address(reply.from)?,
        ))
        .to(LettreMailbox::new(
            reply.to.name.clone(),
            address(reply.to)?,
        ))
        .subject(reply.subject)
        .message_id(Some(reply.message_id.to_owned()))
        .in_reply_to(reply.answers.to_owned())
        .references(reply.answers.to_owned());
    let text = text_part(reply.text.unwrap_or_default());
    // Simplest first: clients show the last alternative they can.
    let alternative = |html: &str| {
        MultiPart::alternative()
            .singlepart(text.clone())
            .singlepart(SinglePart::html(html.to_owned()))
    };
    let built = match (reply.html, reply.attachments.is_empty()) {
        (None, true) => builder.singlepart(text.clone()),
        (Some(html), true) => builder.multipart(alternative(html)),
        (html, false) => {
            let mut mixed = match html {
                Some(html) => MultiPart::mixed().multipart(alternative(html)),
                None => MultiPart::mixed().singlepart(text.clone()),
            };
            for file in reply.attachments {
                let content_type = ContentType::parse(&file.content_type).unwrap_or_else(|_| {
                    ContentType::parse("application/octet-stream").expect("a valid type")
                });
                mixed = mixed.singlepart(Attachment::new(file.name).body(file.bytes, content_type));
            }
            builder.multipart(mixed)
        }
    };
    built.map_err(|e| MailError(format!("building the reply: {e}")))
}
