//! A real outgoing SMTP relay for the mail-flow tests: Python's aiosmtpd
//! running the server tests' sink (`server/tests/smtp_sink.py`, installed
//! into `.tools/python` by `cargo xtask setup`). Each mail it accepts is a
//! `.eml` file in its folder, the envelope in two headers on top; it is
//! stopped, by its own pid, when dropped.

use std::io::{BufRead as _, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use crate::root;

/// A running relay on a loopback port.
pub struct Relay {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl Relay {
    /// Starts the relay and waits until it accepts connections.
    pub fn start() -> Relay {
        let python = || {
            let mut command = Command::new("python3");
            command.env("PYTHONPATH", root().join(".tools/python"));
            command
        };
        let installed = python()
            .args(["-c", "import aiosmtpd"])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        assert!(
            installed,
            "aiosmtpd (the relay these tests send through) is not installed: run `cargo xtask setup`"
        );
        let dir = tempfile::Builder::new()
            .prefix("sealmail-e2e-relay-")
            .tempdir()
            .unwrap();
        let mut child = python()
            .arg(root().join("server/tests/smtp_sink.py"))
            .arg(dir.path().join("mail"))
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3 runs");
        // It prints "ready PORT" once it listens.
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let Some(port) = line
            .trim()
            .strip_prefix("ready ")
            .and_then(|p| p.parse().ok())
        else {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the relay did not start: {line:?}");
        };
        Relay { child, port, dir }
    }

    /// `--smtp-url` for it: plain SMTP on loopback.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Where it keeps what it accepted.
    pub fn folder(&self) -> PathBuf {
        self.dir.path().join("mail")
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
