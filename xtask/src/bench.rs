//! `cargo xtask bench`: Sealmail's figures beside their goals, in one table.
//!
//! Builds the portal, the server and the benchmarks in release mode, measures
//! the portal's gzip size here (see `size.rs`), then runs `sealmail-bench`
//! (the `bench/` crate), which prints the table and writes it as JSON to
//! `target/bench/bench.json`. Scratch data dirs go under `target/bench/scratch/`
//! and are removed afterwards.
//!
//! The PostgreSQL rows (issue 19) run on a throwaway cluster started here,
//! as for the tests (`postgres.rs`: this crate installs Debian's package and
//! owns the cluster's life), and passed to the bench as `--postgres-url`; the
//! bench makes a database of its own in it for each phase. The s3 rows (1 GiB
//! up and down through S3) start an S3 server of their own, the s3s-serve
//! the setup builds, passed as `--s3-server`.

use std::process::Command;

use crate::postgres::Cluster;
use crate::run::build_portal;
use crate::shell::{self, Result, heading, target_dir};
use crate::size;
use crate::tools::{Needs, Tools, apt_install, python_packages, tools_dir};

/// The peer the benchmarks put beside Sealmail (issue 21): SnapPass under
/// gunicorn, from PyPI, pinned with everything it imports and installed with
/// `--no-deps`. In `.tools/peer-python`, apart from the tests' packages: its
/// cryptography needs cffi 2, the tests' PyNaCl is pinned with cffi 1.17.
const PEER_PYTHON_PACKAGES: [&str; 13] = [
    "snappass==1.6.2",
    "gunicorn==27.0.1",
    "Flask==3.1.3",
    "Werkzeug==3.1.9",
    "Jinja2==3.1.6",
    "itsdangerous==2.2.0",
    "MarkupSafe==3.0.4",
    "click==8.5.1",
    "blinker==1.9.0",
    "redis==8.1.0",
    "cryptography==50.0.2",
    "cffi==2.1.1",
    "pycparser==3.12",
];
/// Debian's Redis, which SnapPass stores its secrets in.
const REDIS_SERVER: &str = "/usr/bin/redis-server";

pub fn bench(args: &[String]) -> Result {
    if let Some(arg) = args.first() {
        return Err(format!(
            "`cargo xtask bench` takes no arguments (got `{arg}`)"
        ));
    }
    let tools = Tools::setup(Needs::Everything)?;
    // The reference for the crypto figures: `openssl speed` on this machine.
    if shell::output(Command::new("openssl").arg("version")).is_none() {
        apt_install(&["openssl"])?;
    }
    // The peer, for the benchmarks only (never for `cargo xtask test`).
    if std::path::Path::new(REDIS_SERVER).exists() {
        println!("ok  redis-server");
    } else {
        apt_install(&["redis-server"])?;
    }
    let peer_python = tools_dir().join("peer-python");
    python_packages(&peer_python, &PEER_PYTHON_PACKAGES)?;
    build_portal(&tools)?;
    let portal = size::measure()?;
    heading("Building the server and the benchmarks (release)");
    shell::run(tools.cargo().args([
        "build",
        "--release",
        "-p",
        "sealmail",
        "-p",
        "sealmail-bench",
    ]))?;

    let release = target_dir().join("release");
    let bench_dir = shell::root().join("target/bench");
    let scratch = bench_dir.join("scratch");
    std::fs::create_dir_all(&scratch)
        .map_err(|e| format!("cannot create {}: {e}", scratch.display()))?;
    // Not tuned for tests: fsync and synchronous commits on, as a server
    // would run, so the figures include the flushes a commit waits for.
    heading("Starting PostgreSQL (Debian's package, loopback only, fsync on)");
    let cluster = Cluster::start("bench", false)?;
    heading("Running the benchmarks (about 11 minutes, with the 3-minute soak)");
    let outcome = shell::run(
        tools
            .command(release.join("sealmail-bench"))
            .arg("--sealmail")
            .arg(release.join("sealmail"))
            .arg("--portal-dir")
            .arg(shell::root().join("dist"))
            .args(["--portal-gzip-bytes", &portal.first_load_gzip.to_string()])
            // The bench table shows each figure beside its goal (100 KB).
            .args(["--portal-budget-bytes", &size::GOAL_BYTES.to_string()])
            .arg("--peer-python")
            .arg(&peer_python)
            .arg("--out")
            .arg(bench_dir.join("bench.json"))
            .args(["--postgres-url", &cluster.url()])
            // The s3 rows' store (installed by the setup above).
            .arg("--s3-server")
            .arg(Tools::s3_server()?)
            .env("SEALMAIL_BENCH_SCRATCH", &scratch),
    );
    // A benchmark that failed half-way may leave a gigabyte behind.
    let _ = std::fs::remove_dir_all(&scratch);
    drop(cluster);
    outcome
}
