//! WAL checkpoints off the connections that commit.
//!
//! SQLite's automatic checkpoint runs inside the commit that takes the WAL
//! past 1000 pages, on the committing connection: that commit then waits
//! for the WAL and the database file to be fsynced (~10 ms here). Under load
//! the committer is the audit writer, so every request waiting for its event
//! waited for the fsync too: that was the message view's p99 at 16 clients. Here a commit past the same size only wakes a task, which runs
//! a `PASSIVE` checkpoint on a connection of its own: it never takes the
//! write lock, so commits and reads go on while it copies and fsyncs.

use std::ffi::{c_char, c_int, c_void};

use sqlx::sqlite::{LockedSqliteHandle, SqliteConnectOptions, SqliteConnection};
use sqlx::{ConnectOptions as _, Connection as _, SqlitePool};
use tokio::sync::Notify;

/// Checkpoint once the WAL holds this many pages (SQLite's own default).
const CHECKPOINT_PAGES: c_int = 1000;

/// Woken by a commit that leaves the WAL at [`CHECKPOINT_PAGES`] or more.
/// One per database opened, never freed: SQLite's hook takes a bare pointer
/// and a connection may outlive any owner we could give it.
pub(super) type WalGrew = &'static Notify;

pub(super) fn wal_grew() -> WalGrew {
    Box::leak(Box::new(Notify::new()))
}

/// Replaces the connection's automatic checkpoint with waking `grew` (a
/// connection has one WAL hook; setting it turns `wal_autocheckpoint` off).
pub(super) fn hook(handle: &mut LockedSqliteHandle<'_>, grew: WalGrew) {
    // SAFETY: the handle is locked, so no statement runs on this connection
    // meanwhile; `grew` is 'static and `Notify` may be woken from any thread.
    unsafe {
        libsqlite3_sys::sqlite3_wal_hook(
            handle.as_raw_handle().as_ptr(),
            Some(committed),
            std::ptr::from_ref::<Notify>(grew).cast_mut().cast(),
        );
    }
}

/// SQLite's WAL hook: called after each commit with the WAL's size in pages.
extern "C" fn committed(
    grew: *mut c_void,
    _: *mut libsqlite3_sys::sqlite3,
    _: *const c_char,
    pages: c_int,
) -> c_int {
    if pages >= CHECKPOINT_PAGES {
        // SAFETY: `grew` is the `&'static Notify` given to `hook`.
        unsafe { &*grew.cast::<Notify>() }.notify_one();
    }
    libsqlite3_sys::SQLITE_OK
}

/// Runs a checkpoint each time `grew` is woken, until `pool` is closed.
pub(super) fn start(pool: &SqlitePool, options: SqliteConnectOptions, grew: WalGrew) {
    let closed = pool.close_event();
    tokio::spawn(async move {
        let mut own: Option<SqliteConnection> = None;
        tokio::pin!(closed);
        loop {
            tokio::select! {
                () = &mut closed => break,
                () = grew.notified() => {}
            }
            if let Err(e) = checkpoint(&mut own, &options).await {
                // The next commit past the size wakes us again.
                tracing::warn!(error = %e, "background WAL checkpoint failed");
                own = None;
            }
        }
        if let Some(conn) = own {
            let _ = conn.close().await;
        }
    });
}

/// Copies what the WAL holds into the database file, without waiting for
/// readers or writers (the connection is opened on first use).
async fn checkpoint(
    own: &mut Option<SqliteConnection>,
    options: &SqliteConnectOptions,
) -> sqlx::Result<()> {
    let conn = match own {
        Some(conn) => conn,
        None => own.insert(options.connect().await?),
    };
    sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
        .execute(conn)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    #[tokio::test]
    async fn a_wal_past_its_size_is_copied_into_the_database_file_in_the_background() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("wal.db");
        let super::super::Db::Sqlite(db) = super::super::open(&path).await.unwrap() else {
            unreachable!("open gives SQLite")
        };
        sqlx::query("CREATE TABLE filler (data BLOB)")
            .execute(&db)
            .await
            .unwrap();
        // 40 commits of 128 KiB: past 1000 pages of 4 KiB.
        for _ in 0..40 {
            sqlx::query("INSERT INTO filler VALUES (zeroblob(131072))")
                .execute(&db)
                .await
                .unwrap();
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let size = std::fs::metadata(&path).unwrap().len();
            if size > 40 * 131_072 {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "never checkpointed: {size} bytes"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        db.close().await;
    }
}
