//! The million messages on PostgreSQL (issue 19): generated inside the
//! server with `generate_series` in one transaction, on a database of their
//! own made by the real migrations; then the same reads as on SQLite through
//! the same store functions, and the message view's one statement, with
//! PostgreSQL's plans (`EXPLAIN ANALYZE`) and a count of those that read a
//! whole table instead of an index.

use std::path::Path;
use std::time::Instant;

use sealmail::AppState;
use sealmail::crypto::sha256;
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
/// The message view's one statement (`store::view::message`), its link columns written out.
const VIEW_SQL: &str = "SELECT r.id AS recipient_id, r.address, r.name, r.revoked_at, r.failed_passcodes, r.opened_at, m.read_receipt AS wants_read_receipt, m.id, m.message_id, m.sender_address, m.sender_name, m.subject, m.protection, m.state, m.created_at, m.expires_at, m.language, EXISTS (SELECT 1 FROM recipient_sessions s WHERE s.id_hash = $2 AND s.recipient_id = r.id AND s.expires_at > $3) AS session_open, k.master_key_id, k.wrapped_key, b.ciphertext, COALESCE((SELECT CAST(json_agg(json_build_array(o.id, o.kind, o.address, o.name, o.revoked_at, o.opened_at) ORDER BY o.kind DESC, o.position) AS TEXT) FROM recipients o WHERE o.message_id = m.id AND (NOT o.hidden OR o.id = r.id)), '[]') AS recipients, COALESCE((SELECT CAST(json_agg(json_build_array(a.id, a.position, a.name, a.content_type, a.size) ORDER BY a.position) AS TEXT) FROM attachments a WHERE a.message_id = m.id), '[]') AS attachments FROM recipients r JOIN messages m ON m.id = r.message_id LEFT JOIN message_keys k ON k.message_id = m.id LEFT JOIN message_bodies b ON b.message_id = m.id WHERE r.token_hash = $1";
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

    // The message view's statement for links spread over the table (each
    // message's one link has the token hash `insert` gave it).
    let internal_ids: Vec<String> =
        sqlx::query_scalar("SELECT id FROM messages WHERE seq % ($1 / $2) = 3 LIMIT $2")
            .bind(MESSAGES)
            .bind(LOOKUPS as i64)
            .fetch_all(&pool)
            .await
            .map_err(db_err)?;
    let no_session = [0u8; 32];
    let mut view_ms = Vec::new();
    for id in &internal_ids {
        let t0 = Instant::now();
        let view =
            store::view::message(&state.db, &sha256(id.as_bytes()), &no_session, store::now())
                .await
                .map_err(|e| e.to_string())?
                .ok_or("a seeded link is unknown")?;
        view_ms.push(super::ms(t0));
        assert!(view.content.is_some() && view.recipients.len() == 1);
    }

    let (created_at, cursor_id) = (Arg::Int(deep_row.0), Arg::Text(deep_row.1.clone()));
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
            "message view: link, session, content, recipients, attachments",
            plan(
                &pool,
                VIEW_SQL,
                &[
                    Arg::Bytes(sha256(internal_ids[0].as_bytes())),
                    Arg::Bytes(no_session.to_vec()),
                    Arg::Int(store::now()),
                ],
            )
            .await?,
        ),
        (
            "status: message by Message-ID",
            plan(&pool, STATUS_SQL, &[Arg::Text(ids[0].clone())]).await?,
        ),
        (
            "status: its recipients",
            plan(&pool, RECIPIENTS_SQL, std::slice::from_ref(&cursor_id)).await?,
        ),
        (
            "Sent list: first page",
            plan(&pool, SENT_FIRST_SQL, &[Arg::Int(user), Arg::Int(51)]).await?,
        ),
        (
            "Sent list: deep page",
            plan(
                &pool,
                SENT_DEEP_SQL,
                &[
                    Arg::Int(user),
                    created_at.clone(),
                    created_at.clone(),
                    created_at,
                    cursor_id,
                    Arg::Int(51),
                ],
            )
            .await?,
        ),
        (
            "Sent list: the page's recipients",
            plan(&pool, PAGE_RECIPIENTS_SQL, &[Arg::Text(page_ids.clone())]).await?,
        ),
        (
            "Sent list: the page's replies",
            plan(&pool, PAGE_REPLIES_SQL, &[Arg::Text(page_ids)]).await?,
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
    figures.push(Figure::median_of(
        format!(
            "{PREFIX}: message view's statement (link, session, content, recipients, attachments)"
        ),
        &view_ms,
        "ms",
    ));
    figures.push(
        Figure::new(
            format!("{PREFIX}: query plans that read a whole table (of 7)"),
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
    // Each message's key and body (stand-ins of the real sizes' order), so
    // the message view's joins to them are over a million rows too.
    for sql in [
        "INSERT INTO message_keys (message_id, master_key_id, wrapped_key)
         SELECT id, 'bench', sha256(convert_to(message_id, 'UTF8')) FROM messages",
        "INSERT INTO message_bodies (message_id, ciphertext)
         SELECT id, decode(repeat(md5(id), 8), 'hex') FROM messages",
    ] {
        sqlx::query(sql).execute(&mut *tx).await.map_err(db_err)?;
    }
    tx.commit().await.map_err(db_err)?;
    Ok(first)
}

/// A value bound to a statement that is explained.
#[derive(Clone)]
enum Arg {
    Int(i64),
    Text(String),
    Bytes(Vec<u8>),
}

/// `EXPLAIN (ANALYZE, BUFFERS)` of `sql` with `args` bound, one line per step.
async fn plan(pool: &PgPool, sql: &str, args: &[Arg]) -> Result<Vec<String>, String> {
    let text = format!("EXPLAIN (ANALYZE, BUFFERS) {sql}");
    let mut query = sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(text));
    for arg in args {
        query = match arg.clone() {
            Arg::Int(n) => query.bind(n),
            Arg::Text(t) => query.bind(t),
            Arg::Bytes(b) => query.bind(b),
        };
    }
    query
        .fetch_all(pool)
        .await
        .map_err(|e| format!("EXPLAIN {sql}: {e}"))
}
