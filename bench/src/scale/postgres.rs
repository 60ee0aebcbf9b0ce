//! The million messages on PostgreSQL (issue 19): generated inside the
//! server with `generate_series` in one transaction, on a database of their
//! own made by the real migrations; then the same reads as on SQLite through
//! the same store functions, with PostgreSQL's plans (`EXPLAIN ANALYZE`) and
//! a count of those that read a whole table instead of an index.

use std::path::Path;
use std::time::Instant;

use sealmail::AppState;
use sealmail::store::{self, Db};
use serde_json::{Value, json};
use sqlx::PgPool;

use super::{LOOKUPS, MESSAGES, Reads, SENDERS, status_command_ms};
use crate::pg::PgDatabase;
use crate::report::{Figure, Goal};
use crate::seed;

/// The store's SQL as PostgreSQL gets it (copied from `server/src/store/`).
const STATUS_SQL: &str = "SELECT id, message_id, sender_address, sender_name, subject, protection, state, created_at, expires_at FROM messages WHERE message_id = $1";
const RECIPIENTS_SQL: &str = "SELECT id, kind, address, name, revoked_at, opened_at FROM recipients WHERE message_id = $1 ORDER BY kind DESC, position";
const SENT_FIRST_SQL: &str = "SELECT m.id, m.message_id, m.sender_address, m.sender_name, m.subject, m.protection, m.state, m.created_at, m.expires_at FROM messages m WHERE 1 = 1 AND m.sender_user_id = $1 ORDER BY m.created_at DESC, m.id DESC LIMIT $2";
const SENT_DEEP_SQL: &str = "SELECT m.id, m.message_id, m.sender_address, m.sender_name, m.subject, m.protection, m.state, m.created_at, m.expires_at FROM messages m WHERE 1 = 1 AND m.sender_user_id = $1 AND m.created_at <= $2 AND (m.created_at < $3 OR (m.created_at = $4 AND m.id < $5)) ORDER BY m.created_at DESC, m.id DESC LIMIT $6";
const PAGE_RECIPIENTS_SQL: &str = "SELECT message_id, id, kind, address, name, revoked_at, opened_at FROM recipients WHERE message_id IN (SELECT json_array_elements_text(CAST($1 AS json))) ORDER BY message_id, kind DESC, position";
const PAGE_REPLIES_SQL: &str = "SELECT m.id, m.in_reply_to FROM messages m WHERE m.in_reply_to IN (SELECT json_array_elements_text(CAST($1 AS json))) ORDER BY m.in_reply_to, m.created_at, m.id";

const PREFIX: &str = "scale, PostgreSQL";

pub async fn run(binary: &Path, cluster_url: &str) -> Result<Vec<Figure>, String> {
    let db = PgDatabase::create(cluster_url, "scale").await?;
    let figures = measure(binary, &db).await;
    db.drop_database().await?;
    figures
}

async fn measure(binary: &Path, db: &PgDatabase) -> Result<Vec<Figure>, String> {
    let dir = tempfile::Builder::new()
        .prefix("sealmail-bench-scale-pg-")
        .tempdir_in(seed::scratch_dir())
        .map_err(|e| e.to_string())?;
    let (state, _mailer) =
        seed::open_state_on(dir.path(), "http://127.0.0.1:1", Some(&db.url)).await?;
    let Db::Postgres(pool) = &state.db else {
        return Err("a postgres:// URL opened something else".into());
    };
    let pool = pool.clone();
    let db_err = |e: sqlx::Error| e.to_string();

    println!("inserting {MESSAGES} messages and their recipients into PostgreSQL");
    let started = Instant::now();
    let user = insert(&state, &pool).await?;
    let insert_secs = started.elapsed().as_secs_f64();
    // What autovacuum would have done by the time a million messages were
    // sent: statistics, and the visibility map index-only scans rely on.
    sqlx::query("VACUUM ANALYZE")
        .execute(&pool)
        .await
        .map_err(db_err)?;

    // Message-IDs to look up, spread over the table (`seq` is the insert order).
    let ids: Vec<String> =
        sqlx::query_scalar("SELECT message_id FROM messages WHERE seq % ($1 / $2) = 7 LIMIT $2")
            .bind(MESSAGES)
            .bind(LOOKUPS as i64)
            .fetch_all(&pool)
            .await
            .map_err(db_err)?;
    let deep_row: (i64, String) = sqlx::query_as(
        "SELECT created_at, id FROM messages WHERE sender_user_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1 OFFSET $2",
    )
    .bind(user)
    .bind(MESSAGES / SENDERS / 2)
    .fetch_one(&pool)
    .await
    .map_err(db_err)?;
    let reads = Reads::time(&state, &ids, user, &deep_row).await?;

    let (created_at, cursor_id) = (Value::from(deep_row.0), Value::from(deep_row.1.clone()));
    // A first page's internal ids, as the handler passes them on.
    let page_ids: Vec<String> = sqlx::query_scalar(
        "SELECT id FROM messages WHERE sender_user_id = $1 ORDER BY created_at DESC, id DESC LIMIT 50",
    )
    .bind(user)
    .fetch_all(&pool)
    .await
    .map_err(db_err)?;
    let page_ids = json!(page_ids).to_string();
    let plans = [
        (
            "status: message by Message-ID",
            plan(&pool, STATUS_SQL, &[Value::from(ids[0].clone())]).await?,
        ),
        (
            "status: its recipients",
            plan(&pool, RECIPIENTS_SQL, &[cursor_id.clone()]).await?,
        ),
        (
            "Sent list: first page",
            plan(&pool, SENT_FIRST_SQL, &[Value::from(user), Value::from(51)]).await?,
        ),
        (
            "Sent list: deep page",
            plan(
                &pool,
                SENT_DEEP_SQL,
                &[
                    Value::from(user),
                    created_at.clone(),
                    created_at.clone(),
                    created_at,
                    cursor_id,
                    Value::from(51),
                ],
            )
            .await?,
        ),
        (
            "Sent list: the page's recipients",
            plan(&pool, PAGE_RECIPIENTS_SQL, &[Value::from(page_ids.clone())]).await?,
        ),
        (
            "Sent list: the page's replies",
            plan(&pool, PAGE_REPLIES_SQL, &[Value::from(page_ids)]).await?,
        ),
    ];
    let whole_table_reads: Vec<&str> = plans
        .iter()
        .filter(|(_, lines)| lines.iter().any(|l| reads_whole_table(l)))
        .map(|(name, _)| *name)
        .collect();
    let plans: serde_json::Map<String, Value> = plans
        .iter()
        .map(|(name, lines)| (name.to_string(), json!(lines)))
        .collect();
    let db_bytes: i64 = sqlx::query_scalar("SELECT pg_database_size(current_database())")
        .fetch_one(&pool)
        .await
        .map_err(db_err)?;
    state.db.close().await;

    let command_ms = status_command_ms(binary, dir.path(), &db.args(), &ids).await?;
    let mut figures = reads.figures(
        PREFIX,
        insert_secs,
        db_bytes as f64 / 1e6,
        Value::Object(plans),
        &command_ms,
    );
    figures.push(
        Figure::new(
            format!("{PREFIX}: query plans that read a whole table (of 6)"),
            whole_table_reads.len() as f64,
            "",
        )
        .goal(Goal::AtMost(0.0))
        .detail(json!({ "plans": whole_table_reads })),
    );
    Ok(figures)
}

/// Whether a plan line reads all of `messages` or `recipients` (a `Seq Scan` on it).
fn reads_whole_table(line: &str) -> bool {
    ["messages", "recipients"]
        .iter()
        .any(|table| line.contains(&format!("Seq Scan on {table}")))
}

/// Senders, then a million messages (one recipient each), all inside
/// PostgreSQL in one transaction. Returns the first sender's id.
async fn insert(state: &AppState, pool: &PgPool) -> Result<i64, String> {
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
    let mut tx = pool.begin().await.map_err(db_err)?;
    // Random ids of 32 hex digits, as the server makes them; one message
    // every 30 s back from now, as on SQLite.
    sqlx::query(
        "INSERT INTO messages (id, message_id, sender_user_id, sender_address, sender_name, subject,
                               protection, state, created_at, expires_at)
         SELECT md5(random()::text || i::text), '<' || md5(i::text || random()::text) || '@bench.test>',
                $2 + i % $3, 'sender' || (i % $3) || '@sealmail.test', 'Sender ' || (i % $3),
                'Quarterly figures ' || i, 'encrypt_only',
                CASE WHEN i % 50 = 0 THEN 'revoked' ELSE 'active' END,
                $4 - ($1 - i) * 30, NULL
         FROM generate_series(1, $1) AS i",
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
         SELECT id, 'to', 0, 'r' || (seq % 5000) || '@example.net', sha256(convert_to(id, 'UTF8'))
         FROM messages",
    )
    .execute(&mut *tx)
    .await
    .map_err(db_err)?;
    tx.commit().await.map_err(db_err)?;
    Ok(first)
}

/// `EXPLAIN (ANALYZE, BUFFERS)` of `sql` with `args` bound, one line per step.
async fn plan(pool: &PgPool, sql: &str, args: &[Value]) -> Result<Vec<String>, String> {
    let text = format!("EXPLAIN (ANALYZE, BUFFERS) {sql}");
    let mut query = sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(text));
    for arg in args {
        query = match arg {
            Value::Number(n) => query.bind(n.as_i64()),
            other => query.bind(other.as_str().unwrap_or_default().to_owned()),
        };
    }
    query
        .fetch_all(pool)
        .await
        .map_err(|e| format!("EXPLAIN {sql}: {e}"))
}
