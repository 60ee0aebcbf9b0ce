//! A mail being received. A small one stays in memory, as it came; past
//! [`SPOOL_AT`] it goes to a temporary file, sealed (AES-256-GCM, 64 KiB a
//! chunk) under a key only this process holds and gone with it, so no
//! plaintext mail reaches the disk and a crash leaves nothing readable. The
//! file is unlinked as soon as it is made. As it is written, the mail is
//! outlined ([`super::skeleton`]): mail-parser reads the skeleton, and each
//! large attachment is decoded from the file into the sealing a piece at a
//! time, so a mail of tens of megabytes costs a few in memory.

use std::io::SeekFrom;
use std::ops::Range;
use std::path::{Path, PathBuf};

use tokio::io::{AsyncReadExt as _, AsyncSeekExt as _, AsyncWriteExt as _};

use super::budget::Held;
use super::skeleton::{Elided, Outline, Scanner};
use crate::crypto::{self, CHUNK_SIZE, DataKey, TAG_LEN};
use crate::error::{Error, Result};
use crate::messages::AttachmentWriter;

/// A mail past this many bytes is spooled (a 50 KB mail never is).
pub const SPOOL_AT: usize = 1 << 20;
/// A spooled mail's attachment bodies of this many encoded bytes or more
/// are elided from its skeleton.
pub const ELIDE_AT: usize = 64 * 1024;
/// Received bytes gathered before they are spooled.
const WRITE_AT: usize = 256 * 1024;

/// A mail being received.
pub struct Spool {
    dir: PathBuf,
    file: Option<Spooled>,
    /// The plaintext of the chunk being filled.
    chunk: Vec<u8>,
    scanner: Option<Scanner>,
}

/// A mail as it was received, whole.
pub enum Received {
    /// Kept in memory.
    Whole(Vec<u8>),
    /// Spooled, with its outline.
    Spooled(Box<Spooled>, Outline),
}

/// A spooled mail's file.
pub struct Spooled {
    file: tokio::fs::File,
    key: DataKey,
    /// Sealed into each chunk with its index.
    label: String,
    len: u64,
}

impl Spool {
    /// A mail to be received; spooled, if it grows large, into `dir`.
    pub fn new(dir: &Path) -> Self {
        Spool {
            dir: dir.to_owned(),
            file: None,
            chunk: Vec::new(),
            scanner: None,
        }
    }

    /// The memory it holds beside the receive buffer, in bytes.
    pub fn memory(&self) -> usize {
        // A chunk being filled, one being written.
        2 * self.chunk.capacity() + self.scanner.as_ref().map_or(0, Scanner::memory)
    }

    /// The bytes received so far, `buffer` (the receive buffer) included.
    pub fn len(&self, buffer: &[u8]) -> u64 {
        self.file.as_ref().map_or(0, |f| f.len) + (self.chunk.len() + buffer.len()) as u64
    }

    /// Takes what `buffer` holds into the file, once it is worth it: past
    /// [`SPOOL_AT`] at first, then every [`WRITE_AT`]. Its last byte stays:
    /// the DATA reader may take it back (the CR of the final CRLF . CRLF).
    pub async fn take(&mut self, buffer: &mut Vec<u8>) -> Result<()> {
        let due = if self.file.is_some() {
            WRITE_AT
        } else {
            SPOOL_AT
        };
        if buffer.len() <= due {
            return Ok(());
        }
        let end = buffer.len() - 1;
        self.write(&buffer[..end]).await?;
        buffer.drain(..end);
        // It grew to SPOOL_AT; from now on it holds a WRITE_AT at a time.
        buffer.shrink_to(2 * WRITE_AT);
        Ok(())
    }

    /// The mail is complete (`buffer` holds its last bytes).
    pub async fn finish(mut self, buffer: Vec<u8>) -> Result<Received> {
        if self.file.is_none() {
            return Ok(Received::Whole(buffer));
        }
        self.write(&buffer).await?;
        drop(buffer);
        let mut file = self.file.take().expect("spooling");
        if !self.chunk.is_empty() || file.len == 0 {
            file.append(&self.chunk).await?;
        }
        file.file.flush().await?;
        let outline = self.scanner.take().expect("spooling").finish();
        Ok(Received::Spooled(Box::new(file), outline))
    }

    async fn write(&mut self, mut bytes: &[u8]) -> Result<()> {
        if self.file.is_none() {
            self.file = Some(Spooled::create(&self.dir).await?);
            self.scanner = Some(Scanner::new(ELIDE_AT));
        }
        let file = self.file.as_mut().expect("spooling");
        while !bytes.is_empty() {
            let take = (CHUNK_SIZE - self.chunk.len()).min(bytes.len());
            // Scanned a chunk's worth at a time, so what the scan holds stays small.
            if let Some(scanner) = self.scanner.as_mut() {
                scanner.feed(&bytes[..take]);
            }
            self.chunk.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
            if self.chunk.len() == CHUNK_SIZE {
                file.append(&self.chunk).await?;
                self.chunk.clear();
            }
        }
        Ok(())
    }
}

impl Spooled {
    /// A new spool file in `dir`, already unlinked.
    async fn create(dir: &Path) -> Result<Spooled> {
        let label = crypto::random_id();
        let path = dir.join(format!(".incoming-{label}"));
        let mut options = tokio::fs::OpenOptions::new();
        options.read(true).write(true).create_new(true);
        #[cfg(unix)]
        options.mode(0o600);
        let file = options.open(&path).await?;
        // Open, it stays readable to us; unlinked, a crash cannot leave it.
        let _ = tokio::fs::remove_file(&path).await;
        Ok(Spooled {
            file,
            key: DataKey::generate(),
            label,
            len: 0,
        })
    }

    /// The mail's length.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Seals and writes the mail's next chunk (all but the last are full).
    async fn append(&mut self, chunk: &[u8]) -> Result<()> {
        let index = u32::try_from(self.len / CHUNK_SIZE as u64).expect("a mail under 256 TiB");
        let sealed = self.key.seal_object(&self.label, index, chunk);
        // Written from the blocking pool while the next chunk is received.
        self.file.write_all(&sealed).await?;
        self.len += chunk.len() as u64;
        Ok(())
    }

    /// The bytes of `range`, a chunk's worth at a time.
    pub fn read(&mut self, range: Range<u64>) -> Pieces<'_> {
        let range = range.start.min(self.len)..range.end.min(self.len);
        Pieces {
            spooled: self,
            range,
        }
    }

    /// Reads the whole mail into `raw` if the memory budget has room for
    /// it; `false` if not.
    pub async fn read_whole(&mut self, held: &mut Held, raw: &mut Vec<u8>) -> Result<bool> {
        if !held.add(usize::try_from(self.len).unwrap_or(usize::MAX)) {
            return Ok(false);
        }
        self.read_all(raw).await?;
        Ok(true)
    }

    /// Decodes an elided attachment body into `writer`, a chunk of the
    /// spool at a time: the decoded attachment is never whole.
    pub async fn decode(&mut self, elided: &Elided, writer: &mut AttachmentWriter) -> Result<()> {
        let mut decoder = elided.decoder();
        let mut out = Vec::new();
        let mut pieces = self.read(elided.range.clone());
        while let Some(piece) = pieces.next().await? {
            decoder
                .push(&piece, &mut out)
                .map_err(|_| Error::Internal("a spooled attachment no longer decodes".into()))?;
            writer.write(&out).await?;
            out.clear();
        }
        decoder.finish(elided.at_boundary, &mut out);
        writer.write(&out).await
    }

    /// The whole mail, appended to `out`.
    pub async fn read_all(&mut self, out: &mut Vec<u8>) -> Result<()> {
        out.reserve(usize::try_from(self.len).unwrap_or(0));
        let mut pieces = self.read(0..self.len);
        while let Some(piece) = pieces.next().await? {
            out.extend_from_slice(&piece);
        }
        Ok(())
    }
}

/// A range of a spooled mail, read a chunk at a time.
pub struct Pieces<'s> {
    spooled: &'s mut Spooled,
    range: Range<u64>,
}

impl Pieces<'_> {
    /// The next bytes of the range; `None` after its end.
    pub async fn next(&mut self) -> Result<Option<Vec<u8>>> {
        if self.range.is_empty() {
            return Ok(None);
        }
        let spooled = &mut *self.spooled;
        let chunk = self.range.start / CHUNK_SIZE as u64;
        let chunk_start = chunk * CHUNK_SIZE as u64;
        let plain = (spooled.len - chunk_start).min(CHUNK_SIZE as u64) as usize;
        let mut sealed = vec![0; plain + TAG_LEN];
        spooled
            .file
            .seek(SeekFrom::Start(chunk * (CHUNK_SIZE + TAG_LEN) as u64))
            .await?;
        spooled.file.read_exact(&mut sealed).await?;
        let index = u32::try_from(chunk).expect("a mail under 256 TiB");
        let mut bytes = spooled
            .key
            .open_object_in_place(&spooled.label, index, sealed)
            .map_err(|e| Error::Internal(format!("reading back a spooled mail: {e}")))?;
        let from = (self.range.start - chunk_start) as usize;
        let to = (self.range.end - chunk_start).min(plain as u64) as usize;
        bytes.truncate(to);
        bytes.drain(..from);
        self.range.start = chunk_start + to as u64;
        Ok(Some(bytes))
    }
}
