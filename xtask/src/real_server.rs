//! The real server for the browser tests' `tests/real_server.rs`.
//!
//! wasm-bindgen-test-runner serves the test page from its own origin, so the
//! server is started with `--cors-allow-origin` for that origin, and the
//! runner is pinned to it with `WASM_BINDGEN_TEST_ADDRESS` (read by
//! wasm-bindgen-cli 0.2.130's runner for its server and for the URL it opens).
//! The data is seeded through the `sealmail` command, as an administrator
//! would; what the test asserts about it is in `tests/real_server.rs`
//! (`mod seeded`): keep the two in step.

use std::io::Write as _;
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::shell::{self, Result, target_dir};

const ORGANISATION: &str = "Fabrikam Real Server";
const SENDER: &str = "rita@sealmail.test";
const SENDER_NAME: &str = "Rita Real";
const RECIPIENT: &str = "bob@example.net";

/// A seeded `sealmail serve`, stopped (and its data deleted) when dropped.
pub struct RealServer {
    child: Child,
    dir: PathBuf,
}

impl Drop for RealServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Starts the real server for the browser tests `command` runs and tells it
/// where (at compile time: the test reads these with `option_env!`). Keep
/// the result alive while `command` runs.
///
/// The test is told it must find a server (`SEALMAIL_REQUIRE_REAL_SERVER`),
/// so if starting one fails, the failure is printed here and the test fails.
pub fn start_for(command: &mut Command) -> Option<RealServer> {
    command.env("SEALMAIL_REQUIRE_REAL_SERVER", "1");
    match start(command) {
        Ok(server) => Some(server),
        Err(e) => {
            eprintln!("FAILED to start the real server for tests/real_server.rs: {e}");
            None
        }
    }
}

fn start(command: &mut Command) -> Result<RealServer> {
    shell::run(shell::cargo().args(["build", "-p", "sealmail", "--bin", "sealmail"]))?;
    let bin = target_dir().join("debug/sealmail");
    let dir = std::env::temp_dir().join(format!("sealmail-browser-tests-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let (server_port, runner_port) = (free_port()?, free_port()?);
    let url = format!("http://127.0.0.1:{server_port}");
    let sealmail = Sealmail {
        bin,
        data: dir.join("data"),
        url: url.clone(),
    };

    println!("seeding {} through the sealmail command", dir.display());
    sealmail.add_sender()?;
    let link = sealmail.send("Your quarterly figures", true)?.1;
    let lock_link = sealmail.send("A link to lock", false)?.1;
    let (revoked_id, revoked_link) = sealmail.send("Sent by mistake", false)?;
    shell::run(
        sealmail
            .command()
            .args(["revoke", "--message-id", &revoked_id]),
    )?;

    let log = std::fs::File::create(dir.join("server.log")).map_err(|e| e.to_string())?;
    let mut serve = sealmail.command();
    serve
        .args(["serve", "--listen", &format!("127.0.0.1:{server_port}")])
        .args([
            "--cors-allow-origin",
            &format!("http://127.0.0.1:{runner_port}"),
        ])
        .arg("--portal-dir")
        .arg(dir.join("no-portal"))
        .stdout(log.try_clone().map_err(|e| e.to_string())?)
        .stderr(log);
    println!("starting the real server on {url}");
    let child = serve
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", sealmail.bin.display()))?;
    let mut server = RealServer { child, dir };
    wait_until_listening(&mut server, server_port)?;

    command
        .env(
            "WASM_BINDGEN_TEST_ADDRESS",
            format!("127.0.0.1:{runner_port}"),
        )
        .env("SEALMAIL_TEST_SERVER", &url)
        .env("SEALMAIL_TEST_LINK", link)
        .env("SEALMAIL_TEST_REVOKED_LINK", revoked_link)
        .env("SEALMAIL_TEST_LOCK_LINK", lock_link);
    Ok(server)
}

/// The `sealmail` command on the test's data dir.
struct Sealmail {
    bin: PathBuf,
    data: PathBuf,
    url: String,
}

impl Sealmail {
    fn command(&self) -> Command {
        let mut command = Command::new(&self.bin);
        // Settings from the developer's environment must not leak in: mail
        // has to land in the local outbox, keys in the temp data dir.
        for var in [
            "SEALMAIL_SMTP_URL",
            "SEALMAIL_MASTER_KEY",
            "SEALMAIL_PREVIOUS_MASTER_KEYS",
            "SEALMAIL_TRUST_FORWARDED_FOR",
            "SEALMAIL_CORS_ALLOW_ORIGIN",
        ] {
            command.env_remove(var);
        }
        command
            .arg("--data-dir")
            .arg(&self.data)
            .args(["--public-url", &self.url])
            .args(["--organisation", ORGANISATION])
            .args(["--log", "warn"]);
        command
    }

    fn add_sender(&self) -> Result {
        let mut child = self
            .command()
            .args(["user", "add", "--email", SENDER, "--name", SENDER_NAME])
            .arg("--password-stdin")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start sealmail: {e}"))?;
        let password = format!("browser-tests-{}", std::process::id());
        let mut stdin = child.stdin.take().expect("stdin is piped");
        stdin
            .write_all(format!("{password}\n").as_bytes())
            .map_err(|e| e.to_string())?;
        drop(stdin);
        let status = child.wait().map_err(|e| e.to_string())?;
        status
            .success()
            .then_some(())
            .ok_or_else(|| "`sealmail user add` failed".to_owned())
    }

    /// Sends a message to the recipient; its Message-ID and the link token
    /// from the notification in the outbox.
    fn send(&self, subject: &str, do_not_forward: bool) -> Result<(String, String)> {
        let body = self.data.join("body.txt");
        std::fs::write(&body, "Hello Bob,\n\nThe figures are attached.\n")
            .map_err(|e| e.to_string())?;
        let mut send = self.command();
        send.args(["send", "--from", SENDER, "--to", RECIPIENT])
            .args(["--subject", subject])
            .arg("--body-file")
            .arg(&body);
        if do_not_forward {
            send.arg("--do-not-forward");
        }
        let id = shell::output(&mut send).ok_or("`sealmail send` failed")?;
        let mail = shell::output(self.command().args(["outbox", "--last", "1"]))
            .ok_or("`sealmail outbox --last 1` failed")?;
        let token = link_token(&mail)
            .ok_or_else(|| format!("no /m/ link in the notification of `{subject}`"))?;
        Ok((id.trim().to_owned(), token))
    }
}

/// The token of the first `/m/<token>` link in a mail, undoing
/// quoted-printable soft line breaks.
fn link_token(mail: &str) -> Option<String> {
    let unfolded = mail.replace("=\r\n", "").replace("=\n", "");
    let start = unfolded.find("/m/")? + 3;
    let token: String = unfolded[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || "-_".contains(*c))
        .collect();
    (!token.is_empty()).then_some(token)
}

/// A loopback port free now (another process could take it before we do:
/// unlikely enough for a test run).
fn free_port() -> Result<u16> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .map_err(|e| format!("no free loopback port: {e}"))
}

fn wait_until_listening(server: &mut RealServer, port: u16) -> Result {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(30) {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(());
        }
        if let Ok(Some(status)) = server.child.try_wait() {
            let log = std::fs::read_to_string(server.dir.join("server.log")).unwrap_or_default();
            return Err(format!("the server exited ({status}):\n{log}"));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Err(format!(
        "the server did not listen on port {port} within 30 s"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_token_of_a_link_split_by_quoted_printable() {
        let mail = "Open it:\r\nhttp://127.0.0.1:1234/m/abc=\r\nDEF_-9\r\nthanks";
        assert_eq!(link_token(mail).as_deref(), Some("abcDEF_-9"));
        assert_eq!(link_token("no link here"), None);
    }
}
