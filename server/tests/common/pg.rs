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
    let cluster = std::env::var(CLUSTER).ok()?;
    let kept = url_file(data);
    if let Ok(url) = std::fs::read_to_string(&kept) {
        return Some(url);
    }
    let name = format!("t{:016x}", rand_u64());
    let url = match cluster.rsplit_once('/') {
        Some((server, _)) => format!("{server}/{name}"),
        None => panic!("{CLUSTER} is not a postgres:// URL"),
    };
    // On a thread of its own: callers may be inside a Tokio runtime or not.
    std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(async move {
                use sqlx::Connection as _;
                let mut admin = sqlx::PgConnection::connect(&cluster).await.unwrap();
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .execute(&mut admin)
                    .await
                    .unwrap();
                admin.close().await.unwrap();
            });
    })
    .join()
    .unwrap();
    std::fs::write(&kept, &url).unwrap();
    Some(url)
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
