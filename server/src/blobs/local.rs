//! Attachments in a local folder: `ROOT/MESSAGE/ATTACHMENT`, each written a
//! batch at a time on the blocking pool and fsynced before its message is
//! stored.

use std::path::{Path, PathBuf};

use super::StoredObject;
use crate::error::{Error, Result};

/// A folder of sealed attachments.
#[derive(Clone, Debug)]
pub struct LocalBlobs {
    root: PathBuf,
}

impl LocalBlobs {
    /// The store in `root`.
    pub fn new(root: PathBuf) -> Self {
        LocalBlobs { root }
    }

    /// The folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    pub(super) fn prepare(&self) -> Result<()> {
        Ok(std::fs::create_dir_all(&self.root)?)
    }

    /// A message's folder.
    pub fn dir(&self, message: &str) -> PathBuf {
        self.root.join(message)
    }

    /// An attachment's file.
    pub fn path(&self, message: &str, attachment: &str) -> PathBuf {
        self.dir(message).join(attachment)
    }

    pub(super) async fn create(&self, message: &str, attachment: &str) -> Result<FileWriter> {
        let file = tokio::fs::File::create(self.path(message, attachment))
            .await?
            .into_std()
            .await;
        Ok(FileWriter {
            file: Some(file),
            in_flight: None,
        })
    }

    pub(super) async fn open(&self, message: &str, attachment: &str) -> Result<std::fs::File> {
        Ok(tokio::fs::File::open(self.path(message, attachment))
            .await?
            .into_std()
            .await)
    }

    pub(super) async fn delete_message(&self, message: &str) -> Result<()> {
        match tokio::fs::remove_dir_all(self.dir(message)).await {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
            _ => Ok(()),
        }
    }

    pub(super) async fn list(&self) -> Result<Vec<StoredObject>> {
        let root = self.root.clone();
        blocking(move || {
            let mut objects = Vec::new();
            for dir in std::fs::read_dir(&root)? {
                let dir = dir?;
                if !dir.file_type()?.is_dir() {
                    continue;
                }
                let message = dir.file_name().to_string_lossy().into_owned();
                for file in std::fs::read_dir(dir.path())? {
                    let file = file?;
                    let modified = file
                        .metadata()?
                        .modified()?
                        .duration_since(std::time::UNIX_EPOCH)
                        .map_or(0, |d| d.as_secs() as i64);
                    objects.push(StoredObject {
                        message: message.clone(),
                        attachment: file.file_name().to_string_lossy().into_owned(),
                        modified,
                    });
                }
            }
            Ok(objects)
        })
        .await
    }

    pub(super) async fn put(&self, message: &str, attachment: &str, bytes: Vec<u8>) -> Result<()> {
        let (dir, path) = (self.dir(message), self.path(message, attachment));
        blocking(move || {
            use std::io::Write as _;
            std::fs::create_dir_all(&dir)?;
            let mut file = std::fs::File::create(&path)?;
            file.write_all(&bytes)?;
            file.sync_all()
        })
        .await
    }
}

/// A write on the blocking pool; it hands back the file and the emptied buffer.
type Write = tokio::task::JoinHandle<std::io::Result<(std::fs::File, Vec<u8>)>>;

/// A file written from a blocking thread, one batch in flight at a time.
/// The sealer fills one buffer while the other is written; a finished
/// write's buffer comes back to be filled next, so two serve the whole file.
pub struct FileWriter {
    /// `None` while a write is in flight (it comes back with the file).
    file: Option<std::fs::File>,
    in_flight: Option<Write>,
}

impl FileWriter {
    /// Waits for the write in flight, if any; then `fill` makes the next
    /// batch in its emptied buffer (or a new one), and a blocking thread
    /// writes it (with an fsync if `sync`).
    pub(super) async fn write(
        &mut self,
        fill: impl FnOnce(Vec<u8>) -> Vec<u8>,
        sync: bool,
    ) -> Result<()> {
        let mut batch = fill(self.wait().await?);
        let mut file = self.file.take().expect("no write in flight after wait");
        self.in_flight = Some(tokio::task::spawn_blocking(move || {
            use std::io::Write as _;
            file.write_all(&batch)?;
            if sync {
                file.sync_all()?;
            }
            batch.clear();
            Ok((file, batch))
        }));
        Ok(())
    }

    /// Waits for the write in flight; returns its emptied buffer (or a new one).
    pub(super) async fn wait(&mut self) -> Result<Vec<u8>> {
        let Some(write) = self.in_flight.take() else {
            return Ok(super::BlobWriter::buffer());
        };
        let (file, buffer) = write
            .await
            .map_err(|e| Error::Internal(format!("attachment writer: {e}")))??;
        self.file = Some(file);
        Ok(buffer)
    }
}

/// Fills `buf` from `offset` of `file` (shared: no file position is used);
/// returns how much was there (less than `buf` at the end of the file).
pub fn read_at(file: &std::fs::File, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
    #[cfg(unix)]
    use std::os::unix::fs::FileExt as _;
    #[cfg(windows)]
    use std::os::windows::fs::FileExt as _;
    let mut read = 0;
    while read < buf.len() {
        #[cfg(unix)]
        let n = file.read_at(&mut buf[read..], offset + read as u64);
        #[cfg(windows)]
        let n = file.seek_read(&mut buf[read..], offset + read as u64);
        match n {
            Ok(0) => break,
            Ok(n) => read += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(read)
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> std::io::Result<T> + Send + 'static,
) -> Result<T> {
    Ok(tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::Internal(format!("attachment files: {e}")))??)
}
