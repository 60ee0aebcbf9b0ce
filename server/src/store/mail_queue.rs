//! The mail queue (`mail_queue`): every mail Sealmail sends, from the moment
//! what causes it is stored until the relay takes it (or it is given up).
//! Each state change is one conditional statement: a claim is a lease that
//! only one worker can take, and a result is recorded only by the worker that
//! holds the claim.

use std::collections::HashMap;
use std::sync::Arc;

use super::{Db, Tx, dialect, on_db, on_tx};
use crate::error::{Error, Result};

/// What a queued mail is; passcode mails go first (someone is waiting for them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MailKind {
    /// A recipient's link to a message (a reply's notice to its sender too).
    Notification,
    /// A one-time passcode.
    Passcode,
    /// A mail that came in over SMTP, relayed onward unchanged.
    Relay,
}

impl MailKind {
    /// The value stored in `mail_queue.kind`.
    pub fn as_str(self) -> &'static str {
        match self {
            MailKind::Notification => "notification",
            MailKind::Passcode => "passcode",
            MailKind::Relay => "relay",
        }
    }
}

/// Where a queued mail stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MailState {
    /// Not tried yet.
    Queued,
    /// The relay accepted it.
    Sent,
    /// A try failed for a reason that may pass; it will be tried again.
    Deferred,
    /// The relay refused it for good (5xx).
    Bounced,
    /// Tried for as long as `--mail-give-up` allows, without success.
    GaveUp,
    /// A passcode mail that could not leave before its passcode expired (or
    /// a mail replaced by a newer one for the same recipient).
    Expired,
    /// Dropped unsent because its message was revoked or expired, or its
    /// recipient's access revoked (see [`cancel_for_message`]).
    Cancelled,
}

impl MailState {
    /// Parses the value stored in `mail_queue.state`.
    pub fn parse(text: &str) -> Result<Self> {
        Ok(match text {
            "queued" => MailState::Queued,
            "sent" => MailState::Sent,
            "deferred" => MailState::Deferred,
            "bounced" => MailState::Bounced,
            "gave_up" => MailState::GaveUp,
            "expired" => MailState::Expired,
            "cancelled" => MailState::Cancelled,
            other => return Err(Error::Internal(format!("unknown mail state {other}"))),
        })
    }
}

/// A mail to queue: its envelope and its sealed RFC 5322 content.
pub struct NewMail {
    /// Random id; the associated data of `content`.
    pub id: String,
    /// Notification or passcode.
    pub kind: MailKind,
    /// The envelope sender (MAIL FROM).
    pub envelope_from: String,
    /// The envelope recipient (RCPT TO).
    pub envelope_to: String,
    /// The master key that sealed `content`.
    pub master_key_id: String,
    /// The RFC 5322 message, sealed by the master key.
    pub content: Vec<u8>,
    /// Queued at (Unix seconds).
    pub created_at: i64,
    /// Not to be sent after this (a passcode mail: its passcode's expiry).
    pub expires_at: Option<i64>,
    /// The logo left out of `content`, if one was (`mail::logo_gap`).
    pub logo: Option<QueuedLogo>,
}

/// A logo queued once for every mail that carries it (`mail_logos`).
#[derive(Clone)]
pub struct QueuedLogo {
    /// SHA-256 of `block`: its key.
    pub sha256: Vec<u8>,
    /// Where in the mail's opened content `block` goes back.
    pub offset: usize,
    /// The logo's part body, exactly as the signed mail carried it; shared
    /// by the mails of one message.
    pub block: Arc<[u8]>,
}

/// Queues `mails` in one transaction: all of them, or none.
pub async fn insert_all(db: &Db, mails: &[NewMail]) -> Result<()> {
    let mut tx = db.write().await?;
    for mail in mails {
        insert(&mut tx, mail, None).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Queues `mail` (for `recipient_id`'s delivery state, if it is one's).
pub async fn insert(tx: &mut Tx, mail: &NewMail, recipient_id: Option<i64>) -> Result<()> {
    insert_many(tx, &[(mail, recipient_id)]).await
}

/// Queues many mails with one statement (a logo shared by them stored once).
pub async fn insert_many(tx: &mut Tx, mails: &[(&NewMail, Option<i64>)]) -> Result<()> {
    let mut logos: Vec<&QueuedLogo> = Vec::new();
    for (mail, _) in mails {
        if let Some(logo) = &mail.logo
            && !logos.iter().any(|l| l.sha256 == logo.sha256)
        {
            logos.push(logo);
        }
    }
    for logo in logos {
        // Looked up first: binding the logo for every recipient of a large
        // message would copy it as many times.
        let stored: bool = on_tx!(tx, |c| sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM mail_logos WHERE sha256 = $1)"
        )
        .bind(&logo.sha256)
        .fetch_one(&mut *c)
        .await)?;
        if !stored {
            // Another server may store the same logo meanwhile.
            on_tx!(tx, |c| sqlx::query(
                "INSERT INTO mail_logos (sha256, block) VALUES ($1, $2)
                 ON CONFLICT (sha256) DO NOTHING"
            )
            .bind(&logo.sha256)
            .bind(&*logo.block)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected()))?;
        }
    }
    if mails.is_empty() {
        return Ok(());
    }
    on_tx!(tx, |c| {
        let mut insert = sqlx::QueryBuilder::new(
        "INSERT INTO mail_queue (id, kind, recipient_id, envelope_from, envelope_to, master_key_id,
                                 content, created_at, next_try_at, expires_at, logo_sha256,
                                 logo_offset) ",
    );
        insert.push_values(mails, |mut row, (mail, recipient_id)| {
            row.push_bind(&mail.id)
                .push_bind(mail.kind.as_str())
                .push_bind(*recipient_id)
                .push_bind(&mail.envelope_from)
                .push_bind(&mail.envelope_to)
                .push_bind(&mail.master_key_id)
                .push_bind(&mail.content)
                .push_bind(mail.created_at)
                .push_bind(mail.created_at)
                .push_bind(mail.expires_at)
                .push_bind(mail.logo.as_ref().map(|l| &l.sha256))
                .push_bind(mail.logo.as_ref().map(|l| l.offset as i64));
        });
        insert
            .build()
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// The logo block stored under `sha256`, if it is.
pub async fn logo_block(db: &Db, sha256: &[u8]) -> Result<Option<Vec<u8>>> {
    Ok(on_db!(db, |c| sqlx::query_scalar(
        "SELECT block FROM mail_logos WHERE sha256 = $1"
    )
    .bind(sha256)
    .fetch_optional(c)
    .await)?)
}

/// Deletes the logos no waiting mail needs any more; returns how many.
pub async fn drop_unused_logos(db: &Db) -> Result<u64> {
    Ok(on_db!(db, |c| sqlx::query(
        "DELETE FROM mail_logos WHERE sha256 NOT IN (
             SELECT logo_sha256 FROM mail_queue
             WHERE logo_sha256 IS NOT NULL AND state IN ('queued', 'deferred'))",
    )
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?)
}

/// Drops the recipient's mails of `kind` still waiting (on the caller's
/// transaction): a newer passcode replaces theirs, a new link the old one.
pub async fn supersede(tx: &mut Tx, recipient_id: i64, kind: MailKind, now: i64) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query(
        "UPDATE mail_queue SET state = 'expired', finished_at = $1, content = NULL, leased_until = NULL
         WHERE recipient_id = $2 AND kind = $3 AND state IN ('queued', 'deferred')",
    )
    .bind(now)
    .bind(recipient_id)
    .bind(kind.as_str())
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Cancels the mail still waiting for the recipients of message `id`, on the
/// caller's transaction (the one that revokes or expires it): notifications
/// and resends carry a link that no longer opens, passcode mails a passcode
/// that was just deleted. Mail about the message *to its sender* (read
/// receipts) is not tied to a recipient and still goes: it reports what
/// happened before the end, to the person who ended it. A reply is a message
/// of its own, so its notice follows the reply's state, not this one's.
/// A mail already in a worker's hands cannot be called back; its outcome is
/// still recorded if the relay took it (see [`finish`]). Returns how many.
pub async fn cancel_for_message(tx: &mut Tx, id: &str, now: i64) -> Result<u64> {
    Ok(on_tx!(tx, |c| {
        sqlx::query(
        "UPDATE mail_queue SET state = 'cancelled', finished_at = $1, content = NULL, leased_until = NULL
         WHERE recipient_id IN (SELECT id FROM recipients WHERE message_id = $2)
           AND state IN ('queued', 'deferred')",
    )
    .bind(now)
    .bind(id)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected())
    })?)
}

/// Cancels recipient `recipient_id`'s mail still waiting (their access was
/// revoked), on the caller's transaction, as [`cancel_for_message`] does for
/// a whole message. Returns how many.
pub async fn cancel_for_recipient(tx: &mut Tx, recipient_id: i64, now: i64) -> Result<u64> {
    Ok(on_tx!(tx, |c| {
        sqlx::query(
        "UPDATE mail_queue SET state = 'cancelled', finished_at = $1, content = NULL, leased_until = NULL
         WHERE recipient_id = $2 AND state IN ('queued', 'deferred')",
    )
    .bind(now)
    .bind(recipient_id)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected())
    })?)
}

/// A mail a worker has claimed: it holds the lease until `now + lease`.
#[derive(sqlx::FromRow)]
pub struct ClaimedMail {
    /// Row id.
    pub id: String,
    /// `notification` or `passcode`.
    pub kind: String,
    /// Whose mail it is.
    pub recipient_id: Option<i64>,
    /// MAIL FROM.
    pub envelope_from: String,
    /// RCPT TO.
    pub envelope_to: String,
    /// The master key that sealed `content`.
    pub master_key_id: String,
    /// The sealed message.
    pub content: Vec<u8>,
    /// Tries so far, this one included: the claim's token.
    pub attempts: i64,
    /// Queued at.
    pub created_at: i64,
    /// The logo left out of `content`, to put back (`mail::logo_gap`).
    pub logo_sha256: Option<Vec<u8>>,
    /// Where it goes back.
    pub logo_offset: Option<i64>,
}

/// Marks waiting passcode mails whose passcode has expired as `expired`:
/// they are dropped, never sent late. Returns how many.
pub async fn expire_stale(db: &Db, now: i64) -> Result<u64> {
    Ok(on_db!(db, |c| {
        sqlx::query(
        "UPDATE mail_queue SET state = 'expired', finished_at = $1, content = NULL, leased_until = NULL
         WHERE state IN ('queued', 'deferred') AND expires_at <= $1
           AND (leased_until IS NULL OR leased_until <= $1)",
    )
    .bind(now)
    .execute(c)
    .await.map(|r| r.rows_affected())
    })?)
}

/// Claims up to `limit` due mails (passcodes first, then the longest
/// waiting) with one conditional UPDATE, leasing each until `now + lease_secs`:
/// two workers can never claim the same row, and a row whose worker died is
/// due again once its lease runs out. With `message`, only that message's
/// notifications (what `sealmail send` just queued).
pub async fn claim(
    db: &Db,
    now: i64,
    lease_secs: i64,
    limit: usize,
    message: Option<&str>,
) -> Result<Vec<ClaimedMail>> {
    // PostgreSQL: rows another server is claiming right now are skipped,
    // not waited for and then taken twice.
    Ok(on_db!(db, |c, pg| {
        sqlx::query_as(dialect!(
        pg,
        "UPDATE mail_queue SET leased_until = $1 + $2, attempts = attempts + 1
         WHERE id IN (
             SELECT id FROM mail_queue
             WHERE state IN ('queued', 'deferred') AND next_try_at <= $1
               AND (leased_until IS NULL OR leased_until <= $1)
               AND (expires_at IS NULL OR expires_at > $1)
               AND ($4 IS NULL OR recipient_id IN (SELECT id FROM recipients WHERE message_id = $4))
             ORDER BY kind <> 'passcode', next_try_at
             LIMIT $3)
         RETURNING id, kind, recipient_id, envelope_from, envelope_to, master_key_id, content,
                   attempts, created_at, logo_sha256, logo_offset",
        "UPDATE mail_queue SET leased_until = $1 + $2, attempts = attempts + 1
         WHERE id IN (
             SELECT id FROM mail_queue
             WHERE state IN ('queued', 'deferred') AND next_try_at <= $1
               AND (leased_until IS NULL OR leased_until <= $1)
               AND (expires_at IS NULL OR expires_at > $1)
               AND ($4::text IS NULL OR recipient_id IN (SELECT id FROM recipients WHERE message_id = $4))
             ORDER BY kind <> 'passcode', next_try_at
             LIMIT $3
             FOR UPDATE SKIP LOCKED)
         RETURNING id, kind, recipient_id, envelope_from, envelope_to, master_key_id, content,
                   attempts, created_at, logo_sha256, logo_offset"
    ))
    .bind(now)
    .bind(lease_secs)
    .bind(limit as i64)
    .bind(message)
    .fetch_all(c)
    .await
    })?)
}

/// How a try ended.
#[derive(Debug)]
pub enum Outcome {
    /// The relay accepted the mail.
    Sent,
    /// Try again at `next_try_at`.
    Deferred {
        /// Why this try failed.
        error: String,
        /// When to try next (Unix seconds).
        next_try_at: i64,
    },
    /// Refused for good.
    Bounced {
        /// The relay's answer.
        error: String,
    },
    /// No more tries.
    GaveUp {
        /// Why the last try failed.
        error: String,
    },
}

/// Records how the claimed try `attempt` of mail `id` ended, if that claim
/// still holds (a newer claim, or a final state, wins — except that a mail
/// cancelled while the relay was already taking it is recorded as sent,
/// which is what happened). A mail that is done loses its content: the link
/// or passcode in it is not kept.
pub async fn finish(db: &Db, id: &str, attempt: i64, now: i64, outcome: &Outcome) -> Result<bool> {
    let (state, error, next_try_at) = match outcome {
        Outcome::Sent => ("sent", None, None),
        Outcome::Deferred { error, next_try_at } => ("deferred", Some(error), Some(*next_try_at)),
        Outcome::Bounced { error } => ("bounced", Some(error), None),
        Outcome::GaveUp { error } => ("gave_up", Some(error), None),
    };
    Ok(on_db!(db, |c| sqlx::query_scalar::<_, String>(
        "UPDATE mail_queue
         SET state = $1, last_error = $2, leased_until = NULL,
             next_try_at = COALESCE($3, next_try_at),
             finished_at = CASE WHEN $1 = 'deferred' THEN NULL ELSE $4 END,
             content = CASE WHEN $1 = 'deferred' THEN content ELSE NULL END
         WHERE id = $5 AND attempts = $6
           AND (state IN ('queued', 'deferred') OR (state = 'cancelled' AND $1 = 'sent'))
         RETURNING id",
    )
    .bind(state)
    .bind(error)
    .bind(next_try_at)
    .bind(now)
    .bind(id)
    .bind(attempt)
    .fetch_optional(c)
    .await)?
    .is_some())
}

/// When the next waiting mail becomes due (its try time, or the end of the
/// lease a worker holds on it), if any mail is waiting.
pub async fn next_due(db: &Db) -> Result<Option<i64>> {
    Ok(on_db!(db, |c, pg| sqlx::query_scalar(dialect!(
        pg,
        "SELECT MIN(MAX(next_try_at, COALESCE(leased_until, 0))) FROM mail_queue
         WHERE state IN ('queued', 'deferred')",
        "SELECT MIN(GREATEST(next_try_at, COALESCE(leased_until, 0))) FROM mail_queue
         WHERE state IN ('queued', 'deferred')"
    ))
    .fetch_one(c)
    .await)?)
}

/// What waits in the queue (for `/metrics`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Waiting {
    /// Mails not tried yet.
    pub queued: i64,
    /// Mails tried and failed, to be tried again.
    pub deferred: i64,
    /// When the oldest waiting mail was queued (Unix seconds), if any waits.
    pub oldest_created_at: Option<i64>,
}

/// How many mails wait, by state, and since when. The waiting rows are
/// those of the partial index `mail_queue_expiry`, so the finished mails,
/// which are nearly all of the table, are never read.
pub async fn waiting(db: &Db) -> Result<Waiting> {
    let rows: Vec<(String, i64, i64)> = on_db!(db, |c| sqlx::query_as(
        "SELECT state, COUNT(*), MIN(created_at) FROM mail_queue
         WHERE state IN ('queued', 'deferred') GROUP BY state",
    )
    .fetch_all(c)
    .await)?;
    let mut waiting = Waiting::default();
    for (state, count, oldest) in rows {
        match MailState::parse(&state)? {
            MailState::Queued => waiting.queued = count,
            _ => waiting.deferred = count,
        }
        waiting.oldest_created_at =
            Some(waiting.oldest_created_at.map_or(oldest, |o| o.min(oldest)));
    }
    Ok(waiting)
}

/// The delivery of a recipient's notification, as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DeliveryRow {
    /// The recipient.
    pub recipient_id: i64,
    /// `queued`, `sent`, `deferred`, `bounced`, `gave_up`, `expired`, `cancelled`.
    pub state: String,
    /// Tries so far.
    pub attempts: i64,
    /// The next try (for a waiting mail).
    pub next_try_at: i64,
    /// When it was sent, bounced or given up.
    pub finished_at: Option<i64>,
    /// The last failure's reason.
    pub last_error: Option<String>,
}

/// The newest notification's delivery for each of `recipient_ids`, in one
/// statement (the ids go in as one JSON array).
pub async fn deliveries(db: &Db, recipient_ids: &[i64]) -> Result<HashMap<i64, DeliveryRow>> {
    let ids = serde_json::to_string(recipient_ids).expect("a list of numbers is JSON");
    let rows: Vec<DeliveryRow> = on_db!(db, |c, pg| {
        sqlx::query_as(dialect!(
        pg,
        "SELECT recipient_id, state, attempts, next_try_at, finished_at, last_error FROM mail_queue
         WHERE kind = 'notification' AND recipient_id IN (SELECT value FROM json_each($1))
         ORDER BY created_at, rowid",
        "SELECT recipient_id, state, attempts, next_try_at, finished_at, last_error FROM mail_queue
         WHERE kind = 'notification'
           AND recipient_id IN (SELECT CAST(value AS BIGINT) FROM json_array_elements_text(CAST($1 AS json)))
         ORDER BY created_at, seq"
    ))
    .bind(ids)
    .fetch_all(c)
    .await
    })?;
    // Oldest first, so each recipient ends with their newest notification.
    Ok(rows.into_iter().map(|r| (r.recipient_id, r)).collect())
}

/// Marks mail `id` bounced (a bounce came back for it, usually after the
/// relay took it), unless it already is: one conditional UPDATE. Returns its
/// recipient's address and whether this call changed it; `None` if there is
/// no such mail.
pub async fn mark_bounced(
    db: &Db,
    id: &str,
    now: i64,
    reason: &str,
) -> Result<Option<(String, bool)>> {
    let mut tx = db.write().await?;
    let changed: Option<String> = on_tx!(tx, |c| {
        sqlx::query_scalar(
        "UPDATE mail_queue
         SET state = 'bounced', last_error = $1, finished_at = $2, content = NULL, leased_until = NULL
         WHERE id = $3 AND state <> 'bounced'
         RETURNING envelope_to",
    )
    .bind(reason)
    .bind(now)
    .bind(id)
    .fetch_optional(&mut *c)
    .await
    })?;
    let result = match changed {
        Some(address) => Some((address, true)),
        None => on_tx!(tx, |c| sqlx::query_scalar(
            "SELECT envelope_to FROM mail_queue WHERE id = $1"
        )
        .bind(id)
        .fetch_optional(&mut *c)
        .await)?
        .map(|address: String| (address, false)),
    };
    tx.commit().await?;
    Ok(result)
}

/// Whether Sealmail queued a mail with this id (a bounce may name it).
pub async fn exists(db: &Db, id: &str) -> Result<bool> {
    Ok(on_db!(db, |c| sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM mail_queue WHERE id = $1)"
    )
    .bind(id)
    .fetch_one(c)
    .await)?)
}
