//! A rule's conditions and action in the reader's language: what the list
//! shows for each rule; and what a test's verdict gives as its reasons (the
//! server's facts, worded here).

use sealmail_api::admin::{
    BrandingTemplate, MailFlowAction, MailFlowCondition, MailFlowMiss, MailFlowReason,
};

use crate::i18n::format::{self, size};
use crate::i18n::{Lang, Strings, fill};

/// One condition as a sentence.
pub fn condition(s: &Strings, lang: Lang, condition: &MailFlowCondition) -> String {
    match condition {
        MailFlowCondition::RecipientOutsideOrg => s.rules_kind_outside.to_owned(),
        MailFlowCondition::RecipientInsideOrg => s.rules_kind_inside.to_owned(),
        MailFlowCondition::SubjectContains { words, strip } => {
            let said = fill(s.rules_desc_subject, &words.join(", "));
            if *strip {
                format!("{said} {}", s.rules_desc_strip)
            } else {
                said
            }
        }
        MailFlowCondition::BodyContains { words } => fill(s.rules_desc_body, &words.join(", ")),
        MailFlowCondition::HeaderMatches { name, contains } if contains.is_empty() => {
            fill(s.rules_desc_header_present, name)
        }
        MailFlowCondition::HeaderMatches { name, contains } => {
            fill_each(s.rules_desc_header, &[name, contains])
        }
        MailFlowCondition::Sender { is } => fill(s.rules_desc_sender, is),
        MailFlowCondition::HasAttachments { has: true } => s.rules_has_attachments.to_owned(),
        MailFlowCondition::HasAttachments { has: false } => s.rules_has_no_attachments.to_owned(),
        MailFlowCondition::SizeOver { bytes } => fill(s.rules_desc_size, &size(*bytes, lang)),
    }
}

/// The action as one or more sentences; a branding template by its name
/// (its id if it is not in `templates`).
pub fn action(s: &Strings, action: &MailFlowAction, templates: &[BrandingTemplate]) -> String {
    match action {
        MailFlowAction::Protect {
            protection,
            branding_template,
            expiry_days,
        } => {
            let mut said = fill(s.rules_desc_protect, s.protection_named(*protection).0);
            if let Some(id) = branding_template {
                let name = templates
                    .iter()
                    .find(|t| &t.id == id)
                    .map_or(id.as_str(), |t| t.name.as_str());
                said = format!("{said} {}", fill(s.rules_desc_template, name));
            }
            if let Some(days) = expiry_days {
                said = format!("{said} {}", fill(s.rules_desc_expiry, &days.to_string()));
            }
            said
        }
        MailFlowAction::Relay => s.rules_desc_relay.to_owned(),
        MailFlowAction::Reject { reason } => fill(s.rules_desc_reject, reason),
    }
}

/// What the mail had for one condition, as a sentence: why it `held` (a
/// verdict's reasons) or why not (a rule passed over).
pub fn reason(s: &Strings, lang: Lang, reason: &MailFlowReason, held: bool) -> String {
    match reason {
        // Outside held, or inside failed: the recipient is outside.
        MailFlowReason::RecipientOutsideOrg { domain } if held => fill(s.rules_why_outside, domain),
        MailFlowReason::RecipientInsideOrg { domain } if !held => fill(s.rules_why_outside, domain),
        MailFlowReason::RecipientOutsideOrg { domain }
        | MailFlowReason::RecipientInsideOrg { domain } => fill(s.rules_why_inside, domain),
        MailFlowReason::SubjectContains {
            found: Some(word), ..
        } => fill(s.rules_why_subject, word),
        MailFlowReason::SubjectContains {
            subject,
            found: None,
        } => fill(s.rules_why_subject_none, subject),
        MailFlowReason::HeaderMatches {
            name,
            value: Some(value),
        } => fill_each(s.rules_why_header, &[name, value]),
        MailFlowReason::HeaderMatches { name, value: None } => {
            fill(s.rules_why_header_absent, name)
        }
        MailFlowReason::Sender { address } => fill(s.rules_why_sender, address),
        MailFlowReason::BodyContains { found: Some(word) } => fill(s.rules_why_body, word),
        MailFlowReason::BodyContains { found: None } => s.rules_why_body_none.to_owned(),
        MailFlowReason::HasAttachments { count: 0 } => s.rules_why_attachments_none.to_owned(),
        MailFlowReason::HasAttachments { count: 1 } => s.rules_why_attachments_one.to_owned(),
        MailFlowReason::HasAttachments { count } => {
            fill(s.rules_why_attachments_other, &count.to_string())
        }
        MailFlowReason::SizeOver { size, bytes } => fill_each(
            if held {
                s.rules_why_size_over
            } else {
                s.rules_why_size_not_over
            },
            &[&format::size(*size, lang), &format::size(*bytes, lang)],
        ),
    }
}

/// A rule passed over, with the condition it failed on.
pub fn missed(s: &Strings, lang: Lang, miss: &MailFlowMiss) -> String {
    fill_each(
        s.rules_verdict_missed,
        &[&miss.rule.name, &reason(s, lang, &miss.failed, false)],
    )
}

/// Fills each `{}` of `template` with the next value, in one pass: a value
/// that itself holds `{}` (a header name, say) is left as it is.
fn fill_each(template: &str, values: &[&str]) -> String {
    let mut out = String::new();
    let mut parts = template.split("{}");
    out.push_str(parts.next().unwrap_or_default());
    for (i, part) in parts.enumerate() {
        out.push_str(values.get(i).copied().unwrap_or_default());
        out.push_str(part);
    }
    out
}
