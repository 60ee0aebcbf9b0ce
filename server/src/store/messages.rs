//! Messages, their sealed content, attachments and recipients.

use std::collections::HashMap;

use super::{Db, dialect, on_db, on_tx};

use super::MessageState;
use crate::error::Result;

/// A message as stored (metadata only; the content is in other tables).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MessageRow {
    /// Internal id (associated data of every sealed chunk).
    pub id: String,
    /// RFC 5322 Message-ID.
    pub message_id: String,
    /// Sender's address.
    pub sender_address: String,
    /// Sender's display name.
    pub sender_name: Option<String>,
    /// Subject line.
    pub subject: String,
    /// `encrypt_only` or `do_not_forward`.
    pub protection: String,
    /// `active`, `revoked` or `expired`.
    pub state: String,
    /// Sent at (Unix seconds).
    pub created_at: i64,
    /// Expires at (Unix seconds), if ever.
    pub expires_at: Option<i64>,
}

impl MessageRow {
    /// The state, counting an expiry that has passed but not been purged yet.
    pub fn effective_state(&self, now: i64) -> Result<MessageState> {
        let state: MessageState = self.state.parse()?;
        Ok(match (state, self.expires_at) {
            (MessageState::Active, Some(at)) if at <= now => MessageState::Expired,
            (state, _) => state,
        })
    }
}

/// A Message-ID in its canonical form, with angle brackets.
pub fn normalize_message_id(id: &str) -> String {
    let id = id.trim();
    if id.starts_with('<') && id.ends_with('>') {
        id.to_owned()
    } else {
        format!("<{}>", id.trim_matches(['<', '>']))
    }
}

/// A recipient of a message.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RecipientRow {
    /// Row id.
    pub id: i64,
    /// `to` or `cc`.
    pub kind: String,
    /// Address the link was sent to.
    pub address: String,
    /// Display name.
    pub name: Option<String>,
    /// When this recipient's access was revoked.
    pub revoked_at: Option<i64>,
    /// When the recipient first opened the message (with a passcode).
    pub opened_at: Option<i64>,
    /// Named only by the envelope (Bcc): the other recipients do not see them.
    #[sqlx(default)]
    pub hidden: bool,
}

/// An attachment's metadata.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AttachmentRow {
    /// Id, unique within the message.
    pub id: String,
    /// Position; the object index is `position + 1`.
    pub position: i64,
    /// File name.
    pub name: String,
    /// MIME type.
    pub content_type: String,
    /// Plaintext size in bytes.
    pub size: i64,
}

/// The sealed content of a message.
#[derive(sqlx::FromRow)]
pub struct ContentRow {
    /// Id of the master key that wrapped the data key.
    pub master_key_id: String,
    /// The wrapped data key.
    pub wrapped_key: Vec<u8>,
    /// The sealed body.
    pub ciphertext: Vec<u8>,
}

/// Everything stored for a new message, in one transaction.
pub struct NewMessage {
    /// Metadata.
    pub row: MessageRow,
    /// The sending account, if a local user sent it.
    pub sender_user_id: Option<i64>,
    /// The message this one answers.
    pub in_reply_to: Option<String>,
    /// Id of the wrapping master key.
    pub master_key_id: String,
    /// The wrapped data key.
    pub wrapped_key: Vec<u8>,
    /// The sealed body.
    pub body: Vec<u8>,
    /// Attachments (their sealed files are already on disk).
    pub attachments: Vec<AttachmentRow>,
    /// Recipients, with the hash of each one's link token.
    pub recipients: Vec<(RecipientRow, Vec<u8>)>,
    /// The language of its notification and passcode mail.
    pub language: sealmail_api::Language,
    /// Mail the sender a read receipt when each recipient first opens it.
    pub read_receipt: bool,
    /// Each recipient's notification, in the same order: queued in the same
    /// transaction, so a stored message always has its mails on the way.
    pub notifications: Vec<super::mail_queue::NewMail>,
    /// Other mail queued in the same transaction (an SMTP mail's copies
    /// relayed to recipients inside the organisation).
    pub also_queued: Vec<super::mail_queue::NewMail>,
}

/// Stores a new message with its key, content, attachments and recipients,
/// and queues their notifications.
pub async fn insert(db: &Db, m: &NewMessage) -> Result<()> {
    if m.notifications.len() != m.recipients.len() {
        return Err(crate::error::Error::Internal(
            "one notification per recipient".to_owned(),
        ));
    }
    let mut tx = db.write().await?;
    on_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO messages (id, message_id, sender_user_id, sender_address, sender_name, subject,
                               protection, state, created_at, expires_at, in_reply_to, language,
                               read_receipt)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'active', $8, $9, $10, $11, $12)",
    )
    .bind(&m.row.id)
    .bind(&m.row.message_id)
    .bind(m.sender_user_id)
    .bind(&m.row.sender_address)
    .bind(&m.row.sender_name)
    .bind(&m.row.subject)
    .bind(&m.row.protection)
    .bind(m.row.created_at)
    .bind(m.row.expires_at)
    .bind(&m.in_reply_to)
    .bind(m.language.code())
    .bind(m.read_receipt)
    .execute(&mut *c)
    .await.map(|r| r.rows_affected())
    })?;
    on_tx!(tx, |c| sqlx::query(
        "INSERT INTO message_keys (message_id, master_key_id, wrapped_key) VALUES ($1, $2, $3)",
    )
    .bind(&m.row.id)
    .bind(&m.master_key_id)
    .bind(&m.wrapped_key)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    on_tx!(tx, |c| sqlx::query(
        "INSERT INTO message_bodies (message_id, ciphertext) VALUES ($1, $2)"
    )
    .bind(&m.row.id)
    .bind(&m.body)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    for a in &m.attachments {
        on_tx!(tx, |c| sqlx::query(
            "INSERT INTO attachments (id, message_id, position, name, content_type, size)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&a.id)
        .bind(&m.row.id)
        .bind(a.position)
        .bind(&a.name)
        .bind(&a.content_type)
        .bind(a.size)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    }
    // Many rows to a statement: each statement is a round trip to SQLite's
    // worker thread, and a message to 10,000 recipients made 20,000 of them.
    let mut position = 0;
    for (recipients, mails) in m
        .recipients
        .chunks(ROWS_PER_INSERT)
        .zip(m.notifications.chunks(ROWS_PER_INSERT))
    {
        let first = position;
        let ids: HashMap<i64, i64> = on_tx!(tx, |c| {
            let mut insert = sqlx::QueryBuilder::new(
                "INSERT INTO recipients (message_id, kind, position, address, name, token_hash, hidden) ",
            );
            insert.push_values(recipients, |mut row, (r, token_hash)| {
                row.push_bind(&m.row.id)
                    .push_bind(&r.kind)
                    .push_bind(position as i64)
                    .push_bind(&r.address)
                    .push_bind(&r.name)
                    .push_bind(token_hash)
                    .push_bind(r.hidden);
                position += 1;
            });
            // RETURNING's row order is not promised: match ids by position.
            insert.push(" RETURNING position, id");
            let ids: HashMap<i64, i64> = insert
                .build_query_as()
                .fetch_all(&mut *c)
                .await?
                .into_iter()
                .collect();
            Ok::<_, sqlx::Error>(ids)
        })?;
        let queued: Vec<(&super::mail_queue::NewMail, Option<i64>)> = mails
            .iter()
            .enumerate()
            .map(|(i, mail)| (mail, ids.get(&((first + i) as i64)).copied()))
            .collect();
        if queued.iter().any(|(_, id)| id.is_none()) {
            return Err(crate::error::Error::Internal(
                "a recipient row was not returned".into(),
            ));
        }
        super::mail_queue::insert_many(&mut tx, &queued).await?;
    }
    for mail in &m.also_queued {
        super::mail_queue::insert(&mut tx, mail, None).await?;
    }
    tx.commit().await?;
    crate::metrics::message_stored();
    Ok(())
}

/// Rows per multi-row INSERT: well under SQLite's 32,766 bound parameters.
const ROWS_PER_INSERT: usize = 500;

/// Finds a message by its Message-ID.
pub async fn by_message_id(db: &Db, message_id: &str) -> Result<Option<MessageRow>> {
    Ok(on_db!(db, |c| {
        sqlx::query_as(
        "SELECT id, message_id, sender_address, sender_name, subject, protection, state, created_at, expires_at
         FROM messages WHERE message_id = $1",
    )
    .bind(message_id)
    .fetch_optional(c)
    .await
    })?)
}

/// A message's recipients, To first, in the order the sender gave them.
pub async fn recipients(db: &Db, id: &str) -> Result<Vec<RecipientRow>> {
    Ok(on_db!(db, |c| sqlx::query_as(
        "SELECT id, kind, address, name, revoked_at, opened_at FROM recipients
         WHERE message_id = $1 ORDER BY kind DESC, position",
    )
    .bind(id)
    .fetch_all(c)
    .await)?)
}

/// The recipients of each of the messages `ids` (each list To first, in the
/// sender's order), in one statement: the ids go in as one JSON array, so the
/// statement is the same, and prepared once, whatever their number.
pub async fn recipients_of(db: &Db, ids: &[&str]) -> Result<HashMap<String, Vec<RecipientRow>>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        message_id: String,
        #[sqlx(flatten)]
        recipient: RecipientRow,
    }
    let rows: Vec<Row> = on_db!(db, |c, pg| sqlx::query_as(dialect!(
        pg,
        "SELECT message_id, id, kind, address, name, revoked_at, opened_at FROM recipients
         WHERE message_id IN (SELECT value FROM json_each($1))
         ORDER BY message_id, kind DESC, position",
        "SELECT message_id, id, kind, address, name, revoked_at, opened_at FROM recipients
         WHERE message_id IN (SELECT json_array_elements_text(CAST($1 AS json)))
         ORDER BY message_id, kind DESC, position"
    ))
    .bind(json_list(ids))
    .fetch_all(c)
    .await)?;
    let mut by_message: HashMap<String, Vec<RecipientRow>> = HashMap::new();
    for row in rows {
        by_message
            .entry(row.message_id)
            .or_default()
            .push(row.recipient);
    }
    Ok(by_message)
}

/// `ids` as a JSON array, for `json_each` (PostgreSQL: `json_array_elements_text`).
pub(super) fn json_list(ids: &[&str]) -> String {
    serde_json::to_string(ids).expect("a list of strings is JSON")
}

/// The wrapped data key alone (for attachment downloads).
pub async fn wrapped_key(db: &Db, id: &str) -> Result<Option<(String, Vec<u8>)>> {
    Ok(on_db!(db, |c| sqlx::query_as(
        "SELECT master_key_id, wrapped_key FROM message_keys WHERE message_id = $1"
    )
    .bind(id)
    .fetch_optional(c)
    .await)?)
}

/// A message's attachments, in order.
pub async fn attachments(db: &Db, id: &str) -> Result<Vec<AttachmentRow>> {
    Ok(on_db!(db, |c| sqlx::query_as(
        "SELECT id, position, name, content_type, size FROM attachments
         WHERE message_id = $1 ORDER BY position",
    )
    .bind(id)
    .fetch_all(c)
    .await)?)
}

/// Ends an active message — revoked or expired — and destroys its wrapped key,
/// sealed body and attachment rows, and cancels its mail still waiting in
/// the queue, in the same transaction. The conditional
/// UPDATE is the whole decision: of two concurrent calls exactly one wins.
/// Returns whether this call changed it.
pub async fn end(db: &Db, id: &str, to: MessageState, now: i64) -> Result<bool> {
    let mut tx = db.write().await?;
    let changed_id: Option<String> = on_tx!(tx, |c| {
        sqlx::query_scalar(
        "UPDATE messages SET state = $1, ended_at = $2 WHERE id = $3 AND state = 'active' RETURNING message_id",
    )
    .bind(to.as_str())
    .bind(now)
    .bind(id)
    .fetch_optional(&mut *c)
    .await
    })?;
    if let Some(message_id) = &changed_id {
        for sql in [
            "DELETE FROM message_keys WHERE message_id = $1",
            "DELETE FROM message_bodies WHERE message_id = $1",
            "DELETE FROM attachments WHERE message_id = $1",
            "DELETE FROM recipient_sessions WHERE recipient_id IN (SELECT id FROM recipients WHERE message_id = $1)",
            "DELETE FROM passcodes WHERE recipient_id IN (SELECT id FROM recipients WHERE message_id = $1)",
        ] {
            on_tx!(tx, |c| sqlx::query(sql)
                .bind(id)
                .execute(&mut *c)
                .await
                .map(|r| r.rows_affected()))?;
        }
        // Its links and passcodes are dead now: mail still waiting with them
        // must not go out later.
        super::mail_queue::cancel_for_message(&mut tx, id, now).await?;
        super::audit::forget_file_names(&mut tx, message_id).await?;
    }
    tx.commit().await?;
    if changed_id.is_some() {
        match to {
            MessageState::Revoked => crate::metrics::message_revoked(),
            MessageState::Expired => crate::metrics::message_expired(),
            MessageState::Active => {}
        }
    }
    Ok(changed_id.is_some())
}

/// What `address` has stored in replies to message `original` that are
/// still readable: their sealed bodies and attachments, in bytes.
pub async fn reply_bytes(db: &Db, original: &str, address: &str) -> Result<u64> {
    let bytes: i64 = on_db!(db, |c| sqlx::query_scalar(
        "SELECT CAST(COALESCE((SELECT SUM(LENGTH(b.ciphertext)) FROM message_bodies b
                           JOIN messages m ON m.id = b.message_id
                          WHERE m.in_reply_to = $1 AND m.sender_address = $2), 0)
              + COALESCE((SELECT SUM(a.size) FROM attachments a
                           JOIN messages m ON m.id = a.message_id
                          WHERE m.in_reply_to = $1 AND m.sender_address = $2), 0) AS BIGINT)",
    )
    .bind(original)
    .bind(address)
    .fetch_one(c)
    .await)?;
    Ok(bytes.max(0) as u64)
}

/// Ids of active messages whose expiry has passed.
pub async fn due_for_expiry(db: &Db, now: i64) -> Result<Vec<String>> {
    Ok(on_db!(db, |c| {
        sqlx::query_scalar(
        "SELECT id FROM messages WHERE state = 'active' AND expires_at IS NOT NULL AND expires_at <= $1",
    )
    .bind(now)
    .fetch_all(c)
    .await
    })?)
}

/// The language of message `id`'s mail (`en`, `nl`, `da`, `ja`).
pub async fn language_of(db: &Db, id: &str) -> Result<Option<String>> {
    Ok(on_db!(db, |c| sqlx::query_scalar(
        "SELECT language FROM messages WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(c)
    .await)?)
}

/// Message `id`'s state and the ids of its attachments, in one statement.
pub async fn with_attachment_ids(db: &Db, id: &str) -> Result<Option<(String, Vec<String>)>> {
    let found: Option<(String, String)> = on_db!(db, |c, pg| {
        sqlx::query_as(dialect!(
        pg,
        "SELECT m.state, (SELECT json_group_array(a.id) FROM attachments a WHERE a.message_id = m.id)
         FROM messages m WHERE m.id = $1",
        "SELECT m.state, COALESCE((SELECT CAST(json_agg(a.id) AS TEXT) FROM attachments a
                                   WHERE a.message_id = m.id), '[]')
         FROM messages m WHERE m.id = $1"
    ))
    .bind(id)
    .fetch_optional(c)
    .await
    })?;
    found
        .map(|(state, ids)| {
            serde_json::from_str(&ids)
                .map(|ids| (state, ids))
                .map_err(|e| crate::error::Error::Internal(format!("attachment ids of {id}: {e}")))
        })
        .transpose()
}

/// Ids of the messages whose content is still stored.
pub async fn with_content(db: &Db) -> Result<Vec<String>> {
    Ok(on_db!(db, |c| sqlx::query_scalar(
        "SELECT message_id FROM message_keys ORDER BY message_id"
    )
    .fetch_all(c)
    .await)?)
}

/// Message `id`'s wrapped key and sealed body, while it has them.
pub async fn content(db: &Db, id: &str) -> Result<Option<ContentRow>> {
    Ok(on_db!(db, |c| sqlx::query_as(
        "SELECT k.master_key_id, k.wrapped_key, b.ciphertext
         FROM message_keys k JOIN message_bodies b ON b.message_id = k.message_id
         WHERE k.message_id = $1"
    )
    .bind(id)
    .fetch_optional(c)
    .await)?)
}
