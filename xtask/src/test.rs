//! `cargo xtask test`: every check CI runs, each step's own output shown.

use std::process::Command;
use std::time::Instant;

use crate::real_server;
use crate::run::portal_builds;
use crate::shell::{self, Result, heading};
use crate::size;
use crate::tools::{Needs, Tools};
use crate::{deny, fuzz, postgres, s3, soak};

const WASM: &str = "wasm32-unknown-unknown";
const BROWSER_TESTS: &str =
    "browser tests (portal in headless Chromium, one file against the real server)";
/// Every crate but the portal, which is a wasm crate tested in Chromium.
const HOST: [&str; 3] = ["--workspace", "--exclude", "sealmail-portal"];
/// The host crates whose tests run on their own (the end-to-end suite needs
/// the release portal built first).
// `--no-fail-fast` everywhere: a failing test binary must not hide the
// results of the ones after it.
const HOST_TESTS: [&str; 6] = [
    "--no-fail-fast",
    "--workspace",
    "--exclude",
    "sealmail-portal",
    "--exclude",
    "sealmail-e2e",
];

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

    let host_clippy = [&HOST[..], &["--all-targets", "--", "-D", "warnings"]].concat();
    let wasm_clippy = [
        "-p",
        "sealmail-portal",
        "--target",
        WASM,
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ];
    let mut browser_tests = tools.cargo();
    browser_tests
        .args([
            "test",
            "--no-fail-fast",
            "-p",
            "sealmail-portal",
            "--target",
            WASM,
        ])
        .env("CHROMEDRIVER", tools.chromedriver());
    // The debug server binary (built for the host tests) serves the release portal;
    // one test at a time, as each starts its own server and browsers.
    let mut end_to_end = tools.cargo();
    end_to_end
        .args([
            "test",
            "--no-fail-fast",
            "-p",
            "sealmail-e2e",
            "--",
            "--test-threads=1",
        ])
        .env("CHROMEDRIVER", tools.chromedriver())
        .env("SEALMAIL_BIN", shell::target_dir().join("debug/sealmail"))
        .env("SEALMAIL_PORTAL_DIR", shell::root().join("dist"));
    let [recipient_bundle, staff_bundle, reader_bundle] = portal_builds(&tools);
    let steps: Vec<(&str, Step)> = vec![
        (
            "format",
            Step::Run(cargo(&tools, "fmt", &["--all", "--check"])),
        ),
        (
            "clippy (host: api, server, xtask)",
            Step::Run(cargo(&tools, "clippy", &host_clippy)),
        ),
        (
            "clippy (portal, wasm32)",
            Step::Run(cargo(&tools, "clippy", &wasm_clippy)),
        ),
        ("host tests", Step::Run(cargo(&tools, "test", &HOST_TESTS))),
        (
            "server tests again on PostgreSQL and S3 (a cluster of Debian's package and s3s-fs's file system, started here on loopback)",
            Step::Check(server_tests_on_postgres),
        ),
        (
            "dependency audit (cargo-deny: licences, bans, sources; offline, so no advisories)",
            Step::Check(deny::check),
        ),
        (
            "fuzz, briefly (each target 7 s, unoptimised build; proptest on stable if nightly is missing)",
            Step::Check(fuzz::short_run),
        ),
        (
            "soak (release server, 30 s at the bench's target rate)",
            Step::Check(soak::check),
        ),
        (BROWSER_TESTS, Step::Run(browser_tests)),
        (
            "release portal build: recipient bundle (Trunk)",
            Step::Run(recipient_bundle),
        ),
        (
            "recipient first load within budget (gzip, 120 KB; goal 100 KB)",
            Step::Check(size::check_budget),
        ),
        (
            "release portal build: staff bundle (Trunk)",
            Step::Run(staff_bundle),
        ),
        (
            "release portal build: reader bundle (Trunk)",
            Step::Run(reader_bundle),
        ),
        (
            "end to end (server + portal in Chromium, WebDriver)",
            Step::Run(end_to_end),
        ),
    ];

    let mut results = Vec::new();
    for (name, step) in steps {
        heading(name);
        let step_started = Instant::now();
        let outcome = match step {
            Step::Run(mut command) => {
                // tests/real_server.rs drives the portal against a real server, for this step only.
                let _server = (name == BROWSER_TESTS).then(|| real_server::start_for(&mut command));
                shell::run(&mut command)
            }
            Step::Check(check) => check(),
        };
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

/// Tests that look into SQLite's own file (what a revoke leaves in it, how a
/// secret is stored in it): they have no PostgreSQL run. What they check of
/// the rows runs on both (`crypto.rs` counts the rows a revoke leaves).
const SQLITE_FILE_TESTS: [&str; 3] = [
    "after_revoke_the_ciphertext_and_wrapped_key_are_gone_from_the_database_file",
    "a_token_is_stored_only_as_its_hash",
    "the_password_is_stored_as_argon2id_only",
];

/// Tests of the local attachment folder only, with no run on the S3 store:
/// the orphan sweep's writer locks (in a bucket the sweep goes by the
/// objects' age instead, server/src/messages/orphans.rs), and the SMTP
/// listener's memory bound for a 5 MiB attachment, which is S3's smallest
/// part, held whole before an upload's first part goes (s3_memory.rs
/// measures the bound on S3, with a 48 MiB attachment).
const LOCAL_FOLDER_TESTS: [&str; 2] = [
    "the_sweep_removes_what_a_dead_writer_left_and_spares_a_live_one",
    "a_large_protected_mail_and_its_attachment_are_never_whole_in_memory",
];

/// The server's whole test suite on a fresh PostgreSQL cluster and an S3
/// store (s3s-fs): each test's data dir gets a database of its own
/// (server/tests/common/pg.rs) and a prefix of its own in the bucket
/// (server/tests/common/blobs.rs).
pub fn server_tests_on_postgres() -> Result {
    let cluster = postgres::Cluster::start("tests", true)?;
    let store = s3::Store::start("tests", s3::BUCKET)?;
    println!(
        "PostgreSQL on 127.0.0.1:{}, attachments in s3://{} at {}",
        cluster.port,
        s3::BUCKET,
        store.endpoint()
    );
    println!(
        "not run here, as they read SQLite's file: {}",
        SQLITE_FILE_TESTS.join(", ")
    );
    println!(
        "not run here, as they read the local attachment folder: {}",
        LOCAL_FOLDER_TESTS.join(", ")
    );
    let mut command = shell::cargo();
    command
        .args(["test", "--no-fail-fast", "-p", "sealmail", "--"])
        .env("SEALMAIL_TEST_DATABASE_URL", cluster.url())
        .envs(store.test_env());
    for name in SQLITE_FILE_TESTS.iter().chain(&LOCAL_FOLDER_TESTS) {
        command.args(["--skip", name]);
    }
    shell::run(&mut command)
}

/// A step: a command to run, or a check made here.
enum Step {
    Run(Command),
    Check(fn() -> Result),
}

/// `cargo <subcommand> <args…>` with our tools on its PATH.
fn cargo(tools: &Tools, subcommand: &str, args: &[&str]) -> Command {
    let mut command = tools.cargo();
    command.arg(subcommand).args(args);
    command
}
