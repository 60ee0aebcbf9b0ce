//! One mail-flow rule: conditions that must all hold, and what to do then.
//! The types are the wire's (`sealmail_api::admin`); the conditions and the
//! action are stored as their JSON (`mail_flow_rules`).

pub use sealmail_api::admin::{
    MailFlowAction as Action, MailFlowCondition as Condition, MailFlowRule as Rule,
};

/// What a rule's conditions are checked against.
pub struct Facts<'a> {
    /// The decoded subject.
    pub subject: &'a str,
    /// The sender's address.
    pub sender: &'a str,
    /// Each header's name and (decoded, when it can be) value.
    pub headers: &'a [(String, String)],
    /// The body's text in lower case: the decoded text/plain body and the
    /// text of the text/html body ([`super::body_text`]). Empty when no rule
    /// looks at the body ([`super::needs_body`]): it is not worked out then.
    pub body: &'a str,
    /// How many attachments the mail has (images its HTML shows are not).
    pub attachments: usize,
    /// The mail's size as it came, in bytes.
    pub size: u64,
    /// Whether an address is inside the organisation.
    pub is_inside: &'a (dyn Fn(&str) -> bool + Sync),
}

/// Whether `condition` holds for `recipient`.
pub fn holds(condition: &Condition, facts: &Facts<'_>, recipient: &str) -> bool {
    match condition {
        Condition::RecipientOutsideOrg => !(facts.is_inside)(recipient),
        Condition::RecipientInsideOrg => (facts.is_inside)(recipient),
        Condition::SubjectContains { words, .. } => {
            first_word_in(&facts.subject.to_lowercase(), words).is_some()
        }
        Condition::HeaderMatches { name, contains } => {
            matching_header(facts.headers, name, contains).is_some()
        }
        Condition::Sender { is } => sender_is(facts.sender, is),
        Condition::BodyContains { words } => first_word_in(facts.body, words).is_some(),
        Condition::HasAttachments { has } => (facts.attachments > 0) == *has,
        Condition::SizeOver { bytes } => facts.size > *bytes,
    }
}

/// The first of `words` that `text` (in lower case) holds, case-insensitively.
pub(super) fn first_word_in<'w>(text: &str, words: &'w [String]) -> Option<&'w String> {
    words
        .iter()
        .find(|w| !w.is_empty() && text.contains(&w.to_lowercase()))
}

/// The first header named `name` (case-insensitive) whose value holds
/// `contains` (case-insensitive; empty: any value).
pub(super) fn matching_header<'h>(
    headers: &'h [(String, String)],
    name: &str,
    contains: &str,
) -> Option<&'h (String, String)> {
    let contains = contains.to_lowercase();
    headers
        .iter()
        .find(|(n, v)| n.eq_ignore_ascii_case(name.trim()) && v.to_lowercase().contains(&contains))
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

/// Whether every condition of `rule` holds for `recipient`.
pub fn matches(rule: &Rule, facts: &Facts<'_>, recipient: &str) -> bool {
    rule.conditions.iter().all(|c| holds(c, facts, recipient))
}

/// The words a protected message's subject loses by `rule`.
pub fn stripped_words(rule: &Rule) -> impl Iterator<Item = &str> {
    rule.conditions.iter().flat_map(|c| match c {
        Condition::SubjectContains { words, strip: true } => {
            words.iter().map(String::as_str).collect()
        }
        _ => Vec::new(),
    })
}
