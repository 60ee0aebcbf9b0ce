//! Queuing a mail: it is built into its RFC 5322 message (Message-ID
//! included, so every retry sends the same mail), sealed under the master key
//! and handed to the caller, who stores it in the same transaction as what
//! causes it (`store::mail_queue::insert`). The delivery worker
//! ([`super::delivery`]) sends it; [`MailQueue::wake`] tells it there is work.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;

use super::logo_gap::{self, LastLogo};
use super::plain_reply::{self, PlainReply};
use super::{MailSender, OutgoingMail, build_message};
use crate::config::Config;
use crate::crypto::{self, MasterKey, Secret};
use crate::error::{Error, Result};
use crate::store::mail_queue::{MailKind, NewMail, QueuedLogo};

/// How the worker retries and how long it keeps trying.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// The wait before the first retry; it doubles with each failure.
    pub retry_min: Duration,
    /// The longest wait between two tries.
    pub retry_max: Duration,
    /// How long after it was queued a mail is given up.
    pub give_up: Duration,
    /// How long a worker's claim on a mail lasts; after a crash the mail is
    /// tried again once it runs out.
    pub lease: Duration,
    /// Mails in flight at once (and SMTP connections in the pool).
    pub concurrency: usize,
}

impl RetryPolicy {
    /// The policy the configuration asks for.
    pub fn from_config(config: &Config) -> Self {
        RetryPolicy {
            retry_min: config.mail_retry_min,
            retry_max: config.mail_retry_max.max(config.mail_retry_min),
            give_up: config.mail_give_up,
            lease: config.mail_lease,
            concurrency: config.mail_concurrency.max(1),
        }
    }

    /// The wait after failed try number `attempt` (1 for the first):
    /// `retry_min` doubling up to `retry_max`, stretched by a random 0–25 %
    /// so that mails deferred together (a relay outage) do not all come back
    /// in the same second.
    pub fn backoff(&self, attempt: i64) -> Duration {
        let doublings = u32::try_from(attempt.saturating_sub(1))
            .unwrap_or(u32::MAX)
            .min(30);
        let base = self
            .retry_min
            .saturating_mul(1u32 << doublings)
            .min(self.retry_max);
        let fraction =
            f64::from(u32::from_be_bytes(crypto::random_bytes::<4>())) / f64::from(u32::MAX);
        base + base.mul_f64(fraction / 4.0)
    }
}

/// The queue's handle in [`crate::state::AppState`]: the sender of Sealmail's own
/// mail, the retry policy, and the worker's wake-up call. Cheap to clone.
#[derive(Clone)]
pub struct MailQueue {
    inner: Arc<Inner>,
}

struct Inner {
    sender: MailSender,
    bounce_domain: Option<String>,
    policy: RetryPolicy,
    work: Notify,
    last_logo: LastLogo,
}

impl MailQueue {
    /// A queue whose mail comes from `sender` (and is signed with its DKIM
    /// key as it is sent), its bounces going to `bounce+ID@bounce_domain`
    /// if given.
    pub fn new(sender: MailSender, bounce_domain: Option<String>, policy: RetryPolicy) -> Self {
        MailQueue {
            inner: Arc::new(Inner {
                sender,
                bounce_domain,
                policy,
                work: Notify::new(),
                last_logo: LastLogo::default(),
            }),
        }
    }

    /// The retry policy.
    pub fn policy(&self) -> &RetryPolicy {
        &self.inner.policy
    }

    /// The DKIM signer of Sealmail's own mail, if one is configured.
    pub fn dkim(&self) -> Option<&super::dkim::DkimSigner> {
        self.inner.sender.dkim.as_deref()
    }

    /// Tells the worker that mail was queued (call after the commit). If the
    /// worker is busy, the call is kept until it next waits.
    pub fn wake(&self) {
        self.inner.work.notify_one();
    }

    /// Waits for [`MailQueue::wake`].
    pub async fn woken(&self) {
        self.inner.work.notified().await;
    }

    /// Builds `mail` and seals it for the queue; `expires_at`: not to be sent
    /// after this. A recipient address that cannot be mailed is refused here,
    /// before anything is stored.
    pub fn prepare(
        &self,
        master_key: &MasterKey,
        kind: MailKind,
        mail: &OutgoingMail,
        created_at: i64,
        expires_at: Option<i64>,
    ) -> Result<NewMail> {
        let message = build_message(&self.inner.sender, mail)
            .map_err(|e| Error::InvalidRequest(format!("cannot mail {}: {e}", mail.to.address)))?;
        self.seal(
            master_key,
            kind,
            &message,
            mail.logo.as_ref(),
            created_at,
            expires_at,
        )
    }

    /// Builds a recipient's reply as a normal mail to its sender (see
    /// [`super::plain_reply`]) and seals it for the queue, as the sender's
    /// notification of the reply.
    pub fn prepare_plain_reply(
        &self,
        master_key: &MasterKey,
        reply: PlainReply<'_>,
        created_at: i64,
    ) -> Result<NewMail> {
        let to = reply.to.address.clone();
        let message = plain_reply::build(&self.inner.sender, reply)
            .map_err(|e| Error::InvalidRequest(format!("cannot mail {to}: {e}")))?;
        self.seal(
            master_key,
            MailKind::Notification,
            &message,
            None,
            created_at,
            None,
        )
    }

    /// Seals a built mail for the queue, its logo (if it carries one) cut out.
    fn seal(
        &self,
        master_key: &MasterKey,
        kind: MailKind,
        message: &lettre::Message,
        logo: Option<&super::InlineImage>,
        created_at: i64,
        expires_at: Option<i64>,
    ) -> Result<NewMail> {
        let envelope = message.envelope();
        let envelope_to = envelope
            .to()
            .first()
            .ok_or_else(|| Error::InvalidRequest("a mail needs a recipient".to_owned()))?
            .to_string();
        let id = crypto::random_id();
        let envelope_from = match &self.inner.bounce_domain {
            Some(domain) => bounce_address(&id, domain),
            None => envelope.from().map(ToString::to_string).unwrap_or_default(),
        };
        // The formatted mail holds a link token, a passcode or a reply in
        // plain: wiped on drop.
        let bytes = Secret::new(message.formatted());
        // Its logo is queued once for all the mails that carry it, not in each.
        let cut = logo.and_then(|logo| logo_gap::cut(bytes.expose(), logo, &self.inner.last_logo));
        let (content, logo) = match cut {
            Some(cut) => (cut.rest, Some(cut.logo)),
            None => (bytes, None),
        };
        let context = seal_context(&id, &envelope_to, logo.as_ref());
        Ok(NewMail {
            content: master_key.seal(&context, content.expose()),
            logo,
            id,
            kind,
            envelope_from,
            envelope_to,
            master_key_id: master_key.id().to_owned(),
            created_at,
            expires_at,
        })
    }
}

impl MailQueue {
    /// Seals `message`, exactly as given, for the queue: a mail that came in
    /// over SMTP and is relayed onward unchanged to `envelope_to` (all of
    /// them in one SMTP transaction, so a large mail to many colleagues is
    /// stored and sent once, not once each), from `envelope_from` (so its
    /// bounces go back to its own sender).
    pub fn prepare_relay(
        &self,
        master_key: &MasterKey,
        envelope_from: &str,
        envelope_to: &[String],
        message: &[u8],
        created_at: i64,
    ) -> NewMail {
        let id = crypto::random_id();
        let envelope_to = envelope_to.join(RELAY_RECIPIENTS_SEPARATOR);
        let context = seal_context(&id, &envelope_to, None);
        NewMail {
            content: master_key.seal(&context, message),
            logo: None,
            id,
            kind: MailKind::Relay,
            envelope_from: envelope_from.to_owned(),
            envelope_to,
            master_key_id: master_key.id().to_owned(),
            created_at,
            expires_at: None,
        }
    }
}

/// The VERP envelope sender of mail `id`: its bounce names the mail.
pub fn bounce_address(id: &str, domain: &str) -> String {
    format!("{BOUNCE_PREFIX}{id}@{domain}")
}

/// Between the recipients of a relayed mail in `mail_queue.envelope_to` (an
/// address cannot hold it unquoted; Sealmail's own mail has one recipient).
pub const RELAY_RECIPIENTS_SEPARATOR: &str = ", ";

/// The local part's prefix of a bounce address.
pub const BOUNCE_PREFIX: &str = "bounce+";

/// The associated data a queued mail is sealed with: its row id and its
/// envelope recipient, so someone who can write the database can neither
/// move a sealed mail to another row nor send it (with its link or passcode)
/// to another address: it would no longer open. A mail queued without its
/// logo adds the logo's hash and place, so the logo cannot be swapped either.
pub fn seal_context(id: &str, envelope_to: &str, logo: Option<&QueuedLogo>) -> Vec<u8> {
    let mut context = b"sealmail queued mail v1\0".to_vec();
    context.extend_from_slice(id.as_bytes());
    context.push(0);
    context.extend_from_slice(envelope_to.as_bytes());
    if let Some(logo) = logo {
        context.extend_from_slice(b"\0logo\0");
        context.extend_from_slice(&logo.sha256);
        context.extend_from_slice(&(logo.offset as u64).to_be_bytes());
    }
    context
}
