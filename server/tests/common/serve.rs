//! A real `sealmail serve` process, to kill and restart.

use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::smtp_sink::free_port;

/// A running `sealmail serve` (stopped with SIGKILL, by its own pid, when dropped).
pub struct Serve {
    child: Child,
    /// The loopback port it listens on.
    pub port: u16,
}

impl Serve {
    /// Starts `sealmail --data-dir DATA ARGS… serve` on a free port and waits
    /// until it accepts connections. Its log goes to the test's stderr.
    pub fn start(data: &Path, args: &[&str]) -> Self {
        let port = free_port();
        let mut command = Command::new(env!("CARGO_BIN_EXE_sealmail"));
        for (var, _) in std::env::vars() {
            if var.starts_with("SEALMAIL_") {
                command.env_remove(var);
            }
        }
        let mut child = command
            .arg("--data-dir")
            .arg(data)
            .args(super::pg::args(data))
            .args(super::blobs::args(data))
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .args(args)
            .arg("serve")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let start = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = child.try_wait() {
                panic!("sealmail serve exited: {status}");
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "sealmail serve did not listen"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Serve { child, port }
    }

    /// `kill -9`: no shutdown, nothing finished, nothing recorded.
    pub fn kill_9(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
