//! The text of Sealmail's own mail. Plain text with short lines and no
//! trailing spaces, so it goes out as 7bit/8bit: the link and the passcode
//! stay intact and readable in any client (and in the `.eml` outbox).

use sealmail_api::Mailbox;

use super::OutgoingMail;

/// "You received a protected message": the recipient's own link.
pub fn notification(
    organisation: &str,
    sender: &Mailbox,
    to: &Mailbox,
    subject: &str,
    link: &str,
) -> OutgoingMail {
    let who = match &sender.name {
        Some(name) => format!("{name} <{}>", sender.address),
        None => sender.address.clone(),
    };
    OutgoingMail {
        to: to.clone(),
        subject: subject.to_owned(),
        text: format!(
            "{who} has sent you a protected message.\n\
             \n\
             Read the message:\n\
             {link}\n\
             \n\
             To open it you will need a one-time passcode,\n\
             which will be mailed to this address.\n\
             \n\
             {}\n",
            footer(organisation)
        ),
    }
}

/// The notification with a branding template's texts: its introduction, its
/// read-button text before the link, its extra mail text and disclaimer, and
/// its organisation's name (over the server's) in the footer.
pub fn branded_notification(
    organisation: &str,
    branding: &sealmail_api::admin::BrandingFields,
    sender: &Mailbox,
    to: &Mailbox,
    subject: &str,
    link: &str,
) -> OutgoingMail {
    let who = match &sender.name {
        Some(name) => format!("{name} <{}>", sender.address),
        None => sender.address.clone(),
    };
    let paragraph = |text: &Option<String>| match text.as_deref().map(str::trim) {
        Some(t) if !t.is_empty() => format!("{t}\n\n"),
        _ => String::new(),
    };
    let button = branding
        .read_button_text
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .unwrap_or("Read the message");
    OutgoingMail {
        to: to.clone(),
        subject: subject.to_owned(),
        text: format!(
            "{who} has sent you a protected message.\n\n{}{button}:\n{link}\n\n\
             To open it you will need a one-time passcode,\n\
             which will be mailed to this address.\n\n{}{}{}\n",
            paragraph(&branding.introduction_text),
            paragraph(&branding.email_text),
            paragraph(&branding.disclaimer_text),
            footer(branding.organisation.as_deref().unwrap_or(organisation))
        ),
    }
}

/// The one-time passcode.
pub fn passcode(organisation: &str, to: &Mailbox, code: &str, valid_minutes: u32) -> OutgoingMail {
    OutgoingMail {
        to: to.clone(),
        subject: "Your one-time passcode".to_owned(),
        text: format!(
            "Here is your one-time passcode to read a protected message:\n\
             \n\
             {code}\n\
             \n\
             It is valid for {valid_minutes} minutes and works once.\n\
             If you did not ask for it, you can ignore this mail.\n\
             \n\
             {}\n",
            footer(organisation)
        ),
    }
}

fn footer(organisation: &str) -> String {
    if organisation == "Sealmail" {
        "Message encryption by Sealmail.".to_owned()
    } else {
        format!("Message encryption by {organisation}, with Sealmail.")
    }
}
