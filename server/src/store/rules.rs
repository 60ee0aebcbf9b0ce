//! The mail-flow rules (`mail_flow_rules`), in order. Positions run 1, 2, 3…
//! without gaps; every change renumbers in one transaction.

use sealmail_api::admin::NewMailFlowRule;

use super::{Db, Serial, Tx, on_db, on_tx};
use crate::error::{Error, Result};
use crate::mailflow::Rule;

/// Every rule, lowest position first. A rule whose stored JSON does not read
/// is an error, not skipped: a skipped "protect" rule would let mail out
/// unprotected.
pub async fn list(db: &Db) -> Result<Vec<Rule>> {
    let rows: Vec<(i64, i64, String, String, String)> = on_db!(db, |c| sqlx::query_as(
        "SELECT id, position, name, conditions, action FROM mail_flow_rules ORDER BY position",
    )
    .fetch_all(c)
    .await)?;
    rows.into_iter()
        .map(|(id, position, name, conditions, action)| {
            let bad = |e: serde_json::Error| {
                Error::Internal(format!("mail-flow rule {id} ({name}) does not read: {e}"))
            };
            Ok(Rule {
                conditions: serde_json::from_str(&conditions).map_err(bad)?,
                action: serde_json::from_str(&action).map_err(bad)?,
                id,
                position,
                name,
            })
        })
        .collect()
}

/// Adds a rule at its position (default: last); returns its id.
pub async fn add(db: &Db, rule: &NewMailFlowRule, now: i64) -> Result<i64> {
    let mut tx = db.write_serial(Serial::Rules).await?;
    // Parked at position 0 until the renumbering puts it in its place.
    let id: i64 = on_tx!(tx, |c| sqlx::query_scalar(
        "INSERT INTO mail_flow_rules (position, name, conditions, action, created_at)
         VALUES (0, $1, $2, $3, $4) RETURNING id",
    )
    .bind(rule.name.trim())
    .bind(to_json(&rule.conditions))
    .bind(to_json(&rule.action))
    .bind(now)
    .fetch_one(&mut *c)
    .await)?;
    let mut order = ids_in_order(&mut tx).await?;
    order.retain(|&i| i != id);
    let at = rule
        .position
        .map_or(order.len(), |p| usize::try_from(p.max(1) - 1).unwrap_or(0))
        .min(order.len());
    order.insert(at, id);
    renumber(&mut tx, &order).await?;
    tx.commit().await?;
    Ok(id)
}

/// Replaces rule `id`'s name, conditions and action, in its place; `false`
/// if there is no such rule, or `rule.position` names another place.
pub async fn replace(db: &Db, id: i64, rule: &NewMailFlowRule) -> Result<bool> {
    let done = on_db!(db, |c| sqlx::query(
        "UPDATE mail_flow_rules SET name = $1, conditions = $2, action = $3
         WHERE id = $4 AND ($5 IS NULL OR position = $6)",
    )
    .bind(rule.name.trim())
    .bind(to_json(&rule.conditions))
    .bind(to_json(&rule.action))
    .bind(id)
    .bind(rule.position)
    .bind(rule.position)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done > 0)
}

/// Rule `id`'s place, if there is such a rule.
pub async fn position(db: &Db, id: i64) -> Result<Option<i64>> {
    Ok(on_db!(db, |c| sqlx::query_scalar(
        "SELECT position FROM mail_flow_rules WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(c)
    .await)?)
}

/// Removes rule `id`; its name, or `None` if there is none.
pub async fn remove(db: &Db, id: i64) -> Result<Option<String>> {
    let mut tx = db.write_serial(Serial::Rules).await?;
    let name: Option<String> = on_tx!(tx, |c| sqlx::query_scalar(
        "DELETE FROM mail_flow_rules WHERE id = $1 RETURNING name"
    )
    .bind(id)
    .fetch_optional(&mut *c)
    .await)?;
    let order = ids_in_order(&mut tx).await?;
    renumber(&mut tx, &order).await?;
    tx.commit().await?;
    Ok(name)
}

/// Moves rule `id` to `position` (1 = first); `false` if there is no such rule.
pub async fn move_to(db: &Db, id: i64, position: i64) -> Result<bool> {
    let mut tx = db.write_serial(Serial::Rules).await?;
    let mut order = ids_in_order(&mut tx).await?;
    let Some(from) = order.iter().position(|&i| i == id) else {
        return Ok(false);
    };
    order.remove(from);
    let at = usize::try_from(position.max(1) - 1)
        .unwrap_or(0)
        .min(order.len());
    order.insert(at, id);
    renumber(&mut tx, &order).await?;
    tx.commit().await?;
    Ok(true)
}

async fn ids_in_order(tx: &mut Tx) -> Result<Vec<i64>> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT id FROM mail_flow_rules ORDER BY position, id"
    )
    .fetch_all(&mut *c)
    .await)?)
}

/// Gives the rules positions 1, 2, 3… in `order`. Through negative numbers
/// first: `position` is UNIQUE, and SQLite (and PostgreSQL) check it row by row.
async fn renumber(tx: &mut Tx, order: &[i64]) -> Result<()> {
    for (index, id) in order.iter().enumerate() {
        on_tx!(tx, |c| sqlx::query(
            "UPDATE mail_flow_rules SET position = $1 WHERE id = $2"
        )
        .bind(-(index as i64) - 1)
        .bind(id)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    }
    on_tx!(tx, |c| sqlx::query(
        "UPDATE mail_flow_rules SET position = -position WHERE position < 0"
    )
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// A stored JSON column.
fn to_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("the rule types always serialise")
}
