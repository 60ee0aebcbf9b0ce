//! The `sealmail` command: parses the command line and runs it.

use clap::Parser as _;
use sealmail::config::{Cli, Command};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    // The server logs what it does; the other commands only warnings, so their
    // output stays what they print.
    let default = if matches!(cli.command, Command::Serve) {
        "info"
    } else {
        "warn"
    };
    let filter = cli.config.log.clone().unwrap_or_else(|| default.to_owned());
    sealmail::logging::init(
        cli.config.log_format,
        tracing_subscriber::EnvFilter::try_new(&filter).unwrap_or_else(|_| default.into()),
    );
    match sealmail::commands::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
