//! `sealmail migrate-storage`: every row into another database, then every
//! message read back from it with the master key.

use crate::config::{Config, MigrateStorageArgs};
use crate::error::{Error, Result};
use crate::messages;
use crate::state::AppState;
use crate::store::{self, copy};

/// Copies, compares the row counts, and opens every stored message (its
/// body and each attachment to the last byte) from the target.
pub async fn run(state: &AppState, config: &Config, args: &MigrateStorageArgs) -> Result<()> {
    let target = store::connect(&args.to_database, config.database_connections).await?;
    let copied = copy::all(&state.db, &target).await?;
    let mut check = state.clone();
    check.db = target.clone();
    let counted = copy::row_counts(&target).await?;
    if counted != copied {
        return Err(Error::Internal(format!(
            "the target's rows differ from what was copied: {counted:?} against {copied:?}"
        )));
    }
    let mut messages_read = 0;
    let mut bytes_read = 0u64;
    for id in store::messages::with_content(&target).await? {
        let content = store::messages::content(&target, &id)
            .await?
            .ok_or_else(|| Error::Internal(format!("message {id} lost its content")))?;
        messages::open_body(&check, &id, content)?;
        for attachment in store::messages::attachments(&target, &id).await? {
            let mut stream = messages::open_attachment(&check, &id, &attachment).await?;
            let mut size = 0u64;
            while let Some(chunk) = stream.next_chunk().await? {
                size += chunk.len() as u64;
            }
            if size != attachment.size as u64 {
                return Err(Error::Internal(format!(
                    "attachment {} of message {id} read back {size} of {} bytes",
                    attachment.id, attachment.size
                )));
            }
            bytes_read += size;
        }
        messages_read += 1;
    }
    target.close().await;
    for (table, rows) in &copied {
        println!("{table:<20} {rows:>10} rows");
    }
    println!(
        "copied; {messages_read} messages and {bytes_read} bytes of attachments read back from the target"
    );
    Ok(())
}
