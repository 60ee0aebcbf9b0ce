//! `sealmail migrate-storage`: every row into another database and/or every
//! stored attachment into another blob store, then every message read back
//! from the target with the master key.

use crate::blobs::Blobs;
use crate::config::{Config, MigrateStorageArgs};
use crate::error::{Error, Result};
use crate::messages;
use crate::state::AppState;
use crate::store::{self, copy};

/// Copies, compares the row counts, and opens every stored message (its
/// body and each attachment to the last byte) from the target.
pub async fn run(state: &AppState, config: &Config, args: &MigrateStorageArgs) -> Result<()> {
    let mut check = state.clone();
    let mut copied = Vec::new();
    if let Some(url) = &args.to_database {
        let target = store::connect(url, config.database_connections).await?;
        copied = copy::all(&state.db, &target).await?;
        let counted = copy::row_counts(&target).await?;
        if counted != copied {
            return Err(Error::Internal(format!(
                "the target's rows differ from what was copied: {counted:?} against {copied:?}"
            )));
        }
        check.db = target;
    }
    if let Some(url) = &args.to_blobs {
        let blobs = Blobs::from_url(url, config)?;
        blobs.prepare().await?;
        let (objects, bytes) = copy_blobs(state, &blobs).await?;
        println!("copied {objects} attachments ({bytes} sealed bytes) to {blobs}");
        check.blobs = blobs;
    }
    let target = check.db.clone();
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
    if args.to_database.is_some() {
        target.close().await;
    }
    for (table, rows) in &copied {
        println!("{table:<20} {rows:>10} rows");
    }
    println!(
        "copied; {messages_read} messages and {bytes_read} bytes of attachments read back from the target"
    );
    Ok(())
}

/// Copies every stored message's attachments (those its rows point at) to
/// `to`; returns how many, and their sealed bytes.
async fn copy_blobs(state: &AppState, to: &Blobs) -> Result<(u64, u64)> {
    let (mut objects, mut bytes) = (0, 0);
    for id in store::messages::with_content(&state.db).await? {
        for attachment in store::messages::attachments(&state.db, &id).await? {
            bytes += state.blobs.copy_to(to, &id, &attachment.id).await?;
            objects += 1;
        }
    }
    Ok((objects, bytes))
}
