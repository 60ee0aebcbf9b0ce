//! One-time passcodes, stored as MACs. Every state change is one conditional
//! statement, so concurrent requests cannot get past a limit together.

use super::{Db, Serial, dialect, on_db, on_tx};

use crate::error::Result;

/// A passcode that can still be tried.
#[derive(Debug, sqlx::FromRow)]
pub struct PasscodeRow {
    /// Row id.
    pub id: i64,
    /// HMAC-SHA256 of the passcode.
    pub code_mac: Vec<u8>,
}

/// Stores a new passcode unless `max_per_window` were already issued for this
/// link in the last `window_secs`, and queues its `mail` in the same
/// transaction; older unused passcodes stop working, and their mails still
/// waiting are dropped (only the newest mail counts). Returns whether it was stored.
#[allow(clippy::too_many_arguments)]
pub async fn insert_if_under_limit(
    db: &Db,
    mail: &super::mail_queue::NewMail,
    recipient_id: i64,
    code_mac: &[u8],
    now: i64,
    valid_secs: i64,
    window_secs: i64,
    max_per_window: i64,
) -> Result<bool> {
    // The count and the insert as one step, on PostgreSQL too.
    let mut tx = db.write_serial(Serial::Link(recipient_id)).await?;
    let inserted: Option<i64> = on_tx!(tx, |c| sqlx::query_scalar(
        "INSERT INTO passcodes (recipient_id, code_mac, created_at, expires_at)
         SELECT $1, $2, $3, $4
         WHERE (SELECT COUNT(*) FROM passcodes WHERE recipient_id = $1 AND created_at > $5) < $6
         RETURNING id",
    )
    .bind(recipient_id)
    .bind(code_mac)
    .bind(now)
    .bind(now + valid_secs)
    .bind(now - window_secs)
    .bind(max_per_window)
    .fetch_optional(&mut *c)
    .await)?;
    if let Some(id) = inserted {
        on_tx!(tx, |c, pg| sqlx::query(dialect!(
            pg,
            "UPDATE passcodes SET expires_at = MIN(expires_at, $1)
             WHERE recipient_id = $2 AND id <> $3 AND used_at IS NULL",
            "UPDATE passcodes SET expires_at = LEAST(expires_at, $1)
             WHERE recipient_id = $2 AND id <> $3 AND used_at IS NULL"
        ))
        .bind(now)
        .bind(recipient_id)
        .bind(id)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
        super::mail_queue::supersede(
            &mut tx,
            recipient_id,
            super::mail_queue::MailKind::Passcode,
            now,
        )
        .await?;
        super::mail_queue::insert(&mut tx, mail, Some(recipient_id)).await?;
    }
    tx.commit().await?;
    Ok(inserted.is_some())
}

/// Seconds until the oldest passcode in the window leaves it.
pub async fn rate_limit_retry_after(
    db: &Db,
    recipient_id: i64,
    now: i64,
    window_secs: i64,
) -> Result<u64> {
    let oldest: Option<i64> = on_db!(db, |c| sqlx::query_scalar(
        "SELECT MIN(created_at) FROM passcodes WHERE recipient_id = $1 AND created_at > $2",
    )
    .bind(recipient_id)
    .bind(now - window_secs)
    .fetch_one(c)
    .await)?;
    Ok(oldest.map_or(1, |t| (t + window_secs - now).max(1) as u64))
}

/// What a passcode entry needs to know first, read in one statement.
#[derive(Debug)]
pub struct Entry {
    /// The newest unused, unexpired passcode of the link, with its wrong
    /// tries so far (they may be spent).
    pub passcode: Option<(PasscodeRow, i64)>,
    /// Until when the client is locked out of the link, if it is now.
    pub client_locked_until: Option<i64>,
}

/// The link's current passcode and the client's lock on the link
/// (`links::client_locked_until`) in one statement: one trip, not two.
pub async fn entry(db: &Db, recipient_id: i64, client: &str, now: i64) -> Result<Entry> {
    #[derive(sqlx::FromRow)]
    struct Row {
        locked_until: Option<i64>,
        id: Option<i64>,
        code_mac: Option<Vec<u8>>,
        failed_attempts: Option<i64>,
    }
    let row: Row = on_db!(db, |c| sqlx::query_as(
        "SELECT (SELECT until FROM link_locks
                 WHERE recipient_id = $1 AND client = $3 AND until > $2) AS locked_until,
                p.id, p.code_mac, p.failed_attempts
         FROM (SELECT 1 AS one) AS one LEFT JOIN (
             SELECT id, code_mac, failed_attempts FROM passcodes
             WHERE recipient_id = $1 AND used_at IS NULL AND expires_at > $2
             ORDER BY id DESC LIMIT 1
         ) AS p ON TRUE",
    )
    .bind(recipient_id)
    .bind(now)
    .bind(client)
    .fetch_one(c)
    .await)?;
    let passcode = match (row.id, row.code_mac, row.failed_attempts) {
        (Some(id), Some(code_mac), Some(failed)) => Some((PasscodeRow { id, code_mac }, failed)),
        _ => None,
    };
    Ok(Entry {
        passcode,
        client_locked_until: row.locked_until,
    })
}

/// The session a correct passcode opens: its id's hash and when it ends.
#[derive(Debug, Clone, Copy)]
pub struct NewSession<'a> {
    /// SHA-256 of the session id (the cookie's value).
    pub id_hash: &'a [u8],
    /// Unix seconds.
    pub expires_at: i64,
    /// The passcode entry's audit event, stored with the session where
    /// [`Redeemed::audited`] says.
    pub audit: &'a super::audit::NewEvent,
}

/// Uses the passcode and opens `session` with it, in one transaction: the
/// passcode is used only if still unused, unexpired and under the attempt
/// limit — all checked by the one UPDATE — and then the link's count of
/// wrong passcodes in a row starts again, the session is stored and the
/// first open recorded (queuing `receipt` if this is it). One write lock
/// and one commit for all of it (they were three, and under load each
/// waited for the lock in turn); and a passcode is never spent without its
/// session. The passcode entry's audit event goes in the same commit where
/// [`Redeemed::audited`] says. `None` if the passcode was not usable.
///
/// Unless a read receipt may be due (`receipt`), all of it is one statement:
/// on SQLite an INSERT of the session, selected only while the passcode is
/// usable, whose trigger (migration 0025) does the rest; on PostgreSQL the
/// same INSERT fed by the UPDATEs in its `WITH` (each runs once, in the
/// statement's one transaction; the passcode's UPDATE takes its row lock
/// and re-checks the tries against a racing wrong try). One trip to the
/// database instead of six. `unopened` (the link as the request found it)
/// counts the first open for `/metrics`; two first opens racing there may
/// both count.
pub async fn redeem(
    db: &Db,
    id: i64,
    now: i64,
    max_attempts: i64,
    session: NewSession<'_>,
    receipt: Option<&super::mail_queue::NewMail>,
    unopened: bool,
) -> Result<Option<Redeemed>> {
    let audit = session.audit;
    if receipt.is_none() {
        let opened: Option<i64> = on_db!(db, |c, pg| {
            let statement = sqlx::query_scalar(dialect!(
            pg,
            "INSERT INTO recipient_sessions (id_hash, recipient_id, created_at, expires_at, passcode_id)
             SELECT $1, recipient_id, $2, $3, id FROM passcodes
             WHERE id = $4 AND used_at IS NULL AND expires_at > $2 AND failed_attempts < $5
             RETURNING recipient_id",
            "WITH used AS (
                 UPDATE passcodes SET used_at = $2
                 WHERE id = $4 AND used_at IS NULL AND expires_at > $2 AND failed_attempts < $5
                 RETURNING id, recipient_id
             ), opened AS (
                 UPDATE recipients SET failed_passcodes = 0, opened_at = COALESCE(opened_at, $2)
                 WHERE id IN (SELECT recipient_id FROM used)
             ), audited AS (
                 INSERT INTO audit_events (at, kind, outcome, message_id, recipient, actor, client_address, detail)
                 SELECT $2, $6, $7, $8, $9, $10, $11, $12 FROM used
             )
             INSERT INTO recipient_sessions (id_hash, recipient_id, created_at, expires_at, passcode_id)
             SELECT $1, recipient_id, $2, $3, id FROM used
             RETURNING recipient_id"
        ))
        .bind(session.id_hash)
        .bind(now)
        .bind(session.expires_at)
        .bind(id)
        .bind(max_attempts);
            // PostgreSQL's statement stores the audit event too.
            let statement = if pg {
                statement
                    .bind(audit.kind.as_str())
                    .bind(audit.outcome.as_str())
                    .bind(&audit.message_id)
                    .bind(&audit.recipient)
                    .bind(&audit.actor)
                    .bind(&audit.client_address)
                    .bind(&audit.detail)
            } else {
                statement
            };
            statement.fetch_optional(c).await
        })?;
        if opened.is_some() && unopened {
            crate::metrics::message_opened();
        }
        return Ok(opened.map(|_| Redeemed {
            audited: db.is_postgres(),
        }));
    }
    let mut tx = db.write().await?;
    let used: Option<i64> = on_tx!(tx, |c| sqlx::query_scalar(
        "UPDATE passcodes SET used_at = $1
         WHERE id = $2 AND used_at IS NULL AND expires_at > $1 AND failed_attempts < $3
         RETURNING recipient_id",
    )
    .bind(now)
    .bind(id)
    .bind(max_attempts)
    .fetch_optional(&mut *c)
    .await)?;
    let Some(recipient_id) = used else {
        return Ok(None);
    };
    on_tx!(tx, |c| sqlx::query(
        "UPDATE recipients SET failed_passcodes = 0 WHERE id = $1 AND failed_passcodes <> 0",
    )
    .bind(recipient_id)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    super::sessions::create(
        &mut tx,
        session.id_hash,
        recipient_id,
        now,
        session.expires_at,
    )
    .await?;
    let first_open = super::links::mark_opened(&mut tx, recipient_id, now, receipt).await?;
    super::audit::insert_in(&mut tx, audit, now).await?;
    tx.commit().await?;
    if first_open {
        crate::metrics::message_opened();
    }
    Ok(Some(Redeemed { audited: true }))
}

/// A passcode [`redeem`]ed.
#[derive(Debug, Clone, Copy)]
pub struct Redeemed {
    /// Whether its audit event (`audit`) was stored with it, in the same
    /// statement or transaction: always on PostgreSQL, where each commit
    /// waits for its flush; on SQLite when a read receipt was due. Else the
    /// caller records it (a SQLite commit does not wait for the disk).
    pub audited: bool,
}

/// A wrong try, as counted by [`record_failure`].
#[derive(Debug, Clone, Copy)]
pub struct Failure {
    /// Wrong tries of this passcode, this one included.
    pub of_passcode: i64,
    /// Wrong passcodes in a row for the link, over all its passcodes.
    pub of_link: i64,
}

/// Counts a wrong try against the passcode and the link, unless the
/// passcode's limit is already reached; the try that reaches it locks
/// `lock.0` out of the link until `lock.1`, in the same transaction (so a
/// racing request that finds the passcode spent also finds the lock).
/// `None` if nothing was counted (the passcode is used, expired, or out of tries).
pub async fn record_failure(
    db: &Db,
    id: i64,
    now: i64,
    max_attempts: i64,
    lock: (&str, i64),
) -> Result<Option<Failure>> {
    let mut tx = db.write().await?;
    let counted: Option<(i64, i64)> = on_tx!(tx, |c| sqlx::query_as(
        "UPDATE passcodes SET failed_attempts = failed_attempts + 1
         WHERE id = $1 AND used_at IS NULL AND expires_at > $2 AND failed_attempts < $3
         RETURNING failed_attempts, recipient_id",
    )
    .bind(id)
    .bind(now)
    .bind(max_attempts)
    .fetch_optional(&mut *c)
    .await)?;
    let Some((of_passcode, recipient_id)) = counted else {
        return Ok(None);
    };
    let of_link: i64 = on_tx!(tx, |c| sqlx::query_scalar(
        "UPDATE recipients SET failed_passcodes = failed_passcodes + 1 WHERE id = $1
         RETURNING failed_passcodes",
    )
    .bind(recipient_id)
    .fetch_one(&mut *c)
    .await)?;
    if of_passcode >= max_attempts {
        super::links::lock_client(&mut tx, recipient_id, lock.0, lock.1).await?;
    }
    tx.commit().await?;
    Ok(Some(Failure {
        of_passcode,
        of_link,
    }))
}
