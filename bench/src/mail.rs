//! The mail queue: a message to 10,000 recipients accepted
//! (stored, with its 10,000 mails sealed and queued), the queue drained to a
//! real SMTP server on loopback (aiosmtpd running the server tests' sink,
//! installed by `cargo xtask setup`), and the delivery worker's CPU while the
//! release server idles.

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use sealmail::messages::Outgoing;
use serde_json::json;

use crate::report::{Figure, Goal};
use crate::seed;
use crate::server::{Server, free_addr};

const RECIPIENTS: usize = 10_000;
const RUNS: usize = 3;
const DRAINED: usize = 2_000;
const IDLE: Duration = Duration::from_secs(10);

pub async fn run(binary: &Path, portal_dir: &Path) -> Result<Vec<Figure>, String> {
    let err = |e: sealmail::Error| e.to_string();
    let to: Vec<String> = (0..RECIPIENTS)
        .map(|i| format!("r{i}@example.net"))
        .collect();

    println!("a message to {RECIPIENTS} recipients, {RUNS} times");
    let mut accept = Vec::new();
    for _ in 0..RUNS {
        let dir = scratch("accept")?;
        let (state, _mailer) = seed::open_state(dir.path(), "http://127.0.0.1:1").await?;
        let draft = seed::draft_to(&to, None, "Ten thousand", "Hello".into());
        let started = Instant::now();
        Outgoing::new(&state).send(draft).await.map_err(err)?;
        accept.push(started.elapsed().as_secs_f64());
        state.db.close().await;
    }

    // The sink is one Python process: it spends ~1 ms of CPU a mail here,
    // so it caps the figure near 1,000 mails/s (Sealmail's side, ~0.4 ms).
    println!("draining {DRAINED} mails to aiosmtpd on loopback");
    let sink = Sink::start()?;
    let dir = scratch("drain")?;
    let state = relay_state(dir.path(), sink.port).await?;
    let draft = seed::draft_to(&to[..DRAINED], None, "Two thousand", "Hello".into());
    Outgoing::new(&state).send(draft).await.map_err(err)?;
    let started = Instant::now();
    let tally = sealmail::mail::delivery::deliver_due(&state)
        .await
        .map_err(err)?;
    let drain_secs = started.elapsed().as_secs_f64();
    if tally.sent != DRAINED {
        return Err(format!("{DRAINED} mails queued, {tally:?}"));
    }
    let concurrency = state.mail_queue.policy().concurrency;
    state.db.close().await;
    drop(sink);

    println!("the release server idle for {} s", IDLE.as_secs());
    let idle_dir = scratch("idle")?;
    let server = Server::start(binary, idle_dir.path(), free_addr(), portal_dir, &[]).await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let before = cpu_ticks(server.pid())?;
    tokio::time::sleep(IDLE).await;
    let ticks = cpu_ticks(server.pid())? - before;
    drop(server);
    // Clock ticks are 1/100 s on Linux (`getconf CLK_TCK`).
    let idle_percent = ticks as f64 / (IDLE.as_secs_f64() * 100.0) * 100.0;

    Ok(vec![
        Figure::median_of(
            format!("mail: a message to {RECIPIENTS} recipients stored and queued"),
            &accept,
            "s",
        )
        .goal(Goal::AtMost(1.0)),
        Figure::new(
            format!("mail: queue drained to a loopback SMTP server, RSA DKIM-signed ({concurrency} at once)"),
            DRAINED as f64 / drain_secs,
            "mails/s",
        )
        .goal(Goal::AtLeast(500.0))
        .detail(json!({ "mails": DRAINED, "secs": drain_secs, "concurrency": concurrency })),
        Figure::new(
            "mail: idle server's CPU (delivery worker asleep, no polling)",
            idle_percent,
            "%",
        )
        .goal(Goal::AtMost(0.5))
        .detail(json!({ "ticks": ticks, "secs": IDLE.as_secs() })),
    ])
}

fn scratch(what: &str) -> Result<tempfile::TempDir, String> {
    tempfile::Builder::new()
        .prefix(&format!("sealmail-bench-mail-{what}-"))
        .tempdir_in(seed::scratch_dir())
        .map_err(|e| e.to_string())
}

/// The server's state with its real SMTP transport, pointed at the sink.
/// A server state that sends through the relay on `port`, signing with a
/// new 2048-bit RSA DKIM key as a real deployment would.
async fn relay_state(data_dir: &Path, port: u16) -> Result<sealmail::AppState, String> {
    use clap::Parser as _;
    let key = sealmail::mail::dkim::generate(sealmail::mail::dkim::Algorithm::Rsa)
        .map_err(|e| e.to_string())?;
    std::fs::create_dir_all(data_dir).map_err(|e| e.to_string())?;
    let key_file = data_dir.join("dkim.pem");
    std::fs::write(&key_file, key.private_pem.as_bytes()).map_err(|e| e.to_string())?;
    let args = [
        "sealmail".to_owned(),
        "--data-dir".to_owned(),
        data_dir.display().to_string(),
        "--smtp-url".to_owned(),
        format!("smtp://127.0.0.1:{port}"),
        "--dkim-key".to_owned(),
        key_file.display().to_string(),
        "--dkim-selector".to_owned(),
        "bench".to_owned(),
        "--dkim-domain".to_owned(),
        "example.org".to_owned(),
        "serve".to_owned(),
    ];
    let config = sealmail::config::Cli::parse_from(args).config;
    sealmail::AppState::open_with_configured_mailer(&config)
        .await
        .map_err(|e| e.to_string())
}

/// User and system CPU time of a process so far, in clock ticks.
pub fn cpu_ticks(pid: u32) -> Result<u64, String> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map_err(|e| format!("cannot read /proc/{pid}/stat: {e}"))?;
    // Fields after the command name (which may hold spaces) in parentheses;
    // utime and stime are the 14th and 15th of the line.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or_default();
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let field = |i: usize| fields.get(i).and_then(|f| f.parse::<u64>().ok());
    match (field(11), field(12)) {
        (Some(user), Some(system)) => Ok(user + system),
        _ => Err(format!("/proc/{pid}/stat has no CPU times")),
    }
}

/// The server tests' SMTP sink (`server/tests/smtp_sink.py`), stopped by its pid.
struct Sink {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Sink {
    fn start() -> Result<Sink, String> {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .ok_or("no repository root")?
            .to_owned();
        let dir = scratch("sink")?;
        let mut child = Command::new("python3")
            .env("PYTHONPATH", root.join(".tools/python"))
            .arg(root.join("server/tests/smtp_sink.py"))
            .arg(dir.path().join("mail"))
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("cannot start python3: {e}"))?;
        let mut line = String::new();
        let _ = BufReader::new(child.stdout.take().ok_or("no stdout")?).read_line(&mut line);
        match line
            .trim()
            .strip_prefix("ready ")
            .and_then(|p| p.parse().ok())
        {
            Some(port) => Ok(Sink {
                child,
                port,
                _dir: dir,
            }),
            None => {
                let _ = child.kill();
                let _ = child.wait();
                Err(format!(
                    "the SMTP sink did not start ({line:?}): is aiosmtpd installed? `cargo xtask setup`"
                ))
            }
        }
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
