//! One SMTP session (RFC 5321), its commands parsed by smtp-proto: who the
//! client is (trusted network, AUTH after STARTTLS) and what it offers. The
//! envelope (who may send to whom) is in [`super::envelope`], AUTH in
//! [`super::sasl`]; the message is read in [`super::data`] and handled in
//! [`super::accept`].

use std::net::SocketAddr;

use smtp_proto::request::receiver::RequestReceiver;
use smtp_proto::{EhloResponse, Request};

use super::Ingress;
use super::conn::{Conn, Stalled, Stream};
pub use super::envelope::Envelope;
use super::reply::{self, Reply};
use crate::store::users::UserRow;

/// What the connection does after the session.
pub enum Next {
    /// Hang up.
    Close,
    /// Start TLS, then a new session over it.
    StartTls,
}

/// What a command leaves the session to do.
enum Step {
    Continue,
    Close,
    StartTls,
}

/// A session: the client's standing and the mail being given.
pub struct Session<'a> {
    pub(super) ingress: &'a Ingress,
    pub(super) peer: SocketAddr,
    /// Over TLS (after STARTTLS).
    pub(super) tls: bool,
    /// From a trusted network (`--smtp-trusted-networks`).
    pub(super) trusted: bool,
    /// The EHLO/HELO name, once given.
    pub(super) helo: Option<String>,
    /// The account that authenticated.
    pub(super) user: Option<UserRow>,
    pub(super) envelope: Option<Envelope>,
}

impl<'a> Session<'a> {
    /// A new session with a client at `peer`.
    pub fn new(ingress: &'a Ingress, peer: SocketAddr, tls: bool) -> Self {
        Session {
            trusted: ingress.is_trusted(peer.ip()),
            ingress,
            peer,
            tls,
            helo: None,
            user: None,
            envelope: None,
        }
    }

    /// Whether a mail transaction is under way (MAIL given).
    pub(super) fn has_envelope(&self) -> bool {
        self.envelope.is_some()
    }

    /// Speaks SMTP on `conn` until the client quits, stalls or asks for TLS.
    pub async fn run<S: Stream>(&mut self, conn: &mut Conn<'_, S>) -> Next {
        let settings = &self.ingress.settings;
        if !self.tls {
            conn.reply_raw(&reply::greeting(&settings.hostname));
        }
        let mut receiver = RequestReceiver::default();
        // After a line too long, the rest of it is skipped, not parsed.
        let mut skipping = false;
        loop {
            if skipping {
                match conn.inbuf.iter().position(|b| *b == b'\n') {
                    Some(end) => {
                        conn.inbuf.drain(..=end);
                        skipping = false;
                        conn.reply(&reply::LINE_TOO_LONG);
                    }
                    None => {
                        conn.inbuf.clear();
                        if let Err(stalled) = conn.fill(settings.command_timeout, true).await {
                            return self.hang_up(conn, stalled).await;
                        }
                        continue;
                    }
                }
            }
            let (parsed, used) = {
                let mut bytes = conn.inbuf.iter();
                let parsed = receiver.ingest(&mut bytes).map(Request::into_owned);
                (parsed, conn.inbuf.len() - bytes.len())
            };
            conn.inbuf.drain(..used);
            let request = match parsed {
                Ok(request) => request,
                Err(smtp_proto::Error::NeedsMoreData { .. }) => {
                    match conn.fill(settings.command_timeout, true).await {
                        Ok(()) => continue,
                        Err(stalled) => return self.hang_up(conn, stalled).await,
                    }
                }
                Err(smtp_proto::Error::ResponseTooLong) => {
                    receiver = RequestReceiver::default();
                    skipping = true;
                    continue;
                }
                Err(error) => {
                    conn.reply(&syntax_error(&error));
                    continue;
                }
            };
            let step = match self.handle(request, conn).await {
                Ok(step) => step,
                Err(stalled) => return self.hang_up(conn, stalled).await,
            };
            match step {
                Step::Continue => {}
                Step::Close => {
                    let _ = conn.flush().await;
                    return Next::Close;
                }
                Step::StartTls => {
                    let _ = conn.flush().await;
                    // Commands pipelined after STARTTLS came in the clear:
                    // they are dropped, never run inside TLS (RFC 3207 §4.2).
                    conn.inbuf.clear();
                    return Next::StartTls;
                }
            }
        }
    }

    /// Says why the session ends (a timeout, a stop) and ends it.
    async fn hang_up<S: Stream>(&self, conn: &mut Conn<'_, S>, stalled: Stalled) -> Next {
        match stalled {
            // A reply already queued (a DATA timeout) still goes out if it can.
            Stalled::Closed => {}
            Stalled::TimedOut => conn.reply(&reply::COMMAND_TIMEOUT),
            Stalled::Stopping => conn.reply(&reply::SHUTTING_DOWN),
        }
        let _ = conn.flush().await;
        Next::Close
    }

    async fn handle<S: Stream>(
        &mut self,
        request: Request<String>,
        conn: &mut Conn<'_, S>,
    ) -> Result<Step, Stalled> {
        let answer = match request {
            Request::Ehlo { host } => {
                self.helo = Some(host);
                self.envelope = None;
                let mut out = Vec::new();
                self.ehlo().write(&mut out).expect("writing to a Vec");
                conn.reply_raw(&out);
                return Ok(Step::Continue);
            }
            Request::Helo { host } => {
                self.helo = Some(host);
                self.envelope = None;
                Reply::new(250, [2, 0, 0], self.ingress.settings.hostname.clone())
            }
            Request::StartTls if self.tls => reply::ALREADY_TLS,
            Request::StartTls if self.ingress.tls.is_none() => reply::TLS_UNAVAILABLE,
            Request::StartTls => {
                conn.reply(&reply::READY_FOR_TLS);
                return Ok(Step::StartTls);
            }
            Request::Auth {
                mechanism,
                initial_response,
            } => self.auth(mechanism, initial_response, conn).await?,
            Request::Mail { from } => self.mail(from).await,
            Request::Rcpt { to } => self.rcpt(to).await,
            Request::Data => match self.envelope.take() {
                None => reply::NEED_MAIL,
                Some(e) if e.recipients.is_empty() && e.bounces.is_empty() => {
                    self.envelope = Some(e);
                    reply::NEED_RCPT
                }
                Some(envelope) => {
                    let answer = self.data(envelope, conn).await?;
                    crate::metrics::smtp_mail(answer.code);
                    answer
                }
            },
            Request::Rset => {
                self.envelope = None;
                reply::RESET
            }
            Request::Noop { .. } => reply::OK,
            Request::Vrfy { .. } => reply::CANNOT_VRFY,
            Request::Help { .. } => reply::HELP,
            Request::Quit => {
                conn.reply(&reply::BYE);
                return Ok(Step::Close);
            }
            Request::Lhlo { .. }
            | Request::Bdat { .. }
            | Request::Expn { .. }
            | Request::Etrn { .. }
            | Request::Atrn { .. }
            | Request::Burl { .. } => reply::NOT_IMPLEMENTED,
        };
        conn.reply(&answer);
        Ok(Step::Continue)
    }

    /// The EHLO reply: what this session offers now.
    fn ehlo(&self) -> EhloResponse<String> {
        let settings = &self.ingress.settings;
        let mut ehlo = EhloResponse::new(settings.hostname.clone());
        ehlo.capabilities = smtp_proto::EXT_SIZE
            | smtp_proto::EXT_8BIT_MIME
            | smtp_proto::EXT_SMTP_UTF8
            | smtp_proto::EXT_PIPELINING
            | smtp_proto::EXT_ENHANCED_STATUS_CODES;
        ehlo.size = usize::try_from(settings.max_message_bytes).unwrap_or(usize::MAX);
        if self.ingress.tls.is_some() && !self.tls {
            ehlo.capabilities |= smtp_proto::EXT_START_TLS;
        }
        // Passwords only inside TLS (RFC 4954 §4: no plain-text mechanism in the clear).
        if self.tls && self.user.is_none() {
            ehlo.capabilities |= smtp_proto::EXT_AUTH;
            ehlo.auth_mechanisms = smtp_proto::AUTH_PLAIN | smtp_proto::AUTH_LOGIN;
        }
        ehlo
    }
}

/// The reply to a command smtp-proto could not parse.
fn syntax_error(error: &smtp_proto::Error) -> Reply {
    use smtp_proto::Error as E;
    match error {
        E::ResponseTooLong => reply::LINE_TOO_LONG,
        E::UnknownCommand => reply::UNKNOWN_COMMAND,
        E::InvalidSenderAddress => reply::BAD_SENDER,
        E::InvalidRecipientAddress => reply::BAD_RECIPIENT,
        E::SyntaxError { syntax } => Reply::new(501, [5, 5, 2], format!("Syntax: {syntax}")),
        E::InvalidParameter { param } => {
            Reply::new(501, [5, 5, 4], format!("Invalid parameter {param}"))
        }
        E::UnsupportedParameter { param } => {
            Reply::new(504, [5, 5, 4], format!("Unsupported parameter {param}"))
        }
        _ => reply::UNKNOWN_COMMAND,
    }
}
