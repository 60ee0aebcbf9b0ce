//! The release `sealmail serve` as a separate process on a free loopback
//! port, so its memory can be read from `/proc`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::http::{Client, get};

pub struct Server {
    pub addr: SocketAddr,
    child: Child,
}

/// A free loopback address (bound, read, released).
pub fn free_addr() -> SocketAddr {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
}

pub fn url(addr: SocketAddr) -> String {
    format!("http://{addr}")
}

impl Server {
    /// Starts `binary serve` on `data_dir` (made by the seeding) and waits
    /// until healthy; `extra` flags go before `serve` (`--database-url …`).
    pub async fn start(
        binary: &Path,
        data_dir: &Path,
        addr: SocketAddr,
        portal_dir: &Path,
        extra: &[&str],
    ) -> Result<Server, String> {
        // One log per port: replicas share the data dir.
        let log = std::fs::File::create(data_dir.join(format!("server-{}.log", addr.port())))
            .map_err(|e| e.to_string())?;
        let child = Command::new(binary)
            .arg("--data-dir")
            .arg(data_dir)
            .args(["--public-url", &url(addr)])
            .arg("--portal-dir")
            .arg(portal_dir)
            .args(extra)
            .args(["serve", "--listen", &addr.to_string()])
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
        let server = Server { addr, child };
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok(mut client) = Client::connect(addr).await
                && let Ok((status, _, _)) = client.send(get(addr, "/api/v1/health", &[]), 0).await
                && status.is_success()
            {
                return Ok(server);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(format!("sealmail serve did not become healthy on {addr}"))
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Resident memory now (`VmRSS`) and at its peak so far (`VmHWM`), in MB (10^6 bytes).
    pub fn memory(&self) -> Result<(f64, f64), String> {
        memory_of(self.pid())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Sets a process's peak resident memory back to its current one (Linux:
/// `clear_refs` 5), so a peak read later belongs to what ran in between.
pub fn reset_peak(pid: u32) {
    let _ = std::fs::write(format!("/proc/{pid}/clear_refs"), "5");
}

/// `VmRSS` and `VmHWM` of a process, in MB.
pub fn memory_of(pid: u32) -> Result<(f64, f64), String> {
    let status = std::fs::read_to_string(PathBuf::from(format!("/proc/{pid}/status")))
        .map_err(|e| format!("cannot read /proc/{pid}/status: {e}"))?;
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|rest| {
                rest.trim()
                    .trim_end_matches("kB")
                    .trim()
                    .parse::<f64>()
                    .ok()
            })
            .map(|kb| kb * 1024.0 / 1e6)
            .ok_or_else(|| format!("no {name} in /proc/{pid}/status"))
    };
    Ok((field("VmRSS:")?, field("VmHWM:")?))
}
