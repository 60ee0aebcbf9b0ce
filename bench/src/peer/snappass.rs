//! SnapPass as its users run it: `gunicorn snappass.main:app` with as many
//! (sync) workers as cores, on Debian's `redis-server`, each on a loopback
//! port of its own. Started and stopped here, by pid. Redis keeps nothing on
//! disk (no RDB snapshots, no AOF) and works in a temp dir of its own.
//!
//! SnapPass 1.6.2's API (`snappass/main.py`): `POST /` with the form fields
//! `password` and `ttl` stores one secret, and answers `{"link": …}` to a
//! client that accepts JSON but not HTML; `POST /<key>` reads it (and deletes
//! it) and answers the HTML page that shows it.

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::http::{self, Client};
use crate::seed;
use crate::server::{free_addr, memory_of};

/// The module gunicorn serves.
const APP: &str = "snappass.main:app";
/// Form-encoded: how long a stored secret lives (one of SnapPass's choices).
const TTL: &str = "hour";

pub struct SnapPass {
    pub addr: SocketAddr,
    pub workers: usize,
    gunicorn: Child,
    redis: Child,
    _dir: tempfile::TempDir,
}

impl SnapPass {
    /// Starts redis and gunicorn; SnapPass and its libraries are imported
    /// from `python_dir` (`cargo xtask bench` installs them there from PyPI).
    pub async fn start(python_dir: &Path) -> Result<SnapPass, String> {
        if !python_dir.join("snappass").is_dir() {
            return Err(format!(
                "SnapPass is not installed in {} (`cargo xtask bench` installs it)",
                python_dir.display()
            ));
        }
        let dir = tempfile::Builder::new()
            .prefix("sealmail-bench-peer-")
            .tempdir_in(seed::scratch_dir())
            .map_err(|e| e.to_string())?;
        let redis_addr = free_addr();
        let redis_port = redis_addr.port().to_string();
        let redis = Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--port", &redis_port])
            .args(["--save", "", "--appendonly", "no", "--daemonize", "no"])
            .arg("--dir")
            .arg(dir.path())
            .arg("--logfile")
            .arg(dir.path().join("redis.log"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start redis-server: {e}"))?;
        let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
        let addr = free_addr();
        let log =
            std::fs::File::create(dir.path().join("gunicorn.log")).map_err(|e| e.to_string())?;
        let spawned = Command::new("python3")
            .args(["-m", "gunicorn", "--workers", &workers.to_string()])
            .args(["--bind", &addr.to_string()])
            // gunicorn 27 opens a control socket under $HOME unless told not to.
            .arg("--no-control-socket")
            .arg("--chdir")
            .arg(dir.path())
            .arg(APP)
            .env("PYTHONPATH", python_dir)
            .env("REDIS_HOST", "127.0.0.1")
            .env("REDIS_PORT", &redis_port)
            // Links in its answers say http://, as served here.
            .env("NO_SSL", "True")
            .env(
                "SECRET_KEY",
                sealmail::crypto::new_bearer_token().expose().as_str(),
            )
            .stdout(Stdio::null())
            .stderr(log)
            .spawn();
        let gunicorn = match spawned {
            Ok(child) => child,
            Err(e) => {
                stop(redis);
                return Err(format!("cannot start python3 -m gunicorn: {e}"));
            }
        };
        let peer = SnapPass {
            addr,
            workers,
            gunicorn,
            redis,
            _dir: dir,
        };
        peer.wait_ready(redis_addr).await?;
        Ok(peer)
    }

    async fn wait_ready(&self, redis: SocketAddr) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(30);
        while !redis_answers(redis) {
            if Instant::now() > deadline {
                return Err(format!("redis-server did not answer PING on {redis}"));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        while Instant::now() < deadline {
            if let Ok(mut client) = Client::connect(self.addr).await
                && let Ok((status, _, _)) = client.send(http::get(self.addr, "/", &[]), 0).await
                && status.is_success()
            {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(format!(
            "SnapPass (gunicorn) did not answer on {}",
            self.addr
        ))
    }

    /// The peer's processes: gunicorn's master, its workers, and redis.
    pub fn pids(&self) -> Vec<u32> {
        let master = self.gunicorn.id();
        let mut pids = vec![master, self.redis.id()];
        pids.extend(children_of(master));
        pids
    }

    /// The sum of each process's peak resident memory (`VmHWM`) since the
    /// last [`reset_peaks`], in MB: an upper bound on their peak together.
    pub fn peak_rss(&self) -> Result<f64, String> {
        self.pids()
            .into_iter()
            .map(|pid| memory_of(pid).map(|(_, peak)| peak))
            .sum()
    }

    /// A request storing `secret`.
    pub fn store(&self, secret: &str) -> hyper::Request<http::Body> {
        http::request(
            "POST",
            self.addr,
            "/",
            &[
                ("content-type", "application/x-www-form-urlencoded"),
                ("accept", "application/json"),
            ],
            http::full(format!("password={}&ttl={TTL}", form_encode(secret))),
        )
    }

    /// A request reading the secret behind `path` (a link's path).
    pub fn read(&self, path: &str) -> hyper::Request<http::Body> {
        http::request("POST", self.addr, path, &[], http::empty())
    }

    /// Stores `n` secrets through SnapPass's own API (not timed), 16 at a
    /// time; returns each one's link path.
    pub async fn store_many(&self, secret: &str, n: usize) -> Result<Vec<String>, String> {
        let mut tasks = Vec::new();
        for part in 0..16 {
            let requests: Vec<_> = (part..n).step_by(16).map(|_| self.store(secret)).collect();
            let addr = self.addr;
            tasks.push(tokio::spawn(async move {
                let mut client = Client::connect(addr).await?;
                let mut paths = Vec::with_capacity(requests.len());
                for request in requests {
                    let (status, _, body) = client.send(request, 1024).await?;
                    let body = String::from_utf8_lossy(&body);
                    if !status.is_success() {
                        return Err(format!("SnapPass store: {status}: {body}"));
                    }
                    paths.push(link_path(&body).ok_or(format!("no link in {body}"))?);
                }
                Ok::<_, String>(paths)
            }));
        }
        let mut paths = Vec::with_capacity(n);
        for task in tasks {
            paths.extend(task.await.map_err(|e| e.to_string())??);
        }
        Ok(paths)
    }
}

impl Drop for SnapPass {
    fn drop(&mut self) {
        // TERM: gunicorn's master stops its workers before it exits.
        let workers = children_of(self.gunicorn.id());
        terminate(&mut self.gunicorn);
        for pid in workers {
            if std::path::Path::new(&format!("/proc/{pid}")).exists() {
                signal(pid, "KILL");
            }
        }
        terminate(&mut self.redis);
    }
}

/// The path of the `link` in SnapPass's JSON answer.
fn link_path(json: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(json).ok()?;
    let link = value["link"].as_str()?;
    let after_scheme = link.split_once("://")?.1;
    Some(after_scheme[after_scheme.find('/')?..].to_owned())
}

/// `application/x-www-form-urlencoded`, as a browser sends the form.
fn form_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => {
                (b as char).to_string()
            }
            b' ' => "+".to_owned(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn redis_answers(addr: SocketAddr) -> bool {
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_millis(200)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
    let mut answer = [0u8; 7];
    stream.write_all(b"PING\r\n").is_ok()
        && stream.read_exact(&mut answer).is_ok()
        && &answer == b"+PONG\r\n"
}

/// The processes whose parent is `pid`.
fn children_of(pid: u32) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|child| {
            std::fs::read_to_string(format!("/proc/{child}/stat"))
                .ok()
                // The parent pid is the second field after the `(name)`.
                .and_then(|stat| {
                    let after_name = stat.rsplit_once(')')?.1;
                    after_name.split_whitespace().nth(1)?.parse::<u32>().ok()
                })
                == Some(pid)
        })
        .collect()
}

fn signal(pid: u32, name: &str) {
    let _ = Command::new("kill")
        .arg(format!("-{name}"))
        .arg(pid.to_string())
        .status();
}

/// TERM, up to 10 s to exit, then KILL; reaped either way.
fn terminate(child: &mut Child) {
    signal(child.id(), "TERM");
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
}

fn stop(mut child: Child) {
    terminate(&mut child);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_answer_gives_its_path() {
        let json = r#"{"link":"http://127.0.0.1:15000/snappassab8d~eZk1q_fa%3D","ttl":3600}"#;
        assert_eq!(link_path(json).unwrap(), "/snappassab8d~eZk1q_fa%3D");
        assert_eq!(link_path("<html>"), None);
    }

    #[test]
    fn form_fields_are_encoded_as_a_browser_does() {
        assert_eq!(form_encode("a b:c~"), "a+b%3Ac%7E");
    }
}
