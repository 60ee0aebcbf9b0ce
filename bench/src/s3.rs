//! A 1 GiB attachment up and down through S3 (issue 19: flat memory, at
//! most 64 MB RSS): a release `sealmail serve` with `--blob-url s3://…` on an
//! S3 server of the bench's own on loopback (`tools/s3s-serve`: s3s-fs's
//! file system with TCP_NODELAY), and beside it the same steps on
//! the local disk. Each run: a sender composes a message with the attachment
//! through the API (generated as it is sent); then, from a server started
//! afresh on the same data, the recipient opens the link with the passcode
//! mailed to the outbox and downloads it (hashed as it arrives). Neither the
//! bench nor the server holds the gigabyte. The data dirs and the bucket's
//! folder are removed afterwards.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use bytes::Bytes;
use ring::digest::{Context, SHA256};
use sealmail::crypto::hex;
use sealmail_api::recipient::{MessageView, PasscodeSubmit};
use sealmail_api::routes::{self, CSRF_HEADER, CSRF_VALUE};
use serde_json::json;

use crate::http::{Client, full, get, request};
use crate::memory::compose_streamed;
use crate::report::{Figure, Goal, max};
use crate::seed;
use crate::server::{Server, free_addr, memory_of, url};

const GIB: u64 = 1 << 30;
const PIECE: usize = 64 * 1024;
const RECIPIENT: &str = "carol@example.org";
const BUCKET: &str = "sealmail-bench";
/// Credentials of a store that lives for one run, on loopback.
const ACCESS_KEY: &str = "sealmail-bench";
const SECRET_KEY: &str = "sealmail-bench-secret";

/// The goal for the server's peak resident memory, either way.
const RSS_GOAL_MB: f64 = 64.0;

/// `tools/s3s-serve` where `cargo xtask setup` builds it: `s3s-serve/` in
/// the target folder this bench was built in (it is TARGET/release/NAME).
pub fn default_program() -> PathBuf {
    let exe = std::env::current_exe().unwrap_or_default();
    match exe.ancestors().nth(2) {
        Some(target) => target.join("s3s-serve/release/s3s-serve"),
        None => "s3s-serve".into(),
    }
}

pub async fn run(
    binary: &Path,
    portal_dir: &Path,
    s3_server: &Path,
) -> Result<Vec<Figure>, String> {
    let scratch = tempfile::Builder::new()
        .prefix("sealmail-bench-s3-")
        .tempdir_in(seed::scratch_dir())
        .map_err(|e| e.to_string())?;
    let store = S3Store::start(s3_server, &scratch.path().join("s3"))?;
    println!(
        "S3 (s3s-serve at {}): 1 GiB up, then down",
        store.endpoint()
    );
    let on_s3 = round_trip(
        binary,
        portal_dir,
        &scratch.path().join("s3-data"),
        &store.args(),
    )
    .await;
    let store_peak = memory_of(store.child.id()).map(|(_, peak)| peak).ok();
    // The bucket's folder goes with the store, before the local run fills the disk again.
    drop(store);
    let on_s3 = on_s3?;
    println!("local disk: 1 GiB up, then down");
    let on_disk = round_trip(binary, portal_dir, &scratch.path().join("disk-data"), &[]).await?;
    drop(scratch);

    let detail = json!({
        "bytes": GIB,
        "s3": on_s3.detail(),
        "local_disk": on_disk.detail(),
        "s3_server_peak_rss_MB": store_peak,
    });
    let mut figures = Vec::new();
    for (what, s3, disk) in [
        ("upload: server peak RSS", on_s3.up_peak, on_disk.up_peak),
        (
            "download: server peak RSS",
            on_s3.down_peak,
            on_disk.down_peak,
        ),
    ] {
        figures.push(
            Figure::new(format!("s3: 1 GiB {what}, S3 (s3s-serve)"), s3, "MB")
                .goal(Goal::AtMost(RSS_GOAL_MB)),
        );
        figures.push(
            Figure::new(format!("s3: 1 GiB {what}, local disk"), disk, "MB")
                .goal(Goal::AtMost(RSS_GOAL_MB)),
        );
    }
    for (what, s3, disk) in [
        ("upload throughput", on_s3.up_mb_s, on_disk.up_mb_s),
        ("download throughput", on_s3.down_mb_s, on_disk.down_mb_s),
    ] {
        figures.push(Figure::new(
            format!("s3: 1 GiB {what}, S3 (s3s-serve)"),
            s3,
            "MB/s",
        ));
        figures.push(Figure::new(
            format!("s3: 1 GiB {what}, local disk"),
            disk,
            "MB/s",
        ));
    }
    figures.push(Figure::new("s3: idle RSS, fresh server on S3", on_s3.idle, "MB").detail(detail));
    Ok(figures)
}

/// What one store's run measured.
struct RoundTrip {
    idle: f64,
    up_peak: f64,
    down_peak: f64,
    up_mb_s: f64,
    down_mb_s: f64,
    sha256: String,
    up_samples: Vec<f64>,
    down_samples: Vec<f64>,
}

impl RoundTrip {
    fn detail(&self) -> serde_json::Value {
        json!({
            "sha256_both_ways": self.sha256,
            "upload_rss_samples_MB_every_250ms": self.up_samples,
            "download_rss_samples_MB_every_250ms": self.down_samples,
            "max_sampled_MB": max(&self.up_samples).max(max(&self.down_samples)),
        })
    }
}

/// A fresh data dir, 1 GiB up through the compose API to one server, then
/// back through the recipient's link from a second one started afresh on
/// the same data dir and store (`store_args` before `serve`), so each
/// direction's peak is its own: the allocator keeps what the upload freed.
/// The download's length and hash must be the upload's. The data dir is
/// removed afterwards.
async fn round_trip(
    binary: &Path,
    portal_dir: &Path,
    data_dir: &Path,
    store_args: &[String],
) -> Result<RoundTrip, String> {
    std::fs::create_dir_all(data_dir).map_err(|e| e.to_string())?;
    let outcome = round_trip_in(binary, portal_dir, data_dir, store_args).await;
    let _ = std::fs::remove_dir_all(data_dir);
    outcome
}

async fn round_trip_in(
    binary: &Path,
    portal_dir: &Path,
    data_dir: &Path,
    store_args: &[String],
) -> Result<RoundTrip, String> {
    let addr = free_addr();
    // The sender's account and session, made directly (argon2 is not measured).
    let (state, _) = seed::open_state(data_dir, &url(addr)).await?;
    let (_, sender_cookie) = seed::sender(&state).await?;
    state.db.close().await;
    let mut extra = vec!["--max-message-mib", "1100"];
    extra.extend(store_args.iter().map(String::as_str));
    let expected = expected_sha256();

    let server = Sampled::start(binary, data_dir, addr, portal_dir, &extra).await?;
    let idle = server.idle;
    let t0 = Instant::now();
    compose_streamed(addr, &sender_cookie, RECIPIENT, "big.bin", pieces(), GIB).await?;
    let up_mb_s = GIB as f64 / 1e6 / t0.elapsed().as_secs_f64();
    // The link goes out by the outbox, before this server stops.
    let token = token_in_outbox(binary, data_dir).await?;
    let (up_peak, up_samples) = server.stop().await?;

    let addr = free_addr();
    let server = Sampled::start(binary, data_dir, addr, portal_dir, &extra).await?;
    let cookie = open_session(binary, data_dir, addr, &token).await?;
    let mut client = Client::connect(addr).await?;
    let (status, _, view) = client
        .send(
            get(addr, &routes::link_message(&token), &[("cookie", &cookie)]),
            1 << 20,
        )
        .await?;
    let view: MessageView =
        serde_json::from_slice(&view).map_err(|e| format!("the message view ({status}): {e}"))?;
    let attachment = view
        .attachments
        .first()
        .ok_or("no attachment in the message")?;
    let mut hash = Context::new(&SHA256);
    let t0 = Instant::now();
    let (status, _, bytes) = client
        .fetch(
            get(
                addr,
                &routes::link_attachment(&token, &attachment.id),
                &[("cookie", &cookie)],
            ),
            |data| hash.update(data),
        )
        .await?;
    let down_mb_s = bytes as f64 / 1e6 / t0.elapsed().as_secs_f64();
    let (down_peak, down_samples) = server.stop().await?;

    let got = hex(hash.finish().as_ref());
    if !status.is_success() || bytes != GIB || got != expected {
        return Err(format!(
            "download: {status}, {bytes} bytes of {GIB}, SHA-256 {got} (sent {expected})"
        ));
    }
    Ok(RoundTrip {
        idle,
        up_peak,
        down_peak,
        up_mb_s,
        down_mb_s,
        sha256: got,
        up_samples,
        down_samples,
    })
}

/// A server whose resident memory is sampled every 250 ms.
struct Sampled {
    server: Server,
    idle: f64,
    sampler: tokio::task::JoinHandle<Vec<f64>>,
}

impl Sampled {
    async fn start(
        binary: &Path,
        data_dir: &Path,
        addr: SocketAddr,
        portal_dir: &Path,
        extra: &[&str],
    ) -> Result<Sampled, String> {
        let server = Server::start(binary, data_dir, addr, portal_dir, extra).await?;
        tokio::time::sleep(Duration::from_millis(500)).await;
        let (idle, _) = server.memory()?;
        let pid = server.pid();
        let sampler = tokio::spawn(async move {
            let mut samples = Vec::new();
            while let Ok((rss, _)) = memory_of(pid) {
                samples.push(rss);
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
            samples
        });
        Ok(Sampled {
            server,
            idle,
            sampler,
        })
    }

    /// Stops it; its peak RSS in its whole life, and the samples.
    async fn stop(self) -> Result<(f64, Vec<f64>), String> {
        let (_, peak) = self.server.memory()?;
        drop(self.server);
        let samples = self.sampler.await.map_err(|e| e.to_string())?;
        Ok((peak, samples))
    }
}

/// The attachment, a piece at a time: a repeating pattern with each piece's
/// number in its first bytes, so a download with pieces out of place would
/// not hash the same.
fn pieces() -> impl Iterator<Item = Bytes> + Send + Sync + 'static {
    let pattern = seed::pattern(PIECE);
    (0..GIB / PIECE as u64).map(move |n| {
        let mut piece = pattern.clone();
        piece[..8].copy_from_slice(&n.to_le_bytes());
        Bytes::from(piece)
    })
}

fn expected_sha256() -> String {
    let mut hash = Context::new(&SHA256);
    for piece in pieces() {
        hash.update(&piece);
    }
    hex(hash.finish().as_ref())
}

/// The link's token, from the newest notification to the recipient in the
/// outbox.
async fn token_in_outbox(binary: &Path, data_dir: &Path) -> Result<String, String> {
    let to = format!("To: {RECIPIENT}");
    let notification = outbox_when(binary, data_dir, 5, |mail| {
        mail.rfind(&to).is_some_and(|at| mail[at..].contains("/m/"))
    })
    .await?;
    let at = notification.rfind(&to).unwrap_or(0);
    seed::find_token(&notification[at..]).ok_or_else(|| "no link in the notification".into())
}

/// The recipient's way in: a passcode asked for and read from the outbox,
/// and a session for it; returns the session's cookie.
async fn open_session(
    binary: &Path,
    data_dir: &Path,
    addr: SocketAddr,
    token: &str,
) -> Result<String, String> {
    let mut client = Client::connect(addr).await?;
    let post = |path: &str, body| {
        request(
            "POST",
            addr,
            path,
            &[
                (CSRF_HEADER, CSRF_VALUE),
                ("content-type", "application/json"),
            ],
            body,
        )
    };
    let (status, _, said) = client
        .send(post(&routes::link_passcode(token), full("{}")), 500)
        .await?;
    if !status.is_success() {
        return Err(format!(
            "passcode: {status} {}",
            String::from_utf8_lossy(&said)
        ));
    }
    let mail = outbox_when(binary, data_dir, 1, |mail| passcode_in(mail).is_some()).await?;
    let passcode = passcode_in(&mail).expect("checked above");
    let submit = serde_json::to_vec(&PasscodeSubmit { passcode }).map_err(|e| e.to_string())?;
    let (status, headers, _) = client
        .fetch(post(&routes::link_session(token), full(submit)), |_| {})
        .await?;
    headers
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .filter(|_| status.is_success())
        .map(str::to_owned)
        .ok_or(format!("session: {status}, no cookie"))
}

/// The 8-digit passcode on a line of its own.
fn passcode_in(mail: &str) -> Option<String> {
    mail.lines()
        .map(str::trim)
        .find(|l| l.len() == 8 && l.chars().all(|c| c.is_ascii_digit()))
        .map(str::to_owned)
}

/// `sealmail outbox --last LAST` (the mails decoded) once `ready` holds for
/// it: the server's delivery worker writes a mail just after the request
/// that queued it. 30 s at most.
async fn outbox_when(
    binary: &Path,
    data_dir: &Path,
    last: u32,
    ready: impl Fn(&str) -> bool,
) -> Result<String, String> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let out = tokio::process::Command::new(binary)
            .arg("--data-dir")
            .arg(data_dir)
            .args(["outbox", "--last", &last.to_string()])
            .output()
            .await
            .map_err(|e| format!("sealmail outbox: {e}"))?;
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        if ready(&text) {
            return Ok(text);
        }
        if Instant::now() > deadline {
            return Err(format!("the mail never reached the outbox:\n{text}"));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The S3 server serving `root` (one bucket, [`BUCKET`], a folder in it) on a
/// free loopback port; stopped and `root` removed when dropped.
struct S3Store {
    child: Child,
    root: PathBuf,
    port: u16,
}

impl S3Store {
    fn start(program: &Path, root: &Path) -> Result<S3Store, String> {
        std::fs::create_dir_all(root.join(BUCKET)).map_err(|e| e.to_string())?;
        let port = free_addr().port();
        let child = Command::new(program)
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .args(["--access-key", ACCESS_KEY, "--secret-key", SECRET_KEY])
            .arg(root)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| {
                format!(
                    "cannot start {} ({e}): `cargo xtask setup` builds it, or pass --s3-server PATH",
                    program.display()
                )
            })?;
        let store = S3Store {
            child,
            root: root.to_owned(),
            port,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if Instant::now() > deadline {
                return Err(format!("the S3 server did not listen on port {port}"));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(store)
    }

    fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// `sealmail`'s options for the bucket.
    fn args(&self) -> Vec<String> {
        [
            "--blob-url",
            &format!("s3://{BUCKET}/bench"),
            "--s3-endpoint",
            &self.endpoint(),
            "--s3-access-key-id",
            ACCESS_KEY,
            "--s3-secret-access-key",
            SECRET_KEY,
        ]
        .map(str::to_owned)
        .to_vec()
    }
}

impl Drop for S3Store {
    fn drop(&mut self) {
        // Our own child, by its pid.
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.root);
    }
}
