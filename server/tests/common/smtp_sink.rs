//! A real SMTP server process on loopback for the delivery tests: Python's
//! aiosmtpd running `tests/smtp_sink.py`, installed into `.tools/python` by
//! `cargo xtask setup` / `cargo xtask test`. Each sink has its own folder; it
//! is stopped (by its own pid) when dropped.

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// aiosmtpd's version, as `xtask/src/tools.rs` pins it.
const INSTALL_HINT: &str = "aiosmtpd (a real SMTP server the delivery tests run) is not installed: \
     run `cargo xtask setup`, or `pip install --target .tools/python aiosmtpd==1.4.6` at the repository's root";

/// A running SMTP sink.
pub struct SmtpSink {
    child: Child,
    /// The port it listens on (127.0.0.1).
    pub port: u16,
    folder: PathBuf,
    _dir: Option<tempfile::TempDir>,
}

/// One mail the sink accepted.
#[derive(Debug, Clone)]
pub struct SunkMail {
    /// MAIL FROM.
    pub mail_from: String,
    /// RCPT TO (the one recipient, as Sealmail sends one mail per recipient).
    pub rcpt_to: String,
    /// The message's Message-ID header.
    pub message_id: String,
    /// The Subject header.
    pub subject: String,
    /// The plain-text body.
    pub text: String,
    /// The message as received (the sink's two envelope headers first).
    pub raw: String,
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_owned()
}

fn python() -> Command {
    let mut command = Command::new("python3");
    command.env("PYTHONPATH", repo_root().join(".tools/python"));
    command
}

/// A port on loopback that nothing listens on (for a relay that is down).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl SmtpSink {
    /// A sink on a port of its own.
    pub fn start() -> Self {
        Self::spawn(None, None, &[])
    }

    /// A sink on `port` (a relay that comes up where Sealmail already looks).
    pub fn start_on(port: u16) -> Self {
        Self::spawn(None, Some(port), &[])
    }

    /// A sink on `port` keeping its mail in `folder` (a relay restarted).
    pub fn restart_in(folder: &Path, port: u16) -> Self {
        Self::spawn(Some(folder), Some(port), &[])
    }

    /// A sink that requires AUTH with this user and password.
    pub fn with_auth(user: &str, password: &str) -> Self {
        Self::spawn(None, None, &["--auth", &format!("{user}:{password}")])
    }

    fn spawn(folder: Option<&Path>, port: Option<u16>, extra: &[&str]) -> Self {
        let installed = python()
            .args(["-c", "import aiosmtpd"])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        assert!(installed, "{INSTALL_HINT}");
        let dir = folder.is_none().then(|| tempfile::tempdir().unwrap());
        let folder = folder.map_or_else(
            || dir.as_ref().unwrap().path().join("mail"),
            Path::to_path_buf,
        );
        let mut command = python();
        command
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/smtp_sink.py"))
            .arg(&folder)
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        if let Some(port) = port {
            command.args(["--port", &port.to_string()]);
        }
        let mut child = command.spawn().expect("python3 runs");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .trim()
            .strip_prefix("ready ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| {
                let _ = child.kill();
                panic!("the SMTP sink did not start: {line:?}")
            });
        SmtpSink {
            child,
            port,
            folder,
            _dir: dir,
        }
    }

    /// `smtp://127.0.0.1:PORT` plus `rest` (e.g. `?tls=required`).
    pub fn url(&self, rest: &str) -> String {
        format!("smtp://127.0.0.1:{}{rest}", self.port)
    }

    /// Where it keeps its mail.
    pub fn folder(&self) -> &Path {
        &self.folder
    }

    /// Answers RCPT TO for `address` with `answer` (`451 4.3.0 Later`,
    /// `550 5.1.1 No such user`, or `hang`) until [`SmtpSink::accept_all`].
    pub fn answer(&self, address: &str, answer: &str) {
        use std::io::Write as _;
        let mut rules = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.folder.join("rules"))
            .unwrap();
        writeln!(rules, "{address} {answer}").unwrap();
    }

    /// Accepts every recipient again.
    pub fn accept_all(&self) {
        let _ = std::fs::remove_file(self.folder.join("rules"));
    }

    /// How many SMTP sessions (connections) it has had.
    pub fn sessions(&self) -> usize {
        std::fs::read_to_string(self.folder.join("sessions"))
            .map(|s| s.lines().count())
            .unwrap_or(0)
    }

    /// Every mail accepted so far, oldest first.
    pub fn mails(&self) -> Vec<SunkMail> {
        mails_in(&self.folder)
    }

    /// Waits (up to `timeout`) until at least `count` mails arrived; returns them all.
    pub fn wait_for(&self, count: usize, timeout: Duration) -> Vec<SunkMail> {
        let start = Instant::now();
        loop {
            let mails = self.mails();
            if mails.len() >= count {
                return mails;
            }
            assert!(
                start.elapsed() < timeout,
                "the sink received {} mail(s), not {count}, within {timeout:?}",
                mails.len()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// The mails a sink kept in `folder`, oldest first.
pub fn mails_in(folder: &Path) -> Vec<SunkMail> {
    let mut names: Vec<PathBuf> = std::fs::read_dir(folder)
        .map(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "eml"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
        .iter()
        .map(|path| {
            let raw = std::fs::read(path).unwrap();
            let parsed = mail_parser::MessageParser::default()
                .parse(&raw)
                .expect("the sink kept a mail");
            let header = |name: &str| {
                parsed
                    .header_raw(name)
                    .map(|v| v.trim().to_owned())
                    .unwrap_or_default()
            };
            SunkMail {
                mail_from: header("X-Sink-Mail-From"),
                rcpt_to: header("X-Sink-Rcpt-To"),
                message_id: parsed.message_id().unwrap_or_default().to_owned(),
                subject: parsed.subject().unwrap_or_default().to_owned(),
                text: parsed
                    .body_text(0)
                    .unwrap_or_default()
                    .replace("\r\n", "\n"),
                raw: String::from_utf8_lossy(&raw).into_owned(),
            }
        })
        .collect()
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        // Its own pid only: `Child::kill`.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
