//! A rule's conditions and action in the reader's language: what the list
//! shows for each rule, and what a test's verdict gives as its reason.

use sealmail_api::admin::{BrandingTemplate, MailFlowAction, MailFlowCondition};

use crate::i18n::format::size;
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
