//! The server's tests on PostgreSQL: with `SEALMAIL_TEST_DATABASE_URL` set
//! (`cargo xtask test` sets it for its second run, at a cluster it started),
//! every data dir a test uses gets a fresh database of its own, and the app,
//! `sealmail serve` and the `sealmail` commands of that test all use it.

use std::path::{Path, PathBuf};

/// The environment variable naming the cluster (a URL of any database in it,
/// as a user that may create databases).
pub const CLUSTER: &str = "SEALMAIL_TEST_DATABASE_URL";

/// Whether the tests run on PostgreSQL.
pub fn on_postgres() -> bool {
    std::env::var_os(CLUSTER).is_some()
}

/// Data dir `data`'s database URL when the tests run on PostgreSQL: created
/// on first use, and kept beside the dir so the processes of one test share it.
pub fn database_url(data: &Path) -> Option<String> {
    std::env::var_os(CLUSTER)?;
    if let Ok(url) = std::fs::read_to_string(url_file(data)) {
        return Some(url);
    }
    // Left to the cluster's end (a test of the commands alone).
    let database = Database::create(data)?;
    let url = database.url.clone();
    std::mem::forget(database);
    Some(url)
}

/// A test's database, dropped with its data dir (each is a copy of the
/// cluster's template: hundreds of them would fill a small disk).
pub struct Database {
    name: String,
    url: String,
}

impl Database {
    /// A new database for data dir `data` when the tests run on PostgreSQL.
    pub fn create(data: &Path) -> Option<Database> {
        let cluster = std::env::var(CLUSTER).ok()?;
        let name = format!("t{:016x}", rand_u64());
        let url = match cluster.rsplit_once('/') {
            Some((server, _)) => format!("{server}/{name}"),
            None => panic!("{CLUSTER} is not a postgres:// URL"),
        };
        on_cluster(format!("CREATE DATABASE {name}"));
        std::fs::write(url_file(data), &url).unwrap();
        Some(Database { name, url })
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        on_cluster(format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        ));
    }
}

/// Runs `sql` on the cluster, on a thread of its own: callers may be inside
/// a Tokio runtime or not.
fn on_cluster(sql: String) {
    let Ok(cluster) = std::env::var(CLUSTER) else {
        return;
    };
    std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(async move {
                use sqlx::Connection as _;
                let mut admin = sqlx::PgConnection::connect(&cluster).await.unwrap();
                sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                    .execute(&mut admin)
                    .await
                    .unwrap();
                admin.close().await.unwrap();
            });
    })
    .join()
    .unwrap();
}

/// `--database-url URL` for data dir `data`, when the tests run on PostgreSQL.
pub fn args(data: &Path) -> Vec<String> {
    database_url(data)
        .map(|url| vec!["--database-url".to_owned(), url])
        .unwrap_or_default()
}

fn url_file(data: &Path) -> PathBuf {
    let mut name = data.file_name().unwrap_or_default().to_owned();
    name.push(".database-url");
    data.with_file_name(name)
}

fn rand_u64() -> u64 {
    use std::hash::{BuildHasher as _, Hasher as _};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos(),
    );
    h.finish()
}

/// The column that orders a table's rows as they were inserted: SQLite's
/// `rowid`; the `seq` the PostgreSQL schema adds to the tables tests read so.
pub fn rowid() -> &'static str {
    if on_postgres() { "seq" } else { "rowid" }
}
