//! A throwaway PostgreSQL cluster for the tests, `run --scale` and the bench: Debian's
//! `postgresql` package, initialised in a temp dir, listening on loopback
//! only, stopped and deleted when the guard is dropped.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::shell::{self, Result};
use crate::tools::apt_install;

/// The cluster's one role: a superuser, trusted on loopback (tests only).
pub const ROLE: &str = "sealmail";

/// A running cluster; stopped and deleted when dropped.
pub struct Cluster {
    bin: PathBuf,
    dir: PathBuf,
    /// Its port on 127.0.0.1.
    pub port: u16,
    as_postgres: bool,
}

impl Cluster {
    /// Installs PostgreSQL if missing and starts a new cluster. `tuned_for_tests`
    /// turns off fsync: the data is thrown away anyway.
    pub fn start(name: &str, tuned_for_tests: bool) -> Result<Cluster> {
        let bin = match bin_dir() {
            Some(bin) => bin,
            None => {
                apt_install(&["postgresql"])?;
                bin_dir().ok_or("PostgreSQL was installed but no /usr/lib/postgresql/*/bin")?
            }
        };
        let dir = std::env::temp_dir().join(format!("sealmail-{name}-pg-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        // Root may not run the server: the cluster then belongs to `postgres`.
        let as_postgres = is_root();
        if as_postgres {
            shell::run(Command::new("chown").arg("postgres").arg(&dir))?;
        }
        let port = free_port()?;
        let cluster = Cluster {
            bin,
            dir,
            port,
            as_postgres,
        };
        let data = cluster.dir.join("data");
        shell::run(cluster.pg("initdb").arg("-D").arg(&data).args([
            "--auth=trust",
            "-U",
            ROLE,
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--no-instructions",
        ]))?;
        let mut settings = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c max_connections=400",
            cluster.dir.display()
        );
        if tuned_for_tests {
            settings.push_str(" -c fsync=off -c synchronous_commit=off -c full_page_writes=off");
        }
        shell::run(
            cluster
                .pg("pg_ctl")
                .arg("-D")
                .arg(&data)
                .args(["-o", &settings, "-l"])
                .arg(cluster.dir.join("log"))
                .args(["-w", "start"]),
        )?;
        cluster.wait_until_listening()?;
        Ok(cluster)
    }

    /// A URL of its `postgres` database.
    pub fn url(&self) -> String {
        format!("postgres://{ROLE}@127.0.0.1:{}/postgres", self.port)
    }

    fn pg(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        if self.as_postgres {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(path);
            command
        } else {
            Command::new(path)
        }
    }

    fn wait_until_listening(&self) -> Result {
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            if started.elapsed() > Duration::from_secs(30) {
                return Err(format!("PostgreSQL did not listen on port {}", self.port));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(())
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self
            .pg("pg_ctl")
            .arg("-D")
            .arg(self.dir.join("data"))
            .args(["-m", "immediate", "-w", "stop"])
            .status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The newest installed PostgreSQL's programs.
fn bin_dir() -> Option<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            has_server(&bin).then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

fn has_server(bin: &Path) -> bool {
    bin.join("initdb").exists() && bin.join("pg_ctl").exists()
}

fn free_port() -> Result<u16> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("no free port: {e}"))
}

fn is_root() -> bool {
    shell::output(Command::new("id").arg("-u")).is_some_and(|id| id.trim() == "0")
}
