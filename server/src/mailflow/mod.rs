//! Mail-flow rules: for each recipient of a mail that came in over SMTP, the
//! first rule (in order) whose conditions all hold says what happens —
//! protect, relay unchanged, or reject the mail. The rules live in the
//! database (`store::rules`); a fresh install has the default set (protect
//! mail to outside recipients tagged `[secure]` or `[encrypt]`, relay the rest).

pub mod rule;

pub use rule::{Action, Condition, Facts, Rule, holds, matches};
use sealmail_api::Protection;
use sealmail_api::admin::{MailFlowRuleRef, MailFlowVerdict, NewMailFlowRule};

use crate::error::{Error, Result};

/// Whether `address` is in one of `org_domains` (lower case) or a subdomain.
pub fn is_inside(address: &str, org_domains: &[String]) -> bool {
    let Some((_, domain)) = address.rsplit_once('@') else {
        return false;
    };
    let domain = domain.trim_end_matches('>').to_ascii_lowercase();
    org_domains.iter().any(|org| {
        domain == *org
            || domain
                .strip_suffix(org.as_str())
                .is_some_and(|rest| rest.ends_with('.'))
    })
}

/// The organisation's domains as `--org-domains` gives them, normalised.
pub fn org_domains(configured: &[String]) -> Vec<String> {
    configured
        .iter()
        .map(|d| d.trim().trim_start_matches('@').to_ascii_lowercase())
        .filter(|d| !d.is_empty())
        .collect()
}

/// Each recipient's verdict and the rule behind it (`sealmail rule test`).
pub fn verdicts(rules: &[Rule], facts: &Facts<'_>, recipients: &[String]) -> Vec<MailFlowVerdict> {
    recipients
        .iter()
        .map(|recipient| {
            let rule = rules.iter().find(|r| matches(r, facts, recipient));
            MailFlowVerdict {
                recipient: recipient.clone(),
                rule: rule.map(|r| MailFlowRuleRef {
                    id: r.id,
                    name: r.name.clone(),
                }),
                action: rule.map_or(Action::Relay, |r| r.action.clone()),
            }
        })
        .collect()
}

/// Refuses a rule that could never do what it says: no name, an empty
/// word list or header name or sender, a reject without a reason.
pub fn check(rule: &NewMailFlowRule) -> Result<()> {
    let invalid = |why: &str| Err(Error::InvalidRequest(format!("this rule {why}")));
    if rule.name.trim().is_empty() {
        return invalid("needs a name");
    }
    for condition in &rule.conditions {
        match condition {
            Condition::SubjectContains { words, .. }
                if words.is_empty() || words.iter().any(|w| w.trim().is_empty()) =>
            {
                return invalid("has an empty word in subject_contains");
            }
            Condition::HeaderMatches { name, .. } if name.trim().is_empty() => {
                return invalid("has a header_matches without a header name");
            }
            Condition::Sender { is } if is.trim().is_empty() => {
                return invalid("has a sender condition without an address or domain");
            }
            _ => {}
        }
    }
    if let Action::Reject { reason } = &rule.action
        && reason.trim().is_empty()
    {
        return invalid("rejects without a reason");
    }
    Ok(())
}

/// What the rules decided for a mail's recipients.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Plan {
    /// Recipients who get a protected message (Sealmail's notification).
    pub protect: Vec<String>,
    /// The protection: the strictest any matching rule asked for.
    pub protection: Option<Protection>,
    /// Words the protected message's subject loses (tags like `[secure]`).
    pub strip: Vec<String>,
    /// Recipients who get the mail relayed onward unchanged.
    pub relay: Vec<String>,
    /// The first rule that rejects the mail: its name and reason.
    pub reject: Option<(String, String)>,
}

/// Applies `rules` (in order) to each recipient. A recipient no rule
/// matches is relayed unprotected (the default set ends with a rule saying so).
pub fn plan(rules: &[Rule], facts: &Facts<'_>, recipients: &[String]) -> Plan {
    let mut plan = Plan::default();
    for recipient in recipients {
        let Some(rule) = rules.iter().find(|r| matches(r, facts, recipient)) else {
            plan.relay.push(recipient.clone());
            continue;
        };
        match &rule.action {
            Action::Protect { protection } => {
                plan.protect.push(recipient.clone());
                // One protected message for all: the strictest protection wins.
                plan.protection = Some(match (plan.protection, protection) {
                    (Some(Protection::DoNotForward), _) | (_, Protection::DoNotForward) => {
                        Protection::DoNotForward
                    }
                    _ => Protection::EncryptOnly,
                });
                for word in rule::stripped_words(rule) {
                    if !plan.strip.iter().any(|w| w.eq_ignore_ascii_case(word)) {
                        plan.strip.push(word.to_owned());
                    }
                }
            }
            Action::Relay => plan.relay.push(recipient.clone()),
            Action::Reject { reason } => {
                plan.reject
                    .get_or_insert_with(|| (rule.name.clone(), reason.clone()));
            }
        }
    }
    plan
}

/// `subject` without `words` (case-insensitive), spaces tidied:
/// `"[secure] Q3 numbers"` → `"Q3 numbers"`.
pub fn strip_words(subject: &str, words: &[String]) -> String {
    let mut out = subject.to_owned();
    for word in words.iter().filter(|w| !w.is_empty()) {
        while let Some(at) = out.to_lowercase().find(&word.to_lowercase()) {
            // Lower-casing can change byte lengths; only cut where it did not.
            let end = at + word.len();
            if !out.is_char_boundary(at) || !out.is_char_boundary(end) {
                break;
            }
            out.replace_range(at..end, " ");
        }
    }
    let tidy = out.split_whitespace().collect::<Vec<_>>().join(" ");
    if tidy.is_empty() {
        "(no subject)".to_owned()
    } else {
        tidy
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn default_rules() -> Vec<Rule> {
        vec![
            Rule {
                id: 1,
                position: 1,
                name: "tagged".into(),
                conditions: vec![
                    Condition::RecipientOutsideOrg,
                    Condition::SubjectContains {
                        words: vec!["[secure]".into(), "[encrypt]".into()],
                        strip: true,
                    },
                ],
                action: Action::Protect {
                    protection: Protection::EncryptOnly,
                },
            },
            Rule {
                id: 2,
                position: 2,
                name: "rest".into(),
                conditions: vec![],
                action: Action::Relay,
            },
        ]
    }

    fn facts<'a>(subject: &'a str, headers: &'a [(String, String)]) -> Facts<'a> {
        Facts {
            subject,
            sender: "alice@corp.example",
            headers,
            is_inside: &|a: &str| a.ends_with("@corp.example"),
        }
    }

    #[test]
    fn the_default_rules_protect_only_tagged_mail_to_outside_recipients() {
        let recipients = vec!["bob@example.net".to_owned(), "dave@corp.example".to_owned()];
        let plan = plan(&default_rules(), &facts("[SECURE] Q3", &[]), &recipients);
        assert_eq!(plan.protect, ["bob@example.net"]);
        assert_eq!(plan.relay, ["dave@corp.example"]);
        assert_eq!(plan.strip, ["[secure]", "[encrypt]"]);
        let untagged = super::plan(&default_rules(), &facts("Q3", &[]), &recipients);
        assert!(untagged.protect.is_empty());
        assert_eq!(untagged.relay.len(), 2);
    }

    #[test]
    fn the_first_matching_rule_wins_and_a_reject_names_its_reason() {
        let headers = vec![("Sensitivity".to_owned(), "Company-Confidential".to_owned())];
        let mut rules = default_rules();
        rules.insert(
            0,
            Rule {
                id: 3,
                position: 0,
                name: "confidential".into(),
                conditions: vec![Condition::HeaderMatches {
                    name: "sensitivity".into(),
                    contains: "confidential".into(),
                }],
                action: Action::Reject {
                    reason: "confidential mail stays inside".into(),
                },
            },
        );
        let plan = plan(
            &rules,
            &facts("[secure] x", &headers),
            &["bob@example.net".into()],
        );
        assert_eq!(
            plan.reject,
            Some((
                "confidential".into(),
                "confidential mail stays inside".into()
            ))
        );
        assert!(plan.protect.is_empty());
    }

    #[test]
    fn sender_conditions_match_an_address_or_a_domain_with_its_subdomains() {
        let f = facts("x", &[]);
        let holds = |is: &str| holds(&Condition::Sender { is: is.into() }, &f, "bob@example.net");
        assert!(holds("alice@corp.example"));
        assert!(holds("corp.example"));
        assert!(holds("@example"));
        assert!(!holds("orp.example"));
        assert!(!holds("mallory@corp.example"));
    }

    #[test]
    fn tags_are_stripped_from_the_subject_whatever_their_case() {
        let words = vec!["[secure]".to_owned(), "[encrypt]".to_owned()];
        assert_eq!(strip_words("[Secure] Q3  numbers", &words), "Q3 numbers");
        assert_eq!(strip_words("Re: numbers [ENCRYPT]", &words), "Re: numbers");
        assert_eq!(strip_words("[secure]", &words), "(no subject)");
    }
}
