//! `cargo xtask fuzz [--secs N]`: the fuzz targets in `fuzz/` (cargo-fuzz,
//! libFuzzer, on the nightly toolchain), each for N seconds. `cargo xtask
//! test` runs each briefly. Without nightly the same properties are searched
//! with proptest on stable (`server/tests/properties.rs`), and the output
//! says so.

use std::process::Command;
use std::time::Instant;

use crate::shell::{self, Result, heading};

/// Built with nightly 2026-05 here (about 3 minutes to install).
const CARGO_FUZZ_VERSION: &str = "0.13.2";
/// The targets, each with its seeds in `fuzz/seeds/TARGET/`.
pub const TARGETS: [&str; 5] = [
    "sanitize",
    "compose",
    "json_bodies",
    "bounce",
    "ingress_mime",
];
/// Seconds per target in `cargo xtask test` (about 30 s in all).
pub const SHORT_SECS: u64 = 7;
const DEFAULT_SECS: u64 = 120;
const USAGE: &str = "usage: cargo xtask fuzz [--secs N] [--dev]  (N seconds per target; \
                     --dev: unoptimised, builds in half the time, runs slower)";

pub fn fuzz(args: &[String]) -> Result {
    let (mut secs, mut dev) = (DEFAULT_SECS, false);
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--dev" => dev = true,
            "--secs" => {
                let n = args.next().ok_or(USAGE)?;
                secs = n
                    .parse()
                    .map_err(|_| format!("--secs takes a number of seconds (got `{n}`)"))?;
            }
            _ => return Err(USAGE.into()),
        }
    }
    run_all(secs, dev)
}

/// The brief run of `cargo xtask test`: unoptimised builds (half the cold
/// build time of optimised ones, which matters more than speed for 7 s).
pub fn short_run() -> Result {
    run_all(SHORT_SECS, true)
}

/// Every target for `secs` seconds each, or the property tests without nightly.
pub fn run_all(secs: u64, dev: bool) -> Result {
    let profile: &[&str] = if dev { &["--dev"] } else { &[] };
    if !has_nightly() {
        println!(
            "nightly is NOT installed (`rustup toolchain list`): cargo-fuzz needs it, so the \
             fuzz targets do not run. Searching the same properties with proptest on stable \
             instead (server/tests/properties.rs)."
        );
        return shell::run(shell::cargo().args(["test", "-p", "sealmail", "--test", "properties"]));
    }
    install()?;
    heading("Building the fuzz targets (nightly, libFuzzer)");
    shell::run(&mut nightly_cargo(&[&["fuzz", "build"], profile].concat()))?;
    let mut failed = Vec::new();
    for target in TARGETS {
        heading(&format!("fuzz: {target} for {secs} s"));
        let started = Instant::now();
        let corpus = format!("fuzz/corpus/{target}");
        std::fs::create_dir_all(shell::root().join(&corpus)).map_err(|e| e.to_string())?;
        let seeds = format!("fuzz/seeds/{target}");
        let time = format!("-max_total_time={secs}");
        let run = [&["fuzz", "run"], profile].concat();
        let outcome = shell::run(&mut nightly_cargo(
            &[
                &run[..],
                &[
                    target,
                    &corpus,
                    &seeds,
                    "--",
                    &time,
                    "-rss_limit_mb=4096",
                    "-print_final_stats=1",
                ],
            ]
            .concat(),
        ));
        println!(
            "fuzz: {target}: {} after {} s",
            if outcome.is_ok() {
                "no crash"
            } else {
                "FAILED"
            },
            started.elapsed().as_secs()
        );
        if outcome.is_err() {
            failed.push(target);
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "fuzz targets failed: {} — the input is in fuzz/artifacts/TARGET/; replay it with \
             `rustup run nightly cargo fuzz run TARGET FILE`, fix, and add it as a case of \
             server/tests/properties.rs",
            failed.join(", ")
        ))
    }
}

/// `SEALMAIL_FUZZ_WITHOUT_NIGHTLY=1` takes the stable path even where nightly
/// is installed (to check that path).
fn has_nightly() -> bool {
    if std::env::var_os("SEALMAIL_FUZZ_WITHOUT_NIGHTLY").is_some() {
        return false;
    }
    shell::output(Command::new("rustup").args(["toolchain", "list"]))
        .is_some_and(|list| list.lines().any(|l| l.starts_with("nightly")))
}

/// Installs cargo-fuzz at its pinned version if it is missing.
fn install() -> Result {
    let want = format!("cargo-fuzz {CARGO_FUZZ_VERSION}");
    if shell::output(nightly_cargo(&["fuzz", "--version"]).env_remove("RUSTFLAGS"))
        .is_some_and(|v| v.trim() == want)
    {
        println!("ok  {want}");
        return Ok(());
    }
    println!("installing {want} (about 3 minutes the first time)");
    shell::run(shell::cargo().args([
        "install",
        "--locked",
        "cargo-fuzz",
        "--version",
        CARGO_FUZZ_VERSION,
    ]))
}

/// `cargo ARGS…` on the nightly toolchain, free of the stable cargo's
/// variables that `cargo xtask` runs under.
fn nightly_cargo(args: &[&str]) -> Command {
    let mut command = Command::new("rustup");
    command
        .args(["run", "nightly", "cargo"])
        .args(args)
        .env_remove("CARGO")
        .env_remove("RUSTC")
        .env_remove("RUSTUP_TOOLCHAIN");
    command
}
