//! The mail-flow rules (`mail_flow_rules`), in order.

use sqlx::SqlitePool;

use crate::error::{Error, Result};
use crate::mailflow::Rule;

/// Every rule, lowest position first. A rule whose stored JSON does not read
/// is an error, not skipped: a skipped "protect" rule would let mail out
/// unprotected.
pub async fn list(pool: &SqlitePool) -> Result<Vec<Rule>> {
    let rows: Vec<(i64, i64, String, String, String)> = sqlx::query_as(
        "SELECT id, position, name, conditions, action FROM mail_flow_rules ORDER BY position",
    )
    .fetch_all(pool)
    .await?;
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
