//! Bounces: a delivery status notification (RFC 3464) that came back to a
//! mail's VERP envelope sender (`bounce+ID@…`, see `--bounce-domain`) marks
//! that mail — and so its recipient's delivery — bounced. `sealmail bounce
//! --eml FILE` calls [`record`]; SMTP ingress, which knows the address from
//! the envelope, calls [`record_for`].

use mail_parser::{Address, HeaderName, MessageParser, MimeHeaders as _};

use super::queue::BOUNCE_PREFIX;
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store::{self, mail_queue};

/// What a bounce says about the one mail it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bounce {
    /// The queued mail's id, from the `bounce+ID@` address it came back to.
    pub mail_id: String,
    /// `Final-Recipient` (or `Original-Recipient`): who could not be reached.
    pub recipient: Option<String>,
    /// `Action`: `failed`, `delayed`, `delivered`, `relayed` or `expanded`.
    pub action: String,
    /// `Status`, e.g. `5.1.1`.
    pub status: Option<String>,
    /// `Diagnostic-Code`, e.g. `smtp; 550 5.1.1 No such user`.
    pub diagnostic: Option<String>,
}

impl Bounce {
    /// Whether the mail will never arrive (RFC 3464 §2.3.3: `failed`).
    pub fn is_failure(&self) -> bool {
        self.action.eq_ignore_ascii_case("failed")
    }

    /// The reason as the delivery state shows it: status and diagnostic.
    pub fn reason(&self) -> String {
        let parts: Vec<&str> = [self.status.as_deref(), self.diagnostic.as_deref()]
            .into_iter()
            .flatten()
            .collect();
        if parts.is_empty() {
            "bounced (no reason given)".to_owned()
        } else {
            format!("bounced: {}", parts.join(" "))
        }
    }
}

/// What [`record`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recorded {
    /// The recipient's mail is now bounced.
    Bounced {
        /// The address the mail was sent to.
        address: String,
        /// The reason stored with it.
        reason: String,
    },
    /// The mail was already marked bounced.
    AlreadyBounced {
        /// The address the mail was sent to.
        address: String,
    },
    /// A notice that is not a failure (`delayed`, `delivered`…): nothing changes.
    NotAFailure {
        /// The notice's action.
        action: String,
    },
}

/// Reads a bounce and marks the mail it names bounced.
pub async fn record(state: &AppState, raw: &[u8]) -> Result<Recorded> {
    mark(state, parse(raw)?).await
}

/// Reads a bounce delivered to mail `mail_id`'s `bounce+ID@` address (the
/// envelope said so) and marks that mail bounced.
pub async fn record_for(state: &AppState, mail_id: &str, raw: &[u8]) -> Result<Recorded> {
    mark(state, parse_as(raw, Some(mail_id.to_owned()))?).await
}

async fn mark(state: &AppState, bounce: Bounce) -> Result<Recorded> {
    if !bounce.is_failure() {
        return Ok(Recorded::NotAFailure {
            action: bounce.action,
        });
    }
    let reason = bounce.reason();
    match mail_queue::mark_bounced(&state.db, &bounce.mail_id, store::now(), &reason).await? {
        Some((address, true)) => {
            tracing::warn!(mail = %bounce.mail_id, status = ?bounce.status, "mail bounced");
            Ok(Recorded::Bounced { address, reason })
        }
        Some((address, false)) => Ok(Recorded::AlreadyBounced { address }),
        None => Err(Error::NotFound(format!(
            "the bounce names mail {}, which Sealmail has no record of",
            bounce.mail_id
        ))),
    }
}

/// Parses an RFC 3464 delivery status notification: the mail it names (from
/// the `bounce+ID@` address it was delivered to) and its per-recipient fields.
pub fn parse(raw: &[u8]) -> Result<Bounce> {
    parse_as(raw, None)
}

/// [`parse`], the mail's id given (from the envelope) or read from the headers.
fn parse_as(raw: &[u8], mail_id: Option<String>) -> Result<Bounce> {
    let bad = |why: &str| Error::InvalidRequest(format!("not a bounce Sealmail can use: {why}"));
    let message = MessageParser::default()
        .parse(raw)
        .ok_or_else(|| bad("the file is not a mail"))?;
    let from_headers = || {
        message
            .parts
            .first()
            .into_iter()
            .flat_map(|part| part.headers.iter())
            .filter(|h| {
                matches!(h.name, HeaderName::To | HeaderName::DeliveredTo)
                    || ["X-Original-To", "Envelope-To"]
                        .iter()
                        .any(|n| h.name.as_str().eq_ignore_ascii_case(n))
            })
            .flat_map(|h| addresses(h.value.as_address(), h.value.as_text()))
            .find_map(|address| verp_id(&address))
    };
    let mail_id = mail_id
        .or_else(from_headers)
        .ok_or_else(|| bad("it was not sent to a bounce+ID@ address (see --bounce-domain)"))?;
    let status = message
        .parts
        .iter()
        .find(|part| {
            part.content_type().is_some_and(|t| {
                t.ctype().eq_ignore_ascii_case("message")
                    && t.subtype()
                        .is_some_and(|s| s.eq_ignore_ascii_case("delivery-status"))
            })
        })
        .ok_or_else(|| bad("it has no message/delivery-status part (RFC 3464)"))?;
    let fields = String::from_utf8_lossy(status.contents());
    // The first block is about the message; the next ones, one per recipient
    // (Sealmail sends each mail to one recipient, so the first counts).
    let recipient = field_blocks(&fields)
        .into_iter()
        .skip(1)
        .find(|block| block.iter().any(|(name, _)| name == "action"))
        .ok_or_else(|| bad("its delivery status names no recipient"))?;
    let field = |name: &str| {
        recipient
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    // `rfc822; bob@example.net` → the address.
    let address_of = |v: String| {
        v.split_once(';')
            .map_or(v.clone(), |(_, a)| a.trim().to_owned())
    };
    Ok(Bounce {
        mail_id,
        recipient: field("final-recipient")
            .or_else(|| field("original-recipient"))
            .map(address_of),
        action: field("action").unwrap_or_default(),
        status: field("status"),
        diagnostic: field("diagnostic-code"),
    })
}

/// Every address in a header, parsed or as text.
fn addresses(parsed: Option<&Address<'_>>, text: Option<&str>) -> Vec<String> {
    let mut found: Vec<String> = parsed
        .map(|a| {
            a.iter()
                .filter_map(|addr| addr.address().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    if let Some(text) = text {
        found.push(text.trim().trim_matches(['<', '>']).to_owned());
    }
    found
}

/// The mail id in `bounce+ID@domain`, if `address` is one.
pub fn verp_id(address: &str) -> Option<String> {
    let local = address.split_once('@')?.0;
    let id = local.get(BOUNCE_PREFIX.len()..)?;
    let is_ours = local[..BOUNCE_PREFIX.len()].eq_ignore_ascii_case(BOUNCE_PREFIX)
        && id.len() == 32
        && id.chars().all(|c| c.is_ascii_hexdigit());
    is_ours.then(|| id.to_ascii_lowercase())
}

/// The `Name: value` blocks of a delivery-status body (blank-line separated,
/// continuation lines unfolded), names in lower case.
fn field_blocks(text: &str) -> Vec<Vec<(String, String)>> {
    let mut blocks: Vec<Vec<(String, String)>> = vec![Vec::new()];
    for line in text.lines() {
        let block = blocks.last_mut().expect("never empty");
        if line.trim().is_empty() {
            if !block.is_empty() {
                blocks.push(Vec::new());
            }
        } else if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = block.last_mut() {
                value.push(' ');
                value.push_str(line.trim());
            }
        } else if let Some((name, value)) = line.split_once(':') {
            block.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    blocks
}
