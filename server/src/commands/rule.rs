//! `sealmail rule list|add|rm|move|test`

use sealmail_api::admin::{MailFlowAction, MailFlowCondition, MailFlowRule, NewMailFlowRule};

use crate::config::{RuleCommand, RuleTestArgs};
use crate::error::{Error, Result};
use crate::ingress;
use crate::mailflow;
use crate::state::AppState;
use crate::store;

/// Runs `sealmail rule …`.
pub async fn run(state: &AppState, command: RuleCommand) -> Result<()> {
    match command {
        RuleCommand::List { json } => {
            let rules = store::rules::list(&state.db).await?;
            if json {
                println!("{}", to_json(&rules));
            } else if rules.is_empty() {
                println!("no rules: mail that comes in over SMTP is relayed unprotected");
            } else {
                rules.iter().for_each(|r| println!("{}", describe(r)));
            }
        }
        RuleCommand::Add { json } => {
            let rule: NewMailFlowRule = serde_json::from_str(&json)
                .map_err(|e| Error::InvalidRequest(format!("not a rule: {e}")))?;
            mailflow::check(&rule)?;
            let id = store::rules::add(&state.db, &rule, store::now()).await?;
            tracing::info!(rule = id, "mail-flow rule added");
            println!("added rule {id}");
        }
        RuleCommand::Rm { id } => {
            if !store::rules::remove(&state.db, id).await? {
                return Err(Error::NotFound(format!("no rule {id}")));
            }
            tracing::info!(rule = id, "mail-flow rule removed");
            println!("removed rule {id}");
        }
        RuleCommand::Move { id, to } => {
            if !store::rules::move_to(&state.db, id, to).await? {
                return Err(Error::NotFound(format!("no rule {id}")));
            }
            tracing::info!(rule = id, to, "mail-flow rule moved");
            println!("moved rule {id} to {}", to.max(1));
        }
        RuleCommand::Test(args) => test(state, &args).await?,
    }
    Ok(())
}

/// `sealmail rule test`: which rule decides what for each recipient.
async fn test(state: &AppState, args: &RuleTestArgs) -> Result<()> {
    let raw = std::fs::read(&args.eml)
        .map_err(|e| Error::InvalidRequest(format!("cannot read {}: {e}", args.eml.display())))?;
    let verdicts = ingress::try_rules(state, &raw, &args.to, args.from.as_deref()).await?;
    if args.json {
        println!("{}", to_json(&verdicts));
        return Ok(());
    }
    for v in &verdicts {
        let by = match &v.rule {
            Some(rule) => format!("rule {} \"{}\"", rule.id, rule.name),
            None => "no rule matched".to_owned(),
        };
        println!("{} : {} ({by})", v.recipient, action(&v.action));
    }
    Ok(())
}

fn to_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string_pretty(value).expect("the rule types always serialise")
}

/// One line: `2. Protect tagged mail — when …, then …`.
fn describe(rule: &MailFlowRule) -> String {
    let when = if rule.conditions.is_empty() {
        "always".to_owned()
    } else {
        rule.conditions
            .iter()
            .map(condition)
            .collect::<Vec<_>>()
            .join(" and ")
    };
    format!(
        "{}. [id {}] {} : when {when}, {}",
        rule.position,
        rule.id,
        rule.name,
        action(&rule.action)
    )
}

fn condition(c: &MailFlowCondition) -> String {
    match c {
        MailFlowCondition::RecipientOutsideOrg => "the recipient is outside".to_owned(),
        MailFlowCondition::RecipientInsideOrg => "the recipient is inside".to_owned(),
        MailFlowCondition::SubjectContains { words, strip } => format!(
            "the subject holds {}{}",
            words.join(" or "),
            if *strip { " (taken out)" } else { "" }
        ),
        MailFlowCondition::HeaderMatches { name, contains } if contains.is_empty() => {
            format!("the mail has a {name} header")
        }
        MailFlowCondition::HeaderMatches { name, contains } => {
            format!("{name} holds {contains}")
        }
        MailFlowCondition::Sender { is } => format!("the sender is {is}"),
    }
}

fn action(a: &MailFlowAction) -> String {
    match a {
        MailFlowAction::Protect { protection } => {
            format!("protect ({})", store::protection_to_str(*protection))
        }
        MailFlowAction::Relay => "relay unprotected".to_owned(),
        MailFlowAction::Reject { reason } => format!("reject: {reason}"),
    }
}
