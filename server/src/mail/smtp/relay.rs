//! The relay `--smtp-url` names, and how a connection to it is opened: our
//! own TCP socket with Nagle off, handed to lettre's SMTP client.
//!
//! Why our own socket: lettre 0.11.23 leaves Nagle on, so the five bytes
//! that end DATA wait for the relay's delayed ACK of the body, ~40 ms a mail
//! on each connection (fixed upstream in lettre PR #1159, not released).

use std::time::Duration;

use lettre::transport::smtp::authentication::{Credentials, DEFAULT_MECHANISMS};
use lettre::transport::smtp::client::{AsyncSmtpConnection, TlsParameters};
use lettre::transport::smtp::extension::ClientId;

use super::classify;
use crate::mail::{MailError, SendError};

/// How the connection is protected.
enum Security {
    /// `smtp://` without `tls`: in the clear (a relay on the same machine).
    Plain,
    /// `?tls=opportunistic`: STARTTLS when the relay offers it.
    Opportunistic(TlsParameters),
    /// `?tls=required`: STARTTLS or nothing is sent.
    Required(TlsParameters),
    /// `smtps://`: TLS from the first byte.
    Implicit(TlsParameters),
}

/// An SMTP relay, parsed from its URL the way lettre's `from_url` reads it
/// (the same schemes, `tls` values, default ports and credentials).
pub(super) struct Relay {
    host: String,
    port: u16,
    security: Security,
    credentials: Option<Credentials>,
    hello: ClientId,
}

impl Relay {
    /// `smtp://[user:pass@]host[:port][/hello-name][?tls=required|opportunistic]`
    /// or `smtps://…`. The URL can hold a password: no error repeats it.
    pub(super) fn parse(text: &str) -> Result<Self, MailError> {
        let invalid = |why: &str| MailError(format!("the SMTP URL is not valid: {why}"));
        let url = url::Url::parse(text).map_err(|_| invalid("not a URL"))?;
        let host = url.host_str().ok_or_else(|| invalid("no host"))?.to_owned();
        let tls = url
            .query_pairs()
            .find(|(k, _)| k == "tls")
            .map(|(_, v)| v.into_owned());
        let parameters = || {
            TlsParameters::new(host.clone()).map_err(|_| invalid("no TLS settings for the host"))
        };
        let (security, default_port) = match (url.scheme(), tls.as_deref()) {
            ("smtp", None) => (Security::Plain, 25),
            ("smtp", Some("opportunistic")) => (Security::Opportunistic(parameters()?), 587),
            ("smtp", Some("required")) => (Security::Required(parameters()?), 587),
            ("smtps", _) => (Security::Implicit(parameters()?), 465),
            _ => {
                return Err(invalid(
                    "use smtp:// (tls=required or opportunistic) or smtps://",
                ));
            }
        };
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8()
                .map(|s| s.into_owned())
                .map_err(|_| invalid("the user or password is not UTF-8"))
        };
        let credentials = match url.password() {
            Some(password) => Some(Credentials::new(decode(url.username())?, decode(password)?)),
            None => None,
        };
        let hello = match url.path().trim_matches('/') {
            "" => ClientId::default(),
            name => ClientId::Domain(name.to_owned()),
        };
        Ok(Relay {
            port: url.port().unwrap_or(default_port),
            host,
            security,
            credentials,
            hello,
        })
    }

    /// A new connection: greeted, STARTTLS as configured, authenticated.
    pub(super) async fn connect(
        &self,
        timeout: Duration,
    ) -> Result<AsyncSmtpConnection, SendError> {
        let address = (self.host.as_str(), self.port);
        let mut conn = match &self.security {
            // lettre makes the TLS stream from its own socket (its TLS
            // settings are not public), so smtps:// keeps Nagle on.
            Security::Implicit(tls) => AsyncSmtpConnection::connect_tokio1(
                address,
                Some(timeout),
                &self.hello,
                Some(tls.clone()),
                None,
            )
            .await
            .map_err(classify)?,
            _ => {
                // The relay's name in the error: "cannot connect" alone does
                // not tell an operator which setting to look at.
                let unreachable = |e: std::io::Error| {
                    SendError::Transient(format!(
                        "SMTP delivery failed: cannot connect to the relay {}:{}: {e}",
                        self.host, self.port
                    ))
                };
                let stream = tokio::net::TcpStream::connect(address)
                    .await
                    .map_err(unreachable)?;
                stream.set_nodelay(true).map_err(unreachable)?;
                AsyncSmtpConnection::connect_with_transport(Box::new(stream), &self.hello)
                    .await
                    .map_err(classify)?
            }
        };
        match &self.security {
            Security::Opportunistic(tls) if conn.can_starttls() => {
                conn.starttls(tls.clone(), &self.hello).await
            }
            Security::Required(tls) => conn.starttls(tls.clone(), &self.hello).await,
            _ => Ok(()),
        }
        .map_err(classify)?;
        if let Some(credentials) = &self.credentials {
            conn.auth(DEFAULT_MECHANISMS, credentials)
                .await
                .map_err(classify)?;
        }
        Ok(conn)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(url: &str) -> Relay {
        Relay::parse(url).unwrap_or_else(|e| panic!("{url}: {e}"))
    }

    #[test]
    fn each_url_form_gets_its_protection_and_default_port() {
        let plain = parsed("smtp://relay.internal");
        assert!(matches!(plain.security, Security::Plain));
        assert_eq!(plain.port, 25);
        let required = parsed("smtp://relay.example:2525?tls=required");
        assert!(matches!(required.security, Security::Required(_)));
        assert_eq!(required.port, 2525);
        assert!(matches!(
            parsed("smtp://relay.example?tls=opportunistic").security,
            Security::Opportunistic(_)
        ));
        let implicit = parsed("smtps://user:p%40ss@relay.example");
        assert!(matches!(implicit.security, Security::Implicit(_)));
        assert_eq!(implicit.port, 465);
        assert!(implicit.credentials == Some(Credentials::new("user".into(), "p@ss".into())));
        assert_eq!(
            parsed("smtp://relay.example/mail.sealmail.test").hello,
            ClientId::Domain("mail.sealmail.test".into())
        );
    }

    #[test]
    fn a_bad_url_is_refused_without_repeating_its_password() {
        for url in [
            "http://user:hunter2@relay.example",
            "smtp://user:hunter2@relay.example?tls=sometimes",
            "not a url hunter2",
        ] {
            let error = Relay::parse(url).err().expect(url).0;
            assert!(error.starts_with("the SMTP URL is not valid"), "{error}");
            assert!(!error.contains("hunter2"), "{error}");
        }
    }
}
