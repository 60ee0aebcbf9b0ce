//! One mail-flow rule: conditions that must all hold, and what to do then.
//! Stored as JSON (`mail_flow_rules`); the tags below are that JSON's names.

use sealmail_api::Protection;
use serde::{Deserialize, Serialize};

/// A rule, in its place in the order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// Row id.
    pub id: i64,
    /// Its place: rules are tried from the lowest.
    pub position: i64,
    /// What an administrator calls it.
    pub name: String,
    /// All must hold (none: the rule always matches).
    pub conditions: Vec<Condition>,
    /// What happens to a recipient it matches.
    pub action: Action,
}

/// Something a mail, for one of its recipients, may satisfy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Condition {
    /// The recipient is not in one of `--org-domains`.
    RecipientOutsideOrg,
    /// The recipient is in one of `--org-domains`.
    RecipientInsideOrg,
    /// The subject holds one of the words (case-insensitive); with `strip`,
    /// a protected message's subject loses the words found.
    SubjectContains {
        /// Any of these.
        words: Vec<String>,
        /// Take the words out of the protected message's subject.
        #[serde(default)]
        strip: bool,
    },
    /// A header is present and its value holds `contains` (case-insensitive;
    /// empty: only present), e.g. `Sensitivity` / `Company-Confidential`.
    HeaderMatches {
        /// The header's name (case-insensitive).
        name: String,
        /// Held by its value.
        #[serde(default)]
        contains: String,
    },
    /// The sender is this address, or in this domain (`example.com` or
    /// `@example.com`; subdomains included).
    Sender {
        /// An address or a domain.
        is: String,
    },
}

/// What a rule does with a recipient it matches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Action {
    /// Store the mail encrypted; the recipient gets Sealmail's notification.
    Protect {
        /// Encrypt-only or Do-not-forward.
        protection: Protection,
    },
    /// Relay the mail onward unchanged.
    Relay,
    /// Refuse the whole mail (SMTP 550) with this reason.
    Reject {
        /// Told to the sending client.
        reason: String,
    },
}

/// What a rule's conditions are checked against.
pub struct Facts<'a> {
    /// The decoded subject.
    pub subject: &'a str,
    /// The sender's address.
    pub sender: &'a str,
    /// Each header's name and (decoded, when it can be) value.
    pub headers: &'a [(String, String)],
    /// Whether an address is inside the organisation.
    pub is_inside: &'a (dyn Fn(&str) -> bool + Sync),
}

impl Condition {
    /// Whether the condition holds for `recipient`.
    pub fn holds(&self, facts: &Facts<'_>, recipient: &str) -> bool {
        match self {
            Condition::RecipientOutsideOrg => !(facts.is_inside)(recipient),
            Condition::RecipientInsideOrg => (facts.is_inside)(recipient),
            Condition::SubjectContains { words, .. } => {
                let subject = facts.subject.to_lowercase();
                words
                    .iter()
                    .any(|w| !w.is_empty() && subject.contains(&w.to_lowercase()))
            }
            Condition::HeaderMatches { name, contains } => {
                let contains = contains.to_lowercase();
                facts.headers.iter().any(|(n, v)| {
                    n.eq_ignore_ascii_case(name.trim()) && v.to_lowercase().contains(&contains)
                })
            }
            Condition::Sender { is } => sender_is(facts.sender, is),
        }
    }
}

/// Whether `sender` is the address `is`, or in its domain.
fn sender_is(sender: &str, is: &str) -> bool {
    let is = is.trim();
    if is.contains('@') && !is.starts_with('@') {
        return sender.eq_ignore_ascii_case(is);
    }
    let domain = is.trim_start_matches('@').to_ascii_lowercase();
    let Some((_, sender_domain)) = sender.rsplit_once('@') else {
        return false;
    };
    let sender_domain = sender_domain.to_ascii_lowercase();
    sender_domain == domain
        || sender_domain
            .strip_suffix(&domain)
            .is_some_and(|rest| rest.ends_with('.'))
}

impl Rule {
    /// Whether every condition holds for `recipient`.
    pub fn matches(&self, facts: &Facts<'_>, recipient: &str) -> bool {
        self.conditions.iter().all(|c| c.holds(facts, recipient))
    }

    /// The words a protected message's subject loses by this rule.
    pub fn stripped_words(&self) -> impl Iterator<Item = &str> {
        self.conditions.iter().flat_map(|c| match c {
            Condition::SubjectContains { words, strip: true } => {
                words.iter().map(String::as_str).collect()
            }
            _ => Vec::new(),
        })
    }
}
