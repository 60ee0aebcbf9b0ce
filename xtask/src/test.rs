//! `cargo xtask test`: every check CI runs, each step's own output shown.

use std::process::Command;
use std::time::Instant;

use crate::shell::{self, Result, heading};
use crate::tools::{Needs, Tools};

const WASM: &str = "wasm32-unknown-unknown";

/// Runs every step, even after one fails (so one run shows every problem), then
/// prints a summary and fails if any step failed.
pub fn test(args: &[String]) -> Result {
    if let Some(arg) = args.first() {
        return Err(format!(
            "`cargo xtask test` takes no arguments (got `{arg}`)"
        ));
    }
    let started = Instant::now();
    let tools = Tools::setup(Needs::Everything)?;

    let clippy_wasm = [
        "clippy",
        "-p",
        "sealmail-portal",
        "--target",
        WASM,
        "--all-targets",
    ];
    let mut browser_tests = tools.cargo();
    browser_tests
        .args(["test", "-p", "sealmail-portal", "--target", WASM])
        .env("CHROMEDRIVER", tools.chromedriver());
    let steps: Vec<(&str, Command)> = vec![
        (
            "format",
            with_args(tools.cargo(), &["fmt", "--all", "--check"]),
        ),
        (
            "clippy (host: api, server, xtask)",
            with_args(
                tools.cargo(),
                &["clippy", "--all-targets", "--", "-D", "warnings"],
            ),
        ),
        (
            "clippy (portal, wasm32)",
            with_args(
                with_args(tools.cargo(), &clippy_wasm),
                &["--", "-D", "warnings"],
            ),
        ),
        // The workspace's default members: api, server, xtask.
        ("host tests", with_args(tools.cargo(), &["test"])),
        ("browser tests (portal in headless Chromium)", browser_tests),
    ];

    let mut results = Vec::new();
    for (name, mut command) in steps {
        heading(name);
        let step_started = Instant::now();
        let outcome = shell::run(&mut command);
        if let Err(e) = &outcome {
            eprintln!("FAILED: {e}");
        }
        results.push((name, outcome.is_ok(), step_started.elapsed().as_secs()));
    }

    heading("Summary");
    for (name, ok, secs) in &results {
        println!("{:<8} {name} ({secs} s)", if *ok { "ok" } else { "FAILED" });
    }
    let failed = results.iter().filter(|(_, ok, _)| !ok).count();
    println!("total {} s", started.elapsed().as_secs());
    if failed == 0 {
        println!("all {} steps passed", results.len());
        Ok(())
    } else {
        Err(format!("{failed} of {} steps failed", results.len()))
    }
}

fn with_args(mut command: Command, args: &[&str]) -> Command {
    command.args(args);
    command
}
