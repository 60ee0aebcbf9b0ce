//! Reading the audit out: a query's filter, and CSV for `sealmail audit`
//! and the admin API's export.

use sealmail_api::admin::{AUDIT_CSV_HEADER, AuditEvent, AuditQuery};

use crate::error::{Error, Result};
use crate::store;

/// The store's filter for a query.
pub fn filter(query: &AuditQuery) -> Result<store::audit::Filter> {
    Ok(store::audit::Filter {
        since: store::parse_optional_timestamp(query.since.as_ref())?,
        until: store::parse_optional_timestamp(query.until.as_ref())?,
        kind: query.kind,
        outcome: query.outcome,
        message_id: query
            .message_id
            .as_deref()
            .filter(|m| !m.trim().is_empty())
            .map(store::messages::normalize_message_id),
        recipient: query.recipient.clone().filter(|r| !r.trim().is_empty()),
        before_id: match &query.cursor {
            Some(c) => Some(
                c.parse()
                    .map_err(|_| Error::InvalidRequest("the cursor is malformed".to_owned()))?,
            ),
            None => None,
        },
    })
}

/// A query's filters, for the audit of reading it: `kind=sign_in; since=…`,
/// or `everything`.
pub fn described(query: &AuditQuery) -> String {
    fn text(v: &Option<String>) -> Option<&str> {
        v.as_deref().map(str::trim).filter(|t| !t.is_empty())
    }
    let parts: Vec<String> = [
        ("since", query.since.as_ref().map(|t| t.0.as_str())),
        ("until", query.until.as_ref().map(|t| t.0.as_str())),
        ("kind", query.kind.map(|k| k.as_str())),
        ("outcome", query.outcome.map(|o| o.as_str())),
        ("message_id", text(&query.message_id)),
        ("recipient", text(&query.recipient)),
    ]
    .into_iter()
    .filter_map(|(name, value)| Some(format!("{name}={}", value?)))
    .collect();
    if parts.is_empty() {
        "everything".to_owned()
    } else {
        parts.join("; ")
    }
}

/// The events as CSV (RFC 4180: CRLF line ends, fields quoted when needed),
/// with the columns of [`AUDIT_CSV_HEADER`].
pub fn to_csv(events: &[AuditEvent]) -> String {
    let mut out = String::new();
    push_row(&mut out, AUDIT_CSV_HEADER.iter().map(|h| h.to_string()));
    for e in events {
        push_row(
            &mut out,
            [
                e.id.to_string(),
                e.at.0.clone(),
                e.kind.as_str().to_owned(),
                e.outcome.as_str().to_owned(),
                e.message_id.clone().unwrap_or_default(),
                e.recipient.clone().unwrap_or_default(),
                e.actor.clone().unwrap_or_default(),
                e.client_address.clone().unwrap_or_default(),
                e.detail.clone().unwrap_or_default(),
            ],
        );
    }
    out
}

fn push_row(out: &mut String, fields: impl IntoIterator<Item = String>) {
    for (i, field) in fields.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&csv_field(&field));
    }
    out.push_str("\r\n");
}

/// One CSV field. Quoted (quotes doubled) if it holds a comma, quote or line
/// break; a leading `=`, `+`, `-`, `@` or tab gets a `'` first, so a
/// spreadsheet shows the text instead of running it as a formula (OWASP's
/// CSV injection advice) — recipient addresses come from senders.
pub fn csv_field(field: &str) -> String {
    let field = if field.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{field}")
    } else {
        field.to_owned()
    };
    if field.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field
    }
}

#[cfg(test)]
mod tests {
    use super::csv_field;

    #[test]
    fn csv_fields_are_quoted_and_cannot_become_formulas() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("line\nbreak"), "\"line\nbreak\"");
        assert_eq!(csv_field("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(csv_field("<a@b>"), "<a@b>");
    }
}
