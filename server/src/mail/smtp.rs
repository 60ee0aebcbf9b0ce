//! Delivery through an SMTP relay.

use lettre::{AsyncSmtpTransport, AsyncTransport as _, Tokio1Executor};

use super::{MailError, MailFuture, MailSender, Mailer, OutgoingMail, build_message};

/// Sends mail through an SMTP relay given as a URL.
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    sender: MailSender,
}

impl SmtpMailer {
    /// A mailer for `smtp://host:port` or `smtps://user:pass@host`.
    pub fn new(url: &str, sender: MailSender) -> Result<Self, MailError> {
        // The URL can hold a password: the error never repeats it.
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|_| MailError("the SMTP URL is not valid".to_owned()))?
            .build();
        Ok(SmtpMailer { transport, sender })
    }
}

impl Mailer for SmtpMailer {
    fn send<'a>(&'a self, mail: &'a OutgoingMail) -> MailFuture<'a> {
        Box::pin(async move {
            let message = build_message(&self.sender, mail)?;
            self.transport
                .send(message)
                .await
                .map_err(|e| MailError(format!("SMTP delivery failed: {e}")))?;
            Ok(())
        })
    }
}
