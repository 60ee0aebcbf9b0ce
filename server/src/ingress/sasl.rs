//! AUTH PLAIN (RFC 4616) and LOGIN, only inside TLS, checked against a
//! Sealmail account's password (or one of its app passwords, `sealmail user
//! app-password`) exactly as the web sign-in checks it (its rate limits, its
//! cap on password checks at once, its audit).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

use super::conn::{Conn, Stalled, Stream};
use super::reply::{self, Reply};
use super::session::Session;
use crate::crypto::Secret;
use crate::error::Error;
use crate::http::ClientAddress;

/// A name and password given over AUTH.
struct Credentials {
    user: String,
    password: Secret<String>,
}

impl Session<'_> {
    /// Handles AUTH: the exchange, then the password check.
    pub(super) async fn auth<S: Stream>(
        &mut self,
        mechanism: u64,
        initial: String,
        conn: &mut Conn<'_, S>,
    ) -> Result<Reply, Stalled> {
        if !self.tls {
            return Ok(reply::AUTH_NEEDS_TLS);
        }
        if self.user.is_some() {
            return Ok(reply::ALREADY_AUTHENTICATED);
        }
        if self.has_envelope() {
            return Ok(Reply::new(
                503,
                [5, 5, 1],
                "AUTH is not allowed during a mail transaction",
            ));
        }
        let timeout = self.ingress.settings.command_timeout;
        let credentials = match mechanism {
            smtp_proto::AUTH_PLAIN => {
                let response = if initial.is_empty() {
                    conn.reply_raw(&reply::challenge(""));
                    conn.line(timeout).await?
                } else {
                    initial.into_bytes()
                };
                match decode(&response) {
                    Answer::Cancelled => return Ok(reply::AUTH_CANCELLED),
                    Answer::Malformed => return Ok(reply::AUTH_MALFORMED),
                    Answer::Given(bytes) => plain(bytes),
                }
            }
            smtp_proto::AUTH_LOGIN => {
                let user = if initial.is_empty() {
                    conn.reply_raw(&reply::challenge("VXNlcm5hbWU6")); // "Username:"
                    conn.line(timeout).await?
                } else {
                    initial.into_bytes()
                };
                let user = match decode(&user) {
                    Answer::Given(user) => user,
                    Answer::Cancelled => return Ok(reply::AUTH_CANCELLED),
                    Answer::Malformed => return Ok(reply::AUTH_MALFORMED),
                };
                conn.reply_raw(&reply::challenge("UGFzc3dvcmQ6")); // "Password:"
                let password = conn.line(timeout).await?;
                match decode(&password) {
                    Answer::Given(password) => login(user, password),
                    Answer::Cancelled => return Ok(reply::AUTH_CANCELLED),
                    Answer::Malformed => return Ok(reply::AUTH_MALFORMED),
                }
            }
            _ => return Ok(reply::MECHANISM_UNSUPPORTED),
        };
        let Some(credentials) = credentials else {
            return Ok(reply::AUTH_MALFORMED);
        };
        let client = ClientAddress(Some(self.peer.ip().to_canonical().to_string()));
        let checked = crate::auth::check_password(
            &self.ingress.state,
            &credentials.user,
            credentials.password,
            &client,
            Some("smtp"),
            true,
        )
        .await;
        Ok(match checked {
            Ok(user) => {
                tracing::info!(user = user.id, "SMTP client authenticated");
                self.user = Some(user);
                reply::AUTH_OK
            }
            Err(Error::CredentialsWrong) => reply::AUTH_FAILED,
            Err(Error::TooManySignIns { .. } | Error::RateLimited { .. }) => reply::AUTH_TEMPORARY,
            Err(e) => {
                tracing::error!(error = %e, "an SMTP password check failed");
                reply::AUTH_TEMPORARY
            }
        })
    }
}

/// A client's base64 answer.
enum Answer {
    Given(Vec<u8>),
    Cancelled,
    Malformed,
}

fn decode(line: &[u8]) -> Answer {
    match line.trim_ascii() {
        b"*" => Answer::Cancelled,
        // An empty initial response (RFC 4954 §4).
        b"=" => Answer::Given(Vec::new()),
        text => BASE64.decode(text).map_or(Answer::Malformed, Answer::Given),
    }
}

/// PLAIN: `authzid NUL authcid NUL password`; an authzid other than the
/// authcid (acting as someone else) is not offered.
fn plain(bytes: Vec<u8>) -> Option<Credentials> {
    let mut parts = bytes.splitn(3, |b| *b == 0);
    let (authzid, user, password) = (parts.next()?, parts.next()?, parts.next()?);
    if !authzid.is_empty() && authzid != user {
        return None;
    }
    login(user.to_vec(), password.to_vec())
}

fn login(user: Vec<u8>, password: Vec<u8>) -> Option<Credentials> {
    Some(Credentials {
        user: String::from_utf8(user).ok()?,
        password: Secret::new(String::from_utf8(password).ok()?),
    })
}
