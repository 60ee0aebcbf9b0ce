//! Attachment files nothing points at, left by a crash: a message killed
//! while its files were sealed (before its row was stored), or ended with
//! its files not yet removed. `sealmail serve` sweeps them at start.
//!
//! A message being written holds an exclusive lock on `DIR/.writing` (the
//! kernel lets go of it when the process dies, even by `kill -9`), so the
//! sweep can tell a dead writer's files from a live one's, in any process
//! (`sealmail send` writes too).

use std::fs::{File, TryLockError};
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::error::{Error, Result};
use crate::state::AppState;

/// The lock file in a message's attachment dir while it is being written.
const WRITING: &str = ".writing";

/// A dir with neither a message nor a lock file is taken for a writer's
/// between making the dir and locking it only while it is this young.
const UNLOCKED_GRACE: Duration = Duration::from_secs(60);

/// The lock of a message's attachment dir while its files are written.
pub struct Writing {
    dir: PathBuf,
    lock: File,
}

impl Writing {
    /// Makes `dir` and locks it for this writer.
    pub async fn start(dir: PathBuf) -> Result<Writing> {
        blocking(move || {
            std::fs::create_dir_all(&dir)?;
            let lock = File::create(dir.join(WRITING))?;
            lock.lock()?;
            Ok(Writing { dir, lock })
        })
        .await
    }

    /// The message is stored: its dir holds only its attachments from now on.
    pub async fn done(self) {
        let _ = blocking(move || {
            std::fs::remove_file(self.dir.join(WRITING))?;
            drop(self.lock);
            Ok(())
        })
        .await;
    }
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

/// Removes the attachment files no active message points at, and the dirs
/// of messages that were never stored or have ended. Returns how many files
/// went. Files of a message still being written (its lock held) stay.
pub async fn sweep_orphans(state: &AppState) -> Result<usize> {
    let root = state.settings.attachments_dir.clone();
    let dirs = blocking({
        let root = root.clone();
        move || {
            let mut dirs = Vec::new();
            for entry in std::fs::read_dir(&root)? {
                let entry = entry?;
                if entry.file_type()?.is_dir() {
                    dirs.push(entry.file_name().to_string_lossy().into_owned());
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
    let found: Option<(String, String)> = sqlx::query_as(
        "SELECT m.state, (SELECT json_group_array(a.id) FROM attachments a WHERE a.message_id = m.id)
         FROM messages m WHERE m.id = ?",
    )
    .bind(id)
    .fetch_optional(&state.db)
    .await?;
    Ok(match found {
        None => Owner::Nobody,
        Some((message_state, files)) if message_state == "active" => Owner::Active(
            serde_json::from_str(&files)
                .map_err(|e| Error::Internal(format!("attachment ids of {id}: {e}")))?,
        ),
        Some(_) => Owner::Ended,
    })
}

/// `None` if a live writer holds `dir`; else its lock file, locked by us
/// (`Some(None)` if it has none).
fn lock_dir(dir: &Path) -> std::io::Result<Option<Option<File>>> {
    match File::open(dir.join(WRITING)) {
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
        Owner::Ended => &[],
        Owner::Nobody => {
            let young = std::fs::metadata(dir)?
                .modified()?
                .elapsed()
                .is_ok_and(|age| age < UNLOCKED_GRACE);
            if lock.is_none() && young {
                return Ok(0);
            }
            &[]
        }
    };
    let mut removed = 0;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if !keep.contains(&name) {
            std::fs::remove_file(entry.path())?;
            if name != WRITING {
                removed += 1;
            }
        }
    }
    if keep.is_empty() {
        std::fs::remove_dir(dir)?;
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
