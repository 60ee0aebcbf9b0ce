//! `sealmail rule list|add|rm|move|test`

use sealmail_api::admin::{MailFlowAction, MailFlowCondition, MailFlowRule, NewMailFlowRule};

use crate::config::{Config, RuleCommand, RuleTestArgs};
use crate::error::{Error, Result};
use crate::ingress::mime;
use crate::mailflow::{self, Facts};
use crate::state::AppState;
use crate::store;

/// Runs `sealmail rule …`.
pub async fn run(state: &AppState, config: &Config, command: RuleCommand) -> Result<()> {
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
        RuleCommand::Test(args) => test(state, config, &args).await?,
    }
    Ok(())
}

/// `sealmail rule test`: which rule decides what for each recipient.
async fn test(state: &AppState, config: &Config, args: &RuleTestArgs) -> Result<()> {
    let raw = std::fs::read(&args.eml)
        .map_err(|e| Error::InvalidRequest(format!("cannot read {}: {e}", args.eml.display())))?;
    let mail = mime::parse(&raw)
        .ok_or_else(|| Error::InvalidRequest(format!("{} is not a mail", args.eml.display())))?;
    let recipients: Vec<String> = if args.to.is_empty() {
        mail.to()
            .into_iter()
            .chain(mail.cc())
            .map(|m| m.address)
            .collect()
    } else {
        args.to.clone()
    };
    if recipients.is_empty() {
        return Err(Error::InvalidRequest(
            "no recipient: give --to, or a mail with To or Cc".into(),
        ));
    }
    let sender = match &args.from {
        Some(from) => from.clone(),
        None => mail.from().map(|m| m.address).unwrap_or_default(),
    };
    let org = mailflow::org_domains(&config.ingress.org_domains);
    let is_inside = |address: &str| mailflow::is_inside(address, &org);
    let headers = mail.headers();
    let facts = Facts {
        subject: mail.subject(),
        sender: &sender,
        headers: &headers,
        is_inside: &is_inside,
    };
    let rules = store::rules::list(&state.db).await?;
    let verdicts = mailflow::verdicts(&rules, &facts, &recipients);
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
