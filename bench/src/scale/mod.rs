//! A million messages: generated inside SQLite in one transaction (the real
//! schema, after the real migrations), then `sealmail status`'s lookup and
//! the Sent list's first and a deep page, timed from the database's side
//! through the server's own store functions, with SQLite's query plans.
//! The same on PostgreSQL: `postgres.rs`.

pub mod postgres;

use std::path::Path;
use std::time::Instant;
use tokio::process::Command;

use sealmail::store::sent::{self, Cursor, Search};
use sealmail::{AppState, messages, store};
use serde_json::{Value, json};

use crate::report::{Figure, Goal, median};
use crate::seed;

pub const MESSAGES: i64 = 1_000_000;
/// Senders the messages are spread over (the Sent list is one sender's).
const SENDERS: i64 = 10;
const LOOKUPS: usize = 200;
const PAGES: usize = 50;

/// The store's SQL, as `EXPLAIN QUERY PLAN` sees it (copied from `server/src/store/`).
const STATUS_SQL: &str = "SELECT id, message_id, sender_address, sender_name, subject, protection, state, created_at, expires_at FROM messages WHERE message_id = ?";
const RECIPIENTS_SQL: &str = "SELECT id, kind, address, name, revoked_at, opened_at FROM recipients WHERE message_id = ? ORDER BY kind DESC, position";
const SENT_FIRST_SQL: &str = "SELECT m.id, m.message_id, m.sender_address, m.sender_name, m.subject, m.protection, m.state, m.created_at, m.expires_at FROM messages m WHERE 1 = 1 AND m.sender_user_id = ? ORDER BY m.created_at DESC, m.id DESC LIMIT ?";
const SENT_DEEP_SQL: &str = "SELECT m.id, m.message_id, m.sender_address, m.sender_name, m.subject, m.protection, m.state, m.created_at, m.expires_at FROM messages m WHERE 1 = 1 AND m.sender_user_id = ? AND m.created_at <= ? AND (m.created_at < ? OR (m.created_at = ? AND m.id < ?)) ORDER BY m.created_at DESC, m.id DESC LIMIT ?";
/// The deep page as the store asked for it without the plain range on `created_at` (the reference the fix is measured against).
const SENT_DEEP_BEFORE_FIX_SQL: &str = "SELECT m.id, m.message_id, m.sender_address, m.sender_name, m.subject, m.protection, m.state, m.created_at, m.expires_at FROM messages m WHERE 1 = 1 AND m.sender_user_id = ? AND (m.created_at < ? OR (m.created_at = ? AND m.id < ?)) ORDER BY m.created_at DESC, m.id DESC LIMIT ?";
/// A Sent list page's recipients and replies, one statement each for the whole page.
const PAGE_RECIPIENTS_SQL: &str = "SELECT message_id, id, kind, address, name, revoked_at, opened_at FROM recipients WHERE message_id IN (SELECT value FROM json_each(?)) ORDER BY message_id, kind DESC, position";
const PAGE_REPLIES_SQL: &str = "SELECT m.id, m.in_reply_to FROM messages m WHERE m.in_reply_to IN (SELECT value FROM json_each(?)) ORDER BY m.in_reply_to, m.created_at, m.id";

pub async fn run(binary: &Path) -> Result<Vec<Figure>, String> {
    let dir = tempfile::Builder::new()
        .prefix("sealmail-bench-scale-")
        .tempdir_in(seed::scratch_dir())
        .map_err(|e| e.to_string())?;
    let (state, _mailer) = seed::open_state(dir.path(), "http://127.0.0.1:1").await?;
    let db_err = |e: sqlx::Error| e.to_string();

    println!("inserting {MESSAGES} messages and their recipients");
    let started = Instant::now();
    let first_user = insert(&state).await?;
    let insert_secs = started.elapsed().as_secs_f64();
    sqlx::query("ANALYZE")
        .execute(state.db.as_sqlite().ok_or("this bench runs on SQLite")?)
        .await
        .map_err(db_err)?;

    // Message-IDs to look up, spread over the table.
    let ids: Vec<String> =
        sqlx::query_scalar("SELECT message_id FROM messages WHERE rowid % (? / ?) = 7 LIMIT ?")
            .bind(MESSAGES)
            .bind(LOOKUPS as i64)
            .bind(LOOKUPS as i64)
            .fetch_all(state.db.as_sqlite().ok_or("this bench runs on SQLite")?)
            .await
            .map_err(db_err)?;
    let user = first_user;
    let deep_row: (i64, String) = sqlx::query_as(
        "SELECT created_at, id FROM messages WHERE sender_user_id = ? ORDER BY created_at DESC, id DESC LIMIT 1 OFFSET ?",
    )
    .bind(user)
    .bind(MESSAGES / SENDERS / 2)
    .fetch_one(state.db.as_sqlite().ok_or("this bench runs on SQLite")?)
    .await
    .map_err(db_err)?;
    let reads = Reads::time(&state, &ids, user, &deep_row).await?;
    let mut before_fix_ms = Vec::new();
    for _ in 0..PAGES {
        let t0 = Instant::now();
        let rows = sqlx::query(SENT_DEEP_BEFORE_FIX_SQL)
            .bind(user)
            .bind(deep_row.0)
            .bind(deep_row.0)
            .bind(&deep_row.1)
            .bind(51)
            .fetch_all(state.db.as_sqlite().ok_or("this bench runs on SQLite")?)
            .await
            .map_err(db_err)?;
        before_fix_ms.push(ms(t0));
        assert_eq!(rows.len(), 51);
    }

    let plans = json!({
        "status: message by Message-ID": plan(&state, STATUS_SQL, &[Value::from(ids[0].clone())]).await?,
        "status: its recipients": plan(&state, RECIPIENTS_SQL, &[Value::from("x")]).await?,
        "Sent list: first page": plan(&state, SENT_FIRST_SQL, &[Value::from(user), Value::from(51)]).await?,
        "Sent list: deep page": plan(&state, SENT_DEEP_SQL, &[Value::from(user), Value::from(deep_row.0), Value::from(deep_row.0), Value::from(deep_row.0), Value::from(deep_row.1.clone()), Value::from(51)]).await?,
        "Sent list: deep page before the fix": plan(&state, SENT_DEEP_BEFORE_FIX_SQL, &[Value::from(user), Value::from(deep_row.0), Value::from(deep_row.0), Value::from(deep_row.1.clone()), Value::from(51)]).await?,
        "Sent list: the page's recipients": plan(&state, PAGE_RECIPIENTS_SQL, &[Value::from("[\"x\",\"y\"]")]).await?,
        "Sent list: the page's replies": plan(&state, PAGE_REPLIES_SQL, &[Value::from("[\"x\",\"y\"]")]).await?,
    });
    let db_bytes = std::fs::metadata(dir.path().join("sealmail.db"))
        .map(|m| m.len())
        .unwrap_or(0);
    state.db.close().await;

    let command_ms = status_command_ms(binary, dir.path(), &[], &ids).await?;
    drop(dir);

    let mut figures = reads.figures(
        "scale",
        insert_secs,
        db_bytes as f64 / 1e6,
        plans,
        &command_ms,
    );
    // Beside the deep page: the same page as the store asked for it before the fix.
    figures.insert(
        4,
        Figure::median_of(
            "scale: Sent list deep page, query before the fix (no plain created_at range)",
            &before_fix_ms,
            "ms",
        ),
    );
    Ok(figures)
}

/// The store's reads over a million messages, timed one by one as the
/// server makes them.
struct Reads {
    status_ms: Vec<f64>,
    first_ms: Vec<f64>,
    deep_ms: Vec<f64>,
    whole_ms: Vec<f64>,
}

impl Reads {
    /// `sealmail status` of each of `ids`; then, `PAGES` times, sender
    /// `user`'s first Sent page, the page after `deep_row` (created_at, id),
    /// and that page whole, as the handler builds it.
    async fn time(
        state: &AppState,
        ids: &[String],
        user: i64,
        deep_row: &(i64, String),
    ) -> Result<Reads, String> {
        let err = |e: sealmail::Error| e.to_string();
        let mut status_ms = Vec::new();
        for id in ids {
            let t0 = Instant::now();
            let status = messages::status(state, id).await.map_err(err)?;
            status_ms.push(ms(t0));
            assert_eq!(&status.message_id, id);
        }
        let first = Search {
            sender_user_id: Some(user),
            ..Default::default()
        };
        let deep = Search {
            after: Some(Cursor {
                created_at: deep_row.0,
                id: deep_row.1.clone(),
            }),
            ..first.clone()
        };
        let (mut first_ms, mut deep_ms, mut whole_ms) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..PAGES {
            let t0 = Instant::now();
            let rows = sent::search(&state.db, &first, 51).await.map_err(err)?;
            first_ms.push(ms(t0));
            assert_eq!(rows.len(), 51);
            let t0 = Instant::now();
            let rows = sent::search(&state.db, &deep, 51).await.map_err(err)?;
            deep_ms.push(ms(t0));
            assert_eq!(rows.len(), 51);
            // The whole page as the handler builds it: the list, then the rows'
            // statuses and replies (batched: three statements in all).
            let t0 = Instant::now();
            let rows = sent::search(&state.db, &deep, 51).await.map_err(err)?;
            sealmail::sender::sent_messages(state, &rows[..50])
                .await
                .map_err(err)?;
            whole_ms.push(ms(t0));
        }
        Ok(Reads {
            status_ms,
            first_ms,
            deep_ms,
            whole_ms,
        })
    }

    /// The figures, named `<prefix>: …`, beside the goals (issue 19: a status
    /// lookup within 1 ms, a Sent page within 5 ms), with the insert's time
    /// (and the database's size), the query plans and the `sealmail status`
    /// command's wall time.
    fn figures(
        &self,
        prefix: &str,
        insert_secs: f64,
        database_mb: f64,
        plans: Value,
        command_ms: &[f64],
    ) -> Vec<Figure> {
        vec![
            Figure::new(
                format!("{prefix}: insert {MESSAGES} messages + recipients (one transaction)"),
                insert_secs,
                "s",
            )
            .detail(json!({ "database_MB": database_mb, "senders": SENDERS })),
            Figure::median_of(
                format!("{prefix}: status lookup by Message-ID (message + recipients)"),
                &self.status_ms,
                "ms",
            )
            .goal(Goal::AtMost(1.0))
            .detail(json!({ "query_plans": plans })),
            Figure::median_of(
                format!("{prefix}: Sent list first page (query)"),
                &self.first_ms,
                "ms",
            )
            .goal(Goal::AtMost(5.0)),
            Figure::median_of(
                format!(
                    "{prefix}: Sent list deep page (row {}, query)",
                    MESSAGES / SENDERS / 2
                ),
                &self.deep_ms,
                "ms",
            )
            .goal(Goal::AtMost(5.0)),
            Figure::median_of(
                format!(
                    "{prefix}: Sent list deep page, whole (query + the 50 rows' statuses and replies)"
                ),
                &self.whole_ms,
                "ms",
            ),
            Figure::median_of(
                format!("{prefix}: `sealmail status --message-id` command, wall time"),
                command_ms,
                "ms",
            )
            .detail(json!({ "median": median(command_ms) })),
        ]
    }
}

/// `sealmail status --message-id` of a few of `ids`, as an administrator
/// runs it (process start, open, query, print); `extra` flags before it.
async fn status_command_ms(
    binary: &Path,
    data_dir: &Path,
    extra: &[&str],
    ids: &[String],
) -> Result<Vec<f64>, String> {
    let mut command_ms = Vec::new();
    for id in ids.iter().take(5) {
        let t0 = Instant::now();
        let out = Command::new(binary)
            .arg("--data-dir")
            .arg(data_dir)
            .args(extra)
            .args(["status", "--message-id", id])
            .output()
            .await
            .map_err(|e| e.to_string())?;
        command_ms.push(ms(t0));
        if !out.status.success() {
            return Err(format!(
                "sealmail status failed: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
    }
    Ok(command_ms)
}

fn ms(t0: Instant) -> f64 {
    t0.elapsed().as_secs_f64() * 1000.0
}

/// Senders, then a million messages (one recipient each), all inside SQLite.
/// Returns the first sender's id.
async fn insert(state: &AppState) -> Result<i64, String> {
    let db_err = |e: sqlx::Error| e.to_string();
    let now = store::now();
    let mut first = 0;
    for i in 0..SENDERS {
        let id = store::users::insert(
            &state.db,
            &format!("sender{i}@sealmail.test"),
            None,
            false,
            "$argon2id$v=19$m=19456,t=2,p=1$bm8$bm8",
            now,
        )
        .await
        .map_err(|e| e.to_string())?;
        if i == 0 {
            first = id;
        }
    }
    let mut tx = state
        .db
        .as_sqlite()
        .ok_or("this bench runs on SQLite")?
        .begin()
        .await
        .map_err(db_err)?;
    // Random ids, as the server makes them; one message every 30 s back from now.
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1)
         INSERT INTO messages (id, message_id, sender_user_id, sender_address, sender_name, subject,
                               protection, state, created_at, expires_at)
         SELECT lower(hex(randomblob(16))), '<' || lower(hex(randomblob(16))) || '@bench.test>',
                ?2 + i % ?3, 'sender' || (i % ?3) || '@sealmail.test', 'Sender ' || (i % ?3),
                'Quarterly figures ' || i, 'encrypt_only',
                CASE WHEN i % 50 = 0 THEN 'revoked' ELSE 'active' END,
                ?4 - (?1 - i) * 30, NULL
         FROM n",
    )
    .bind(MESSAGES)
    .bind(first)
    .bind(SENDERS)
    .bind(now)
    .execute(&mut *tx)
    .await
    .map_err(db_err)?;
    sqlx::query(
        "INSERT INTO recipients (message_id, kind, position, address, token_hash)
         SELECT id, 'to', 0, 'r' || (rowid % 5000) || '@example.net', randomblob(32) FROM messages",
    )
    .execute(&mut *tx)
    .await
    .map_err(db_err)?;
    tx.commit().await.map_err(db_err)?;
    Ok(first)
}

/// `EXPLAIN QUERY PLAN` of `sql` with `args` bound, one line per step.
async fn plan(state: &AppState, sql: &str, args: &[Value]) -> Result<Vec<String>, String> {
    let text = format!("EXPLAIN QUERY PLAN {sql}");
    let mut query = sqlx::query_as::<_, (i64, i64, i64, String)>(sqlx::AssertSqlSafe(text));
    for arg in args {
        query = match arg {
            Value::Number(n) => query.bind(n.as_i64()),
            other => query.bind(other.as_str().unwrap_or_default().to_owned()),
        };
    }
    let rows = query
        .fetch_all(state.db.as_sqlite().ok_or("this bench runs on SQLite")?)
        .await
        .map_err(|e| e.to_string())?;
    Ok(rows.into_iter().map(|(_, _, _, detail)| detail).collect())
}
