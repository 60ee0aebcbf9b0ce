//! The rule form's contents as typed (words and numbers still text), and
//! their checked conversion to and from the wire's rule.

use sealmail_api::Protection;
use sealmail_api::admin::{MailFlowAction, MailFlowCondition, MailFlowRule, NewMailFlowRule};

use crate::i18n::Strings;

/// The kinds of condition the form offers, one per [`MailFlowCondition`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Outside,
    Inside,
    Subject,
    Body,
    Header,
    Sender,
    Attachments,
    Size,
}

impl Kind {
    /// In the order the form lists them.
    pub const ALL: [Kind; 8] = [
        Kind::Outside,
        Kind::Inside,
        Kind::Subject,
        Kind::Body,
        Kind::Header,
        Kind::Sender,
        Kind::Attachments,
        Kind::Size,
    ];

    /// The `<option value>` (the wire's `kind`).
    pub const fn value(self) -> &'static str {
        match self {
            Kind::Outside => "recipient_outside_org",
            Kind::Inside => "recipient_inside_org",
            Kind::Subject => "subject_contains",
            Kind::Body => "body_contains",
            Kind::Header => "header_matches",
            Kind::Sender => "sender",
            Kind::Attachments => "has_attachments",
            Kind::Size => "size_over",
        }
    }

    pub fn from_value(value: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.value() == value)
    }

    /// Its name in the kind `<select>`.
    pub fn label(self, s: &'static Strings) -> &'static str {
        match self {
            Kind::Outside => s.rules_kind_outside,
            Kind::Inside => s.rules_kind_inside,
            Kind::Subject => s.rules_kind_subject,
            Kind::Body => s.rules_kind_body,
            Kind::Header => s.rules_kind_header,
            Kind::Sender => s.rules_kind_sender,
            Kind::Attachments => s.rules_kind_attachments,
            Kind::Size => s.rules_kind_size,
        }
    }
}

/// One condition row. What `text`, `other` and `flag` hold depends on the
/// kind: the words, a header's name, the sender or the size in `text`; what
/// the header holds in `other`; "take the words out" or "has attachments"
/// in `flag`.
#[derive(Clone, Debug, PartialEq)]
pub struct ConditionDraft {
    /// Tells the rows apart while they are added and removed (keyed `<For>`).
    pub key: u32,
    pub kind: Kind,
    pub text: String,
    pub other: String,
    pub flag: bool,
}

impl ConditionDraft {
    fn new(key: u32, kind: Kind) -> Self {
        ConditionDraft {
            key,
            kind,
            text: String::new(),
            other: String::new(),
            // A new "attachments" row means "has attachments".
            flag: kind == Kind::Attachments,
        }
    }

    /// The row turned into another kind: what was typed for the old kind
    /// means nothing for the new one.
    pub fn set_kind(&mut self, kind: Kind) {
        if kind != self.kind {
            *self = ConditionDraft::new(self.key, kind);
        }
    }

    fn of(key: u32, condition: &MailFlowCondition) -> Self {
        let row = |kind, text: &str, other: &str, flag| ConditionDraft {
            key,
            kind,
            text: text.to_owned(),
            other: other.to_owned(),
            flag,
        };
        match condition {
            MailFlowCondition::RecipientOutsideOrg => row(Kind::Outside, "", "", false),
            MailFlowCondition::RecipientInsideOrg => row(Kind::Inside, "", "", false),
            MailFlowCondition::SubjectContains { words, strip } => {
                row(Kind::Subject, &words.join(", "), "", *strip)
            }
            MailFlowCondition::BodyContains { words } => {
                row(Kind::Body, &words.join(", "), "", false)
            }
            MailFlowCondition::HeaderMatches { name, contains } => {
                row(Kind::Header, name, contains, false)
            }
            MailFlowCondition::Sender { is } => row(Kind::Sender, is, "", false),
            MailFlowCondition::HasAttachments { has } => row(Kind::Attachments, "", "", *has),
            MailFlowCondition::SizeOver { bytes } => row(Kind::Size, &bytes.to_string(), "", false),
        }
    }

    /// The wire's condition; `number` (1 = first) names the row in a problem.
    fn condition(&self, number: usize) -> Result<MailFlowCondition, Problem> {
        let text = self.text.trim();
        Ok(match self.kind {
            Kind::Outside => MailFlowCondition::RecipientOutsideOrg,
            Kind::Inside => MailFlowCondition::RecipientInsideOrg,
            Kind::Subject => MailFlowCondition::SubjectContains {
                words: words(text).ok_or(Problem::WordsMissing(number))?,
                strip: self.flag,
            },
            Kind::Body => MailFlowCondition::BodyContains {
                words: words(text).ok_or(Problem::WordsMissing(number))?,
            },
            Kind::Header if text.is_empty() => return Err(Problem::HeaderMissing(number)),
            Kind::Header => MailFlowCondition::HeaderMatches {
                name: text.to_owned(),
                contains: self.other.trim().to_owned(),
            },
            Kind::Sender if text.is_empty() => return Err(Problem::SenderMissing(number)),
            Kind::Sender => MailFlowCondition::Sender {
                is: text.to_owned(),
            },
            Kind::Attachments => MailFlowCondition::HasAttachments { has: self.flag },
            Kind::Size => MailFlowCondition::SizeOver {
                bytes: text
                    .parse()
                    .ok()
                    .filter(|&b| b >= 1)
                    .ok_or(Problem::BadSize(number))?,
            },
        })
    }
}

/// Comma-separated words, trimmed; `None` when there are none.
fn words(text: &str) -> Option<Vec<String>> {
    let words: Vec<String> = text
        .split(',')
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect();
    (!words.is_empty()).then_some(words)
}

/// What the rule does, as the form's radio buttons choose it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActionKind {
    Protect,
    Relay,
    Reject,
}

/// The whole form.
#[derive(Clone, Debug, PartialEq)]
pub struct Draft {
    pub name: String,
    pub conditions: Vec<ConditionDraft>,
    pub action: ActionKind,
    pub protection: Protection,
    /// A branding template's id; `None`: the default template.
    pub template: Option<String>,
    pub expiry_days: String,
    pub reason: String,
    next_key: u32,
}

/// Why the form cannot be sent as it is (a condition by its number, 1 = first).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Problem {
    NameMissing,
    WordsMissing(usize),
    HeaderMissing(usize),
    SenderMissing(usize),
    BadSize(usize),
    BadExpiry,
    ReasonMissing,
}

impl Problem {
    pub fn said(self, s: &Strings) -> String {
        let numbered = |template: &str, n: usize| crate::i18n::fill(template, &n.to_string());
        match self {
            Problem::NameMissing => s.rules_name_missing.to_owned(),
            Problem::WordsMissing(n) => numbered(s.rules_words_missing, n),
            Problem::HeaderMissing(n) => numbered(s.rules_header_missing, n),
            Problem::SenderMissing(n) => numbered(s.rules_sender_missing, n),
            Problem::BadSize(n) => numbered(s.rules_size_bad, n),
            Problem::BadExpiry => s.rules_expiry_bad.to_owned(),
            Problem::ReasonMissing => s.rules_reason_missing.to_owned(),
        }
    }
}

/// The longest expiry a rule may set (the server's limit too).
const MAX_EXPIRY_DAYS: u32 = 3650;

impl Draft {
    /// An empty form: a rule that protects, Encrypt-only, with no conditions yet.
    pub fn blank() -> Self {
        Draft {
            name: String::new(),
            conditions: Vec::new(),
            action: ActionKind::Protect,
            protection: Protection::EncryptOnly,
            template: None,
            expiry_days: String::new(),
            reason: String::new(),
            next_key: 0,
        }
    }

    /// The form filled with a stored rule, to edit it.
    pub fn of(rule: &MailFlowRule) -> Self {
        let mut draft = Draft::blank();
        draft.name = rule.name.clone();
        for condition in &rule.conditions {
            let key = draft.take_key();
            draft.conditions.push(ConditionDraft::of(key, condition));
        }
        match &rule.action {
            MailFlowAction::Protect {
                protection,
                branding_template,
                expiry_days,
            } => {
                draft.protection = *protection;
                draft.template = branding_template.clone();
                draft.expiry_days = expiry_days.map(|d| d.to_string()).unwrap_or_default();
            }
            MailFlowAction::Relay => draft.action = ActionKind::Relay,
            MailFlowAction::Reject { reason } => {
                draft.action = ActionKind::Reject;
                draft.reason = reason.clone();
            }
        }
        draft
    }

    fn take_key(&mut self) -> u32 {
        self.next_key += 1;
        self.next_key
    }

    /// Adds a condition row (of the first kind).
    pub fn add_condition(&mut self) {
        let key = self.take_key();
        self.conditions.push(ConditionDraft::new(key, Kind::ALL[0]));
    }

    pub fn remove_condition(&mut self, key: u32) {
        self.conditions.retain(|c| c.key != key);
    }

    /// The row with this key.
    pub fn condition_mut(&mut self, key: u32) -> Option<&mut ConditionDraft> {
        self.conditions.iter_mut().find(|c| c.key == key)
    }

    /// The rule to send, or the first thing to correct. An edit leaves the
    /// position out, so the rule keeps its place.
    pub fn rule(&self) -> Result<NewMailFlowRule, Problem> {
        let name = self.name.trim();
        if name.is_empty() {
            return Err(Problem::NameMissing);
        }
        let conditions = self
            .conditions
            .iter()
            .enumerate()
            .map(|(i, c)| c.condition(i + 1))
            .collect::<Result<Vec<_>, _>>()?;
        let action = match self.action {
            ActionKind::Protect => MailFlowAction::Protect {
                protection: self.protection,
                branding_template: self.template.clone(),
                expiry_days: match self.expiry_days.trim() {
                    "" => None,
                    days => Some(
                        days.parse()
                            .ok()
                            .filter(|d| (1..=MAX_EXPIRY_DAYS).contains(d))
                            .ok_or(Problem::BadExpiry)?,
                    ),
                },
            },
            ActionKind::Relay => MailFlowAction::Relay,
            ActionKind::Reject if self.reason.trim().is_empty() => {
                return Err(Problem::ReasonMissing);
            }
            ActionKind::Reject => MailFlowAction::Reject {
                reason: self.reason.trim().to_owned(),
            },
        };
        Ok(NewMailFlowRule {
            name: name.to_owned(),
            conditions,
            action,
            position: None,
        })
    }
}
