//! `cargo xtask …`: the README's two commands and their helpers.
//!
//! Every command first installs what is missing (idempotently, at pinned
//! versions, see `tools.rs`), so a fresh machine with only Rust can run them.

mod bench;
mod deny;
mod fuzz;
mod postgres;
mod real_server;
mod run;
mod s3;
mod shell;
mod size;
mod soak;
mod test;
mod tools;

use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  run     set up what is missing, build the portal and the server, create demo
          data on first run, and start Sealmail on http://127.0.0.1:8080
          [--scale] on PostgreSQL and an S3 store (a new local cluster and
          s3s-serve bucket), with a second replica on http://127.0.0.1:8081
  test    set up what is missing, then run every check: format, clippy (host and
          wasm), host tests, the server's tests again on PostgreSQL and an S3
          store (s3s-fs), the
          dependency audit, a short fuzz, browser tests in headless Chromium,
          end to end, a 30 s soak
  test-postgres
          only the server's tests on PostgreSQL and S3 (a throwaway cluster
          of Debian's package and an s3s-fs, started and stopped here)
  size    build the release portal and print the gzip size of each file it loads
  bench   build in release mode and measure: crypto against openssl, the API
          under load, memory, 1 GiB through S3, a million messages, a 3-minute
          soak, the portal's size and time to interactive; prints one table,
          writes target/bench/bench.json
  fuzz    [--secs N] [--dev] run each fuzz target (fuzz/, cargo-fuzz on nightly)
          for N seconds (default 120); without nightly, the same properties
          with proptest on stable
  setup   only install what is missing (the wasm target, trunk, wasm-bindgen,
          wasm-opt, Chromium and chromedriver, Python's dkimpy, s3s-serve)
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("run") => run::run(&args[1..]),
        Some("test") => test::test(&args[1..]),
        Some("test-postgres") => test::server_tests_on_postgres(),
        Some("size") => size::size(),
        Some("bench") => bench::bench(&args[1..]),
        Some("fuzz") => fuzz::fuzz(&args[1..]),
        Some("setup") => tools::Tools::setup(tools::Needs::Everything).map(|_| ()),
        Some("help" | "-h" | "--help") | None => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Some(other) => Err(format!("unknown command `{other}`\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("\nxtask: {message}");
            ExitCode::FAILURE
        }
    }
}
