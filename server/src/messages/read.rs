//! Opening a message's sealed body and streaming its attachments.

use std::collections::VecDeque;
use std::sync::Arc;

use axum::body::Bytes;
use sealmail_api::recipient::{Body, BodyView};

use super::StoredBody;
use crate::blobs::BlobReader;
use crate::crypto::{CHUNK_SIZE, ChunkOpener, DataKey, OpenError, TAG_LEN, chunk_count};
use crate::error::{Error, Result};
use crate::sanitize::sanitize_html;
use crate::state::AppState;
use crate::store::messages::{self, AttachmentRow, ContentRow};

/// The message's data key, unwrapped; `MessageRevoked` if it is gone (the
/// message ended between the state check and now).
async fn data_key(state: &AppState, message: &str) -> Result<DataKey> {
    let (key_id, wrapped) = messages::wrapped_key(&state.db, message)
        .await?
        .ok_or(Error::MessageRevoked)?;
    unwrap(state, message, &key_id, &wrapped)
}

fn unwrap(state: &AppState, message: &str, key_id: &str, wrapped: &[u8]) -> Result<DataKey> {
    let master = state.master_key_by_id(key_id).ok_or_else(|| {
        Error::Internal(format!(
            "message {message} is wrapped by master key {key_id}, which is neither the current \
             one nor in --previous-master-keys"
        ))
    })?;
    master
        .unwrap(message, wrapped)
        .ok_or(Error::Crypto(OpenError))
}

/// Decrypts a message's body (read by the caller with its state and session,
/// see `store::view`), in place; HTML comes back sanitised.
pub fn open_body(state: &AppState, message: &str, content: ContentRow) -> Result<Body> {
    let stored = open_stored(state, message, content)?;
    Ok(Body {
        text: stored.text,
        html: stored.html.as_deref().map(sanitize_html),
    })
}

/// Decrypts a message's body as the message view describes it: the text, and
/// whether there is HTML (not sanitised here: its document comes from the
/// body route, so nobody would see it).
pub fn open_body_view(state: &AppState, message: &str, content: ContentRow) -> Result<BodyView> {
    let stored = open_stored(state, message, content)?;
    Ok(BodyView {
        text: stored.text,
        html: stored.html.is_some(),
    })
}

fn open_stored(state: &AppState, message: &str, content: ContentRow) -> Result<StoredBody> {
    let key = unwrap(state, message, &content.master_key_id, &content.wrapped_key)?;
    let plain = key.open_object_in_place(message, 0, content.ciphertext)?;
    serde_json::from_slice(&plain)
        .map_err(|e| Error::Internal(format!("stored body of {message}: {e}")))
}

/// Sealed chunks read and opened per trip to the blocking thread pool
/// (about 256 KiB, in one read): one chunk per trip spent more on the trips
/// than on AES-GCM.
const READ_BATCH: u64 = 4;

/// Batches read and opened ahead of the one being sent. A download holds
/// about this many plus one batches (768 KiB; the reader before this one
/// held two of 512 KiB, and 1 MiB batches had tripled the server's peak RSS
/// with 128 downloads at once). Two keep both cores busy on one download,
/// and a batch is always ready while the next trip is under way.
const IN_FLIGHT: usize = 2;

/// An attachment being decrypted a batch of chunks at a time. Each batch is
/// read and opened in one trip to the blocking pool (the bytes are opened
/// while still in that core's cache), [`IN_FLIGHT`] of them at once, while
/// the batch before them is sent. Memory stays at a few batches whatever the
/// file's size, and their buffers are used again.
pub struct AttachmentStream {
    source: Arc<Source>,
    /// The first chunk of the next batch to start.
    next_chunk: u64,
    /// The batches under way, in order.
    jobs: VecDeque<tokio::task::JoinHandle<Opened>>,
    /// Opened chunks not yet handed out (slices of one buffer, no copies).
    ready: VecDeque<Bytes>,
    /// The whole buffer those chunks are slices of: once the body has sent
    /// and dropped them all, a later batch is read into it.
    spent: Option<Bytes>,
    /// What stopped the reading, reported after the chunks before it.
    failure: Option<Error>,
    size: u64,
    failed: bool,
}

/// The sealed object and its opener, shared by the batches under way: each
/// reads at its own offset and opens its chunks by their index.
struct Source {
    blob: BlobReader,
    opener: ChunkOpener,
    chunks: u64,
    size: u64,
}

/// A batch opened: its whole buffer, its chunks' plaintexts (slices of
/// it), and what stopped it, if anything (after the chunks before it).
struct Opened {
    whole: Bytes,
    chunks: Vec<Bytes>,
    failure: Option<Error>,
}

impl Source {
    /// The sealed length of chunk `chunk`.
    fn sealed_len(&self, chunk: u64) -> usize {
        let start = chunk * CHUNK_SIZE as u64;
        (self.size - start.min(self.size)).min(CHUNK_SIZE as u64) as usize + TAG_LEN
    }

    /// The sealed bytes of the batch of chunks `first..end`: where they
    /// start, and how many.
    fn span(&self, first: u64, end: u64) -> (u64, usize) {
        let total = (first..end).map(|c| self.sealed_len(c)).sum();
        (first * (CHUNK_SIZE + TAG_LEN) as u64, total)
    }

    /// Reads the batch of chunks `first..end` from a file into `buf` and
    /// opens each in place, in one trip to the blocking pool.
    fn read_and_open(&self, first: u64, end: u64, mut buf: Vec<u8>) -> Opened {
        let Some(file) = self.blob.file() else {
            return Opened::failed(Error::Internal("not a local attachment".into()));
        };
        let (offset, total) = self.span(first, end);
        // A buffer used before is overwritten as it is: zeroing a new one
        // costs a memset as long as the batch.
        buf.resize(buf.len().max(total), 0);
        buf.truncate(total);
        match crate::blobs::read_at(file, &mut buf, offset) {
            Ok(read) => self.open_batch(first, end, buf, read),
            Err(e) => Opened::failed(Error::Io(e)),
        }
    }

    /// Fetches the batch of chunks `first..end` from a remote store (one
    /// ranged read) into `buf`, then opens it on the blocking pool.
    async fn fetch_and_open(self: Arc<Self>, first: u64, end: u64, mut buf: Vec<u8>) -> Opened {
        let (offset, total) = self.span(first, end);
        let read = match self.blob.read_at(offset, total, &mut buf).await {
            Ok(read) => read,
            Err(e) => return Opened::failed(e),
        };
        tokio::task::spawn_blocking(move || self.open_batch(first, end, buf, read))
            .await
            .unwrap_or_else(|e| Opened::failed(Error::Internal(format!("attachment reader: {e}"))))
    }

    /// Opens in place each chunk of the batch `first..end`, whose sealed
    /// bytes are `buf[..read]`. A batch cut short, or a chunk altered, is the
    /// failure returned beside the chunks before it, so those still go out
    /// first and the download breaks where the damage is.
    fn open_batch(&self, first: u64, end: u64, mut buf: Vec<u8>, read: usize) -> Opened {
        let mut plains = Vec::new();
        let mut failure = None;
        let mut at = 0;
        for chunk in first..end {
            let len = self.sealed_len(chunk);
            if at + len > read {
                failure = Some(Error::Crypto(OpenError));
                break;
            }
            match self.opener.open_at(chunk, &mut buf[at..at + len]) {
                Ok(plain) => plains.push(at..at + plain),
                Err(e) => {
                    failure = Some(Error::Crypto(e));
                    break;
                }
            }
            at += len;
        }
        let whole = Bytes::from(buf);
        let chunks = plains.into_iter().map(|range| whole.slice(range)).collect();
        Opened {
            whole,
            chunks,
            failure,
        }
    }
}

impl Opened {
    fn failed(e: Error) -> Opened {
        Opened {
            whole: Bytes::new(),
            chunks: Vec::new(),
            failure: Some(e),
        }
    }
}

/// The buffer of a batch already handed out, if nothing holds its chunks
/// any more (the body has sent them): a later batch is read into it, with
/// no copy. Otherwise a new one.
fn reuse(spent: Option<Bytes>) -> Vec<u8> {
    spent
        .and_then(|whole| whole.try_into_mut().ok())
        .map(Vec::from)
        .unwrap_or_default()
}

/// Opens an attachment for streaming. The first batch is decrypted before
/// anything is sent, so a wrong key or a damaged start fails as a clean error.
pub async fn open_attachment(
    state: &AppState,
    message: &str,
    attachment: &AttachmentRow,
) -> Result<AttachmentStream> {
    let key = data_key(state, message).await?;
    let size = attachment.size as u64;
    let object = u32::try_from(attachment.position + 1)
        .map_err(|_| Error::Internal("attachment position out of range".into()))?;
    let blob = state.blobs.open(message, &attachment.id).await?;
    let mut stream = AttachmentStream {
        source: Arc::new(Source {
            blob,
            opener: ChunkOpener::new(&key, message, object, size),
            chunks: chunk_count(size),
            size,
        }),
        next_chunk: 0,
        jobs: VecDeque::new(),
        ready: VecDeque::new(),
        spent: None,
        failure: None,
        size,
        failed: false,
    };
    stream.start_batches(Vec::new());
    stream.fill().await;
    if stream.ready.is_empty()
        && let Some(e) = stream.failure.take()
    {
        return Err(e);
    }
    Ok(stream)
}

impl AttachmentStream {
    /// The plaintext size.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The next opened chunk; `None` after the last one.
    pub async fn next_chunk(&mut self) -> Result<Option<Bytes>> {
        if self.ready.is_empty() {
            self.fill().await;
        }
        match self.ready.pop_front() {
            Some(chunk) => Ok(Some(chunk)),
            None => self.failure.take().map_or(Ok(None), Err),
        }
    }

    /// Starts batches until [`IN_FLIGHT`] are under way (or none is left),
    /// the first in `buf`. File reads block, and AES-GCM on a quarter of a
    /// megabyte is better off the async workers too; a remote store's
    /// ranged read is awaited first, then the batch is opened the same way.
    fn start_batches(&mut self, mut buf: Vec<u8>) {
        while self.jobs.len() < IN_FLIGHT && self.next_chunk < self.source.chunks {
            let first = self.next_chunk;
            let end = (first + READ_BATCH).min(self.source.chunks);
            self.next_chunk = end;
            let source = self.source.clone();
            let buf = std::mem::take(&mut buf);
            self.jobs.push_back(if source.blob.file().is_some() {
                tokio::task::spawn_blocking(move || source.read_and_open(first, end, buf))
            } else {
                tokio::spawn(source.fetch_and_open(first, end, buf))
            });
        }
    }

    /// Takes the next batch, and starts another (in the buffer of the batch
    /// before, if the body is done with it) while this one is sent.
    async fn fill(&mut self) {
        let Some(job) = self.jobs.pop_front() else {
            return;
        };
        let opened = match job.await {
            Ok(opened) => opened,
            Err(e) => Opened::failed(Error::Internal(format!("attachment reader: {e}"))),
        };
        if opened.failure.is_some() {
            // Nothing after a damaged chunk goes out.
            self.jobs.clear();
            self.next_chunk = self.source.chunks;
        } else {
            let buf = reuse(self.spent.take());
            self.start_batches(buf);
        }
        self.spent = Some(opened.whole);
        self.ready.extend(opened.chunks);
        self.failure = opened.failure;
    }

    /// The whole stream as an HTTP body.
    pub fn into_body(self) -> axum::body::Body {
        let stream = futures_util::stream::unfold(self, |mut s| async move {
            if s.failed {
                return None;
            }
            match s.next_chunk().await {
                Ok(Some(bytes)) => Some((Ok::<_, Error>(bytes), s)),
                Ok(None) => None,
                Err(e) => {
                    // The status line is already sent: log and abort the body, so the
                    // client sees a broken download rather than wrong bytes.
                    tracing::error!(error = %e, "attachment stream failed");
                    s.failed = true;
                    Some((Err(e), s))
                }
            }
        });
        axum::body::Body::from_stream(stream)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_buffer_is_read_into_again_only_once_nothing_holds_its_chunks() {
        let whole = Bytes::from(vec![7u8; 1000]);
        let at = whole.as_ptr();
        let chunk = whole.slice(0..10);
        // The body still holds a chunk: a new buffer, and the chunk's bytes stay.
        assert_eq!(reuse(Some(whole.clone())).capacity(), 0);
        assert_eq!(chunk[..], [7u8; 10]);
        drop(chunk);
        let again = reuse(Some(whole));
        assert_eq!(
            (again.as_ptr(), again.len()),
            (at, 1000),
            "the same buffer, no copy"
        );
    }
}
