//! `sealmail-bench`: Sealmail's figures, each beside its goal. Run by
//! `cargo xtask bench`, which builds everything in release mode and passes
//! the portal's gzip size in; see `xtask/src/bench.rs`.
//!
//! Figures, not timed tests: the machine is shared, so each is a median over
//! repeated runs (with min and max) or a ratio to a reference measured in the
//! same run. All traffic goes to loopback, bounded in count and time.

mod api;
mod crypto;
mod http;
mod ingest;
mod mail;
mod memory;
mod peer;
mod pg;
mod portal;
mod report;
mod s3;
mod scale;
mod seed;
mod server;
mod soak;

use std::path::PathBuf;
use std::time::Instant;

use report::{Figure, Goal};
use serde_json::json;

const USAGE: &str = "\
usage: sealmail-bench --sealmail PATH [--portal-dir DIR] [--portal-gzip-bytes N --portal-budget-bytes N]
                      [--out FILE] [--only crypto,api,portal,memory,s3,scale,mail,ingest,soak,peer,api-pg,scale-pg]
                      [--postgres-url URL]   (a PostgreSQL the pg phases may create databases in;
                                              with it, api-pg and scale-pg run too; `--only pg`: both)
                      [--peer-python DIR]   (SnapPass and gunicorn; default .tools/peer-python)
                      [--s3-server PATH]   (the s3 phase's S3 server, tools/s3s-serve; default:
                                            TARGET/s3s-serve/release/s3s-serve, where xtask builds it)
                      [--soak SECS]   (alone: only the soak, SECS long; default 180)";

struct Options {
    sealmail: PathBuf,
    portal_dir: PathBuf,
    portal_gzip: Option<(u64, u64)>,
    out: Option<PathBuf>,
    only: Vec<String>,
    soak_secs: u64,
    peer_python: PathBuf,
    postgres_url: Option<String>,
    s3_server: PathBuf,
}

/// The phases on PostgreSQL (`--only pg` names them both).
const PG_PHASES: [&str; 2] = ["api-pg", "scale-pg"];

fn options() -> Result<Options, String> {
    let mut args = std::env::args().skip(1);
    let (mut sealmail, mut portal_dir, mut out) = (None, PathBuf::from("dist"), None);
    let (mut gzip, mut budget) = (None, None);
    let mut only: Vec<String> = [
        "crypto", "api", "portal", "memory", "s3", "scale", "mail", "ingest", "soak", "peer",
    ]
    .map(String::from)
    .to_vec();
    let mut peer_python = PathBuf::from(".tools/peer-python");
    let mut s3_server = s3::default_program();
    let (mut soak, mut only_given, mut postgres_url) = (None, false, None);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value\n{USAGE}"));
        match arg.as_str() {
            "--sealmail" => sealmail = Some(PathBuf::from(value()?)),
            "--portal-dir" => portal_dir = PathBuf::from(value()?),
            "--portal-gzip-bytes" => gzip = Some(value()?.parse().map_err(|_| "not a number")?),
            "--portal-budget-bytes" => budget = Some(value()?.parse().map_err(|_| "not a number")?),
            "--out" => out = Some(PathBuf::from(value()?)),
            "--only" => {
                only = value()?
                    .split(',')
                    .flat_map(|p| match p {
                        "pg" => PG_PHASES.to_vec(),
                        p => vec![p],
                    })
                    .map(String::from)
                    .collect();
                only_given = true;
            }
            "--postgres-url" => postgres_url = Some(value()?),
            "--peer-python" => peer_python = PathBuf::from(value()?),
            "--s3-server" => s3_server = PathBuf::from(value()?),
            "--soak" => soak = Some(value()?.parse().map_err(|_| "--soak takes seconds")?),
            _ => return Err(USAGE.to_owned()),
        }
    }
    if soak.is_some() && !only_given {
        only = vec!["soak".to_owned()];
    }
    if !only_given && postgres_url.is_some() {
        only.extend(PG_PHASES.map(String::from));
    }
    if postgres_url.is_none() && only.iter().any(|p| PG_PHASES.contains(&p.as_str())) {
        return Err(format!(
            "{} need --postgres-url (`cargo xtask bench` starts a cluster and passes it)\n{USAGE}",
            PG_PHASES.join(" and ")
        ));
    }
    Ok(Options {
        soak_secs: soak.unwrap_or(180),
        sealmail: sealmail.ok_or(USAGE)?,
        portal_dir,
        portal_gzip: gzip.zip(budget),
        out,
        only,
        peer_python,
        postgres_url,
        s3_server,
    })
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let options = match options() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let started = Instant::now();
    let mut figures: Vec<Figure> = Vec::new();
    let mut failures: Vec<String> = Vec::new();
    let wants = |phase: &str| options.only.iter().any(|p| p == phase);
    let mut record = |phase: &str,
                      result: Result<Vec<Figure>, String>,
                      figures: &mut Vec<Figure>| {
        match result {
            Ok(more) => figures.extend(more),
            Err(e) => {
                eprintln!("bench: {phase} failed: {e}");
                failures.push(format!("{phase}: {e}"));
            }
        }
    };

    if wants("crypto") {
        println!("\n==> crypto: our attachment path against openssl speed");
        record("crypto", crypto::run().await, &mut figures);
    }
    if wants("api") || wants("portal") {
        println!("\n==> API under load (release server, loopback)");
        match api::run(&options.sealmail, &options.portal_dir, wants("api")).await {
            Ok(outcome) => {
                if wants("api") {
                    figures.extend(outcome.figures);
                }
                if let Some((bytes, budget)) = options.portal_gzip {
                    figures.push(
                        Figure::new(
                            "portal: first load gzip, recipient bundle (what dist/index.html loads: wasm + JS + CSS)",
                            bytes as f64 / 1024.0,
                            "KB",
                        )
                        .goal(Goal::AtMost(budget as f64 / 1024.0)),
                    );
                }
                if wants("portal") {
                    println!("\n==> portal: time to interactive in headless Chromium");
                    let token = outcome.fixture.tokens.last().cloned().unwrap_or_default();
                    let link = format!(
                        "{}{}",
                        server::url(outcome.server.addr),
                        sealmail_api::routes::portal_link_page(&token)
                    );
                    let result = if options.portal_dir.join("index.html").exists() {
                        portal::time_to_interactive(&link).await
                    } else {
                        Err(format!(
                            "no built portal in {}",
                            options.portal_dir.display()
                        ))
                    };
                    record("portal", result, &mut figures);
                }
                drop(outcome.server);
                drop(outcome.data_dir);
            }
            Err(e) => record("api", Err(e), &mut figures),
        }
    }
    if let (true, Some(url)) = (wants("api-pg"), &options.postgres_url) {
        println!("\n==> API on PostgreSQL: two replicas on one database, 16 clients");
        record(
            "api-pg",
            api::postgres::run(&options.sealmail, &options.portal_dir, url).await,
            &mut figures,
        );
    }
    if wants("memory") {
        println!("\n==> memory: 1 GB up and 1 GB down at once");
        record(
            "memory",
            memory::run(&options.sealmail, &options.portal_dir).await,
            &mut figures,
        );
    }
    if wants("s3") {
        println!("\n==> s3: 1 GiB up and down through S3 (s3s-serve), and on the local disk");
        record(
            "s3",
            s3::run(&options.sealmail, &options.portal_dir, &options.s3_server).await,
            &mut figures,
        );
    }
    if wants("mail") {
        println!("\n==> mail: the queue (accept, drain to a loopback SMTP server, idle CPU)");
        record(
            "mail",
            mail::run(&options.sealmail, &options.portal_dir).await,
            &mut figures,
        );
    }
    if wants("ingest") {
        println!(
            "\n==> ingest: SMTP in (50 KB messages from 8 clients; one large message's memory)"
        );
        record(
            "ingest",
            ingest::run(&options.sealmail, &options.portal_dir).await,
            &mut figures,
        );
    }
    if wants("peer") {
        println!("\n==> peer: SnapPass (gunicorn, redis) beside Sealmail, under the same load");
        record(
            "peer",
            peer::run(&options.sealmail, &options.portal_dir, &options.peer_python).await,
            &mut figures,
        );
    }
    if wants("soak") {
        println!("\n==> soak: {} s at the target rate", options.soak_secs);
        record(
            "soak",
            soak::run(&options.sealmail, &options.portal_dir, options.soak_secs).await,
            &mut figures,
        );
    }
    if wants("scale") {
        println!("\n==> scale: {} messages", scale::MESSAGES);
        record("scale", scale::run(&options.sealmail).await, &mut figures);
    }
    if let (true, Some(url)) = (wants("scale-pg"), &options.postgres_url) {
        println!("\n==> scale on PostgreSQL: {} messages", scale::MESSAGES);
        record(
            "scale-pg",
            scale::postgres::run(&options.sealmail, url).await,
            &mut figures,
        );
    }

    let table = report::table(&figures);
    println!(
        "\n==> Sealmail benchmarks ({} s)\n\n{table}",
        started.elapsed().as_secs()
    );
    let missed = figures
        .iter()
        .filter(|f| f.goal.met(f.value) == Some(false))
        .count();
    println!(
        "{missed} figure(s) missed their goal; {} phase(s) failed",
        failures.len()
    );
    for f in &failures {
        println!("FAILED: {f}");
    }
    if let Some(out) = &options.out {
        let document = json!({
            "seconds": started.elapsed().as_secs_f64(),
            "machine": { "cores": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0) },
            "figures": figures.iter().map(Figure::to_json).collect::<Vec<_>>(),
            "failed_phases": failures,
            "table": table,
        });
        if let Some(dir) = out.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let text = serde_json::to_string_pretty(&document).expect("json");
        if let Err(e) = std::fs::write(out, text) {
            eprintln!("cannot write {}: {e}", out.display());
            return std::process::ExitCode::FAILURE;
        }
        println!("written to {}", out.display());
    }
    if failures.is_empty() {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::FAILURE
    }
}
