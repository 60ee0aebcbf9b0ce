//! Why the rules decide what they do for a recipient (`sealmail rule test`,
//! the admin API): the matched rule's conditions with what the mail had,
//! and for each rule tried before it, the first condition that failed.
//! The answers are facts (`MailFlowReason`), worded by each client.

use sealmail_api::admin::{MailFlowMiss, MailFlowReason, MailFlowRuleRef, MailFlowVerdict};

use super::rule::{Action, Condition, Facts, Rule, first_word_in, holds, matching_header};

/// Each recipient's verdict, the rule behind it and why.
pub fn verdicts(rules: &[Rule], facts: &Facts<'_>, recipients: &[String]) -> Vec<MailFlowVerdict> {
    recipients
        .iter()
        .map(|recipient| verdict(rules, facts, recipient))
        .collect()
}

fn verdict(rules: &[Rule], facts: &Facts<'_>, recipient: &str) -> MailFlowVerdict {
    let mut passed_over = Vec::new();
    for rule in rules {
        // The same test as `matches`, keeping the condition that failed.
        match rule.conditions.iter().find(|c| !holds(c, facts, recipient)) {
            Some(failed) => passed_over.push(MailFlowMiss {
                rule: named(rule),
                failed: reason(failed, facts, recipient),
            }),
            None => {
                return MailFlowVerdict {
                    recipient: recipient.to_owned(),
                    rule: Some(named(rule)),
                    action: rule.action.clone(),
                    because: rule
                        .conditions
                        .iter()
                        .map(|c| reason(c, facts, recipient))
                        .collect(),
                    passed_over,
                };
            }
        }
    }
    MailFlowVerdict {
        recipient: recipient.to_owned(),
        rule: None,
        action: Action::Relay,
        because: Vec::new(),
        passed_over,
    }
}

fn named(rule: &Rule) -> MailFlowRuleRef {
    MailFlowRuleRef {
        id: rule.id,
        name: rule.name.clone(),
    }
}

/// What the mail had for `condition` and `recipient`: the facts it held or
/// failed on (whether it held is [`holds`]'s, which finds the same word and
/// header through the same functions).
pub fn reason(condition: &Condition, facts: &Facts<'_>, recipient: &str) -> MailFlowReason {
    match condition {
        Condition::RecipientOutsideOrg => MailFlowReason::RecipientOutsideOrg {
            domain: domain_of(recipient),
        },
        Condition::RecipientInsideOrg => MailFlowReason::RecipientInsideOrg {
            domain: domain_of(recipient),
        },
        Condition::SubjectContains { words, .. } => MailFlowReason::SubjectContains {
            subject: facts.subject.to_owned(),
            found: first_word_in(&facts.subject.to_lowercase(), words).cloned(),
        },
        Condition::HeaderMatches { name, contains } => {
            let header = matching_header(facts.headers, name, contains)
                .or_else(|| matching_header(facts.headers, name, ""));
            MailFlowReason::HeaderMatches {
                name: header.map_or_else(|| name.trim().to_owned(), |(n, _)| n.clone()),
                value: header.map(|(_, v)| v.clone()),
            }
        }
        Condition::Sender { .. } => MailFlowReason::Sender {
            address: facts.sender.to_owned(),
        },
        Condition::BodyContains { words } => MailFlowReason::BodyContains {
            found: first_word_in(facts.body, words).cloned(),
        },
        Condition::HasAttachments { .. } => MailFlowReason::HasAttachments {
            count: u32::try_from(facts.attachments).unwrap_or(u32::MAX),
        },
        Condition::SizeOver { bytes } => MailFlowReason::SizeOver {
            size: facts.size,
            bytes: *bytes,
        },
    }
}

/// The part of `address` after its last `@`, lower case (all of it if none).
fn domain_of(address: &str) -> String {
    let domain = address.rsplit_once('@').map_or(address, |(_, d)| d);
    domain.trim_end_matches('>').to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use sealmail_api::Protection;

    use super::*;

    fn rule(id: i64, name: &str, conditions: Vec<Condition>, action: Action) -> Rule {
        Rule {
            id,
            position: id,
            name: name.into(),
            conditions,
            action,
        }
    }

    fn tagged() -> Rule {
        rule(
            1,
            "tagged",
            vec![
                Condition::RecipientOutsideOrg,
                Condition::SubjectContains {
                    words: vec!["[secure]".into(), "[encrypt]".into()],
                    strip: true,
                },
            ],
            Action::Protect {
                protection: Protection::EncryptOnly,
                branding_template: None,
                expiry_days: None,
            },
        )
    }

    fn facts<'a>(subject: &'a str, headers: &'a [(String, String)]) -> Facts<'a> {
        Facts {
            subject,
            sender: "alice@corp.example",
            headers,
            body: "please sign the nda today",
            attachments: 2,
            size: 1_258_291,
            is_inside: &|a: &str| a.ends_with("@corp.example"),
        }
    }

    #[test]
    fn a_matched_rule_gives_each_condition_with_what_the_mail_had() {
        let rules = vec![tagged(), rule(2, "rest", vec![], Action::Relay)];
        let recipients = ["bob@Example.NET".to_owned()];
        let verdicts = verdicts(&rules, &facts("Q3 [SECURE]", &[]), &recipients);
        assert_eq!(verdicts[0].rule.as_ref().map(|r| r.id), Some(1));
        assert_eq!(
            verdicts[0].because,
            [
                MailFlowReason::RecipientOutsideOrg {
                    domain: "example.net".into()
                },
                MailFlowReason::SubjectContains {
                    subject: "Q3 [SECURE]".into(),
                    found: Some("[secure]".into())
                },
            ]
        );
        assert!(verdicts[0].passed_over.is_empty());
    }

    #[test]
    fn rules_passed_over_name_the_first_condition_that_failed() {
        let rules = vec![tagged(), rule(2, "rest", vec![], Action::Relay)];
        let recipients = ["dave@corp.example".to_owned(), "bob@example.net".to_owned()];
        let verdicts = verdicts(&rules, &facts("Q3", &[]), &recipients);
        // Inside: the first condition fails, the subject is not looked at.
        assert_eq!(
            verdicts[0].passed_over,
            [MailFlowMiss {
                rule: MailFlowRuleRef {
                    id: 1,
                    name: "tagged".into()
                },
                failed: MailFlowReason::RecipientOutsideOrg {
                    domain: "corp.example".into()
                },
            }]
        );
        assert_eq!(verdicts[0].rule.as_ref().map(|r| r.id), Some(2));
        assert!(verdicts[0].because.is_empty(), "the rest has no conditions");
        // Outside, untagged: the subject is why.
        assert_eq!(
            verdicts[1].passed_over[0].failed,
            MailFlowReason::SubjectContains {
                subject: "Q3".into(),
                found: None
            }
        );
        // No rule at all: every rule is passed over, the mail relayed.
        let none = super::verdicts(&[tagged()], &facts("Q3", &[]), &recipients[..1]);
        assert_eq!(none[0].rule, None);
        assert_eq!(none[0].action, Action::Relay);
        assert_eq!(none[0].passed_over.len(), 1);
    }

    #[test]
    fn header_body_attachment_size_and_sender_reasons_carry_their_values() {
        let headers = vec![
            ("Sensitivity".to_owned(), "Personal".to_owned()),
            ("sensitivity".to_owned(), "Company-Confidential".to_owned()),
        ];
        let f = facts("x", &headers);
        let why = |c: Condition| reason(&c, &f, "bob@example.net");
        assert_eq!(
            why(Condition::HeaderMatches {
                name: "SENSITIVITY".into(),
                contains: "confidential".into()
            }),
            MailFlowReason::HeaderMatches {
                name: "sensitivity".into(),
                value: Some("Company-Confidential".into())
            }
        );
        // Not holding the text: the header's first value; absent: none.
        assert_eq!(
            why(Condition::HeaderMatches {
                name: "Sensitivity".into(),
                contains: "secret".into()
            }),
            MailFlowReason::HeaderMatches {
                name: "Sensitivity".into(),
                value: Some("Personal".into())
            }
        );
        assert_eq!(
            why(Condition::HeaderMatches {
                name: " X-Label ".into(),
                contains: String::new()
            }),
            MailFlowReason::HeaderMatches {
                name: "X-Label".into(),
                value: None
            }
        );
        assert_eq!(
            why(Condition::BodyContains {
                words: vec!["contract".into(), "NDA".into()]
            }),
            MailFlowReason::BodyContains {
                found: Some("NDA".into())
            }
        );
        assert_eq!(
            why(Condition::HasAttachments { has: false }),
            MailFlowReason::HasAttachments { count: 2 }
        );
        assert_eq!(
            why(Condition::SizeOver { bytes: 1_048_576 }),
            MailFlowReason::SizeOver {
                size: 1_258_291,
                bytes: 1_048_576
            }
        );
        assert_eq!(
            why(Condition::Sender {
                is: "corp.example".into()
            }),
            MailFlowReason::Sender {
                address: "alice@corp.example".into()
            }
        );
    }
}
