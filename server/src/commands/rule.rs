//! `sealmail rule list|add|edit|rm|move|test`

use sealmail_api::admin::{
    MailFlowAction, MailFlowCondition, MailFlowReason, MailFlowRule, NewMailFlowRule,
};

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
        // In the order the rules were tried: those passed over, then why
        // the one that decided held.
        for miss in &v.passed_over {
            println!(
                "    not rule {} \"{}\": {}",
                miss.rule.id,
                miss.rule.name,
                reason(&miss.failed, false)
            );
        }
        if v.rule.is_some() && v.because.is_empty() {
            println!("    because it has no conditions (every recipient)");
        }
        for why in &v.because {
            println!("    because {}", reason(why, true));
        }
    }
    Ok(())
}

/// What the mail had for a condition, as a clause: why it `held` or not.
fn reason(why: &MailFlowReason, held: bool) -> String {
    let org = |inside: bool| {
        if inside {
            "inside the organisation"
        } else {
            "outside the organisation"
        }
    };
    match why {
        MailFlowReason::RecipientOutsideOrg { domain } => {
            format!("the recipient is {} ({domain})", org(!held))
        }
        MailFlowReason::RecipientInsideOrg { domain } => {
            format!("the recipient is {} ({domain})", org(held))
        }
        MailFlowReason::SubjectContains {
            found: Some(word), ..
        } => format!("the subject contains \"{word}\""),
        MailFlowReason::SubjectContains {
            subject,
            found: None,
        } => format!("the subject \"{subject}\" contains none of its words"),
        MailFlowReason::HeaderMatches {
            name,
            value: Some(value),
        } => format!("header {name} is \"{value}\""),
        MailFlowReason::HeaderMatches { name, value: None } => {
            format!("the mail has no {name} header")
        }
        MailFlowReason::Sender { address } => format!("the sender is {address}"),
        MailFlowReason::BodyContains { found: Some(word) } => {
            format!("the body contains \"{word}\"")
        }
        MailFlowReason::BodyContains { found: None } => {
            "the body contains none of its words".to_owned()
        }
        MailFlowReason::HasAttachments { count: 0 } => "the mail has no attachments".to_owned(),
        MailFlowReason::HasAttachments { count: 1 } => "the mail has 1 attachment".to_owned(),
        MailFlowReason::HasAttachments { count } => format!("the mail has {count} attachments"),
        MailFlowReason::SizeOver { size, bytes } => format!(
            "the mail is {}, {} {}",
            size_in_words(*size),
            if held { "over" } else { "not over" },
            size_in_words(*bytes)
        ),
    }
}

/// `1.2 MB (1258291 bytes)`: units of 1024, as the portal shows sizes.
fn size_in_words(bytes: u64) -> String {
    let mut value = bytes as f64;
    let mut unit = 0;
    let units = ["bytes", "kB", "MB", "GB"];
    while value >= 1024.0 && unit < units.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} bytes")
    } else {
        let number = format!("{value:.1}");
        let number = number.strip_suffix(".0").unwrap_or(&number);
        format!("{number} {} ({bytes} bytes)", units[unit])
    }
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
