//! Finding messages: a sender's Sent list, the admin's message trace, the
//! encryption report's counts, replies, and the expiry change.

use std::collections::HashMap;

use sqlx::{AssertSqlSafe, QueryBuilder};

use super::like_pattern;
use super::messages::MessageRow;
use super::{Db, dialect, on_db};
use crate::error::Result;

const COLUMNS: &str = "m.id, m.message_id, m.sender_address, m.sender_name, m.subject, \
m.protection, m.state, m.created_at, m.expires_at";

/// A position in a newest-first list: the last row of the previous page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    /// Its `created_at`.
    pub created_at: i64,
    /// Its id (breaks ties between messages of the same second).
    pub id: String,
}

impl Cursor {
    /// The cursor after `row`.
    pub fn after(row: &MessageRow) -> Self {
        Cursor {
            created_at: row.created_at,
            id: row.id.clone(),
        }
    }

    /// As sent to clients: `SECONDS.ID`.
    pub fn encode(&self) -> String {
        format!("{}.{}", self.created_at, self.id)
    }

    /// Parses [`Cursor::encode`]'s form.
    pub fn decode(text: &str) -> Option<Self> {
        let (secs, id) = text.split_once('.')?;
        let valid_id = !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric());
        let created_at = secs.parse().ok()?;
        valid_id.then(|| Cursor {
            created_at,
            id: id.to_owned(),
        })
    }
}

/// What to find.
#[derive(Debug, Default, Clone)]
pub struct Search {
    /// Only this account's messages.
    pub sender_user_id: Option<i64>,
    /// Subject or a recipient's address or name contains this.
    pub any_text: Option<String>,
    /// Sender address contains this.
    pub sender: Option<String>,
    /// A recipient address contains this.
    pub recipient: Option<String>,
    /// Subject contains this.
    pub subject: Option<String>,
    /// Sent at or after (Unix seconds).
    pub from: Option<i64>,
    /// Sent before (Unix seconds).
    pub until: Option<i64>,
    /// Continue after this row.
    pub after: Option<Cursor>,
}

/// Matching messages, newest first, at most `limit`.
pub async fn search(db: &Db, s: &Search, limit: i64) -> Result<Vec<MessageRow>> {
    Ok(on_db!(db, |c, pg| {
        // SQLite's LIKE ignores case (ASCII); PostgreSQL's ILIKE is its match.
        let like = dialect!(pg, " LIKE ", " ILIKE ");
        let mut q = QueryBuilder::new(format!("SELECT {COLUMNS} FROM messages m WHERE 1 = 1"));
        if let Some(user) = s.sender_user_id {
            q.push(" AND m.sender_user_id = ").push_bind(user);
        }
        if let Some(text) = &s.any_text {
            let pattern = like_pattern(text);
            q.push(" AND (m.subject")
            .push(like)
            .push_bind(pattern.clone())
            .push(" ESCAPE '\\' OR EXISTS (SELECT 1 FROM recipients r WHERE r.message_id = m.id AND (r.address")
            .push(like)
            .push_bind(pattern.clone())
            .push(" ESCAPE '\\' OR r.name")
            .push(like)
            .push_bind(pattern)
            .push(" ESCAPE '\\')))");
        }
        if let Some(sender) = &s.sender {
            q.push(" AND m.sender_address")
                .push(like)
                .push_bind(like_pattern(sender))
                .push(" ESCAPE '\\'");
        }
        if let Some(recipient) = &s.recipient {
            q.push(
                " AND EXISTS (SELECT 1 FROM recipients r WHERE r.message_id = m.id AND r.address",
            )
            .push(like)
            .push_bind(like_pattern(recipient))
            .push(" ESCAPE '\\')");
        }
        if let Some(subject) = &s.subject {
            q.push(" AND m.subject")
                .push(like)
                .push_bind(like_pattern(subject))
                .push(" ESCAPE '\\'");
        }
        if let Some(from) = s.from {
            q.push(" AND m.created_at >= ").push_bind(from);
        }
        if let Some(until) = s.until {
            q.push(" AND m.created_at < ").push_bind(until);
        }
        if let Some(after) = &s.after {
            // `created_at <=` is implied by the OR below, but only this plain range
            // lets SQLite seek in the index to the cursor instead of scanning every
            // newer row (a deep page of a million messages took 5.5 ms without it).
            q.push(" AND m.created_at <= ")
                .push_bind(after.created_at)
                .push(" AND (m.created_at < ")
                .push_bind(after.created_at)
                .push(" OR (m.created_at = ")
                .push_bind(after.created_at)
                .push(" AND m.id < ")
                .push_bind(after.id.clone())
                .push("))");
        }
        q.push(" ORDER BY m.created_at DESC, m.id DESC LIMIT ")
            .push_bind(limit);
        q.build_query_as().fetch_all(c).await
    })?)
}

/// A message by its internal id, with the account that sent it.
pub async fn by_id(db: &Db, id: &str) -> Result<Option<(MessageRow, Option<i64>)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        message: MessageRow,
        sender_user_id: Option<i64>,
    }
    let row: Option<Row> = on_db!(db, |c| sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {COLUMNS}, m.sender_user_id FROM messages m WHERE m.id = $1"
    )))
    .bind(id)
    .fetch_optional(c)
    .await)?;
    Ok(row.map(|r| (r.message, r.sender_user_id)))
}

/// The replies to each of the messages `ids`, each list oldest first, in one statement.
pub async fn replies_to(db: &Db, ids: &[&str]) -> Result<HashMap<String, Vec<MessageRow>>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        in_reply_to: String,
        #[sqlx(flatten)]
        message: MessageRow,
    }
    let rows: Vec<Row> = on_db!(db, |c, pg| sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {COLUMNS}, m.in_reply_to FROM messages m
         WHERE m.in_reply_to IN {}
         ORDER BY m.in_reply_to, m.created_at, m.id",
        dialect!(
            pg,
            "(SELECT value FROM json_each($1))",
            super::PG_JSON_TEXTS
        )
    )))
    .bind(super::messages::json_list(ids))
    .fetch_all(c)
    .await)?;
    let mut by_message: HashMap<String, Vec<MessageRow>> = HashMap::new();
    for row in rows {
        by_message
            .entry(row.in_reply_to)
            .or_default()
            .push(row.message);
    }
    Ok(by_message)
}

/// Sets the expiry of a message that is active and not past its expiry —
/// one conditional UPDATE. Returns whether it changed.
pub async fn set_expiry(db: &Db, id: &str, expires_at: Option<i64>, now: i64) -> Result<bool> {
    Ok(on_db!(db, |c| sqlx::query_scalar::<_, String>(
        "UPDATE messages SET expires_at = $1
         WHERE id = $2 AND state = 'active' AND (expires_at IS NULL OR expires_at > $3)
         RETURNING id",
    )
    .bind(expires_at)
    .bind(id)
    .bind(now)
    .fetch_optional(c)
    .await)?
    .is_some())
}

/// Day numbers (Unix seconds / 86 400) of the events the report counts, in
/// `[from, until)`: messages sent, first opened, revoked, expired (replies
/// from recipients are not counted).
#[derive(Debug, Default)]
pub struct ReportDays {
    /// One entry per message sent.
    pub sent: Vec<i64>,
    /// One entry per message, on the day of its first open.
    pub opened: Vec<i64>,
    /// One entry per message revoked.
    pub revoked: Vec<i64>,
    /// One entry per message expired.
    pub expired: Vec<i64>,
}

/// The report's events in `[from, until)`.
pub async fn report_days(db: &Db, from: i64, until: i64) -> Result<ReportDays> {
    let days = |sql: &'static str| async move {
        on_db!(db, |c| sqlx::query_scalar::<_, i64>(sql)
            .bind(from)
            .bind(until)
            .fetch_all(c)
            .await)
    };
    Ok(ReportDays {
        sent: days(
            "SELECT created_at / 86400 FROM messages
             WHERE in_reply_to IS NULL AND created_at >= $1 AND created_at < $2",
        )
        .await?,
        opened: days(
            "SELECT first / 86400 FROM (
                 SELECT MIN(r.opened_at) AS first FROM recipients r JOIN messages m ON m.id = r.message_id
                 WHERE m.in_reply_to IS NULL AND r.opened_at IS NOT NULL GROUP BY m.id) AS f
             WHERE first >= $1 AND first < $2",
        )
        .await?,
        revoked: days(
            "SELECT ended_at / 86400 FROM messages
             WHERE in_reply_to IS NULL AND state = 'revoked' AND ended_at >= $1 AND ended_at < $2",
        )
        .await?,
        expired: days(
            "SELECT ended_at / 86400 FROM messages
             WHERE in_reply_to IS NULL AND state = 'expired' AND ended_at >= $1 AND ended_at < $2",
        )
        .await?,
    })
}

/// The recipient domains of messages sent in `[from, until)`, with how many
/// messages went to each, most first.
pub async fn top_domains(db: &Db, from: i64, until: i64, limit: i64) -> Result<Vec<(String, i64)>> {
    Ok(on_db!(db, |c, pg| sqlx::query_as(dialect!(
        pg,
        "SELECT lower(substr(r.address, instr(r.address, '@') + 1)) AS domain,
                COUNT(DISTINCT m.id) AS messages
         FROM recipients r JOIN messages m ON m.id = r.message_id
         WHERE m.in_reply_to IS NULL AND m.created_at >= $1 AND m.created_at < $2
         GROUP BY domain ORDER BY messages DESC, domain LIMIT $3",
        "SELECT lower(substr(r.address, strpos(r.address, '@') + 1)) COLLATE \"C\" AS domain,
                COUNT(DISTINCT m.id) AS messages
         FROM recipients r JOIN messages m ON m.id = r.message_id
         WHERE m.in_reply_to IS NULL AND m.created_at >= $1 AND m.created_at < $2
         GROUP BY domain ORDER BY messages DESC, domain LIMIT $3"
    ))
    .bind(from)
    .bind(until)
    .bind(limit)
    .fetch_all(c)
    .await)?)
}
