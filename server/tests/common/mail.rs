//! Every way a test reads the mail the server sent: the notification, its
//! link, the passcode. Where mail goes (the app's recording mailer in
//! process; `sealmail outbox` for a real server) is known here only.

use std::path::Path;

use super::TestApp;
use super::cli::{ok, run_sealmail};
use super::smtp_sink::SmtpSink;

/// A mail the server sent.
#[derive(Clone)]
pub struct Mail {
    /// The recipient's address.
    pub to: String,
    pub subject: String,
    pub text: String,
    /// The HTML alternative, if any.
    pub html: Option<String>,
    /// The language it is written in.
    pub language: sealmail_api::Language,
    /// The image its HTML shows as `cid:` (the template's logo), if any.
    pub logo: Option<sealmail::mail::InlineImage>,
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
                html: m.html,
                language: m.language,
                logo: m.logo,
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
        link_token_in(&mail.text)
    }

    /// The 8 digits from the newest passcode mail to `address`.
    pub fn passcode_for(&self, address: &str) -> String {
        // The newest mail must be the passcode mail (in any language):
        // `passcode_in` fails on a notification, which holds no 8 digits.
        let mail = self.last_mail_to(address).expect("a mail to that address");
        passcode_in(&mail.text)
    }
}

impl SmtpSink {
    /// The link token from the newest notification to `address` the sink
    /// received (an app made with [`TestApp::with_relay`]).
    pub fn token_for(&self, address: &str) -> String {
        let mail = self
            .mails()
            .into_iter()
            .rev()
            .find(|m| m.rcpt_to.eq_ignore_ascii_case(address) && m.text.contains("/m/"))
            .expect("a notification to that address in the sink");
        link_token_in(&mail.text)
    }

    /// The 8 digits from the newest mail to `address` the sink received.
    pub fn passcode_for(&self, address: &str) -> String {
        let mail = self
            .mails()
            .into_iter()
            .rev()
            .find(|m| m.rcpt_to.eq_ignore_ascii_case(address))
            .expect("a mail to that address in the sink");
        passcode_in(&mail.text)
    }
}

/// The link token from the newest notification to `address` in the outbox
/// of the data dir `data` (what a real `sealmail serve` or `send` wrote).
/// The delivery worker writes it just after the request that queued it, so
/// this waits for it (up to 10 s).
pub fn token_in_outbox(data: &Path, address: &str) -> String {
    let to = format!("To: {address}");
    let outbox = outbox_when(data, 10, |outbox| {
        // Mails are printed oldest first; the last notification to `address`.
        outbox
            .rfind(&to)
            .is_some_and(|start| outbox[start..].contains("/m/"))
    });
    let start = outbox.rfind(&to).expect("a mail to the address");
    link_token_in(&outbox[start..])
}

/// The passcode in the newest mail of the outbox of the data dir `data`,
/// once that mail is a passcode mail to `address` (waiting up to 10 s for the
/// delivery worker: until then the newest may be someone else's).
pub fn passcode_in_outbox(data: &Path, address: &str) -> String {
    let to = format!("To: {address}");
    let newest = outbox_when(data, 1, |mail| mail.contains(&to) && has_passcode(mail));
    passcode_in(&newest)
}

/// `sealmail outbox --last LAST` once `ready` holds for it (10 s at most).
fn outbox_when(data: &Path, last: u32, ready: impl Fn(&str) -> bool) -> String {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let outbox = ok(run_sealmail(
            data,
            &["outbox", "--last", &last.to_string()],
            "",
        ));
        if ready(&outbox) {
            return outbox;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the mail never reached the outbox:\n{outbox}"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

fn has_passcode(text: &str) -> bool {
    text.lines()
        .map(str::trim)
        .any(|l| l.len() == 8 && l.chars().all(|c| c.is_ascii_digit()))
}

/// The token of the first link to a portal link page in `text`.
fn link_token_in(text: &str) -> String {
    let start = text.find("/m/").expect("a link in the notification") + 3;
    text[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

/// The 8-digit passcode on a line of its own in `text`.
fn passcode_in(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .find(|l| l.len() == 8 && l.chars().all(|c| c.is_ascii_digit()))
        .expect("8 digits in the passcode mail")
        .to_owned()
}
