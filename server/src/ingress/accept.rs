//! What happens to a message once DATA is in: bounces of Sealmail's own mail
//! are recorded; everything else goes through the mail-flow rules. The
//! protected part is stored as a message (through the same `Outgoing` the
//! compose page uses) with its notifications AND the copies relayed to the
//! other recipients, in one transaction: the mail is either fully stored and
//! queued, or not at all (and the client is told so).

use sealmail_api::{Mailbox, Protection};
use time::format_description::well_known::Rfc2822;

use super::budget::Held;
use super::facts::MailFacts;
use super::mime::{self, Body, Mail, NeedsWhole};
use super::reply::{self, Reply};
use super::session::{Envelope, Session};
use super::spool::{Received, Spooled};
use crate::error::{Error, Result};
use crate::mail::bounce::{self, Recorded};
use crate::mailflow::{self, Plan};
use crate::messages::{Draft, Outgoing};
use crate::store::{self, mail_queue::NewMail, users::UserRow};

/// Attachment bytes handed to the sealing at once.
const SEAL_PIECE: usize = 1 << 20;

impl Session<'_> {
    /// Handles a complete message; the reply to its DATA.
    pub(super) async fn accept(
        &self,
        envelope: &Envelope,
        received: Received,
        held: &mut Held,
    ) -> Reply {
        match self.try_accept(envelope, received, held).await {
            Ok(reply) => reply,
            // The mail itself is at fault: sending it again will not help.
            Err(e @ (Error::InvalidRequest(_) | Error::PayloadTooLarge)) => {
                tracing::info!(error = %e, "a mail that came in over SMTP was refused");
                reply::rejected(e.to_string())
            }
            Err(e) => {
                tracing::error!(error = %e, "a mail that came in over SMTP could not be stored");
                reply::LOCAL_ERROR
            }
        }
    }

    async fn try_accept(
        &self,
        envelope: &Envelope,
        received: Received,
        held: &mut Held,
    ) -> Result<Reply> {
        let state = &self.ingress.state;
        // A large mail is spooled and outlined; `raw` then holds it only if
        // it is needed whole (a bounce, a skeleton that cannot stand for it).
        let (mut raw, mut spooled, outline) = match received {
            Received::Whole(raw) => (raw, None, None),
            Received::Spooled(file, outline) => (Vec::new(), Some(*file), Some(outline)),
        };
        let size = spooled.as_ref().map_or(raw.len() as u64, Spooled::len);
        if !envelope.bounces.is_empty() {
            if let Some(file) = spooled.as_mut()
                && raw.is_empty()
                && !file.read_whole(held, &mut raw).await?
            {
                return Ok(reply::MEMORY_FULL);
            }
            for id in &envelope.bounces {
                record_bounce(state, id, &raw).await?;
            }
        }
        let Some(sender) = envelope.sender.as_ref() else {
            // Only bounces (RCPT refuses anything else without a sender).
            return Ok(Reply::new(250, [2, 0, 0], "Bounce received"));
        };
        if envelope.recipients.is_empty() {
            return Ok(Reply::new(250, [2, 0, 0], "Bounce received"));
        }
        let parsed = match outline.as_ref() {
            Some(outline) => mime::parse_outline(outline),
            None => Err(NeedsWhole),
        };
        let parsed = match parsed {
            Ok(parsed) => parsed,
            Err(NeedsWhole) => {
                if let Some(file) = spooled.as_mut()
                    && raw.is_empty()
                {
                    tracing::info!(
                        bytes = size,
                        "a large mail is read whole: its outline cannot stand for it"
                    );
                    if !file.read_whole(held, &mut raw).await? {
                        return Ok(reply::MEMORY_FULL);
                    }
                }
                mime::parse(&raw)
            }
        };
        let Some(mail) = parsed else {
            return Ok(reply::rejected("This is not a mail: it has no header"));
        };
        let rules = store::rules::list(&state.db).await?;
        let known = MailFacts::of(&mail, usize::try_from(size).unwrap_or(usize::MAX), &rules);
        let is_inside = |address: &str| self.ingress.settings.is_inside(address);
        let facts = known.facts(&mail, &sender.email, &is_inside);
        let plan = mailflow::plan(&rules, &facts, &envelope.recipients);
        // The body's text was for the rules only: not held while the mail is sealed.
        drop(known);
        if let Some((rule, reason)) = &plan.reject {
            tracing::info!(rule, "a mail was rejected by a mail-flow rule");
            return Ok(Reply::new(
                550,
                [5, 7, 1],
                format!("Rejected by the mail-flow rule \"{rule}\": {reason}"),
            ));
        }

        // Relayed copies carry the trace line every relay adds (RFC 5321
        // §4.4) on top of the mail exactly as it came.
        // The copy is made only when someone gets it: for a mail that is
        // only protected it was a second copy of the whole mail, held for
        // nothing beside the DATA buffer and the decoded attachments.
        let now = store::now();
        // One copy for all the relayed recipients: stored and sent once.
        let mut relays = Vec::new();
        if !plan.relay.is_empty() {
            let mut traced = self.received().into_bytes();
            match spooled.as_mut() {
                // Read from the spool straight after the trace line.
                Some(file) if raw.is_empty() => {
                    if !held.add(usize::try_from(size).unwrap_or(usize::MAX)) {
                        return Ok(reply::MEMORY_FULL);
                    }
                    file.read_all(&mut traced).await?;
                    if traced.ends_with(b"\r\n") {
                        traced.truncate(traced.len() - 2);
                    }
                }
                // The relay's client (lettre) ends DATA with CRLF . CRLF after
                // the mail: the mail's own last CRLF is left for it to write.
                _ => traced.extend_from_slice(raw.strip_suffix(b"\r\n").unwrap_or(&raw)),
            }
            relays.push(state.mail_queue.prepare_relay(
                &state.master_key,
                &envelope.from,
                &plan.relay,
                &traced,
                now,
            ));
        }

        if plan.protect.is_empty() {
            store::mail_queue::insert_all(&state.db, &relays).await?;
            state.mail_queue.wake();
            tracing::info!(relayed = plan.relay.len(), "mail relayed unprotected");
            let id = mail.message_id().unwrap_or_default();
            return Ok(reply::queued(&id));
        }
        let message_id = self
            .protect(&mail, spooled.as_mut(), sender, &plan, relays)
            .await?;
        Ok(reply::queued(&message_id))
    }

    /// Stores the protected message for `plan.protect`, with `relays` queued
    /// in the same transaction; returns its Message-ID.
    async fn protect(
        &self,
        mail: &Mail<'_>,
        mut spooled: Option<&mut Spooled>,
        sender: &UserRow,
        plan: &Plan,
        relays: Vec<NewMail>,
    ) -> Result<String> {
        let state = &self.ingress.state;
        // Dropped on any error below, `Outgoing` removes the files sealed so far.
        let mut outgoing = Outgoing::new(state);
        for attachment in mail.attachments() {
            let mut writer = outgoing
                .attachment(&attachment.name, &attachment.content_type)
                .await?;
            match attachment.body {
                Body::Bytes(bytes) => {
                    for piece in bytes.chunks(SEAL_PIECE) {
                        writer.write(piece).await?;
                    }
                }
                Body::Elided(elided) => {
                    let file = spooled.as_deref_mut().ok_or_else(|| {
                        Error::Internal("an elided attachment without its spooled mail".into())
                    })?;
                    file.decode(elided, &mut writer).await?;
                }
            }
            outgoing.finish_attachment(writer).await?;
        }
        // The client's Message-ID is kept (the sender finds the message by
        // the id in their Sent folder) unless Sealmail already has it.
        if let Some(id) = mail.message_id()
            && store::messages::by_message_id(&state.db, &id)
                .await?
                .is_none()
        {
            outgoing.with_message_id(id);
        }
        let (to, cc, bcc) = addressing(mail, &plan.protect);
        outgoing.with_bcc(bcc);
        outgoing.queue_with(relays);
        let mut in_reply_to = None;
        for id in mail.in_reply_to() {
            if let Some(original) = store::messages::by_message_id(&state.db, &id).await? {
                in_reply_to = Some(original.id);
                break;
            }
        }
        let template = template_of(state, plan).await?;
        // The rule's expiry, else the template's (as compose's "template default").
        let expires_at = plan
            .expiry_days
            .map(i64::from)
            .or_else(|| template.as_ref().and_then(|t| t.expiry_days))
            .map(|days| store::now() + days * 86_400);
        if let Some(template) = template {
            outgoing.with_template(template);
        }
        let (text, html) = (mail.text(), mail.html().map(str::to_owned));
        let message_id = outgoing
            .send(Draft {
                from: Mailbox {
                    name: sender.name.clone(),
                    address: sender.email.clone(),
                },
                sender_user_id: Some(sender.id),
                to,
                cc,
                subject: mailflow::strip_words(mail.subject(), &plan.strip),
                text: if text.is_none() && html.is_none() {
                    Some(String::new())
                } else {
                    text
                },
                html,
                protection: plan.protection.unwrap_or(Protection::EncryptOnly),
                expires_at,
                in_reply_to,
                language: None,
                read_receipt: sender.read_receipts,
            })
            .await?;
        tracing::info!(
            user = sender.id,
            protected = plan.protect.len(),
            relayed = plan.relay.len(),
            "mail that came in over SMTP stored protected"
        );
        Ok(message_id)
    }

    /// The `Received:` line for a relayed copy.
    fn received(&self) -> String {
        let with = match (self.tls, self.user.is_some()) {
            (false, false) => "ESMTP",
            (true, false) => "ESMTPS",
            (false, true) => "ESMTPA",
            (true, true) => "ESMTPSA",
        };
        let helo: String = self
            .helo
            .as_deref()
            .unwrap_or("unknown")
            .chars()
            .filter(|c| c.is_ascii_graphic())
            .take(100)
            .collect();
        let date = time::OffsetDateTime::now_utc()
            .format(&Rfc2822)
            .unwrap_or_default();
        format!(
            "Received: from {helo} ([{}])\r\n\tby {} (Sealmail) with {with}; {date}\r\n",
            self.peer.ip().to_canonical(),
            self.ingress.settings.hostname
        )
    }
}

/// The branding template the protected message goes with: the one the
/// rules named, else the default. One deleted since the rule named it is
/// not a reason to hold the mail back: it goes with the default, and the
/// administrator is told in the log.
async fn template_of(
    state: &crate::state::AppState,
    plan: &Plan,
) -> Result<Option<store::branding::TemplateRow>> {
    if let Some(id) = &plan.template {
        if let Some(template) = match id.parse::<i64>() {
            Ok(id) => store::branding::get(&state.db, id).await?,
            Err(_) => None,
        } {
            return Ok(Some(template));
        }
        tracing::warn!(
            template = %id,
            "a mail-flow rule names a branding template that is gone; the default is used"
        );
    }
    store::branding::default(&state.db).await
}

/// Each protected recipient as the headers name them: To, Cc, or else Bcc
/// (only the envelope names them).
fn addressing(
    mail: &Mail<'_>,
    recipients: &[String],
) -> (Vec<Mailbox>, Vec<Mailbox>, Vec<Mailbox>) {
    let (headers_to, headers_cc) = (mail.to(), mail.cc());
    let find = |list: &[Mailbox], address: &str| {
        list.iter()
            .find(|m| m.address.eq_ignore_ascii_case(address))
            .cloned()
    };
    let (mut to, mut cc, mut bcc) = (Vec::new(), Vec::new(), Vec::new());
    for address in recipients {
        if let Some(m) = find(&headers_to, address) {
            to.push(m);
        } else if let Some(m) = find(&headers_cc, address) {
            cc.push(m);
        } else {
            bcc.push(Mailbox {
                name: None,
                address: address.clone(),
            });
        }
    }
    (to, cc, bcc)
}

/// Marks Sealmail's mail `id` bounced; a notice that is not a bounce (an
/// auto-reply to the bounce address) is noted and dropped. A database error
/// is returned: the client is told to try again, so no bounce is lost.
async fn record_bounce(state: &crate::state::AppState, id: &str, raw: &[u8]) -> Result<()> {
    match bounce::record_for(state, id, raw).await {
        Ok(Recorded::Bounced { .. }) => tracing::info!(mail = %id, "bounce recorded"),
        Ok(Recorded::AlreadyBounced { .. }) => {}
        Ok(Recorded::NotAFailure { action }) => {
            tracing::info!(mail = %id, action, "a delivery notice that is not a failure")
        }
        Err(e @ (Error::InvalidRequest(_) | Error::NotFound(_))) => {
            tracing::warn!(mail = %id, error = %e, "a mail to a bounce address was not a bounce")
        }
        Err(e) => return Err(e),
    }
    Ok(())
}
