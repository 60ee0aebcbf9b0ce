//! Every way a test reads the mail the server sent: the notification, its
//! link, the passcode. Where mail goes (today the app's recording mailer) is
//! known here only.

use super::TestApp;

/// A mail the server sent.
#[derive(Clone)]
pub struct Mail {
    /// The recipient's address.
    pub to: String,
    pub subject: String,
    pub text: String,
}

impl TestApp {
    /// Every mail sent so far, oldest first.
    pub fn mails(&self) -> Vec<Mail> {
        self.mailer
            .sent()
            .into_iter()
            .map(|m| Mail {
                to: m.to.address,
                subject: m.subject,
                text: m.text,
            })
            .collect()
    }

    /// The newest mail to `address`, if any.
    pub fn last_mail_to(&self, address: &str) -> Option<Mail> {
        self.mails()
            .into_iter()
            .rev()
            .find(|m| m.to.eq_ignore_ascii_case(address))
    }

    /// The link token from the newest notification to `address` (passcode
    /// mails, which hold no link, are passed over).
    pub fn token_for(&self, address: &str) -> String {
        let mail = self
            .mails()
            .into_iter()
            .rev()
            .find(|m| m.to.eq_ignore_ascii_case(address) && m.text.contains("/m/"))
            .expect("a notification to that address");
        let start = mail.text.find("/m/").unwrap() + 3;
        mail.text[start..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect()
    }

    /// The 8 digits from the newest passcode mail to `address`.
    pub fn passcode_for(&self, address: &str) -> String {
        let mail = self.last_mail_to(address).expect("a mail to that address");
        assert_eq!(mail.subject, "Your one-time passcode");
        mail.text
            .lines()
            .map(str::trim)
            .find(|l| l.len() == 8 && l.chars().all(|c| c.is_ascii_digit()))
            .expect("8 digits in the passcode mail")
            .to_owned()
    }
}
