//! Recipient links: a recipient row found by the hash of its token.

use super::{Db, Tx, dialect, on_db, on_tx};

use super::messages::MessageRow;
use crate::error::Result;

/// The columns a [`LinkRow`] is read from, `r` being `recipients` and `m`
/// `messages`: one list for every statement that reads a link (a literal, for
/// `concat!`).
macro_rules! link_row_columns {
    () => {
        "r.id AS recipient_id, r.address, r.name, r.revoked_at, r.failed_passcodes,
         r.opened_at, m.read_receipt AS wants_read_receipt,
         m.id, m.message_id, m.sender_address, m.sender_name, m.subject, m.protection,
         m.state, m.created_at, m.expires_at, m.language"
    };
}
pub(crate) use link_row_columns;

/// A recipient's link with its message (read straight from a row of
/// `recipients r JOIN messages m`, the columns of [`link_row_columns`]).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LinkRow {
    /// The recipient's row id.
    pub recipient_id: i64,
    /// The address the link was sent to (passcodes go only here).
    pub address: String,
    /// The recipient's display name.
    pub name: Option<String>,
    /// When this recipient's access was revoked.
    pub revoked_at: Option<i64>,
    /// Wrong passcodes in a row for this link, from any client.
    pub failed_passcodes: i64,
    /// When the recipient first opened the message (a correct passcode).
    pub opened_at: Option<i64>,
    /// The sender asked for a read receipt on the first open.
    pub wants_read_receipt: bool,
    /// The language of the message's mail (`en`, `nl`, `da`, `ja`).
    pub language: String,
    /// The message.
    #[sqlx(flatten)]
    pub message: MessageRow,
}

/// Finds the link whose token hashes to `token_hash`.
pub async fn by_token_hash(db: &Db, token_hash: &[u8]) -> Result<Option<LinkRow>> {
    let row: Option<LinkRow> = on_db!(db, |c| sqlx::query_as(concat!(
        "SELECT ",
        link_row_columns!(),
        " FROM recipients r JOIN messages m ON m.id = r.message_id
              WHERE r.token_hash = $1"
    ))
    .bind(token_hash)
    .fetch_optional(c)
    .await)?;
    Ok(row)
}

/// Records the first open (a correct passcode), keeping the earliest time:
/// a later open matches no row, so it writes nothing. `receipt`, the
/// sender's read receipt, is queued with it, and only by the first open.
/// Part of the caller's transaction ([`super::passcodes::redeem`]). Returns
/// whether this was the first open.
pub async fn mark_opened(
    tx: &mut Tx,
    recipient_id: i64,
    now: i64,
    receipt: Option<&super::mail_queue::NewMail>,
) -> Result<bool> {
    let first: Option<i64> = on_tx!(tx, |c| sqlx::query_scalar(
        "UPDATE recipients SET opened_at = $1 WHERE id = $2 AND opened_at IS NULL RETURNING id",
    )
    .bind(now)
    .bind(recipient_id)
    .fetch_optional(&mut *c)
    .await)?;
    if let (Some(_), Some(mail)) = (first, receipt) {
        // Not the reader's delivery: no recipient id.
        super::mail_queue::insert(tx, mail, None).await?;
    }
    Ok(first.is_some())
}

/// Locks `client` out of the link until `until` (its passcode's tries ran
/// out). Other clients, the recipient's own browser among them, are not.
pub async fn lock_client(tx: &mut Tx, recipient_id: i64, client: &str, until: i64) -> Result<()> {
    on_tx!(tx, |c, pg| sqlx::query(dialect!(
        pg,
        "INSERT INTO link_locks (recipient_id, client, until) VALUES ($1, $2, $3)
         ON CONFLICT (recipient_id, client) DO UPDATE SET until = MAX(until, excluded.until)",
        "INSERT INTO link_locks (recipient_id, client, until) VALUES ($1, $2, $3)
         ON CONFLICT (recipient_id, client) DO UPDATE
         SET until = GREATEST(link_locks.until, excluded.until)"
    ))
    .bind(recipient_id)
    .bind(client)
    .bind(until)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Until when `client` is locked out of the link, if it is now.
pub async fn client_locked_until(
    db: &Db,
    recipient_id: i64,
    client: &str,
    now: i64,
) -> Result<Option<i64>> {
    Ok(on_db!(db, |c| sqlx::query_scalar(
        "SELECT until FROM link_locks WHERE recipient_id = $1 AND client = $2 AND until > $3",
    )
    .bind(recipient_id)
    .bind(client)
    .bind(now)
    .fetch_optional(c)
    .await)?)
}

/// Revokes one recipient's access (and ends their sessions). Returns whether
/// this call changed it; `None` if the message has no such recipient.
pub async fn revoke_recipient(db: &Db, id: &str, address: &str, now: i64) -> Result<Option<bool>> {
    let mut tx = db.write().await?;
    let changed: Vec<i64> = on_tx!(tx, |c| sqlx::query_scalar(
        "UPDATE recipients SET revoked_at = $1
         WHERE message_id = $2 AND address = $3 COLLATE NOCASE AND revoked_at IS NULL RETURNING id",
    )
    .bind(now)
    .bind(id)
    .bind(address)
    .fetch_all(&mut *c)
    .await)?;
    let result = if changed.is_empty() {
        let exists: Option<i64> = on_tx!(tx, |c| sqlx::query_scalar(
            "SELECT id FROM recipients WHERE message_id = $1 AND address = $2 COLLATE NOCASE",
        )
        .bind(id)
        .bind(address)
        .fetch_optional(&mut *c)
        .await)?;
        exists.map(|_| false)
    } else {
        for rid in &changed {
            on_tx!(tx, |c| sqlx::query(
                "DELETE FROM recipient_sessions WHERE recipient_id = $1"
            )
            .bind(rid)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected()))?;
            // Their link no longer opens: a notification still waiting
            // (or a passcode for it) is not sent.
            super::mail_queue::cancel_for_recipient(&mut tx, *rid, now).await?;
        }
        Some(true)
    };
    tx.commit().await?;
    if result == Some(true) {
        crate::metrics::recipient_access_revoked();
    }
    Ok(result)
}

/// What [`relink`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relinked {
    /// The recipient has a new link, and its mail is queued.
    Done,
    /// The recipient's access was revoked: no new link.
    Revoked,
    /// The message is not active any more.
    MessageEnded,
    /// The message has no such recipient.
    NotARecipient,
}

/// Gives recipient `recipient_id` of the active message `message_id` a new
/// link, in one transaction: the token hash is replaced (the old link stops
/// working), their sessions and passcodes end, notifications still waiting
/// with the old link are dropped, and `mail` (the new link) is queued.
pub async fn relink(
    db: &Db,
    message_id: &str,
    recipient_id: i64,
    token_hash: &[u8],
    mail: &super::mail_queue::NewMail,
    now: i64,
) -> Result<Relinked> {
    use super::mail_queue::{self, MailKind};
    let mut tx = db.write().await?;
    let changed: Option<i64> = on_tx!(tx, |c| sqlx::query_scalar(
        "UPDATE recipients SET token_hash = $1, failed_passcodes = 0
         WHERE id = $2 AND message_id = $3 AND revoked_at IS NULL
           AND (SELECT state FROM messages WHERE id = $3) = 'active'
         RETURNING id",
    )
    .bind(token_hash)
    .bind(recipient_id)
    .bind(message_id)
    .fetch_optional(&mut *c)
    .await)?;
    if changed.is_none() {
        let found: Option<(Option<i64>, String)> = on_tx!(tx, |c| {
            sqlx::query_as(
            "SELECT r.revoked_at, m.state FROM recipients r JOIN messages m ON m.id = r.message_id
             WHERE r.id = $1 AND r.message_id = $2",
        )
        .bind(recipient_id)
        .bind(message_id)
        .fetch_optional(&mut *c)
        .await
        })?;
        return Ok(match found {
            None => Relinked::NotARecipient,
            Some((_, state)) if state != "active" => Relinked::MessageEnded,
            Some(_) => Relinked::Revoked,
        });
    }
    for sql in [
        "DELETE FROM recipient_sessions WHERE recipient_id = $1",
        "DELETE FROM passcodes WHERE recipient_id = $1",
        "DELETE FROM link_locks WHERE recipient_id = $1",
    ] {
        on_tx!(tx, |c| sqlx::query(sql)
            .bind(recipient_id)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected()))?;
    }
    mail_queue::supersede(&mut tx, recipient_id, MailKind::Passcode, now).await?;
    mail_queue::supersede(&mut tx, recipient_id, MailKind::Notification, now).await?;
    mail_queue::insert(&mut tx, mail, Some(recipient_id)).await?;
    tx.commit().await?;
    Ok(Relinked::Done)
}
