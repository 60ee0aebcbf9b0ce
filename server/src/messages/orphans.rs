//! Attachment files nothing points at, left by a crash: a message killed
//! while its files were sealed (before its row was stored), or ended with
//! its files not yet removed. `sealmail serve` sweeps them at start.
//!
//! A message being written holds an exclusive lock on `ID.writing` beside
//! its dir `ID`, taken before the dir is made (the kernel lets go of it when
//! the process dies, even by `kill -9`), so the sweep can tell a dead
//! writer's files from a live one's, in any process (`sealmail send` writes
//! too): a dir with neither a message nor a held lock is an orphan.
//!
//! A bucket (`--blob-url s3://…`) has no locks, and several servers write
//! to it: there the sweep goes by the database and the objects' age. An
//! ended message's objects go at once (its key is destroyed). Objects of a
//! message with no row go once they are a day old: a writer may still be
//! uploading the message's later attachments, and until its row is stored
//! its key exists nowhere but in that writer's memory, so the wait costs
//! space, never secrecy. Uploads a crash left incomplete are not objects
//! at all: the bucket's lifecycle rule `AbortIncompleteMultipartUpload`
//! removes them (README).

use std::collections::BTreeMap;
use std::fs::{File, TryLockError};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::state::AppState;

/// The lock file beside a message's attachment dir while it is written.
const WRITING: &str = ".writing";

fn lock_path(dir: &Path) -> PathBuf {
    let mut name = dir.file_name().unwrap_or_default().to_owned();
    name.push(WRITING);
    dir.with_file_name(name)
}

/// The lock of a message's attachment dir while its files are written.
pub struct Writing {
    path: PathBuf,
    lock: File,
}

impl Writing {
    /// Locks `dir` for this writer, then makes it.
    pub async fn start(dir: PathBuf) -> Result<Writing> {
        blocking(move || {
            let path = lock_path(&dir);
            if let Some(parent) = dir.parent() {
                std::fs::create_dir_all(parent)?;
            }
            let lock = loop {
                let lock = File::create(&path)?;
                lock.lock()?;
                // A sweep may have taken the file for a dead writer's
                // between its creation and our lock: then lock a new one.
                if same_file(&lock, &path)? {
                    break lock;
                }
            };
            std::fs::create_dir_all(&dir)?;
            Ok(Writing { path, lock })
        })
        .await
    }

    /// The message was dropped and its dir removed: the lock goes (here,
    /// from `Drop`, so not on the blocking pool).
    pub fn abandon(self) {
        let _ = std::fs::remove_file(&self.path);
    }

    /// The message is stored (its row points at its files): the lock goes.
    pub async fn done(self) {
        let _ = blocking(move || {
            std::fs::remove_file(&self.path)?;
            drop(self.lock);
            Ok(())
        })
        .await;
    }
}

#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> std::io::Result<bool> {
    use std::os::unix::fs::MetadataExt as _;
    let open = file.metadata()?;
    Ok(match std::fs::metadata(path) {
        Ok(named) => named.ino() == open.ino() && named.dev() == open.dev(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
        Err(e) => return Err(e),
    })
}

#[cfg(not(unix))]
fn same_file(_: &File, path: &Path) -> std::io::Result<bool> {
    Ok(path.exists())
}

/// What one dir of `attachments/` is.
enum Owner {
    /// No message row: being written, or left by a dead writer.
    Nobody,
    /// An active message, with the ids of its attachment files.
    Active(Vec<String>),
    /// A revoked or expired message: nothing of it should be on disk.
    Ended,
}

/// How old the objects of a message with no row must be before they are
/// swept from a bucket (see the module's comment).
const UNSTORED_GRACE_SECONDS: i64 = 24 * 60 * 60;

/// Removes the attachments no active message points at, and those of
/// messages that were never stored or have ended. Returns how many went.
/// Attachments of a message still being written stay.
pub async fn sweep_orphans(state: &AppState) -> Result<usize> {
    match state.blobs.local_root() {
        Some(root) => sweep_folder(state, root.to_owned()).await,
        None => sweep_bucket(state).await,
    }
}

/// The sweep of a bucket, by the database and the objects' age.
async fn sweep_bucket(state: &AppState) -> Result<usize> {
    let mut by_message: BTreeMap<String, Vec<crate::blobs::StoredObject>> = BTreeMap::new();
    for object in state.blobs.list().await? {
        by_message
            .entry(object.message.clone())
            .or_default()
            .push(object);
    }
    let now = crate::store::now();
    let mut removed = 0;
    for (id, objects) in by_message {
        let owner = owner(state, &id).await?;
        for object in objects {
            let orphan = match &owner {
                Owner::Active(files) => !files.contains(&object.attachment),
                Owner::Ended => true,
                Owner::Nobody => now - object.modified > UNSTORED_GRACE_SECONDS,
            };
            if !orphan {
                continue;
            }
            match state.blobs.delete(&id, &object.attachment).await {
                Ok(()) => removed += 1,
                Err(e) => {
                    tracing::warn!(message = %id, error = %e, "sweeping an attachment failed")
                }
            }
        }
    }
    Ok(removed)
}

/// The sweep of a local folder, by its writers' locks and the database.
async fn sweep_folder(state: &AppState, root: PathBuf) -> Result<usize> {
    let dirs = blocking({
        let root = root.clone();
        move || {
            let mut dirs = Vec::new();
            for entry in std::fs::read_dir(&root)? {
                let entry = entry?;
                let name = entry.file_name().to_string_lossy().into_owned();
                if entry.file_type()?.is_dir() {
                    dirs.push(name);
                } else if let Some(id) = name.strip_suffix(WRITING) {
                    // A lock whose dir was never made, or was removed.
                    let dir = root.join(id);
                    if !dir.exists() {
                        dirs.push(id.to_owned());
                    }
                }
            }
            Ok(dirs)
        }
    })
    .await?;
    let mut removed = 0;
    for id in dirs {
        let dir = root.join(&id);
        // The writer's lock first, then the database: once the lock is ours
        // the writer has stored its message, dropped it, or died, and the
        // row (or its absence) is final.
        let lock = blocking({
            let dir = dir.clone();
            move || lock_dir(&dir)
        })
        .await?;
        let Some(lock) = lock else { continue };
        let owner = owner(state, &id).await?;
        match blocking(move || sweep_dir(&dir, &owner, lock)).await {
            Ok(n) => removed += n,
            // Say so and go on: one dir (being removed by a revoke now, say)
            // does not stop the sweep of the others.
            Err(e) => tracing::warn!(message = %id, error = %e, "sweeping attachment files failed"),
        }
    }
    Ok(removed)
}

async fn owner(state: &AppState, id: &str) -> Result<Owner> {
    Ok(
        match crate::store::messages::with_attachment_ids(&state.db, id).await? {
            None => Owner::Nobody,
            Some((message_state, files)) if message_state == "active" => Owner::Active(files),
            Some(_) => Owner::Ended,
        },
    )
}

/// `None` if a live writer holds `dir`; else its lock file, locked by us
/// (`Some(None)` if it has none).
fn lock_dir(dir: &Path) -> std::io::Result<Option<Option<File>>> {
    match File::open(lock_path(dir)) {
        Ok(file) => match file.try_lock() {
            Ok(()) => Ok(Some(Some(file))),
            Err(TryLockError::WouldBlock) => Ok(None),
            Err(TryLockError::Error(e)) => Err(e),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Some(None)),
        Err(e) => Err(e),
    }
}

/// Sweeps one message's dir, holding its writer's `lock` if it had one;
/// returns how many files it removed.
fn sweep_dir(dir: &Path, owner: &Owner, lock: Option<File>) -> std::io::Result<usize> {
    let keep: &[String] = match owner {
        Owner::Active(files) => files,
        Owner::Ended | Owner::Nobody => &[],
    };
    let mut removed = 0;
    match std::fs::read_dir(dir) {
        Ok(entries) => {
            for entry in entries {
                let entry = entry?;
                let name = entry.file_name().to_string_lossy().into_owned();
                if !keep.contains(&name) {
                    std::fs::remove_file(entry.path())?;
                    removed += 1;
                }
            }
            if keep.is_empty() {
                std::fs::remove_dir(dir)?;
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    if lock.is_some() {
        std::fs::remove_file(lock_path(dir))?;
    }
    drop(lock);
    Ok(removed)
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> std::io::Result<T> + Send + 'static,
) -> Result<T> {
    Ok(tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::Internal(format!("attachment files: {e}")))??)
}
