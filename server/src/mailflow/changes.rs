//! Changing the mail-flow rules: each change checked, stored and recorded in
//! the audit as done by its actor — the admin API and `sealmail rule` both
//! come here, so neither can change a rule unaudited (ASVS 7.2.2).

use sealmail_api::admin::{AuditKind, NewMailFlowRule};

use super::{Action, check};
use crate::audit::Actor;
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store;

/// Adds `rule` (checked); returns its id.
pub async fn add(state: &AppState, rule: &NewMailFlowRule, actor: &Actor) -> Result<i64> {
    check_with_store(state, rule).await?;
    let id = store::rules::add(&state.db, rule, store::now()).await?;
    let position = store::rules::position(&state.db, id).await?.unwrap_or(0);
    let detail = format!("{} at {position}", named(id, &rule.name));
    record(state, AuditKind::MailFlowRuleAdded, actor, detail).await;
    tracing::info!(rule = id, actor = %actor.name, "mail-flow rule added");
    Ok(id)
}

/// Replaces rule `id`'s name, conditions and action with `rule`'s; it keeps
/// its id and place (a `position` other than its own is refused: moving is
/// [`move_to`]).
pub async fn edit(state: &AppState, id: i64, rule: &NewMailFlowRule, actor: &Actor) -> Result<()> {
    check_with_store(state, rule).await?;
    if !store::rules::replace(&state.db, id, rule).await? {
        return Err(match store::rules::position(&state.db, id).await? {
            None => not_found(id),
            Some(_) => Error::InvalidRequest(
                "an edit keeps the rule's place: move it to change that".to_owned(),
            ),
        });
    }
    record(
        state,
        AuditKind::MailFlowRuleChanged,
        actor,
        named(id, &rule.name),
    )
    .await;
    tracing::info!(rule = id, actor = %actor.name, "mail-flow rule changed");
    Ok(())
}

/// Moves rule `id` to `position` (1 = first).
pub async fn move_to(state: &AppState, id: i64, position: i64, actor: &Actor) -> Result<()> {
    if !store::rules::move_to(&state.db, id, position).await? {
        return Err(not_found(id));
    }
    let now_at = store::rules::position(&state.db, id).await?.unwrap_or(0);
    let detail = format!("rule {id} to {now_at}");
    record(state, AuditKind::MailFlowRuleMoved, actor, detail).await;
    tracing::info!(rule = id, to = now_at, actor = %actor.name, "mail-flow rule moved");
    Ok(())
}

/// Removes rule `id`.
pub async fn remove(state: &AppState, id: i64, actor: &Actor) -> Result<()> {
    let Some(name) = store::rules::remove(&state.db, id).await? else {
        return Err(not_found(id));
    };
    record(
        state,
        AuditKind::MailFlowRuleRemoved,
        actor,
        named(id, &name),
    )
    .await;
    tracing::info!(rule = id, actor = %actor.name, "mail-flow rule removed");
    Ok(())
}

/// `not_found` for rule `id`.
pub fn not_found(id: i64) -> Error {
    Error::NotFound(format!("no rule {id}"))
}

/// [`check`], and that the branding template a protect action names exists.
async fn check_with_store(state: &AppState, rule: &NewMailFlowRule) -> Result<()> {
    check(rule)?;
    if let Action::Protect {
        branding_template: Some(id),
        ..
    } = &rule.action
    {
        let found = match id.trim().parse::<i64>() {
            Ok(id) => store::branding::get(&state.db, id).await?.is_some(),
            Err(_) => false,
        };
        if !found {
            return Err(Error::InvalidRequest(format!(
                "this rule names branding template {id}, and there is none"
            )));
        }
    }
    Ok(())
}

/// `rule 3 "Protect tagged mail"`: what the audit says a change was done to.
fn named(id: i64, name: &str) -> String {
    format!("rule {id} \"{}\"", name.trim())
}

async fn record(state: &AppState, kind: AuditKind, actor: &Actor, detail: String) {
    state.audit.record(actor.did(kind, detail)).await;
}
