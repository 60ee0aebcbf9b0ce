//! A real Sealmail server and its `sealmail` command, on a fresh data dir;
//! in the mail flow, with its SMTP listener and a real outgoing relay.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use mail_parser::MessageParser;

use crate::relay::Relay;
use crate::{free_port, root};

/// A running `sealmail serve` with its own data dir (removed when dropped).
pub struct Sealmail {
    /// The base URL, e.g. `http://127.0.0.1:41234`.
    pub url: String,
    /// The SMTP listener's port, when it is in the mail flow
    /// ([`Sealmail::start_in_the_mail_flow`]).
    pub smtp_port: Option<u16>,
    data_dir: tempfile::TempDir,
    child: Child,
    /// The outgoing relay it sends through; none: the local outbox. Dropped
    /// (stopped) after the server, which `Drop` stops first.
    relay: Option<Relay>,
}

/// One mail that went out (the local outbox's, or the relay's), decoded.
#[derive(Debug, Clone)]
pub struct Mail {
    /// The recipient: the relay's RCPT TO, else the first To.
    pub to: String,
    pub subject: String,
    pub text: String,
}

impl Sealmail {
    /// Starts the server and waits until it answers its health check. Its
    /// mail goes to the local outbox.
    pub fn start() -> Sealmail {
        Self::launch(None, None, &[])
    }

    /// Starts the server in the organisation's mail flow: it takes mail
    /// over SMTP on a port of its own (from loopback, a trusted network, as
    /// from the organisation's mail server), `org_domains` are inside, and
    /// everything it sends, notifications and relayed copies alike, goes
    /// out through a real SMTP relay ([`Relay`]), where [`Sealmail::outbox`]
    /// and the other mail look-ups read it.
    pub fn start_in_the_mail_flow(org_domains: &str) -> Sealmail {
        let relay = Relay::start();
        let smtp_port = free_port();
        let args = [
            "--smtp-url".to_owned(),
            relay.url(),
            "--smtp-listen".to_owned(),
            format!("127.0.0.1:{smtp_port}"),
            "--smtp-trusted-networks".to_owned(),
            "127.0.0.1/32".to_owned(),
            "--org-domains".to_owned(),
            org_domains.to_owned(),
        ];
        let server = Self::launch(Some(relay), Some(smtp_port), &args);
        server.wait_until_listening(smtp_port);
        server
    }

    /// Starts the server on `port` (so what must know its URL beforehand,
    /// an identity provider's redirect URI, can), with these extra settings.
    pub fn start_on(port: u16, extra: &[String]) -> Sealmail {
        Self::launch_on(port, None, None, extra)
    }

    fn launch(relay: Option<Relay>, smtp_port: Option<u16>, extra: &[String]) -> Sealmail {
        Self::launch_on(free_port(), relay, smtp_port, extra)
    }

    fn launch_on(
        port: u16,
        relay: Option<Relay>,
        smtp_port: Option<u16>,
        extra: &[String],
    ) -> Sealmail {
        let portal = portal_dir();
        assert!(
            portal.join("index.html").exists(),
            "the release portal is not built in {} (cargo xtask test builds it)",
            portal.display()
        );
        let url = format!("http://127.0.0.1:{port}");
        let data_dir = tempfile::Builder::new()
            .prefix("sealmail-e2e-")
            .tempdir()
            .unwrap();
        let child = Command::new(binary())
            .arg("--data-dir")
            .arg(data_dir.path())
            .args([
                "--public-url",
                &url,
                "serve",
                "--listen",
                &format!("127.0.0.1:{port}"),
            ])
            .arg("--portal-dir")
            .arg(&portal)
            .args(extra)
            .env("SEALMAIL_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary().display()));
        let server = Sealmail {
            url,
            smtp_port,
            data_dir,
            child,
            relay,
        };
        server.wait_until_healthy();
        server
    }

    fn wait_until_listening(&self, port: u16) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("sealmail serve did not listen for SMTP on port {port}");
    }

    /// Submits `raw` over SMTP to the listener, as the organisation's mail
    /// server would (no AUTH: loopback is trusted), envelope from `from` to
    /// `to`; returns the listener's answer (`250 …`).
    pub async fn submit(&self, from: &str, to: &[&str], raw: &str) -> String {
        use lettre::address::Envelope;
        use lettre::{AsyncSmtpTransport, AsyncTransport as _, Tokio1Executor};
        let port = self
            .smtp_port
            .expect("a server started in the mail flow listens for SMTP");
        let client = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
            .port(port)
            .timeout(Some(Duration::from_secs(20)))
            .build();
        let envelope = Envelope::new(
            Some(from.parse().expect("an address")),
            to.iter().map(|t| t.parse().expect("an address")).collect(),
        )
        .expect("an envelope");
        // lettre ends DATA with CRLF . CRLF itself.
        let raw = raw.strip_suffix("\r\n").unwrap_or(raw);
        let response = client
            .send_raw(&envelope, raw.as_bytes())
            .await
            .unwrap_or_else(|e| panic!("the SMTP listener refused the mail: {e}"));
        format!(
            "{} {}",
            response.code(),
            response.message().collect::<Vec<_>>().join(" ")
        )
    }

    fn wait_until_healthy(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        let address = self.url.trim_start_matches("http://").to_owned();
        while Instant::now() < deadline {
            if let Ok(body) = http_get(&address, "/api/v1/health")
                && body.starts_with("HTTP/1.1 200")
            {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("sealmail serve did not become healthy on {}", self.url);
    }

    /// The data dir (SQLite file, master key, outbox).
    pub fn data_dir(&self) -> &Path {
        self.data_dir.path()
    }

    /// Runs `sealmail <args>` on this server's data dir; panics if it fails.
    pub fn cli(&self, args: &[&str]) -> String {
        let output = self.cli_output(args, None);
        assert!(
            output.status.success(),
            "sealmail {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).expect("sealmail prints UTF-8")
    }

    /// Runs `sealmail <args>` with `stdin`, returning its output whatever the exit code.
    pub fn cli_output(&self, args: &[&str], stdin: Option<&str>) -> Output {
        let mut command = Command::new(binary());
        command
            .arg("--data-dir")
            .arg(self.data_dir())
            .args(["--public-url", &self.url])
            .args(args)
            .stdin(if stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn().expect("sealmail starts");
        if let Some(input) = stdin {
            use std::io::Write;
            child
                .stdin
                .take()
                .unwrap()
                .write_all(input.as_bytes())
                .unwrap();
        }
        child.wait_with_output().expect("sealmail runs")
    }

    /// Adds a sender account.
    pub fn add_user(&self, email: &str, name: &str, password: &str) {
        self.add_account(email, name, password, &[]);
    }

    /// Adds an administrator account.
    pub fn add_admin(&self, email: &str, name: &str, password: &str) {
        self.add_account(email, name, password, &["--admin"]);
    }

    fn add_account(&self, email: &str, name: &str, password: &str, extra: &[&str]) {
        let base = [
            "user",
            "add",
            "--email",
            email,
            "--name",
            name,
            "--password-stdin",
        ];
        let args = [&base[..], extra].concat();
        let output = self.cli_output(&args, Some(&format!("{password}\n")));
        assert!(
            output.status.success(),
            "user add: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }

    /// Every mail that went out, oldest first: the local outbox's, or the
    /// relay's when it sends through one.
    pub fn outbox(&self) -> Vec<Mail> {
        let dir = match &self.relay {
            Some(relay) => relay.folder(),
            None => self.data_dir().join("outbox"),
        };
        let mut paths: Vec<PathBuf> = match std::fs::read_dir(&dir) {
            Ok(entries) => entries.filter_map(|e| e.ok().map(|e| e.path())).collect(),
            Err(_) => return Vec::new(),
        };
        paths.retain(|p| p.extension().is_some_and(|e| e == "eml"));
        // The server names outbox files so they sort by time; the relay
        // numbers its files in order.
        paths.sort();
        paths
            .iter()
            .map(|p| parse_mail(&std::fs::read(p).unwrap()))
            .collect()
    }

    /// The newest mail to `address`; panics if there is none.
    pub fn latest_mail_to(&self, address: &str) -> Mail {
        wait_for_mail(|| {
            self.outbox()
                .into_iter()
                .rev()
                .find(|m| m.to.contains(address))
        })
        .unwrap_or_else(|| panic!("no mail to {address} in the outbox"))
    }

    /// The portal link in the newest notification to `address`.
    pub fn link_for(&self, address: &str) -> String {
        let needle = format!("{}/m/", self.url);
        wait_for_mail(|| {
            self.outbox()
                .into_iter()
                .rev()
                .filter(|m| m.to.contains(address))
                .find_map(|m| {
                    let start = m.text.find(&needle)?;
                    Some(
                        m.text[start..]
                            .chars()
                            .take_while(|c| c.is_ascii_alphanumeric() || ":/._-~".contains(*c))
                            .collect(),
                    )
                })
        })
        .unwrap_or_else(|| panic!("no notification with a link to {address}"))
    }

    /// The 8-digit passcode in the newest mail to `address`.
    pub fn passcode_for(&self, address: &str) -> String {
        let passcode_in = |mail: &Mail| -> Option<String> {
            let digits: Vec<char> = mail.text.chars().collect();
            digits
                .windows(8)
                .enumerate()
                .find(|(i, w)| {
                    w.iter().all(char::is_ascii_digit)
                        && !digits.get(i + 8).is_some_and(char::is_ascii_digit)
                        && (*i == 0 || !digits[i - 1].is_ascii_digit())
                })
                .map(|(_, w)| w.iter().collect())
        };
        wait_for_mail(|| passcode_in(&self.latest_mail_to(address))).unwrap_or_else(|| {
            let mail = self.latest_mail_to(address);
            panic!("no 8-digit passcode in the newest mail to {address}: {mail:?}")
        })
    }

    /// A plain GET, as a mail scanner pre-opening a link would make.
    pub fn plain_get(&self, path_or_url: &str) -> String {
        let path = path_or_url.strip_prefix(&self.url).unwrap_or(path_or_url);
        http_get(self.url.trim_start_matches("http://"), path).expect("GET succeeds")
    }
}

impl Drop for Sealmail {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What `find` finds in the outbox, waiting for it a few seconds: the
/// server's delivery worker writes a mail just after the request that queued
/// it has been answered.
fn wait_for_mail<T>(find: impl Fn() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(found) = find() {
            return Some(found);
        }
        if Instant::now() >= deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn parse_mail(bytes: &[u8]) -> Mail {
    let message = MessageParser::default()
        .parse(bytes)
        .expect("the outbox holds RFC 5322 mail");
    // The relay writes the envelope on top: a relayed copy's To names
    // everyone the sender wrote to, RCPT TO the one it is for.
    let to = match message.header_raw("X-Sink-Rcpt-To") {
        Some(rcpt_to) => rcpt_to.trim().to_owned(),
        None => message
            .to()
            .and_then(|a| a.first())
            .and_then(|a| a.address())
            .unwrap_or_default()
            .to_owned(),
    };
    let text = message
        .body_text(0)
        .map(|t| t.into_owned())
        .or_else(|| message.body_html(0).map(|h| h.into_owned()))
        .unwrap_or_default();
    Mail {
        to,
        subject: message.subject().unwrap_or_default().to_owned(),
        text,
    }
}

/// The `sealmail` binary: `SEALMAIL_BIN`, or the debug build in `target/`.
fn binary() -> PathBuf {
    std::env::var_os("SEALMAIL_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target/debug/sealmail"))
}

/// The built portal: `SEALMAIL_PORTAL_DIR`, or `dist/`.
fn portal_dir() -> PathBuf {
    std::env::var_os("SEALMAIL_PORTAL_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("dist"))
}

/// A minimal HTTP/1.1 GET over a plain socket: status line, headers and body.
fn http_get(address: &str, path: &str) -> std::io::Result<String> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(address)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    Ok(response)
}
