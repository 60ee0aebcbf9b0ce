//! The envelope: MAIL FROM (who sends, as which Sealmail account) and RCPT
//! TO (to whom, and whether this client may send there at all).

use smtp_proto::{MailFrom, RcptTo};

use super::MAX_RECIPIENTS;
use super::reply::{self, Reply};
use super::session::Session;
use crate::store::{self, users::UserRow};

/// The mail being given: MAIL FROM and the RCPT TOs accepted so far.
#[derive(Debug, Clone)]
pub struct Envelope {
    /// MAIL FROM's address; empty for the null sender `<>`.
    pub from: String,
    /// The Sealmail account sending: the authenticated one, or for a
    /// trusted network the account MAIL FROM names. `None`: only bounces.
    pub sender: Option<UserRow>,
    /// Recipients to handle by the mail-flow rules.
    pub recipients: Vec<String>,
    /// The ids of Sealmail's mails whose bounce this is (`bounce+ID@`).
    pub bounces: Vec<String>,
}

impl Session<'_> {
    /// MAIL FROM: the sender must be the authenticated account, or for a
    /// trusted network a Sealmail account; the null sender only for bounces.
    pub(super) async fn mail(&mut self, from: MailFrom<String>) -> Reply {
        if self.helo.is_none() {
            return reply::SAY_HELLO_FIRST;
        }
        if self.envelope.is_some() {
            return reply::NESTED_MAIL;
        }
        if from.size as u64 > self.ingress.settings.max_message_bytes {
            return reply::TOO_BIG;
        }
        let address = from.address.trim().to_owned();
        if !address.is_empty() && address.parse::<lettre::Address>().is_err() {
            return reply::BAD_SENDER;
        }
        let sender = match (&self.user, address.is_empty()) {
            (Some(user), false) if !user.email.eq_ignore_ascii_case(&address) => {
                return reply::sender_refused(format!(
                    "<{address}> is not the address of the account that authenticated"
                ));
            }
            (Some(user), _) => Some(user.clone()),
            (None, false) if self.trusted => {
                match store::users::by_email(&self.ingress.state.db, &address.to_lowercase()).await
                {
                    Ok(Some(user)) => Some(user),
                    Ok(None) => {
                        return reply::sender_refused(format!(
                            "<{address}> is not a Sealmail account: only accounts send through Sealmail"
                        ));
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "looking up an SMTP sender failed");
                        return reply::LOCAL_ERROR;
                    }
                }
            }
            (None, _) => None,
        };
        self.envelope = Some(Envelope {
            from: address,
            sender,
            recipients: Vec::new(),
            bounces: Vec::new(),
        });
        reply::SENDER_OK
    }

    /// RCPT TO: a bounce address of Sealmail's own mail from anyone; any
    /// other recipient only with a sender (AUTH or a trusted network).
    pub(super) async fn rcpt(&mut self, to: RcptTo<String>) -> Reply {
        let has_auth = self.ingress.tls.is_some();
        let (authenticated, trusted) = (self.user.is_some(), self.trusted);
        let Some(envelope) = self.envelope.as_mut() else {
            return reply::NEED_MAIL;
        };
        let address = to.address.trim().to_owned();
        if address.parse::<lettre::Address>().is_err() {
            return reply::BAD_RECIPIENT;
        }
        if envelope.recipients.len() + envelope.bounces.len() >= MAX_RECIPIENTS {
            return reply::TOO_MANY_RECIPIENTS;
        }
        // A bounce of Sealmail's own mail comes from anywhere on the internet.
        if let Some(id) = self.ingress.settings.bounce_id(&address) {
            return match store::mail_queue::exists(&self.ingress.state.db, &id).await {
                Ok(true) => {
                    envelope.bounces.push(id);
                    reply::RECIPIENT_OK
                }
                Ok(false) => reply::NO_SUCH_BOUNCE,
                Err(e) => {
                    tracing::error!(error = %e, "looking up a bounce address failed");
                    reply::LOCAL_ERROR
                }
            };
        }
        if envelope.sender.is_none() {
            return match (authenticated || trusted, has_auth) {
                (true, _) => reply::NULL_SENDER_ONLY_BOUNCES,
                (false, true) => reply::AUTH_REQUIRED,
                (false, false) => reply::RELAY_DENIED,
            };
        }
        if !envelope
            .recipients
            .iter()
            .any(|r| r.eq_ignore_ascii_case(&address))
        {
            envelope.recipients.push(address);
        }
        reply::RECIPIENT_OK
    }
}
