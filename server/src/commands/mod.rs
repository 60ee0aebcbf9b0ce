//! The `sealmail` commands. Each works on the data dir directly, whether or
//! not a server runs on it (SQLite in WAL mode, with a busy timeout).

mod audit;
mod bounce;
mod dkim;
mod migrate;
mod outbox;
mod resend;
mod revoke;
mod rule;
mod send;
mod serve;
mod status;
mod token;
mod user;

use crate::config::{Cli, Command, DkimCommand, UserCommand};
use crate::error::Result;
use crate::state::AppState;

/// Runs the command the command line asks for.
pub async fn run(cli: Cli) -> Result<()> {
    let config = cli.config;
    match cli.command {
        Command::Serve => serve::run(&config).await,
        Command::Outbox(args) => outbox::run(&config, &args),
        Command::Dkim(DkimCommand::Generate(args)) => dkim::generate(&config, &args),

        command => {
            let state = AppState::open_with_configured_mailer(&config).await?;
            let result = match command {
                Command::User(UserCommand::Add(args)) => user::add(&state, &args).await,
                Command::User(UserCommand::AppPassword(args)) => {
                    user::app_password(&state, &args).await
                }
                Command::Send(args) => send::run(&state, &args).await,
                Command::Status(args) => status::run(&state, &args).await,
                Command::Revoke(args) => revoke::run(&state, &args).await,
                Command::Resend(args) => resend::run(&state, &args).await,
                Command::Audit(args) => audit::run(&state, &args).await,
                Command::Bounce(args) => bounce::run(&state, &args).await,
                Command::Rule(command) => rule::run(&state, command).await,
                Command::Token(command) => token::run(&state, command).await,
                Command::MigrateStorage(args) => migrate::run(&state, &config, &args).await,
                Command::Serve | Command::Outbox(_) | Command::Dkim(_) => {
                    unreachable!("handled above")
                }
            };
            state.db.close().await;
            result
        }
    }
}
