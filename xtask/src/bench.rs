//! `cargo xtask bench`: Sealmail's figures beside their goals, in one table.
//!
//! Builds the portal, the server and the benchmarks in release mode, measures
//! the portal's gzip size here (see `size.rs`), then runs `sealmail-bench`
//! (the `bench/` crate), which prints the table and writes it as JSON to
//! `target/bench/bench.json`. Scratch data dirs go under `target/bench/scratch/`
//! and are removed afterwards.

use std::process::Command;

use crate::run::build_portal;
use crate::shell::{self, Result, heading, target_dir};
use crate::size;
use crate::tools::{Needs, Tools, apt_install};

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
    heading("Running the benchmarks (about 9 minutes, with the 3-minute soak)");
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
            .arg("--out")
            .arg(bench_dir.join("bench.json"))
            .env("SEALMAIL_BENCH_SCRATCH", &scratch),
    );
    // A benchmark that failed half-way may leave a gigabyte behind.
    let _ = std::fs::remove_dir_all(&scratch);
    outcome
}
