//! Trying the mail-flow rules on a mail without sending it: which rule
//! decides what for each recipient (`sealmail rule test`, the admin API).

use sealmail_api::admin::MailFlowVerdict;

use super::facts::MailFacts;
use super::mime;
use crate::error::{Error, Result};
use crate::mailflow;
use crate::state::AppState;
use crate::store;

/// The verdicts for `raw` sent to `recipients` (none: its To and Cc) by
/// `sender` (none: its From), with the rules as stored now.
pub async fn try_rules(
    state: &AppState,
    raw: &[u8],
    recipients: &[String],
    sender: Option<&str>,
) -> Result<Vec<MailFlowVerdict>> {
    let mail =
        mime::parse(raw).ok_or_else(|| Error::InvalidRequest("this is not a mail".into()))?;
    let recipients: Vec<String> = if recipients.is_empty() {
        mail.to()
            .into_iter()
            .chain(mail.cc())
            .map(|m| m.address)
            .collect()
    } else {
        recipients.to_vec()
    };
    if recipients.is_empty() {
        return Err(Error::InvalidRequest(
            "no recipient: name them, or give a mail with To or Cc".into(),
        ));
    }
    let sender = match sender {
        Some(sender) => sender.to_owned(),
        None => mail.from().map(|m| m.address).unwrap_or_default(),
    };
    let org = &state.settings.org_domains;
    let is_inside = |address: &str| mailflow::is_inside(address, org);
    let rules = store::rules::list(&state.db).await?;
    let known = MailFacts::of(&mail, raw.len(), &rules);
    let facts = known.facts(&mail, &sender, &is_inside);
    Ok(mailflow::verdicts(&rules, &facts, &recipients))
}
