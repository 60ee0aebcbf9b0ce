//! Copying every row from one database to another (`sealmail
//! migrate-storage`): SQLite to PostgreSQL, or back. Each table is read as a
//! stream and written in multi-row INSERTs, all in one transaction on the
//! target: a copy that fails leaves the target as it was.

use futures_util::TryStreamExt as _;
use sqlx::{AssertSqlSafe, QueryBuilder, Row as _};

use super::{Db, on_db, on_tx};
use crate::error::{Error, Result};

/// How a column is read and written.
#[derive(Clone, Copy, Debug)]
enum Kind {
    Int,
    Text,
    Bytes,
    Bool,
}

/// A value of a row being copied.
#[derive(Debug)]
enum Value {
    Int(Option<i64>),
    Text(Option<String>),
    Bytes(Option<Vec<u8>>),
    Bool(Option<bool>),
}

/// A table, its columns, and the order its rows are copied in.
struct Table {
    name: &'static str,
    columns: &'static [(&'static str, Kind)],
    /// A column whose values PostgreSQL generates (its sequence is moved past
    /// the copied ones).
    identity: Option<&'static str>,
}

use Kind::{Bool, Bytes, Int, Text};

/// Every table, each after those it refers to. `messages.in_reply_to` refers
/// to messages themselves: it is copied after all of them.
const TABLES: &[Table] = &[
    Table {
        name: "users",
        columns: &[
            ("id", Int),
            ("email", Text),
            ("name", Text),
            ("is_admin", Bool),
            ("password_hash", Text),
            ("created_at", Int),
            ("read_receipts", Bool),
        ],
        identity: Some("id"),
    },
    Table {
        name: "branding_templates",
        columns: &[
            ("id", Int),
            ("name", Text),
            ("is_default", Bool),
            ("background_color", Text),
            ("introduction_text", Text),
            ("read_button_text", Text),
            ("email_text", Text),
            ("disclaimer_text", Text),
            ("portal_text", Text),
            ("privacy_statement_url", Text),
            ("passcode_enabled", Bool),
            ("expiry_days", Int),
            ("logo_type", Text),
            ("logo", Bytes),
            ("updated_at", Int),
            ("organisation", Text),
            ("language", Text),
        ],
        identity: Some("id"),
    },
    Table {
        name: "messages",
        columns: &[
            ("id", Text),
            ("message_id", Text),
            ("sender_user_id", Int),
            ("sender_address", Text),
            ("sender_name", Text),
            ("subject", Text),
            ("protection", Text),
            ("state", Text),
            ("created_at", Int),
            ("expires_at", Int),
            ("ended_at", Int),
            ("language", Text),
            ("read_receipt", Bool),
        ],
        identity: None,
    },
    Table {
        name: "message_keys",
        columns: &[
            ("message_id", Text),
            ("master_key_id", Text),
            ("wrapped_key", Bytes),
        ],
        identity: None,
    },
    Table {
        name: "message_bodies",
        columns: &[("message_id", Text), ("ciphertext", Bytes)],
        identity: None,
    },
    Table {
        name: "attachments",
        columns: &[
            ("id", Text),
            ("message_id", Text),
            ("position", Int),
            ("name", Text),
            ("content_type", Text),
            ("size", Int),
        ],
        identity: None,
    },
    Table {
        name: "message_branding",
        columns: &[("message_id", Text), ("template_id", Int)],
        identity: None,
    },
    Table {
        name: "recipients",
        columns: &[
            ("id", Int),
            ("message_id", Text),
            ("kind", Text),
            ("position", Int),
            ("address", Text),
            ("name", Text),
            ("token_hash", Bytes),
            ("revoked_at", Int),
            ("opened_at", Int),
            ("failed_passcodes", Int),
            ("hidden", Bool),
        ],
        identity: Some("id"),
    },
    Table {
        name: "passcodes",
        columns: &[
            ("id", Int),
            ("recipient_id", Int),
            ("code_mac", Bytes),
            ("created_at", Int),
            ("expires_at", Int),
            ("used_at", Int),
            ("failed_attempts", Int),
        ],
        identity: Some("id"),
    },
    Table {
        name: "recipient_sessions",
        columns: &[
            ("id_hash", Bytes),
            ("recipient_id", Int),
            ("created_at", Int),
            ("expires_at", Int),
        ],
        identity: None,
    },
    Table {
        name: "user_sessions",
        columns: &[
            ("id_hash", Bytes),
            ("user_id", Int),
            ("created_at", Int),
            ("expires_at", Int),
        ],
        identity: None,
    },
    Table {
        name: "sign_in_attempts",
        columns: &[("id", Int), ("key", Text), ("at", Int)],
        identity: Some("id"),
    },
    Table {
        name: "audit_events",
        columns: &[
            ("id", Int),
            ("at", Int),
            ("kind", Text),
            ("outcome", Text),
            ("message_id", Text),
            ("recipient", Text),
            ("actor", Text),
            ("client_address", Text),
            ("detail", Text),
        ],
        identity: Some("id"),
    },
    Table {
        name: "link_locks",
        columns: &[("recipient_id", Int), ("client", Text), ("until", Int)],
        identity: None,
    },
    Table {
        name: "mail_logos",
        columns: &[("sha256", Bytes), ("block", Bytes)],
        identity: None,
    },
    Table {
        name: "mail_queue",
        columns: &[
            ("id", Text),
            ("kind", Text),
            ("recipient_id", Int),
            ("envelope_from", Text),
            ("envelope_to", Text),
            ("master_key_id", Text),
            ("content", Bytes),
            ("state", Text),
            ("attempts", Int),
            ("created_at", Int),
            ("next_try_at", Int),
            ("leased_until", Int),
            ("expires_at", Int),
            ("finished_at", Int),
            ("last_error", Text),
            ("logo_sha256", Bytes),
            ("logo_offset", Int),
        ],
        identity: None,
    },
    Table {
        name: "mail_flow_rules",
        columns: &[
            ("id", Int),
            ("position", Int),
            ("name", Text),
            ("conditions", Text),
            ("action", Text),
            ("created_at", Int),
        ],
        identity: Some("id"),
    },
    Table {
        name: "app_passwords",
        columns: &[
            ("id", Int),
            ("user_id", Int),
            ("name", Text),
            ("hash", Bytes),
            ("created_at", Int),
            ("last_used_at", Int),
        ],
        identity: Some("id"),
    },
    Table {
        name: "oidc_flows",
        columns: &[
            ("state_hash", Text),
            ("nonce", Text),
            ("pkce_verifier", Text),
            ("next_page", Text),
            ("created_at", Int),
            ("expires_at", Int),
        ],
        identity: None,
    },
    Table {
        name: "api_tokens",
        columns: &[
            ("id", Int),
            ("user_id", Int),
            ("name", Text),
            ("hint", Text),
            ("scopes", Text),
            ("hash", Bytes),
            ("created_at", Int),
            ("expires_at", Int),
            ("last_used_at", Int),
            ("revoked_at", Int),
        ],
        identity: Some("id"),
    },
];

/// Rows per INSERT: under both databases' limits on bound values.
const ROWS_PER_INSERT: usize = 200;

/// How many rows of each table were copied.
pub type Copied = Vec<(&'static str, u64)>;

/// Copies every row of `from` into `to`, whose schema is current and which
/// holds no account and no message (its default mail-flow rules are
/// replaced by `from`'s). In one transaction on `to`.
pub async fn all(from: &Db, to: &Db) -> Result<Copied> {
    let (users, messages) = counts(to).await?;
    if users > 0 || messages > 0 {
        return Err(Error::InvalidRequest(format!(
            "the target database is not empty ({users} accounts, {messages} messages): \
             migrate into a new one"
        )));
    }
    let mut tx = to.write().await?;
    on_tx!(tx, |c| sqlx::query("DELETE FROM mail_flow_rules")
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    let mut copied = Vec::new();
    for table in TABLES {
        let columns: Vec<&str> = table.columns.iter().map(|(name, _)| *name).collect();
        let select = format!("SELECT {} FROM {}", columns.join(", "), table.name);
        let mut batch: Vec<Vec<Value>> = Vec::with_capacity(ROWS_PER_INSERT);
        let mut count = 0u64;
        on_db!(from, |source| {
            let mut rows = sqlx::query(AssertSqlSafe(select.clone())).fetch(source);
            while let Some(row) = rows.try_next().await? {
                let mut values = Vec::with_capacity(table.columns.len());
                for (i, (_, kind)) in table.columns.iter().enumerate() {
                    values.push(match kind {
                        Int => Value::Int(row.try_get(i)?),
                        Text => Value::Text(row.try_get(i)?),
                        Bytes => Value::Bytes(row.try_get(i)?),
                        Bool => Value::Bool(row.try_get(i)?),
                    });
                }
                batch.push(values);
                if batch.len() == ROWS_PER_INSERT {
                    count += insert(&mut tx, table, &columns, &mut batch).await?;
                }
            }
            Ok::<(), Error>(())
        })?;
        count += insert(&mut tx, table, &columns, &mut batch).await?;
        copied.push((table.name, count));
    }
    on_db!(from, |source| {
        let mut rows = sqlx::query_as::<_, (String, String)>(
            "SELECT id, in_reply_to FROM messages WHERE in_reply_to IS NOT NULL",
        )
        .fetch(source);
        while let Some((id, original)) = rows.try_next().await? {
            on_tx!(tx, |c| sqlx::query(
                "UPDATE messages SET in_reply_to = $1 WHERE id = $2"
            )
            .bind(&original)
            .bind(&id)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected()))?;
        }
        Ok::<(), Error>(())
    })?;
    if let super::Tx::Postgres(t) = &mut tx {
        for table in TABLES {
            if let Some(column) = table.identity {
                // Past the copied ids: the next new row must not collide.
                sqlx::query(AssertSqlSafe(format!(
                    "SELECT setval(pg_get_serial_sequence('{0}', '{column}'),
                                   COALESCE((SELECT MAX({column}) FROM {0}), 0) + 1, false)",
                    table.name
                )))
                .execute(&mut **t)
                .await?;
            }
        }
    }
    tx.commit().await?;
    Ok(copied)
}

/// The tables copied, by name.
pub fn table_names() -> Vec<&'static str> {
    TABLES.iter().map(|t| t.name).collect()
}

/// How many rows each table holds (to compare a copy with its source).
pub async fn row_counts(db: &Db) -> Result<Copied> {
    let mut counts = Vec::new();
    for table in TABLES {
        let sql = format!("SELECT COUNT(*) FROM {}", table.name);
        let n: i64 = on_db!(db, |c| sqlx::query_scalar(AssertSqlSafe(sql.clone()))
            .fetch_one(c)
            .await)?;
        counts.push((table.name, n.max(0) as u64));
    }
    Ok(counts)
}

async fn counts(db: &Db) -> Result<(i64, i64)> {
    Ok(on_db!(db, |c| sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM users), (SELECT COUNT(*) FROM messages)"
    )
    .fetch_one(c)
    .await)?)
}

/// Writes `batch` into `table` (and empties it); returns how many rows.
async fn insert(
    tx: &mut super::Tx,
    table: &Table,
    columns: &[&str],
    batch: &mut Vec<Vec<Value>>,
) -> Result<u64> {
    if batch.is_empty() {
        return Ok(0);
    }
    let rows = batch.len() as u64;
    // audit_events' ids are always generated on PostgreSQL, unless told.
    let overriding = match (table.identity, &*tx) {
        (Some(_), super::Tx::Postgres(_)) => " OVERRIDING SYSTEM VALUE",
        _ => "",
    };
    let head = format!(
        "INSERT INTO {} ({}){overriding} ",
        table.name,
        columns.join(", ")
    );
    on_tx!(tx, |c| {
        let mut q = QueryBuilder::new(head.clone());
        q.push_values(batch.drain(..), |mut row, values| {
            for value in values {
                match value {
                    Value::Int(v) => row.push_bind(v),
                    Value::Text(v) => row.push_bind(v),
                    Value::Bytes(v) => row.push_bind(v),
                    Value::Bool(v) => row.push_bind(v),
                };
            }
        });
        q.build().execute(&mut *c).await.map(|r| r.rows_affected())
    })?;
    Ok(rows)
}
