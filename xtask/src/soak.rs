//! The soak of `cargo xtask test`: the release server for 30 s at the
//! bench's target rate (`sealmail-bench --soak 30`, see bench/src/soak.rs):
//! no error, flat memory, every message sent during it readable afterwards.
//! `cargo xtask bench` runs it for 3 minutes among its other figures.

use crate::shell::{self, Result, heading, target_dir};

/// Seconds of load after the warm-up.
const SECS: &str = "30";

pub fn check() -> Result {
    shell::run(shell::cargo().args([
        "build",
        "--release",
        "-p",
        "sealmail",
        "-p",
        "sealmail-bench",
    ]))?;
    heading(&format!("soak: {SECS} s"));
    let release = target_dir().join("release");
    let scratch = shell::root().join("target/bench/soak-scratch");
    std::fs::create_dir_all(&scratch)
        .map_err(|e| format!("cannot create {}: {e}", scratch.display()))?;
    let outcome = shell::run(
        std::process::Command::new(release.join("sealmail-bench"))
            .arg("--sealmail")
            .arg(release.join("sealmail"))
            .args(["--soak", SECS])
            .env("SEALMAIL_BENCH_SCRATCH", &scratch),
    );
    let _ = std::fs::remove_dir_all(&scratch);
    outcome
}
