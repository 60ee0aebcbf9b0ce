//! Mail-flow rules: what happens to mail that comes in over SMTP, recipient
//! by recipient. Rules are tried in `position` order; the first whose
//! conditions all hold decides. `sealmail rule …` prints and takes these.

use serde::{Deserialize, Serialize};

use crate::common::Protection;

/// A stored rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MailFlowRule {
    /// Its id.
    pub id: i64,
    /// Its place: rules are tried from the lowest.
    pub position: i64,
    /// What an administrator calls it.
    pub name: String,
    /// All must hold; none: the rule matches every recipient.
    pub conditions: Vec<MailFlowCondition>,
    /// What happens to a recipient it matches.
    pub action: MailFlowAction,
}

/// A rule to add (`POST`), or what a rule becomes (`PUT`
/// [`crate::routes::ADMIN_MAIL_FLOW_RULE`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewMailFlowRule {
    /// What an administrator calls it.
    pub name: String,
    /// All must hold; none: the rule matches every recipient.
    #[serde(default)]
    pub conditions: Vec<MailFlowCondition>,
    /// What happens to a recipient it matches.
    pub action: MailFlowAction,
    /// Where it goes (1 = first); the rules from there move down. Default: last.
    /// An edit keeps the rule's place: absent, or the place it has.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<i64>,
}

/// Something a mail, for one of its recipients, may satisfy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum MailFlowCondition {
    /// The recipient is not in one of the organisation's domains (`--org-domains`).
    RecipientOutsideOrg,
    /// The recipient is in one of the organisation's domains.
    RecipientInsideOrg,
    /// The subject holds one of the words (case-insensitive); with `strip`,
    /// a protected message's subject loses the words found (`[secure]`).
    SubjectContains {
        /// Any of these.
        words: Vec<String>,
        /// Take the words out of the protected message's subject.
        #[serde(default)]
        strip: bool,
    },
    /// A header is present and its value holds `contains` (case-insensitive;
    /// empty: present at all), e.g. `Sensitivity` holding `Company-Confidential`.
    HeaderMatches {
        /// The header's name (case-insensitive).
        name: String,
        /// What its value holds.
        #[serde(default)]
        contains: String,
    },
    /// The sender is this address, or in this domain (`example.com` or
    /// `@example.com`; subdomains included).
    Sender {
        /// An address or a domain.
        is: String,
    },
    /// The body holds one of the words (case-insensitive): the decoded
    /// text/plain body, or the text of the text/html body.
    BodyContains {
        /// Any of these.
        words: Vec<String>,
    },
    /// The mail has attachments (`has: true`), or has none (`has: false`).
    /// Images its HTML shows inline are not attachments.
    HasAttachments {
        /// Whether it has any.
        has: bool,
    },
    /// The mail, as it came (headers and all), is larger than `bytes`.
    SizeOver {
        /// The size it must exceed, in bytes (at least 1).
        bytes: u64,
    },
}

/// What a rule does with a recipient it matches.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum MailFlowAction {
    /// Store the mail encrypted; the recipient gets Sealmail's notification.
    Protect {
        /// Encrypt-only or Do-not-forward.
        protection: Protection,
        /// The branding template the protected message is sent with
        /// ([`crate::admin::BrandingTemplate::id`]); absent: the default one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        branding_template: Option<String>,
        /// The protected message expires this many days after it came in
        /// (1 to 3650); absent: as its branding template says.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expiry_days: Option<u32>,
    },
    /// Relay the mail onward unchanged.
    Relay,
    /// Refuse the whole mail (SMTP 550) with this reason.
    Reject {
        /// Told to the sending client.
        reason: String,
    },
}

/// `POST` [`crate::routes::ADMIN_MAIL_FLOW_RULE_MOVE`]: where the rule goes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MoveMailFlowRule {
    /// Its new place (1 = first); the rules between move along.
    pub position: i64,
}

/// `POST` [`crate::routes::ADMIN_MAIL_FLOW_TEST`]: a mail to try the rules on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MailFlowTest {
    /// The whole mail, headers included (RFC 5322, as pasted).
    pub eml: String,
    /// The recipients, as the envelope would name them; empty: the mail's To and Cc.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recipients: Vec<String>,
    /// The sender; absent: the mail's From.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender: Option<String>,
}

/// What the rules decide for one recipient of a mail (`sealmail rule test`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MailFlowVerdict {
    /// The recipient.
    pub recipient: String,
    /// The rule that matched (its id and name); none: no rule matched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<MailFlowRuleRef>,
    /// What happens: the rule's action, or relaying when none matched.
    pub action: MailFlowAction,
    /// Why the rule matched: each of its conditions, in its order, with
    /// what the mail had. Empty when no rule matched or the rule has no
    /// conditions (it matches every recipient).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub because: Vec<MailFlowReason>,
    /// The rules tried before (in order) that did not match, each with the
    /// first of its conditions that failed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub passed_over: Vec<MailFlowMiss>,
}

/// A rule that did not match a recipient, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MailFlowMiss {
    /// The rule.
    pub rule: MailFlowRuleRef,
    /// The first of its conditions that failed, with what the mail had.
    pub failed: MailFlowReason,
}

/// One of a rule's conditions checked for a recipient, with what the mail
/// had: facts, not sentences, so each client words them in its language.
/// One kind per [`MailFlowCondition`] kind, named the same. In a verdict's
/// `because` the condition held; in a [`MailFlowMiss`] it failed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MailFlowReason {
    /// `recipient_outside_org`: the recipient's domain (outside the
    /// organisation when it held, inside when it failed).
    RecipientOutsideOrg {
        /// The part of the address after `@`, lower case.
        domain: String,
    },
    /// `recipient_inside_org`: the recipient's domain (inside the
    /// organisation when it held, outside when it failed).
    RecipientInsideOrg {
        /// The part of the address after `@`, lower case.
        domain: String,
    },
    /// `subject_contains`: the mail's subject and the rule's word found in it.
    SubjectContains {
        /// The decoded subject.
        subject: String,
        /// The first of the rule's words the subject holds, as the rule
        /// spells it; absent: it holds none of them.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        found: Option<String>,
    },
    /// `header_matches`: the header the rule names, as the mail has it.
    HeaderMatches {
        /// Its name: as the mail spells it, or as the rule does when absent.
        name: String,
        /// Its (decoded) value: the first that holds the rule's text, else
        /// the first; absent: the mail has no such header.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        value: Option<String>,
    },
    /// `sender`: the sender's address.
    Sender {
        /// The envelope sender (else the mail's From).
        address: String,
    },
    /// `body_contains`: the rule's word found in the body.
    BodyContains {
        /// The first of the rule's words the body holds, as the rule spells
        /// it; absent: it holds none of them.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        found: Option<String>,
    },
    /// `has_attachments`: how many the mail has (images its HTML shows
    /// inline are not counted).
    HasAttachments {
        /// The number of attachments.
        count: u32,
    },
    /// `size_over`: the mail's size beside the rule's.
    SizeOver {
        /// The mail's size as it came (headers and all), in bytes.
        size: u64,
        /// The size the rule says it must exceed, in bytes.
        bytes: u64,
    },
}

/// A rule named in a verdict.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MailFlowRuleRef {
    /// Its id.
    pub id: i64,
    /// Its name.
    pub name: String,
}
