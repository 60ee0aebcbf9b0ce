//! Sealmail beside a peer, in one run (issue 21): SnapPass, Pinterest's
//! one-time secret server from PyPI, run as its users run it (see
//! `snappass.rs`), under the same load generator at the same concurrency.
//!
//! Two pairs, each measured run by run in turn (ours, then theirs, three
//! times per level) so a busy machine slows both alike:
//! - store one secret: Sealmail's compose of a one-recipient text message
//!   vs SnapPass's `POST /`;
//! - read one secret: Sealmail's message view of a fresh link with an open
//!   session vs SnapPass's `POST /<key>` of a fresh secret (it deletes on
//!   read, so every request reads one stored beforehand; Sealmail's reads
//!   get a link each too).
//!
//! Each side's throughput, p50 and p99, the ratios Sealmail ÷ SnapPass, and
//! each side's peak resident memory over the pair's runs (the peer's summed
//! over gunicorn's master, its workers and redis).

mod snappass;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures_util::StreamExt as _;
use sealmail::crypto::{new_bearer_token, sha256};
use sealmail::messages::Outgoing;
use sealmail::store;
use sealmail_api::recipient::Body as MessageBody;
use sealmail_api::routes::{self, COMPOSE_PART, CSRF_HEADER, CSRF_VALUE, RECIPIENT_SESSION_COOKIE};
use sealmail_api::sender::{ComposeRequest, Expiry};
use sealmail_api::{Mailbox, Protection};
use serde_json::json;

use crate::api::LEVELS;
use crate::http::{self, Client, LoadRun, MakeRequest, full, get};
use crate::report::{Figure, Goal};
use crate::seed;
use crate::server::{Server, free_addr, reset_peak, url};
use snappass::SnapPass;

/// The secret both store and read: a password with a note, as SnapPass's users paste.
const SECRET: &str = "staging database, user deploy: Tr0ub4dor&3-correct-horse-battery-staple";
const REPEATS: usize = 3;
const RUN_TIME: Duration = Duration::from_millis(1000);
const MAX_STORES: u64 = 20_000;
/// Fresh secrets per read run, on each side: read runs end at this count
/// or at [`RUN_TIME`], whichever comes first.
const READS_PER_RUN: usize = 1_500;
const READS: usize = READS_PER_RUN * REPEATS * LEVELS.len();
/// Sealmail's links: one more than the reads, for the check before them.
const LINKS: usize = READS + 1;
const BOUNDARY: &str = "sealmail-bench-peer-boundary";

#[derive(Clone, Copy, PartialEq)]
enum Pair {
    Store,
    Read,
}

impl Pair {
    fn label(self) -> &'static str {
        match self {
            Pair::Store => "store one secret",
            Pair::Read => "read one secret",
        }
    }

    fn ours(self) -> &'static str {
        match self {
            Pair::Store => "Sealmail compose (1 recipient, text)",
            Pair::Read => "Sealmail message view (fresh link, open session)",
        }
    }

    fn theirs(self) -> &'static str {
        match self {
            Pair::Store => "SnapPass POST /",
            Pair::Read => "SnapPass POST /<key> (fresh secret)",
        }
    }
}

pub async fn run(
    binary: &Path,
    portal_dir: &Path,
    python_dir: &Path,
) -> Result<Vec<Figure>, String> {
    let data_dir = tempfile::Builder::new()
        .prefix("sealmail-bench-peer-")
        .tempdir_in(seed::scratch_dir())
        .map_err(|e| e.to_string())?;
    let addr = free_addr();
    println!("seeding {LINKS} one-recipient messages, each link with a session");
    let ours = Arc::new(seed_sealmail(data_dir.path(), &url(addr), addr).await?);
    let server = Server::start(binary, data_dir.path(), addr, portal_dir, &[]).await?;
    let peer = Arc::new(SnapPass::start(python_dir).await?);
    println!(
        "SnapPass on {} ({} gunicorn workers, redis-server); storing {READS} secrets to read",
        peer.addr, peer.workers
    );
    let theirs = Arc::new(peer.store_many(SECRET, READS).await?);
    both_read_the_secret(&ours, &peer).await?;

    // Warm both (connections, caches, Python's imports and the allocator).
    let warm = Duration::from_millis(500);
    http::load(addr, 16, 2_000, warm, ours.store()).await?;
    http::load(peer.addr, 16, 2_000, warm, store(&peer)).await?;

    let mut figures = Vec::new();
    let mut reads_used = 0u64;
    for pair in [Pair::Store, Pair::Read] {
        reset_peak(server.pid());
        peer.pids().into_iter().for_each(reset_peak);
        for clients in LEVELS {
            let (mut mine, mut peers) = (Vec::new(), Vec::new());
            for _ in 0..REPEATS {
                let (make_ours, make_theirs, max) = match pair {
                    Pair::Store => (ours.store(), store(&peer), MAX_STORES),
                    Pair::Read => (
                        ours.read(reads_used),
                        read(&peer, &theirs, reads_used),
                        READS_PER_RUN as u64,
                    ),
                };
                let a = http::load(addr, clients, max, RUN_TIME, make_ours).await?;
                let b = http::load(peer.addr, clients, max, RUN_TIME, make_theirs).await?;
                if pair == Pair::Read {
                    reads_used += READS_PER_RUN as u64;
                }
                for (run, who) in [(&a, pair.ours()), (&b, pair.theirs())] {
                    if run.errors > 0 {
                        eprintln!(
                            "warning: {who} @{clients}: {} errors (first: {})",
                            run.errors,
                            run.first_error.as_deref().unwrap_or("?")
                        );
                    }
                }
                mine.push(a);
                peers.push(b);
            }
            figures.extend(pair_figures(pair, clients, &mine, &peers));
        }
        let (_, ours_peak) = server.memory()?;
        let theirs_peak = peer.peak_rss()?;
        let name = |who: &str| format!("peer: {}: {who}: peak RSS", pair.label());
        figures.push(Figure::new(name(pair.ours()), ours_peak, "MB"));
        figures.push(
            Figure::new(
                name("SnapPass (gunicorn master + workers + redis)"),
                theirs_peak,
                "MB",
            )
            .detail(json!({ "processes": peer.pids().len() })),
        );
        figures.push(
            Figure::new(
                format!("peer: {}: peak RSS, Sealmail ÷ SnapPass", pair.label()),
                ours_peak / theirs_peak,
                "x",
            )
            .goal(Goal::AtMost(1.0)),
        );
    }
    drop(peer);
    drop(server);
    drop(data_dir);
    Ok(figures)
}

/// A pair at one level: each side's throughput, p50 and p99, and the
/// ratios Sealmail ÷ SnapPass of throughput (ahead: ≥ 1) and p99 (ahead: ≤ 1).
fn pair_figures(pair: Pair, clients: usize, ours: &[LoadRun], theirs: &[LoadRun]) -> Vec<Figure> {
    let of =
        |runs: &[LoadRun], pick: fn(&LoadRun) -> f64| runs.iter().map(pick).collect::<Vec<_>>();
    let rps = |r: &LoadRun| r.per_second();
    let p50 = |r: &LoadRun| r.p50_ms;
    let p99 = |r: &LoadRun| r.p99_ms;
    let name = |what: String| format!("peer: {} @{clients}: {what}", pair.label());
    let mut figures = Vec::new();
    for (who, runs) in [(pair.ours(), ours), (pair.theirs(), theirs)] {
        let detail = json!({
            "requests": runs.iter().map(|r| r.requests).collect::<Vec<_>>(),
            "errors": runs.iter().map(|r| r.errors).collect::<Vec<_>>(),
            "seconds": runs.iter().map(|r| r.seconds).collect::<Vec<_>>(),
        });
        figures.push(
            Figure::median_of(name(format!("{who}: throughput")), &of(runs, rps), "req/s")
                .detail(detail),
        );
        figures.push(Figure::median_of(
            name(format!("{who}: p50")),
            &of(runs, p50),
            "ms",
        ));
        figures.push(Figure::median_of(
            name(format!("{who}: p99")),
            &of(runs, p99),
            "ms",
        ));
    }
    figures.push(
        Figure::ratio_of(
            name("throughput, Sealmail ÷ SnapPass".into()),
            &of(ours, rps),
            &of(theirs, rps),
        )
        .goal(Goal::AtLeast(1.0)),
    );
    figures.push(
        Figure::ratio_of(
            name("p99, Sealmail ÷ SnapPass".into()),
            &of(ours, p99),
            &of(theirs, p99),
        )
        .goal(Goal::AtMost(1.0)),
    );
    figures
}

fn store(peer: &Arc<SnapPass>) -> MakeRequest {
    let peer = peer.clone();
    Arc::new(move |_| peer.store(SECRET))
}

/// The `index`-th read, of the secrets from `offset` on.
fn read(peer: &Arc<SnapPass>, paths: &Arc<Vec<String>>, offset: u64) -> MakeRequest {
    let (peer, paths) = (peer.clone(), paths.clone());
    Arc::new(move |i| peer.read(&paths[((offset + i) as usize).min(paths.len() - 1)]))
}

/// Sealmail's side: the sender's compose, and fresh links with sessions.
struct Ours {
    addr: std::net::SocketAddr,
    sender_cookie: String,
    compose_body: Bytes,
    /// (token, cookie) per one-recipient message.
    readers: Vec<(String, String)>,
}

impl Ours {
    fn store(self: &Arc<Self>) -> MakeRequest {
        let ours = self.clone();
        let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
        Arc::new(move |_| {
            http::request(
                "POST",
                ours.addr,
                routes::MESSAGES,
                &[
                    (CSRF_HEADER, CSRF_VALUE),
                    ("cookie", &ours.sender_cookie),
                    ("content-type", &content_type),
                ],
                full(ours.compose_body.clone()),
            )
        })
    }

    fn read(self: &Arc<Self>, offset: u64) -> MakeRequest {
        let ours = self.clone();
        Arc::new(move |i| {
            let (token, cookie) =
                &ours.readers[((offset + i) as usize).min(ours.readers.len() - 1)];
            get(
                ours.addr,
                &routes::link_message(token),
                &[("cookie", cookie)],
            )
        })
    }
}

/// A sender with a session, and [`LINKS`] one-recipient messages holding the
/// secret, each link with its own session (written through the server's
/// own code, as `seed.rs` does).
async fn seed_sealmail(
    dir: &Path,
    public_url: &str,
    addr: std::net::SocketAddr,
) -> Result<Ours, String> {
    let (state, mailer) = seed::open_state(dir, public_url).await?;
    let (sender_id, sender_cookie) = seed::sender(&state).await?;
    let sent: Vec<Result<(), String>> = futures_util::stream::iter(0..LINKS)
        .map(|i| {
            let state = state.clone();
            async move {
                let to = format!("reader{i}@example.net");
                Outgoing::new(&state)
                    .send(seed::draft(&to, Some(sender_id), "A secret", SECRET.into()))
                    .await
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            }
        })
        .buffer_unordered(8)
        .collect()
        .await;
    sent.into_iter().collect::<Result<(), String>>()?;
    seed::deliver_mail(&state).await?;
    let now = store::now();
    let mut readers = Vec::with_capacity(LINKS);
    for mail in mailer.sent() {
        let Some(token) = seed::find_token(&mail.text) else {
            continue;
        };
        let link = store::links::by_token_hash(&state.db, &sha256(token.as_bytes()))
            .await
            .map_err(|e| e.to_string())?
            .ok_or("a seeded link is unknown")?;
        let session = new_bearer_token();
        let mut tx = state.db.write().await.map_err(|e| e.to_string())?;
        store::sessions::create(
            &mut tx,
            &sha256(session.expose().as_bytes()),
            link.recipient_id,
            now,
            now + 3600,
        )
        .await
        .map_err(|e| e.to_string())?;
        tx.commit().await.map_err(|e| e.to_string())?;
        readers.push((
            token,
            format!("{RECIPIENT_SESSION_COOKIE}={}", session.expose()),
        ));
    }
    state.db.close().await;
    if readers.len() != LINKS {
        return Err(format!("{} links mailed, {LINKS} wanted", readers.len()));
    }
    let message = ComposeRequest {
        to: vec![Mailbox {
            name: None,
            address: "bob@example.net".into(),
        }],
        cc: Vec::new(),
        subject: "A secret".into(),
        body: MessageBody {
            text: Some(SECRET.into()),
            html: None,
        },
        protection: Protection::EncryptOnly,
        expiry: Expiry::TemplateDefault,
        branding_template: None,
        language: None,
        read_receipt: None,
    };
    let compose_body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{COMPOSE_PART}\"\r\n\
         Content-Type: application/json\r\n\r\n{}\r\n--{BOUNDARY}--\r\n",
        serde_json::to_string(&message).map_err(|e| e.to_string())?
    );
    Ok(Ours {
        addr,
        sender_cookie,
        compose_body: Bytes::from(compose_body),
        readers,
    })
}

/// Before measuring: each side stores and reads the secret back whole, so
/// the pairs compare like with like (Sealmail's last link is read here, and
/// never in a measured run: they stop short of it).
async fn both_read_the_secret(ours: &Arc<Ours>, peer: &Arc<SnapPass>) -> Result<(), String> {
    let mut client = Client::connect(ours.addr).await?;
    let (status, _, body) = client.send(ours.store()(0), 1024).await?;
    if !status.is_success() {
        return Err(format!(
            "Sealmail compose: {status}: {}",
            String::from_utf8_lossy(&body)
        ));
    }
    let (status, _, body) = client.send(ours.read(READS as u64)(0), 64 * 1024).await?;
    if !status.is_success() || !String::from_utf8_lossy(&body).contains(SECRET) {
        return Err(format!("Sealmail view: {status}, the secret not in it"));
    }
    let path = peer.store_many(SECRET, 1).await?.remove(0);
    let mut client = Client::connect(peer.addr).await?;
    let (status, _, body) = client.send(peer.read(&path), 64 * 1024).await?;
    let html = String::from_utf8_lossy(&body);
    // The page shows it HTML-escaped (`&` as `&amp;`).
    if !status.is_success() || !html.contains(&SECRET.replace('&', "&amp;")) {
        return Err(format!("SnapPass read: {status}, the secret not in it"));
    }
    Ok(())
}
