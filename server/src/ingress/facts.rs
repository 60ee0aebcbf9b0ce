//! What the mail-flow rules are checked against, worked out once per mail
//! (not once per recipient and rule): its headers, its body's text, whether
//! many attachments it has, its size. The SMTP listener and `sealmail rule test`
//! both build their [`Facts`] here, so a test decides as the listener would.

use super::mime::Mail;
use crate::mailflow::{self, Facts, Rule};

/// A mail's facts that the rules need and [`Mail`] does not hold as they are.
pub struct MailFacts {
    headers: Vec<(String, String)>,
    body: String,
    attachments: usize,
    size: u64,
}

impl MailFacts {
    /// The facts of `mail`, which came as `size` bytes; its body's text only
    /// if one of `rules` looks at it.
    pub fn of(mail: &Mail<'_>, size: usize, rules: &[Rule]) -> MailFacts {
        MailFacts {
            headers: mail.headers(),
            body: if mailflow::needs_body(rules) {
                mail.body_text().to_lowercase()
            } else {
                String::new()
            },
            attachments: mail.attachments().len(),
            size: size as u64,
        }
    }

    /// The [`Facts`] for the rules, with the mail's subject and this sender.
    pub fn facts<'a>(
        &'a self,
        mail: &'a Mail<'_>,
        sender: &'a str,
        is_inside: &'a (dyn Fn(&str) -> bool + Sync),
    ) -> Facts<'a> {
        Facts {
            subject: mail.subject(),
            sender,
            headers: &self.headers,
            body: &self.body,
            attachments: self.attachments,
            size: self.size,
            is_inside,
        }
    }
}
