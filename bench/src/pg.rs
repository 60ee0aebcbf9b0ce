//! A database of its own for a PostgreSQL phase, made in the cluster that
//! `--postgres-url` names (`cargo xtask bench` starts one: see
//! `xtask/src/bench.rs`) and dropped afterwards, so phases and runs never
//! see each other's rows.

use sqlx::Connection as _;
use sqlx::postgres::PgConnection;

pub struct PgDatabase {
    /// The server's URL with this database's name in it.
    pub url: String,
    cluster_url: String,
    name: String,
}

impl PgDatabase {
    /// Creates `sealmail_bench_<purpose>_<pid>` in the cluster of `cluster_url`
    /// (a URL of a database the role may create databases from).
    pub async fn create(cluster_url: &str, purpose: &str) -> Result<PgDatabase, String> {
        let name = format!("sealmail_bench_{purpose}_{}", std::process::id());
        let url = with_database(cluster_url, &name)?;
        let mut admin = connect(cluster_url).await?;
        // A run killed half-way leaves its database behind; the pid reused would find it.
        for sql in [
            format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            format!("CREATE DATABASE {name}"),
        ] {
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                .execute(&mut admin)
                .await
                .map_err(|e| format!("PostgreSQL at {cluster_url}: {e}"))?;
        }
        Ok(PgDatabase {
            url,
            cluster_url: cluster_url.to_owned(),
            name,
        })
    }

    /// `ALTER DATABASE … SET setting = value`: connections made afterwards
    /// start with it.
    pub async fn set(&self, setting: &str, value: &str) -> Result<(), String> {
        let mut admin = connect(&self.cluster_url).await?;
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "ALTER DATABASE {} SET {setting} = {value}",
            self.name
        )))
        .execute(&mut admin)
        .await
        .map_err(|e| e.to_string())?;
        Ok(())
    }

    /// The flags that point `sealmail` at it.
    pub fn args(&self) -> [&str; 2] {
        ["--database-url", &self.url]
    }

    /// Drops it, closing what is still connected (replicas already stopped).
    pub async fn drop_database(self) -> Result<(), String> {
        let mut admin = connect(&self.cluster_url).await?;
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        )))
        .execute(&mut admin)
        .await
        .map_err(|e| e.to_string())?;
        Ok(())
    }
}

async fn connect(url: &str) -> Result<PgConnection, String> {
    PgConnection::connect(url)
        .await
        .map_err(|e| format!("cannot connect to PostgreSQL at {url}: {e}"))
}

/// `url` with its database (the path) replaced by `name`; any query kept.
fn with_database(url: &str, name: &str) -> Result<String, String> {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (url, String::new()),
    };
    let authority_start = base
        .find("://")
        .map(|i| i + 3)
        .ok_or_else(|| format!("not a URL: {url}"))?;
    let host_end = base[authority_start..]
        .find('/')
        .map_or(base.len(), |i| authority_start + i);
    Ok(format!("{}/{name}{query}", &base[..host_end]))
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn a_database_name_replaces_the_urls_path_or_is_added() {
        assert_eq!(
            with_database("postgres://sealmail@127.0.0.1:5432/postgres", "b").unwrap(),
            "postgres://sealmail@127.0.0.1:5432/b"
        );
        assert_eq!(
            with_database("postgres://u:p@h/db?sslmode=disable", "b").unwrap(),
            "postgres://u:p@h/b?sslmode=disable"
        );
        assert_eq!(
            with_database("postgres://u@h:1", "b").unwrap(),
            "postgres://u@h:1/b"
        );
        assert!(with_database("nonsense", "b").is_err());
    }
}
