//! The database Sealmail runs on: SQLite (the default, one file) or
//! PostgreSQL (several servers on one database), behind one type.
//!
//! Each store function writes its SQL once, in the dialect both understand
//! (`$1` placeholders, `RETURNING`, `ON CONFLICT`, `TRUE`/`FALSE`, the
//! `nocase` collation — PostgreSQL gets one from ICU), and runs it through
//! [`on_db!`] or [`on_tx!`], which give the statement each driver's own
//! connection: the native drivers stay (SQLite's hooks, PostgreSQL's binary
//! protocol), with no `Any` layer converting every value. The few places
//! the dialects part ways pick their SQL with the `pg` flag the macros bind.

use sqlx::postgres::PgPool;
use sqlx::sqlite::SqlitePool;
use sqlx::{Postgres, Sqlite, Transaction};

use crate::error::Result;

/// A pool of connections to the database.
#[derive(Clone, Debug)]
pub enum Db {
    /// One SQLite file in WAL mode.
    Sqlite(SqlitePool),
    /// A PostgreSQL database.
    Postgres(PgPool),
}

/// A transaction that writes.
#[derive(Debug)]
pub enum Tx {
    /// SQLite: begun `IMMEDIATE`, so it holds the database's one write lock
    /// from its first statement.
    Sqlite(Transaction<'static, Sqlite>),
    /// PostgreSQL: row locks as each statement takes them; a transaction
    /// that decides a write from a read takes [`Tx::serialize`] first.
    Postgres(Transaction<'static, Postgres>),
}

/// What a transaction that reads before it writes must not interleave with,
/// on PostgreSQL (on SQLite the write lock already serialises every writer).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Serial {
    /// Everything done for one recipient's link (its passcodes' limits).
    Link(i64),
    /// The attachment file names in one message's audit (keyed by a hash
    /// of its Message-ID, see [`Serial::message_files`]): a download event
    /// stored while the message ends must lose its name like the rest.
    MessageFiles(i64),
    /// Branding templates (there is one default).
    Branding,
    /// The ordered list of mail-flow rules.
    Rules,
    /// One sign-in key's attempt counter.
    SignIn,
}

impl Serial {
    /// [`Serial::MessageFiles`] of the message with Message-ID `message_id`:
    /// a stable hash, the same in every replica and version (two messages
    /// sharing one only wait for each other).
    pub fn message_files(message_id: &str) -> Serial {
        let digest = ring::digest::digest(&ring::digest::SHA256, message_id.as_bytes());
        let mut first = [0; 8];
        first.copy_from_slice(&digest.as_ref()[..8]);
        Serial::MessageFiles(i64::from_le_bytes(first))
    }

    /// The key of PostgreSQL's transaction-level advisory lock: a class in
    /// the high bits, an id in the low ones.
    fn key(self) -> i64 {
        let (class, id): (i64, i64) = match self {
            Serial::Link(id) => (1, id),
            Serial::MessageFiles(id) => (2, id),
            Serial::Branding => (3, 0),
            Serial::Rules => (4, 0),
            Serial::SignIn => (5, 0),
        };
        (class << 56) | (id & ((1 << 56) - 1))
    }
}

/// What [`Db::pool_use`] reports.
#[derive(Clone, Copy, Debug)]
pub struct PoolUse {
    /// Connections open.
    pub size: u32,
    /// Of them, idle.
    pub idle: usize,
    /// The most it opens.
    pub max: u32,
}

impl Db {
    /// Whether this is PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        matches!(self, Db::Postgres(_))
    }

    /// The SQLite pool, if this is SQLite (for what only SQLite has: its
    /// query plans and rowids in the bench).
    pub fn as_sqlite(&self) -> Option<&SqlitePool> {
        match self {
            Db::Sqlite(pool) => Some(pool),
            Db::Postgres(_) => None,
        }
    }

    /// Begins a transaction that will write.
    pub async fn write(&self) -> Result<Tx> {
        Ok(match self {
            Db::Sqlite(pool) => Tx::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
            Db::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    /// Begins a transaction that will write, serialised with every other
    /// one on `what` (PostgreSQL; SQLite's write lock already does it).
    pub async fn write_serial(&self, what: Serial) -> Result<Tx> {
        let mut tx = self.write().await?;
        tx.serialize(what).await?;
        Ok(tx)
    }

    /// How many connections the pool holds, how many of them are idle, and
    /// how many it may open.
    pub fn pool_use(&self) -> PoolUse {
        on_db!(self, |pool| PoolUse {
            size: pool.size(),
            idle: pool.num_idle(),
            max: pool.options().get_max_connections(),
        })
    }

    /// Closes every connection.
    pub async fn close(&self) {
        match self {
            Db::Sqlite(pool) => pool.close().await,
            Db::Postgres(pool) => pool.close().await,
        }
    }
}

impl Tx {
    /// The transaction, borrowed (what [`on_tx!`] matches on, so it takes a
    /// `Tx` and a `&mut Tx` alike).
    pub fn borrow_tx(&mut self) -> &mut Tx {
        self
    }

    /// Waits for, and holds until the end of this transaction, PostgreSQL's
    /// advisory lock on `what`.
    pub async fn serialize(&mut self, what: Serial) -> Result<()> {
        if let Tx::Postgres(tx) = self {
            sqlx::query("SELECT pg_advisory_xact_lock($1)")
                .bind(what.key())
                .execute(&mut **tx)
                .await?;
        }
        Ok(())
    }

    /// Commits.
    pub async fn commit(self) -> Result<()> {
        match self {
            Tx::Sqlite(tx) => tx.commit().await?,
            Tx::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }
}

/// Runs `$body` with `$c` bound to the [`Db`]'s pool (`&SqlitePool` or
/// `&PgPool`), and `$pg` to whether it is PostgreSQL; `$body` is compiled
/// once for each driver.
#[doc(hidden)]
#[macro_export]
macro_rules! on_db {
    ($db:expr, |$c:ident| $body:expr) => {
        match $db {
            $crate::store::Db::Sqlite($c) => $body,
            $crate::store::Db::Postgres($c) => $body,
        }
    };
    ($db:expr, |$c:ident, $pg:ident| $body:expr) => {
        match $db {
            $crate::store::Db::Sqlite($c) => {
                let $pg = false;
                $body
            }
            $crate::store::Db::Postgres($c) => {
                let $pg = true;
                $body
            }
        }
    };
}

/// Runs `$body` with `$c` bound to the [`Tx`]'s connection
/// (`&mut SqliteConnection` or `&mut PgConnection`; use it as `&mut *$c`),
/// and `$pg` to whether it is PostgreSQL.
#[doc(hidden)]
#[macro_export]
macro_rules! on_tx {
    ($tx:expr, |$c:ident| $body:expr) => {
        match $tx.borrow_tx() {
            $crate::store::Tx::Sqlite(t) => {
                let $c = &mut **t;
                $body
            }
            $crate::store::Tx::Postgres(t) => {
                let $c = &mut **t;
                $body
            }
        }
    };
    ($tx:expr, |$c:ident, $pg:ident| $body:expr) => {
        match $tx.borrow_tx() {
            $crate::store::Tx::Sqlite(t) => {
                let $c = &mut **t;
                let $pg = false;
                $body
            }
            $crate::store::Tx::Postgres(t) => {
                let $c = &mut **t;
                let $pg = true;
                $body
            }
        }
    };
}

/// `$sqlite` or `$postgres`, by the `pg` flag [`on_db!`]/[`on_tx!`] bound.
#[doc(hidden)]
#[macro_export]
macro_rules! dialect {
    ($pg:expr, $sqlite:expr, $postgres:expr) => {
        if $pg { $postgres } else { $sqlite }
    };
}

pub use crate::{dialect, on_db, on_tx};
