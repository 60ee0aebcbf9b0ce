//! The database: SQLite in WAL mode by default, so the `sealmail` commands
//! and a running server can share one data dir; or PostgreSQL, for several
//! servers on one database ([`db`]). All SQL lives in this module.

pub mod accounts;
pub mod api_tokens;
pub mod app_passwords;
pub mod audit;
pub mod branding;
mod checkpoints;
pub mod copy;
mod db;
pub mod links;
pub mod mail_queue;
pub mod messages;
pub mod oidc;
pub mod passcodes;
pub mod rules;
pub mod sent;
pub mod sessions;
pub mod users;
pub mod view;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sealmail_api::Timestamp;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use crate::error::{Error, Result};

pub use db::{Db, PoolUse, Serial, Tx};
pub use db::{dialect, on_db, on_tx};

/// Opens the database `url` names: `sqlite://PATH` (or a bare path) or
/// `postgres://…`, and brings its schema up to date.
pub async fn connect(url: &str, pg_connections: u32) -> Result<Db> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return open_postgres(url, pg_connections).await;
    }
    let path = url.strip_prefix("sqlite://").unwrap_or(url);
    open(Path::new(path)).await
}

/// Connects to PostgreSQL and runs its migrations. Replicas starting
/// together are safe: sqlx holds an advisory lock while it migrates.
async fn open_postgres(url: &str, connections: u32) -> Result<Db> {
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(connections)
        .connect(url)
        .await?;
    sqlx::migrate!("migrations/postgres")
        .run(&pool)
        .await
        .map_err(|e| Error::Internal(format!("database migration: {e}")))?;
    Ok(Db::Postgres(pool))
}

/// PostgreSQL's rows of a JSON array of strings bound as `$1` (SQLite's
/// `SELECT value FROM json_each($1)`).
pub(crate) const PG_JSON_TEXTS: &str = "(SELECT json_array_elements_text(CAST($1 AS json)))";

/// Each connection's page cache: negative is KiB (`PRAGMA cache_size`).
const CACHE_SIZE: &str = "-64";

/// Opens (creating if needed) the SQLite database file and brings its schema up to date.
pub async fn open(path: &Path) -> Result<Db> {
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        // Another connection (or a command next to the server) may hold the
        // write lock briefly; replaced by `busy_handler` once connected.
        .busy_timeout(BUSY_TIMEOUT)
        // Deleted rows are overwritten with zeros, so a revoked message's
        // ciphertext and wrapped key do not linger in free pages of the file.
        .pragma("secure_delete", "ON")
        // Each connection keeps its own page cache, 2 MB by default: eight of
        // them filled for minutes as the database grew, so the server's
        // memory kept rising under steady load (the bench's 3-minute soak:
        // +22 % at 2 MB, +16 % at 512 KiB, +4.9 % and levelling off at 64
        // KiB, at the same request rate). Pages read again come from the
        // operating system's file cache instead.
        .pragma("cache_size", CACHE_SIZE);
    let wal_grew = checkpoints::wal_grew();
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .after_connect(move |conn, _| {
            Box::pin(async move {
                let mut handle = conn.lock_handle().await?;
                // SAFETY: the handle is locked, so no statement runs on this
                // connection meanwhile; `busy_handler` lives as long as the program.
                unsafe {
                    libsqlite3_sys::sqlite3_busy_handler(
                        handle.as_raw_handle().as_ptr(),
                        Some(busy_handler),
                        std::ptr::null_mut(),
                    );
                }
                checkpoints::hook(&mut handle, wal_grew);
                Ok(())
            })
        })
        .connect_with(options.clone())
        .await?;
    checkpoints::start(&pool, options, wal_grew);
    sqlx::migrate!("migrations/sqlite")
        .run(&pool)
        .await
        .map_err(|e| Error::Internal(format!("database migration: {e}")))?;
    Ok(Db::Sqlite(pool))
}

/// How long a statement waits for another connection's write lock.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Called by SQLite while another connection holds the write lock: wait a
/// little and try again, up to [`BUSY_TIMEOUT`]. SQLite's own handler (what
/// `busy_timeout` installs) sleeps 1, 2, 5, 10, 15, 20, 25… ms between tries,
/// while a write here holds the lock for well under a millisecond: under
/// load, with every message view writing its audit row, those sleeps were
/// the slowest requests' latency (`clock_nanosleep` from
/// `sqliteDefaultBusyCallback` in the server's profile). This one retries
/// every 50 µs for the first 5 ms, then every millisecond.
extern "C" fn busy_handler(_: *mut std::ffi::c_void, tries: std::ffi::c_int) -> std::ffi::c_int {
    const FAST_TRIES: u64 = 100;
    let tries = u64::try_from(tries).unwrap_or(0);
    let (waited, next) = if tries < FAST_TRIES {
        (Duration::from_micros(50 * tries), Duration::from_micros(50))
    } else {
        (
            Duration::from_micros(50 * FAST_TRIES) + Duration::from_millis(tries - FAST_TRIES),
            Duration::from_millis(1),
        )
    };
    if waited >= BUSY_TIMEOUT {
        return 0;
    }
    std::thread::sleep(next);
    1
}

/// Copies the write-ahead log into the database file and empties it, so data
/// deleted by a revoke is gone from the WAL file too (best effort: a reader
/// holding an old snapshot can delay it until the next checkpoint).
/// PostgreSQL has no such file to empty: see the README on its WAL and backups.
pub async fn checkpoint(db: &Db) -> Result<()> {
    if let Db::Sqlite(pool) = db {
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(pool)
            .await?;
    }
    Ok(())
}

/// The current time as Unix seconds.
pub fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// Unix seconds as the API's RFC 3339 timestamp.
pub fn timestamp(secs: i64) -> Timestamp {
    let format =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    let text = time::OffsetDateTime::from_unix_timestamp(secs)
        .ok()
        .and_then(|t| t.format(format).ok())
        .unwrap_or_default();
    Timestamp(text)
}

/// Parses an RFC 3339 timestamp (or a bare `YYYY-MM-DD`, meaning its start
/// in UTC) to Unix seconds; `invalid_request` otherwise.
pub fn parse_timestamp(value: &Timestamp) -> Result<i64> {
    let text = value.0.trim();
    if let Ok(t) = time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
    {
        return Ok(t.unix_timestamp());
    }
    let date_format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(text, date_format)
        .map(|d| d.midnight().assume_utc().unix_timestamp())
        .map_err(|_| {
            Error::InvalidRequest(format!(
                "`{text}` is not a time like 2026-11-23T09:30:00Z or a date like 2026-11-23"
            ))
        })
}

/// [`parse_timestamp`] of an optional filter value.
pub fn parse_optional_timestamp(value: Option<&Timestamp>) -> Result<Option<i64>> {
    value.map(parse_timestamp).transpose()
}

/// A message's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageState {
    /// Readable by its recipients.
    Active,
    /// Revoked: its key and content are gone.
    Revoked,
    /// Past its expiry: its key and content are gone.
    Expired,
}

impl MessageState {
    /// The value stored in `messages.state`.
    pub fn as_str(self) -> &'static str {
        match self {
            MessageState::Active => "active",
            MessageState::Revoked => "revoked",
            MessageState::Expired => "expired",
        }
    }
}

impl FromStr for MessageState {
    type Err = crate::error::Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "active" => Ok(MessageState::Active),
            "revoked" => Ok(MessageState::Revoked),
            "expired" => Ok(MessageState::Expired),
            other => Err(Error::Internal(format!("unknown message state {other}"))),
        }
    }
}

/// The stored form of a [`sealmail_api::Protection`].
pub fn protection_to_str(p: sealmail_api::Protection) -> &'static str {
    match p {
        sealmail_api::Protection::EncryptOnly => "encrypt_only",
        sealmail_api::Protection::DoNotForward => "do_not_forward",
    }
}

/// Parses the stored form of a [`sealmail_api::Protection`].
pub fn protection_from_str(s: &str) -> sealmail_api::Protection {
    match s {
        "do_not_forward" => sealmail_api::Protection::DoNotForward,
        _ => sealmail_api::Protection::EncryptOnly,
    }
}

/// A `LIKE` pattern matching `text` anywhere, with `%`, `_` and `\` escaped
/// (use with `ESCAPE '\'`).
pub fn like_pattern(text: &str) -> String {
    let mut out = String::from("%");
    for c in text.trim().chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}
