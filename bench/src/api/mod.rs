//! The API under load: five recipient and sender requests at 1, 16 and 128
//! clients against the release server in its own process, on loopback; on
//! PostgreSQL, two of them at 16 clients over two replicas (`postgres.rs`).

pub mod postgres;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use sealmail_api::recipient::PasscodeSubmit;
use sealmail_api::routes::{self, CSRF_HEADER, CSRF_VALUE};
use serde_json::json;

use crate::http::{self, LoadRun, MakeRequest, full, get};
use crate::report::{Figure, Goal, median};
use crate::seed::{self, ApiFixture};
use crate::server::{Server, free_addr, url};

pub const LEVELS: [usize; 3] = [1, 16, 128];
const REPEATS: usize = 3;
/// Fresh passcodes: each correct submission uses one up.
const VERIFY_LINKS: usize = 6_000;
/// Endpoints by their place in `run`'s list (what [`Requests::make`] takes).
const PASSCODE_VERIFY: usize = 1;
const MESSAGE_VIEW: usize = 2;

struct Endpoint {
    name: &'static str,
    max_time: Duration,
    /// Per run, at most this many requests (also bounded by the passcodes left).
    max_requests: u64,
}

const LIGHT: Duration = Duration::from_millis(1000);
/// Each reference run on the health route (see [`reference`]).
const REFERENCE_TIME: Duration = Duration::from_millis(500);

/// The server started for the load (kept for the portal figure) and the figures.
pub struct Outcome {
    pub figures: Vec<Figure>,
    pub server: Server,
    pub fixture: ApiFixture,
    pub data_dir: tempfile::TempDir,
}

/// Seeds and starts the server; measures the load only if `load` (the portal figure needs the server alone).
pub async fn run(binary: &Path, portal_dir: &Path, load: bool) -> Result<Outcome, String> {
    let data_dir = tempfile::Builder::new()
        .prefix("sealmail-bench-api-")
        .tempdir_in(seed::scratch_dir())
        .map_err(|e| e.to_string())?;
    let addr = free_addr();
    println!(
        "seeding {VERIFY_LINKS} links with passcodes, a 10 KB message with a 10 MB attachment, a Sent list"
    );
    let fixture = seed::api(data_dir.path(), &url(addr), VERIFY_LINKS, None).await?;
    let server = Server::start(binary, data_dir.path(), addr, portal_dir, &[]).await?;
    let (idle_rss, _) = server.memory()?;
    let mut figures = vec![Figure::new(
        "memory: idle RSS (API server, seeded, before load)",
        idle_rss,
        "MB",
    )];

    let f = Arc::new(Requests::new(addr, &fixture));
    let endpoints = [
        Endpoint {
            name: "link info",
            max_time: LIGHT,
            max_requests: 20_000,
        },
        Endpoint {
            name: "passcode verify",
            max_time: LIGHT,
            max_requests: 20_000,
        },
        Endpoint {
            name: "message view (10 KB)",
            max_time: LIGHT,
            max_requests: 20_000,
        },
        Endpoint {
            name: "attachment download (10 MB)",
            max_time: Duration::from_millis(1500),
            max_requests: 150,
        },
        Endpoint {
            name: "Sent list page (50)",
            max_time: LIGHT,
            max_requests: 20_000,
        },
    ];
    // Warm the server (connections, caches, the allocator) before measuring.
    http::load(
        addr,
        16,
        2_000,
        Duration::from_millis(500),
        f.make(MESSAGE_VIEW, 0),
    )
    .await?;

    let mut passcodes_used = 0u64;
    let endpoints = if load { &endpoints[..] } else { &[] };
    // SEALMAIL_BENCH_ENDPOINTS=2 (say) measures only the message view: for profiling.
    let only: Option<Vec<usize>> = std::env::var("SEALMAIL_BENCH_ENDPOINTS")
        .ok()
        .map(|v| v.split(',').filter_map(|n| n.trim().parse().ok()).collect());
    for (which, endpoint) in endpoints.iter().enumerate() {
        if only.as_ref().is_some_and(|o| !o.contains(&which)) {
            continue;
        }
        for clients in LEVELS {
            let (mut runs, mut references) = (Vec::new(), Vec::new());
            for _ in 0..REPEATS {
                // The reference run just before, so both see the same machine.
                references.push(reference(&[addr], clients).await?);
                let mut max_requests = endpoint.max_requests;
                if which == PASSCODE_VERIFY {
                    let left = fixture.passcodes.len() as u64 - passcodes_used;
                    max_requests = max_requests
                        .min(left / (REPEATS * LEVELS.len()) as u64 + 1)
                        .min(left);
                }
                let run = http::load(
                    addr,
                    clients,
                    max_requests,
                    endpoint.max_time,
                    f.make(which, passcodes_used),
                )
                .await?;
                if which == PASSCODE_VERIFY {
                    passcodes_used += run.requests + run.errors;
                }
                if run.errors > 0 {
                    eprintln!(
                        "warning: {} @{clients}: {} errors (first: {})",
                        endpoint.name,
                        run.errors,
                        run.first_error.as_deref().unwrap_or("?")
                    );
                }
                runs.push(run);
            }
            figures.extend(load_figures(
                "api",
                endpoint.name,
                clients,
                &runs,
                &references,
                Goals::sqlite(endpoint.name, clients),
            ));
        }
    }
    let (_, peak) = server.memory()?;
    figures.push(Figure::new(
        "memory: peak RSS during the API load",
        peak,
        "MB",
    ));
    Ok(Outcome {
        figures,
        server,
        fixture,
        data_dir,
    })
}

/// The same server's minimal endpoint, the health route: what its HTTP stack,
/// routing and middleware cost with no work behind them; req/s (over all
/// of `addrs`, replicas of one server, as the load is).
async fn reference(addrs: &[SocketAddr], clients: usize) -> Result<f64, String> {
    let addr = addrs[0];
    let make: MakeRequest = Arc::new(move |_| get(addr, routes::HEALTH, &[]));
    let run = http::load_spread(addrs, clients, 100_000, REFERENCE_TIME, make).await?;
    if run.errors > 0 {
        return Err(format!(
            "health @{clients}: {} errors (first: {})",
            run.errors,
            run.first_error.as_deref().unwrap_or("?")
        ));
    }
    Ok(run.per_second())
}

/// The goals of an endpoint's figures at one level.
#[derive(Clone, Copy)]
struct Goals {
    throughput: Goal,
    p99: Goal,
    ratio: Goal,
}

impl Goals {
    const NONE: Goals = Goals {
        throughput: Goal::None,
        p99: Goal::None,
        ratio: Goal::None,
    };

    /// On SQLite, goals on throughput are ratios (issue 21: a busy machine
    /// moved the message view between 1,804 and 4,111 req/s in two runs of
    /// one commit); the absolute figures stay for reading. At 16 clients:
    /// the message view at least half the health route's throughput, a
    /// passcode verify (two writes: the passcode used with its session and
    /// the open in one transaction, and the audit row) at least 0.4 of it;
    /// both within 10 ms at p99.
    fn sqlite(name: &str, clients: usize) -> Goals {
        let ratio = match name {
            _ if clients != 16 => return Goals::NONE,
            n if n.starts_with("message view") => Goal::AtLeast(0.5),
            n if n.starts_with("passcode verify") => Goal::AtLeast(0.4),
            _ => return Goals::NONE,
        };
        Goals {
            throughput: Goal::None,
            p99: Goal::AtMost(10.0),
            ratio,
        }
    }
}

/// An endpoint's figures at one level, named `<prefix>: <name> @<clients>: …`:
/// throughput, p50, p99, beside the health route's throughput measured run
/// by run with it and the ratio of the two.
fn load_figures(
    prefix: &str,
    name: &str,
    clients: usize,
    runs: &[LoadRun],
    references: &[f64],
    goals: Goals,
) -> Vec<Figure> {
    let rps: Vec<f64> = runs.iter().map(LoadRun::per_second).collect();
    let p50: Vec<f64> = runs.iter().map(|r| r.p50_ms).collect();
    let p99: Vec<f64> = runs.iter().map(|r| r.p99_ms).collect();
    let detail = json!({
        "requests": runs.iter().map(|r| r.requests).collect::<Vec<_>>(),
        "errors": runs.iter().map(|r| r.errors).collect::<Vec<_>>(),
        "seconds": runs.iter().map(|r| r.seconds).collect::<Vec<_>>(),
        "bytes": runs.iter().map(|r| r.bytes).collect::<Vec<_>>(),
    });
    let named = |what: &str| format!("{prefix}: {name} @{clients}: {what}");
    let mut throughput = Figure::median_of(named("throughput"), &rps, "req/s")
        .goal(goals.throughput)
        .detail(detail);
    if name.starts_with("attachment") {
        let mbs: Vec<f64> = runs
            .iter()
            .map(|r| r.bytes as f64 / 1e6 / r.seconds)
            .collect();
        throughput = throughput.detail(json!({ "MB_per_s": median(&mbs) }));
    }
    vec![
        throughput,
        Figure::median_of(named("p50"), &p50, "ms"),
        Figure::median_of(named("p99"), &p99, "ms").goal(goals.p99),
        Figure::median_of(
            named("health route beside it (reference)"),
            references,
            "req/s",
        ),
        Figure::ratio_of(named("throughput ÷ health route"), &rps, references).goal(goals.ratio),
    ]
}

/// The requests of each endpoint, built from the seeded data.
struct Requests {
    addr: SocketAddr,
    tokens: Vec<String>,
    passcodes: Vec<(String, String)>,
    viewers: Vec<(String, String)>,
    attachment_id: String,
    sender_cookie: String,
}

impl Requests {
    fn new(addr: SocketAddr, f: &ApiFixture) -> Requests {
        Requests {
            addr,
            tokens: f.tokens.clone(),
            passcodes: f.passcodes.clone(),
            viewers: f.viewers.clone(),
            attachment_id: f.attachment_id.clone(),
            sender_cookie: f.sender_cookie.clone(),
        }
    }

    /// Endpoint `which` (in `run`'s order); passcodes start at `offset`.
    fn make(self: &Arc<Self>, which: usize, offset: u64) -> MakeRequest {
        let r = self.clone();
        Arc::new(move |i| {
            let addr = r.addr;
            match which {
                0 => get(
                    addr,
                    &routes::link(&r.tokens[i as usize % r.tokens.len()]),
                    &[],
                ),
                1 => {
                    let (token, code) =
                        &r.passcodes[((offset + i) as usize).min(r.passcodes.len() - 1)];
                    let body = serde_json::to_vec(&PasscodeSubmit {
                        passcode: code.clone(),
                    })
                    .expect("serialisable");
                    http::request(
                        "POST",
                        addr,
                        &routes::link_session(token),
                        &[
                            (CSRF_HEADER, CSRF_VALUE),
                            ("content-type", "application/json"),
                        ],
                        full(body),
                    )
                }
                2 => {
                    let (token, cookie) = &r.viewers[i as usize % r.viewers.len()];
                    get(addr, &routes::link_message(token), &[("cookie", cookie)])
                }
                3 => {
                    let (token, cookie) = &r.viewers[i as usize % r.viewers.len()];
                    get(
                        addr,
                        &routes::link_attachment(token, &r.attachment_id),
                        &[("cookie", cookie)],
                    )
                }
                _ => get(addr, routes::SENT, &[("cookie", &r.sender_cookie)]),
            }
        })
    }
}
