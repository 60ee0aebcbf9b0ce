//! Messages, their sealed content, attachments and recipients.

use std::collections::HashMap;

use sqlx::SqlitePool;

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
pub async fn insert(pool: &SqlitePool, m: &NewMessage) -> Result<()> {
    if m.notifications.len() != m.recipients.len() {
        return Err(crate::error::Error::Internal(
            "one notification per recipient".to_owned(),
        ));
    }
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    sqlx::query(
        "INSERT INTO messages (id, message_id, sender_user_id, sender_address, sender_name, subject,
                               protection, state, created_at, expires_at, in_reply_to, language,
                               read_receipt)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'active', ?, ?, ?, ?, ?)",
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
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO message_keys (message_id, master_key_id, wrapped_key) VALUES (?, ?, ?)",
    )
    .bind(&m.row.id)
    .bind(&m.master_key_id)
    .bind(&m.wrapped_key)
    .execute(&mut *tx)
    .await?;
    sqlx::query("INSERT INTO message_bodies (message_id, ciphertext) VALUES (?, ?)")
        .bind(&m.row.id)
        .bind(&m.body)
        .execute(&mut *tx)
        .await?;
    for a in &m.attachments {
        sqlx::query(
            "INSERT INTO attachments (id, message_id, position, name, content_type, size)
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(&a.id)
        .bind(&m.row.id)
        .bind(a.position)
        .bind(&a.name)
        .bind(&a.content_type)
        .bind(a.size)
        .execute(&mut *tx)
        .await?;
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
        let ids: std::collections::HashMap<i64, i64> = insert
            .build_query_as()
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .collect();
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
pub async fn by_message_id(pool: &SqlitePool, message_id: &str) -> Result<Option<MessageRow>> {
    Ok(sqlx::query_as(
        "SELECT id, message_id, sender_address, sender_name, subject, protection, state, created_at, expires_at
         FROM messages WHERE message_id = ?",
    )
    .bind(message_id)
    .fetch_optional(pool)
    .await?)
}

/// A message's recipients, To first, in the order the sender gave them.
pub async fn recipients(pool: &SqlitePool, id: &str) -> Result<Vec<RecipientRow>> {
    Ok(sqlx::query_as(
        "SELECT id, kind, address, name, revoked_at, opened_at FROM recipients
         WHERE message_id = ? ORDER BY kind DESC, position",
    )
    .bind(id)
    .fetch_all(pool)
    .await?)
}

/// The recipients of each of the messages `ids` (each list To first, in the
/// sender's order), in one statement: the ids go in as one JSON array, so the
/// statement is the same, and prepared once, whatever their number.
pub async fn recipients_of(
    pool: &SqlitePool,
    ids: &[&str],
) -> Result<HashMap<String, Vec<RecipientRow>>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        message_id: String,
        #[sqlx(flatten)]
        recipient: RecipientRow,
    }
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT message_id, id, kind, address, name, revoked_at, opened_at FROM recipients
         WHERE message_id IN (SELECT value FROM json_each(?))
         ORDER BY message_id, kind DESC, position",
    )
    .bind(json_list(ids))
    .fetch_all(pool)
    .await?;
    let mut by_message: HashMap<String, Vec<RecipientRow>> = HashMap::new();
    for row in rows {
        by_message
            .entry(row.message_id)
            .or_default()
            .push(row.recipient);
    }
    Ok(by_message)
}

/// `ids` as a JSON array, for `json_each`.
pub(super) fn json_list(ids: &[&str]) -> String {
    serde_json::to_string(ids).expect("a list of strings is JSON")
}

/// The wrapped data key alone (for attachment downloads).
pub async fn wrapped_key(pool: &SqlitePool, id: &str) -> Result<Option<(String, Vec<u8>)>> {
    Ok(
        sqlx::query_as("SELECT master_key_id, wrapped_key FROM message_keys WHERE message_id = ?")
            .bind(id)
            .fetch_optional(pool)
            .await?,
    )
}

/// A message's attachments, in order.
pub async fn attachments(pool: &SqlitePool, id: &str) -> Result<Vec<AttachmentRow>> {
    Ok(sqlx::query_as(
        "SELECT id, position, name, content_type, size FROM attachments
         WHERE message_id = ? ORDER BY position",
    )
    .bind(id)
    .fetch_all(pool)
    .await?)
}

/// Ends an active message — revoked or expired — and destroys its wrapped key,
/// sealed body and attachment rows, and cancels its mail still waiting in
/// the queue, in the same transaction. The conditional
/// UPDATE is the whole decision: of two concurrent calls exactly one wins.
/// Returns whether this call changed it.
pub async fn end(pool: &SqlitePool, id: &str, to: MessageState, now: i64) -> Result<bool> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let changed_id: Option<String> = sqlx::query_scalar(
        "UPDATE messages SET state = ?, ended_at = ? WHERE id = ? AND state = 'active' RETURNING message_id",
    )
    .bind(to.as_str())
    .bind(now)
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(message_id) = &changed_id {
        for sql in [
            "DELETE FROM message_keys WHERE message_id = ?",
            "DELETE FROM message_bodies WHERE message_id = ?",
            "DELETE FROM attachments WHERE message_id = ?",
            "DELETE FROM recipient_sessions WHERE recipient_id IN (SELECT id FROM recipients WHERE message_id = ?)",
            "DELETE FROM passcodes WHERE recipient_id IN (SELECT id FROM recipients WHERE message_id = ?)",
        ] {
            sqlx::query(sql).bind(id).execute(&mut *tx).await?;
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
pub async fn reply_bytes(pool: &SqlitePool, original: &str, address: &str) -> Result<u64> {
    let bytes: i64 = sqlx::query_scalar(
        "SELECT COALESCE((SELECT SUM(LENGTH(b.ciphertext)) FROM message_bodies b
                           JOIN messages m ON m.id = b.message_id
                          WHERE m.in_reply_to = ?1 AND m.sender_address = ?2), 0)
              + COALESCE((SELECT SUM(a.size) FROM attachments a
                           JOIN messages m ON m.id = a.message_id
                          WHERE m.in_reply_to = ?1 AND m.sender_address = ?2), 0)",
    )
    .bind(original)
    .bind(address)
    .fetch_one(pool)
    .await?;
    Ok(bytes.max(0) as u64)
}

/// Ids of active messages whose expiry has passed.
pub async fn due_for_expiry(pool: &SqlitePool, now: i64) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM messages WHERE state = 'active' AND expires_at IS NOT NULL AND expires_at <= ?",
    )
    .bind(now)
    .fetch_all(pool)
    .await?)
}

/// The language of message `id`'s mail (`en`, `nl`, `da`, `ja`).
pub async fn language_of(pool: &SqlitePool, id: &str) -> Result<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT language FROM messages WHERE id = ?")
            .bind(id)
            .fetch_optional(pool)
            .await?,
    )
}
