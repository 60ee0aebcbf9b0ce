//! `sealmail rule list|add|edit|rm|move|test`

use sealmail_api::admin::{MailFlowAction, MailFlowCondition, MailFlowRule, NewMailFlowRule};

use crate::audit::Actor;
use crate::config::{RuleCommand, RuleTestArgs};
use crate::error::{Error, Result};
use crate::ingress;
use crate::mailflow::changes;
use crate::state::AppState;
use crate::store;

/// Runs `sealmail rule …`. Changes are audited as the command line's.
pub async fn run(state: &AppState, command: RuleCommand) -> Result<()> {
    let actor = Actor::command_line("sealmail rule");
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
            let id = changes::add(state, &parse(&json)?, &actor).await?;
            println!("added rule {id}");
        }
        RuleCommand::Edit { id, json } => {
            changes::edit(state, id, &parse(&json)?, &actor).await?;
            println!("changed rule {id}");
        }
        RuleCommand::Rm { id } => {
            changes::remove(state, id, &actor).await?;
            println!("removed rule {id}");
        }
        RuleCommand::Move { id, to } => {
            changes::move_to(state, id, to, &actor).await?;
            println!("moved rule {id} to {}", to.max(1));
        }
        RuleCommand::Test(args) => test(state, &args).await?,
    }
    Ok(())
}

fn parse(json: &str) -> Result<NewMailFlowRule> {
    serde_json::from_str(json).map_err(|e| Error::InvalidRequest(format!("not a rule: {e}")))
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
        MailFlowCondition::BodyContains { words } => {
            format!("the body holds {}", words.join(" or "))
        }
        MailFlowCondition::HasAttachments { has: true } => "the mail has attachments".to_owned(),
        MailFlowCondition::HasAttachments { has: false } => {
            "the mail has no attachments".to_owned()
        }
        MailFlowCondition::SizeOver { bytes } => format!("the mail is over {bytes} bytes"),
    }
}

fn action(a: &MailFlowAction) -> String {
    match a {
        MailFlowAction::Protect {
            protection,
            branding_template,
            expiry_days,
        } => {
            let mut how = vec![store::protection_to_str(*protection).to_owned()];
            how.extend(branding_template.as_ref().map(|t| format!("template {t}")));
            how.extend(expiry_days.map(|d| format!("expires after {d} days")));
            format!("protect ({})", how.join(", "))
        }
        MailFlowAction::Relay => "relay unprotected".to_owned(),
        MailFlowAction::Reject { reason } => format!("reject: {reason}"),
    }
}
