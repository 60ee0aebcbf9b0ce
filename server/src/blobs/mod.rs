//! Where sealed attachments are kept: a local folder (the default) or an
//! S3-compatible bucket (`--blob-url s3://BUCKET/PREFIX`). Either way an
//! attachment is one object, `MESSAGE/ATTACHMENT`, written once as it is
//! sealed, read back a batch of whole chunks at a time, and deleted with
//! its message. Sealed bodies are not here: they are small and live in the
//! database (`message_bodies`), so ending a message destroys them with its
//! key in one transaction.

mod local;
mod s3;

use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::error::{Error, Result};

pub use local::{LocalBlobs, read_at};
pub use s3::S3Blobs;

/// The blob store the configuration names. Cheap to clone.
#[derive(Clone, Debug)]
pub enum Blobs {
    /// A folder: `ROOT/MESSAGE/ATTACHMENT`, fsynced.
    Local(LocalBlobs),
    /// A bucket: `PREFIX/MESSAGE/ATTACHMENT`.
    S3(S3Blobs),
}

/// One stored object, as a listing sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredObject {
    /// The message it belongs to.
    pub message: String,
    /// The attachment's id.
    pub attachment: String,
    /// When it was written (Unix seconds).
    pub modified: i64,
}

impl Blobs {
    /// The store `--blob-url` names (`data_dir/attachments` without one).
    pub fn from_config(config: &Config) -> Result<Blobs> {
        match config.blobs.blob_url.as_deref() {
            None => Ok(Blobs::Local(LocalBlobs::new(
                config.data_dir.join("attachments"),
            ))),
            Some(url) => Blobs::from_url(url, config),
        }
    }

    /// The store at `url` (a folder, `file://PATH` or `s3://BUCKET/PREFIX`),
    /// with the S3 options of `config`.
    pub fn from_url(url: &str, config: &Config) -> Result<Blobs> {
        if let Some(rest) = url.strip_prefix("s3://") {
            return Ok(Blobs::S3(S3Blobs::new(rest, &config.blobs)?));
        }
        if url.contains("://") && !url.starts_with("file://") {
            return Err(Error::InvalidRequest(format!(
                "--blob-url: expected a folder or s3://BUCKET/PREFIX, not {url}"
            )));
        }
        let path = url.strip_prefix("file://").unwrap_or(url);
        Ok(Blobs::Local(LocalBlobs::new(PathBuf::from(path))))
    }

    /// Makes the folder, or checks that the bucket answers.
    pub async fn prepare(&self) -> Result<()> {
        match self {
            Blobs::Local(local) => local.prepare(),
            Blobs::S3(s3) => s3.prepare().await,
        }
    }

    /// A message's folder, if the store is local: the orphan sweep's locks
    /// live beside it.
    pub fn local_dir(&self, message: &str) -> Option<PathBuf> {
        match self {
            Blobs::Local(local) => Some(local.dir(message)),
            Blobs::S3(_) => None,
        }
    }

    /// The folder, if the store is local.
    pub fn local_root(&self) -> Option<&Path> {
        match self {
            Blobs::Local(local) => Some(local.root()),
            Blobs::S3(_) => None,
        }
    }

    /// Starts writing an attachment. On a local store its message's folder
    /// exists already (made under its writer's lock, see `messages::orphans`).
    pub async fn create(&self, message: &str, attachment: &str) -> Result<BlobWriter> {
        Ok(match self {
            Blobs::Local(local) => BlobWriter::Local(local.create(message, attachment).await?),
            Blobs::S3(s3) => BlobWriter::S3(s3.create(message, attachment)),
        })
    }

    /// Opens an attachment for reading at offsets.
    pub async fn open(&self, message: &str, attachment: &str) -> Result<BlobReader> {
        Ok(match self {
            Blobs::Local(local) => BlobReader::Local(local.open(message, attachment).await?),
            Blobs::S3(s3) => BlobReader::S3(s3.reader(message, attachment)),
        })
    }

    /// An attachment's whole sealed bytes (a reply mailed in plain, a copy).
    pub async fn read_all(&self, message: &str, attachment: &str) -> Result<Vec<u8>> {
        match self {
            Blobs::Local(local) => Ok(tokio::fs::read(local.path(message, attachment)).await?),
            Blobs::S3(s3) => s3.read_all(message, attachment).await,
        }
    }

    /// Deletes every object of a message (none is not an error).
    pub async fn delete_message(&self, message: &str) -> Result<()> {
        match self {
            Blobs::Local(local) => local.delete_message(message).await,
            Blobs::S3(s3) => s3.delete_message(message).await,
        }
    }

    /// Deletes a message's objects from `Drop` (a message dropped unsent):
    /// at once for a folder, in a task for a bucket.
    pub fn discard_message(&self, message: &str) {
        match self {
            Blobs::Local(local) => {
                let _ = std::fs::remove_dir_all(local.dir(message));
            }
            Blobs::S3(s3) => s3.discard_message(message),
        }
    }

    /// Deletes one attachment's object (the orphan sweep).
    pub async fn delete(&self, message: &str, attachment: &str) -> Result<()> {
        match self {
            Blobs::Local(local) => {
                match tokio::fs::remove_file(local.path(message, attachment)).await {
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
                    _ => Ok(()),
                }
            }
            Blobs::S3(s3) => s3.delete(message, attachment).await,
        }
    }

    /// Every object in the store.
    pub async fn list(&self) -> Result<Vec<StoredObject>> {
        match self {
            Blobs::Local(local) => local.list().await,
            Blobs::S3(s3) => s3.list().await,
        }
    }

    /// Copies an attachment's object into store `to`, a batch at a time
    /// (never all of it in memory); returns its sealed length.
    pub async fn copy_to(&self, to: &Blobs, message: &str, attachment: &str) -> Result<u64> {
        let reader = self.open(message, attachment).await?;
        if let Some(dir) = to.local_dir(message) {
            tokio::fs::create_dir_all(dir).await?;
        }
        let mut writer = to.create(message, attachment).await?;
        let mut buf = Vec::new();
        let mut offset = 0u64;
        loop {
            let read = reader.read_at(offset, WRITE_BATCH, &mut buf).await?;
            offset += read as u64;
            let batch = &buf[..read];
            writer
                .write(|mut spare| {
                    spare.extend_from_slice(batch);
                    spare
                })
                .await?;
            if read < WRITE_BATCH {
                break;
            }
        }
        writer.finish(Vec::new()).await?;
        Ok(offset)
    }

    /// Stores `bytes` as an attachment in one go (tests, repairs).
    pub async fn put(&self, message: &str, attachment: &str, bytes: Vec<u8>) -> Result<()> {
        match self {
            Blobs::Local(local) => local.put(message, attachment, bytes).await,
            Blobs::S3(s3) => s3.put(message, attachment, bytes).await,
        }
    }
}

impl std::fmt::Display for Blobs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Blobs::Local(local) => write!(f, "{}", local.root().display()),
            Blobs::S3(s3) => write!(f, "{s3}"),
        }
    }
}

/// An attachment being written, a batch of sealed bytes at a time.
pub enum BlobWriter {
    /// A file, written and fsynced on the blocking pool.
    Local(local::FileWriter),
    /// A multipart upload, aborted if dropped unfinished.
    S3(s3::Upload),
}

impl BlobWriter {
    /// Waits until the store has room (the batch before is written), then
    /// `fill` makes the next batch in an emptied buffer, and it goes out.
    pub async fn write(&mut self, fill: impl FnOnce(Vec<u8>) -> Vec<u8>) -> Result<()> {
        match self {
            BlobWriter::Local(file) => file.write(fill, false).await,
            BlobWriter::S3(upload) => upload.write(fill).await,
        }
    }

    /// Writes the last bytes; once this returns the object is durable.
    pub async fn finish(self, last: Vec<u8>) -> Result<()> {
        match self {
            BlobWriter::Local(mut file) => {
                file.write(|_| last, true).await?;
                file.wait().await.map(drop)
            }
            BlobWriter::S3(upload) => upload.finish(last).await,
        }
    }

    /// A buffer for the sealer: room for a batch, the chunk that crosses
    /// its end, and the chunk the sealer holds open.
    pub fn buffer() -> Vec<u8> {
        Vec::with_capacity(WRITE_BATCH + 2 * (crate::crypto::CHUNK_SIZE + crate::crypto::TAG_LEN))
    }
}

/// Sealed bytes gathered before each write (about 1 MiB): the upload's frames
/// are often 64 KiB or less, and a write per frame spent more on trips to the
/// blocking pool than the disk needed.
pub const WRITE_BATCH: usize = 1 << 20;

/// An attachment open for reading at offsets.
pub enum BlobReader {
    /// A file, read with positional reads on the blocking pool.
    Local(std::fs::File),
    /// An object, read with ranged GETs.
    S3(s3::Reader),
}

impl BlobReader {
    /// The file, if the reads are blocking ones (the caller reads and opens
    /// a batch in one trip to the blocking pool).
    pub fn file(&self) -> Option<&std::fs::File> {
        match self {
            BlobReader::Local(file) => Some(file),
            BlobReader::S3(_) => None,
        }
    }

    /// Reads `len` bytes from `offset` into `buf` (replacing what it held);
    /// returns how many were there (fewer at the end of the object).
    pub async fn read_at(&self, offset: u64, len: usize, buf: &mut Vec<u8>) -> Result<usize> {
        match self {
            BlobReader::Local(file) => {
                let file = file.try_clone()?;
                let mut owned = std::mem::take(buf);
                owned.resize(len, 0);
                let (owned, read) = tokio::task::spawn_blocking(move || {
                    let read = local::read_at(&file, &mut owned, offset);
                    (owned, read)
                })
                .await
                .map_err(|e| Error::Internal(format!("attachment reader: {e}")))?;
                *buf = owned;
                Ok(read?)
            }
            BlobReader::S3(reader) => reader.read_at(offset, len, buf).await,
        }
    }
}
