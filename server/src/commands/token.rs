//! `sealmail token create|list|revoke`

use sealmail_api::tokens::{ApiToken, TokenState};

use crate::audit::Actor;
use crate::config::{TokenCommand, TokenLifetime};
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store;
use crate::tokens::{self, Wanted};

/// Runs `sealmail token …`. Creations and revokes are audited as the
/// command line's.
pub async fn run(state: &AppState, command: TokenCommand) -> Result<()> {
    match command {
        TokenCommand::Create(args) => {
            let email = args.user.trim().to_lowercase();
            let user = store::users::by_email(&state.db, &email)
                .await?
                .ok_or_else(|| Error::NotFound(format!("no account {email}")))?;
            let wanted = Wanted {
                name: args.name,
                scopes: args.scope,
                lifetime_secs: match args.expires {
                    TokenLifetime::For(duration) => {
                        Some(i64::try_from(duration.as_secs()).unwrap_or(i64::MAX))
                    }
                    TokenLifetime::Never => None,
                },
            };
            let actor = Actor::command_line("sealmail token create");
            let created = tokens::create(state, &user, wanted, &actor).await?;
            if args.json {
                println!("{}", to_json(&created));
            } else {
                println!("{}", describe(&created.token, &user.email));
                println!("The token (shown once; send it as `Authorization: Bearer <token>`):");
                println!("{}", created.secret);
            }
        }
        TokenCommand::List(args) => {
            let user_id = match &args.user {
                Some(email) => {
                    let email = email.trim().to_lowercase();
                    let user = store::users::by_email(&state.db, &email)
                        .await?
                        .ok_or_else(|| Error::NotFound(format!("no account {email}")))?;
                    Some(user.id)
                }
                None => None,
            };
            let list = tokens::list(state, user_id).await?;
            if args.json {
                let list: Vec<&ApiToken> = list.iter().map(|(token, _)| token).collect();
                println!("{}", to_json(&list));
            } else if list.is_empty() {
                println!("no API tokens");
            } else {
                for (token, email) in &list {
                    println!("{}", describe(token, email));
                }
            }
        }
        TokenCommand::Revoke(args) => {
            let actor = Actor::command_line("sealmail token revoke");
            let token = tokens::revoke(state, args.id, None, &actor).await?;
            println!("revoked API token {} ({})", token.id, token.name);
        }
    }
    Ok(())
}

/// One line about a token: id, account, name, scopes, state, expiry, last use.
fn describe(token: &ApiToken, email: &str) -> String {
    let scopes: Vec<&str> = token.scopes.iter().map(|s| s.as_str()).collect();
    let state = match token.state {
        TokenState::Active => "active",
        TokenState::Expired => "expired",
        TokenState::Revoked => "revoked",
    };
    let expires = token.expires_at.as_ref().map_or_else(
        || "never expires".to_owned(),
        |at| format!("expires {}", at.0),
    );
    let used = token.last_used_at.as_ref().map_or_else(
        || "never used".to_owned(),
        |at| format!("last used {}", at.0),
    );
    format!(
        "{}\t{email}\t{}\t{}\t{state}\t{expires}\t{used}\t{}…",
        token.id,
        token.name,
        scopes.join(","),
        token.hint
    )
}

fn to_json(value: &impl serde::Serialize) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default()
}
