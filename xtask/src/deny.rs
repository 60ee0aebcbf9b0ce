//! The dependency audit: cargo-deny's licence, ban and source checks
//! against `deny.toml`, offline.

use crate::shell::{self, Result};

/// Built and checked on rustc 1.95 (about 3 minutes to install on 2 cores).
const CARGO_DENY_VERSION: &str = "0.20.2";

/// Installs cargo-deny at its pinned version if it is missing.
pub fn install() -> Result {
    let want = format!("cargo-deny {CARGO_DENY_VERSION}");
    if shell::output(shell::cargo().args(["deny", "--version"])).is_some_and(|v| v.trim() == want) {
        println!("ok  {want}");
        return Ok(());
    }
    println!("installing {want} (about 3 minutes the first time)");
    shell::run(shell::cargo().args([
        "install",
        "--locked",
        "cargo-deny",
        "--version",
        CARGO_DENY_VERSION,
    ]))
}

/// `cargo deny check licenses bans sources` over the whole workspace.
pub fn check() -> Result {
    install()?;
    println!(
        "note: advisories are NOT checked here: cargo-deny fetches the RustSec advisory \
         database from GitHub, which this machine cannot reach. Run \
         `cargo deny check advisories` where it can."
    );
    // cargo-deny reads the metadata of every platform's dependencies
    // (windows-sys and the like), which a build on this machine never
    // downloads: fetch them first, or a fresh machine fails offline.
    shell::run(shell::cargo().arg("fetch"))?;
    shell::run(shell::cargo().args([
        "deny",
        "--offline",
        "--workspace",
        "check",
        "licenses",
        "bans",
        "sources",
    ]))
}
