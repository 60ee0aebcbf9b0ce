//! Mail-flow rules: for each recipient of a mail that came in over SMTP, the
//! first rule (in order) whose conditions all hold says what happens —
//! protect, relay unchanged, or reject the mail. The rules live in the
//! database (`store::rules`); a fresh install has the default set (protect
//! mail to outside recipients tagged `[secure]` or `[encrypt]`, relay the rest).

pub mod changes;
pub mod rule;
pub mod why;

pub use rule::{Action, Condition, Facts, Rule, holds, matches};
use sealmail_api::Protection;
use sealmail_api::admin::NewMailFlowRule;
pub use why::verdicts;

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

/// Whether any of `rules` looks at the body (else its text is not worked out).
pub fn needs_body(rules: &[Rule]) -> bool {
    rules.iter().any(|r| {
        r.conditions
            .iter()
            .any(|c| matches!(c, Condition::BodyContains { .. }))
    })
}

/// The longest expiry a rule may set, in days (as a branding template's).
const MAX_EXPIRY_DAYS: u32 = 3650;

/// Refuses a rule that could never do what it says: no name, an empty
/// word list or header name or sender, a size of 0, a reject without a
/// reason, an expiry of no days or past ten years. (That its template
/// exists is checked against the store: [`changes`].)
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
            Condition::BodyContains { words }
                if words.is_empty() || words.iter().any(|w| w.trim().is_empty()) =>
            {
                return invalid("has an empty word in body_contains");
            }
            Condition::SizeOver { bytes: 0 } => {
                return invalid("has a size_over of 0 bytes (every mail is larger)");
            }
            _ => {}
        }
    }
    match &rule.action {
        Action::Reject { reason } if reason.trim().is_empty() => {
            return invalid("rejects without a reason");
        }
        Action::Protect {
            expiry_days: Some(days),
            ..
        } if *days == 0 || *days > MAX_EXPIRY_DAYS => {
            return invalid(&format!(
                "protects with an expiry outside 1 to {MAX_EXPIRY_DAYS} days"
            ));
        }
        Action::Protect {
            branding_template: Some(id),
            ..
        } if id.trim().is_empty() => {
            return invalid("names an empty branding template");
        }
        _ => {}
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
    /// The branding template of the protected message: that of the first
    /// matching protect rule (in rule order) that names one; none: the default.
    pub template: Option<String>,
    /// The protected message's expiry in days: the shortest any matching
    /// rule asked for; none: as its template says.
    pub expiry_days: Option<u32>,
    /// Recipients who get the mail relayed onward unchanged.
    pub relay: Vec<String>,
    /// The first rule that rejects the mail: its name and reason.
    pub reject: Option<(String, String)>,
}

/// Applies `rules` (in order) to each recipient. A recipient no rule
/// matches is relayed unprotected (the default set ends with a rule saying so).
pub fn plan(rules: &[Rule], facts: &Facts<'_>, recipients: &[String]) -> Plan {
    let mut plan = Plan::default();
    // Position of the rule the template came from: the lowest wins.
    let mut template_from = i64::MAX;
    for recipient in recipients {
        let Some(rule) = rules.iter().find(|r| matches(r, facts, recipient)) else {
            plan.relay.push(recipient.clone());
            continue;
        };
        match &rule.action {
            Action::Protect {
                protection,
                branding_template,
                expiry_days,
            } => {
                plan.protect.push(recipient.clone());
                if let Some(id) = branding_template
                    && rule.position < template_from
                {
                    template_from = rule.position;
                    plan.template = Some(id.clone());
                }
                // One message for all: the shortest expiry asked for holds.
                plan.expiry_days = match (plan.expiry_days, *expiry_days) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
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
                    branding_template: None,
                    expiry_days: None,
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
            body: "",
            attachments: 0,
            size: 1000,
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
    fn body_attachment_and_size_conditions_hold_on_what_the_mail_has() {
        let f = Facts {
            body: "please sign the attached contract",
            attachments: 1,
            size: 2048,
            ..facts("x", &[])
        };
        let holds = |c: Condition| holds(&c, &f, "bob@example.net");
        assert!(holds(Condition::BodyContains {
            words: vec!["NDA".into(), "Contract".into()]
        }));
        assert!(!holds(Condition::BodyContains {
            words: vec!["invoice".into()]
        }));
        assert!(holds(Condition::HasAttachments { has: true }));
        assert!(!holds(Condition::HasAttachments { has: false }));
        assert!(holds(Condition::SizeOver { bytes: 2047 }));
        assert!(!holds(Condition::SizeOver { bytes: 2048 }));
    }

    #[test]
    fn one_protected_message_takes_the_first_rules_template_and_the_shortest_expiry() {
        let protect = |id, position, template: Option<&str>, days, outside| Rule {
            id,
            position,
            name: format!("rule {id}"),
            conditions: vec![if outside {
                Condition::RecipientOutsideOrg
            } else {
                Condition::RecipientInsideOrg
            }],
            action: Action::Protect {
                protection: Protection::EncryptOnly,
                branding_template: template.map(str::to_owned),
                expiry_days: days,
            },
        };
        let rules = vec![
            protect(1, 1, Some("7"), Some(30), false),
            protect(2, 2, Some("8"), Some(5), true),
        ];
        // The outside recipient first: rule 2's template would come first.
        let recipients = vec!["bob@example.net".to_owned(), "dave@corp.example".to_owned()];
        let plan = plan(&rules, &facts("x", &[]), &recipients);
        assert_eq!(plan.protect.len(), 2);
        assert_eq!(plan.template.as_deref(), Some("7"));
        assert_eq!(plan.expiry_days, Some(5));
    }

    #[test]
    fn a_rule_that_could_never_hold_or_expires_at_once_is_refused() {
        let rule = |conditions, action| NewMailFlowRule {
            name: "r".into(),
            conditions,
            action,
            position: None,
        };
        let protect = |days| Action::Protect {
            protection: Protection::EncryptOnly,
            branding_template: None,
            expiry_days: days,
        };
        for (conditions, action) in [
            (
                vec![Condition::BodyContains { words: vec![] }],
                Action::Relay,
            ),
            (
                vec![Condition::BodyContains {
                    words: vec!["x".into(), " ".into()],
                }],
                Action::Relay,
            ),
            (vec![Condition::SizeOver { bytes: 0 }], Action::Relay),
            (vec![], protect(Some(0))),
            (vec![], protect(Some(3651))),
        ] {
            let refused = check(&rule(conditions.clone(), action.clone()));
            assert!(
                matches!(refused, Err(Error::InvalidRequest(_))),
                "{conditions:?} {action:?}"
            );
        }
        assert!(
            check(&rule(
                vec![Condition::SizeOver { bytes: 1 }],
                protect(Some(3650))
            ))
            .is_ok()
        );
    }

    #[test]
    fn tags_are_stripped_from_the_subject_whatever_their_case() {
        let words = vec!["[secure]".to_owned(), "[encrypt]".to_owned()];
        assert_eq!(strip_words("[Secure] Q3  numbers", &words), "Q3 numbers");
        assert_eq!(strip_words("Re: numbers [ENCRYPT]", &words), "Re: numbers");
        assert_eq!(strip_words("[secure]", &words), "(no subject)");
    }
}
