//! The delivery worker: it claims due mails from the queue, sends several at
//! once through the configured [`super::Mailer`] (SMTP reuses its pooled
//! connections), and records each outcome: sent, deferred with a back-off,
//! bounced, or given up. It sleeps until the next mail is due or until
//! [`super::queue::MailQueue::wake`] — never polling in a loop.
//!
//! At least once: a mail is marked sent only after the relay accepted it, so
//! a crash in between sends it again (with the same Message-ID) once the
//! claim's lease runs out.

use std::future::Future;
use std::time::Duration;

use futures_util::StreamExt as _;
use lettre::address::{Address, Envelope};

use super::SendError;
use super::logo_gap;
use super::queue::seal_context;
use crate::error::Result;
use crate::state::AppState;
use crate::store::{
    self,
    mail_queue::{self, ClaimedMail, Outcome, QueuedLogo},
};

/// The longest the idle worker sleeps without looking at the queue: mail
/// queued by another process (`sealmail send`, a second server) cannot wake
/// it, so it looks this often — one indexed query a minute, not a busy loop.
const IDLE_RECHECK: Duration = Duration::from_secs(60);

/// How long the worker waits after the database failed it, before trying again.
const AFTER_DATABASE_ERROR: Duration = Duration::from_secs(1);

/// What a delivery pass did, mail by mail.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    /// Accepted by the relay.
    pub sent: usize,
    /// Failed for now; will be tried again.
    pub deferred: usize,
    /// Refused for good.
    pub bounced: usize,
    /// Out of time: no more tries.
    pub gave_up: usize,
}

impl Tally {
    fn count(&mut self, outcome: &Outcome) {
        match outcome {
            Outcome::Sent => self.sent += 1,
            Outcome::Deferred { .. } => self.deferred += 1,
            Outcome::Bounced { .. } => self.bounced += 1,
            Outcome::GaveUp { .. } => self.gave_up += 1,
        }
    }
}

/// Sends every mail that is due now — several at once — until none is left
/// due, and returns what happened. A deferred mail is not due again within
/// the pass. For the tests and the commands; the server runs [`run_worker`].
pub async fn deliver_due(state: &AppState) -> Result<Tally> {
    deliver_pass(state, None).await
}

/// Tries each of the message's notifications that is due now, once (what
/// `sealmail send` does before it exits; whatever fails stays queued).
pub async fn deliver_message(state: &AppState, message: &str) -> Result<Tally> {
    deliver_pass(state, Some(message)).await
}

async fn deliver_pass(state: &AppState, message: Option<&str>) -> Result<Tally> {
    let mut tally = Tally::default();
    loop {
        let batch = claim_due(state, state.mail_queue.policy().concurrency, message).await?;
        if batch.is_empty() {
            return Ok(tally);
        }
        let outcomes: Vec<Outcome> = futures_util::stream::iter(batch)
            .map(|mail| deliver_one(state, mail))
            .buffer_unordered(state.mail_queue.policy().concurrency)
            .collect()
            .await;
        outcomes.iter().for_each(|o| tally.count(o));
    }
}

/// Runs until `shutdown` completes: claims what is due (up to the configured
/// number in flight), sends it, and sleeps until the next mail is due or
/// mail is queued. On shutdown it claims nothing more and lets the mails in
/// flight finish, so their outcome is recorded and none is sent twice.
pub async fn run_worker(state: AppState, shutdown: impl Future<Output = ()>) {
    let concurrency = state.mail_queue.policy().concurrency;
    let mut in_flight = tokio::task::JoinSet::new();
    tokio::pin!(shutdown);
    tracing::info!(concurrency, "mail delivery worker started");
    loop {
        let room = concurrency.saturating_sub(in_flight.len());
        let mut wait = IDLE_RECHECK;
        if room > 0 {
            match claim_due(&state, room, None).await {
                Ok(batch) => {
                    // A full batch: more may be due, the next round looks.
                    // Fewer: nothing else is due now; sleep until something is.
                    if batch.len() < room {
                        wait = until_next_due(&state).await;
                    }
                    for mail in batch {
                        let state = state.clone();
                        in_flight.spawn(async move { deliver_one(&state, mail).await });
                    }
                }
                Err(e) => {
                    tracing::error!(error = %e, "the mail queue could not be read");
                    wait = AFTER_DATABASE_ERROR;
                }
            }
        }
        tokio::select! {
            () = &mut shutdown => break,
            () = state.mail_queue.woken() => {}
            Some(_) = in_flight.join_next(), if !in_flight.is_empty() => {}
            () = tokio::time::sleep(wait) => {}
        }
    }
    let left = in_flight.len();
    if left > 0 {
        tracing::info!(mails = left, "letting the mails in flight finish");
    }
    while in_flight.join_next().await.is_some() {}
}

/// How long until the next waiting mail is due (at most [`IDLE_RECHECK`]).
async fn until_next_due(state: &AppState) -> Duration {
    match mail_queue::next_due(&state.db).await {
        Ok(Some(at)) => {
            let secs = u64::try_from(at - store::now()).unwrap_or(0);
            Duration::from_secs(secs).min(IDLE_RECHECK)
        }
        Ok(None) => IDLE_RECHECK,
        Err(e) => {
            tracing::error!(error = %e, "the mail queue could not be read");
            AFTER_DATABASE_ERROR
        }
    }
}

/// Drops passcode mails that are too late, then claims up to `limit` due mails.
async fn claim_due(
    state: &AppState,
    limit: usize,
    message: Option<&str>,
) -> Result<Vec<ClaimedMail>> {
    let now = store::now();
    let expired = mail_queue::expire_stale(&state.db, now).await?;
    if expired > 0 {
        tracing::warn!(
            mails = expired,
            "passcode mails dropped: their passcode expired before they could be sent"
        );
    }
    let lease = state.mail_queue.policy().lease.as_secs().max(1) as i64;
    mail_queue::claim(&state.db, now, lease, limit, message).await
}

/// One try of one claimed mail, its outcome recorded. Never fails: whatever
/// goes wrong becomes the mail's state (and a log line).
async fn deliver_one(state: &AppState, mail: ClaimedMail) -> Outcome {
    let outcome = try_once(state, &mail).await;
    log(&mail, &outcome);
    let now = store::now();
    match mail_queue::finish(&state.db, &mail.id, mail.attempts, now, &outcome).await {
        Ok(true) => {}
        Ok(false) => tracing::warn!(
            mail = %mail.id,
            "the mail's claim had passed to another try; its outcome was not recorded"
        ),
        // The lease runs out and the mail is tried again: at least once.
        Err(e) => tracing::error!(mail = %mail.id, error = %e, "recording a mail's outcome failed"),
    }
    outcome
}

/// Sends the mail once; what became of it.
async fn try_once(state: &AppState, mail: &ClaimedMail) -> Outcome {
    let policy = *state.mail_queue.policy();
    let sent = match open(state, mail).await {
        Ok((envelope, bytes)) => {
            // The send must end before the lease does, or another worker
            // could claim the mail meanwhile and send it a second time.
            let limit = policy.lease.saturating_sub(policy.lease / 10);
            let send = state.mailer.send(&envelope, bytes.expose());
            match tokio::time::timeout(limit, send).await {
                Ok(result) => result,
                Err(_) => Err(SendError::Transient(format!(
                    "the relay did not finish within {}s",
                    limit.as_secs()
                ))),
            }
        }
        Err(NotReady::Later(error)) => Err(SendError::Transient(error)),
        Err(NotReady::Never(error)) => return Outcome::GaveUp { error },
    };
    match sent {
        Ok(()) => Outcome::Sent,
        Err(SendError::Permanent(error)) => Outcome::Bounced { error },
        Err(SendError::Transient(error)) => {
            let now = store::now();
            let give_up_at = mail.created_at + policy.give_up.as_secs() as i64;
            if now >= give_up_at {
                Outcome::GaveUp { error }
            } else {
                let wait = policy.backoff(mail.attempts).as_secs().max(1) as i64;
                Outcome::Deferred {
                    error,
                    // The last try falls on the give-up time, not past it.
                    next_try_at: (now + wait).min(give_up_at),
                }
            }
        }
    }
}

/// Why a claimed mail could not be made ready to send.
enum NotReady {
    /// It may pass (a master key not configured now): tried again later.
    Later(String),
    /// It never will (altered in the database, no valid address): given up.
    Never(String),
}

/// The envelope and the opened message of a claimed mail (its logo put
/// back, if it was queued without it).
async fn open(
    state: &AppState,
    mail: &ClaimedMail,
) -> Result<(Envelope, crate::crypto::Secret<Vec<u8>>), NotReady> {
    let address = |text: &str| {
        text.parse::<Address>()
            .map_err(|e| NotReady::Never(format!("`{text}` is not a mail address: {e}")))
    };
    let from = if mail.envelope_from.is_empty() {
        None
    } else {
        Some(address(&mail.envelope_from)?)
    };
    let envelope = Envelope::new(from, vec![address(&mail.envelope_to)?])
        .map_err(|e| NotReady::Never(format!("no envelope: {e}")))?;
    let key = state.master_key_by_id(&mail.master_key_id).ok_or_else(|| {
        NotReady::Later(format!(
            "sealed with master key {}, which is not configured",
            mail.master_key_id
        ))
    })?;
    let altered =
        || NotReady::Never("the queued mail does not open (altered in the database)".into());
    let (sha256, offset) = match (&mail.logo_sha256, mail.logo_offset) {
        (Some(sha256), Some(offset)) => (sha256, usize::try_from(offset).map_err(|_| altered())?),
        (None, None) => {
            let bytes = key
                .open(
                    &seal_context(&mail.id, &mail.envelope_to, None),
                    &mail.content,
                )
                .ok_or_else(altered)?;
            return Ok((envelope, bytes));
        }
        _ => return Err(altered()),
    };
    let block = match mail_queue::logo_block(&state.db, sha256).await {
        Ok(Some(block)) if crate::crypto::sha256(&block) == *sha256 => block,
        Ok(_) => {
            return Err(NotReady::Never(
                "the queued mail's logo is missing or altered".into(),
            ));
        }
        Err(e) => {
            return Err(NotReady::Later(format!(
                "the mail's logo could not be read: {e}"
            )));
        }
    };
    let logo = QueuedLogo {
        sha256: sha256.clone(),
        offset,
        block: block.into(),
    };
    let rest = key
        .open(
            &seal_context(&mail.id, &mail.envelope_to, Some(&logo)),
            &mail.content,
        )
        .ok_or_else(altered)?;
    let bytes = logo_gap::fill(rest.expose(), offset, &logo.block).ok_or_else(altered)?;
    Ok((envelope, bytes))
}

/// One line per try; no address, link or passcode, only the queue's ids.
fn log(mail: &ClaimedMail, outcome: &Outcome) {
    let (id, kind, recipient, attempt) = (&mail.id, &mail.kind, mail.recipient_id, mail.attempts);
    match outcome {
        Outcome::Sent => {
            tracing::info!(mail = %id, kind, ?recipient, attempt, "mail sent")
        }
        Outcome::Deferred { error, next_try_at } => tracing::warn!(
            mail = %id, kind, ?recipient, attempt, error, next_try_in_secs = next_try_at - store::now(),
            "mail deferred"
        ),
        Outcome::Bounced { error } => {
            tracing::warn!(mail = %id, kind, ?recipient, attempt, error, "mail bounced")
        }
        Outcome::GaveUp { error } => {
            tracing::error!(mail = %id, kind, ?recipient, attempt, error, "mail given up")
        }
    }
}
