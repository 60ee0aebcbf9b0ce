//! Opening a message's sealed body and streaming its attachments.

use std::collections::VecDeque;
use std::io::Read as _;

use axum::body::Bytes;
use sealmail_api::recipient::{Body, BodyView};

use super::{StoredBody, attachment_dir};
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

/// Sealed chunks read, and then opened, per trip to the blocking thread pool
/// (about 512 KiB): one chunk per trip spent more on the trips than on
/// AES-GCM. A download holds about two batches (one being sent, the next
/// being read and opened), so this is also its memory: 16 read a little
/// faster but tripled the server's peak RSS with 128 downloads at once.
const READ_BATCH: usize = 8;

/// An attachment being decrypted a batch of chunks at a time: each batch is
/// read and opened in one trip to the blocking pool, while the batch before
/// it is being sent. Reading and opening on the same thread opens the bytes
/// while they are still in that core's cache, and makes one trip a batch
/// where a read trip and an open trip made two. Memory stays at two
/// batches whatever the file's size; their two buffers take turns.
pub struct AttachmentStream {
    /// The next batch, being read and opened; `None` after the last one (or
    /// a failure).
    job: Option<tokio::task::JoinHandle<Job>>,
    /// Opened chunks not yet handed out (slices of one buffer, no copies).
    ready: VecDeque<Bytes>,
    /// The whole buffer those chunks are slices of: once the body has sent
    /// and dropped them all, the next batch is read into it.
    spent: Option<Bytes>,
    /// What stopped the reading, reported after the chunks before it.
    failure: Option<Error>,
    size: u64,
    failed: bool,
}

/// The sealed file and which chunk it reads next; moves to the blocking
/// pool and back.
struct BatchFile {
    file: std::fs::File,
    next_chunk: u64,
    chunks: u64,
    size: u64,
}

/// A batch of sealed chunks as read: one buffer and each chunk's sealed
/// length (the buffer is shorter than their sum if the file was cut short).
struct Sealed {
    buf: Vec<u8>,
    lens: Vec<usize>,
}

/// A batch opened: its whole buffer, its chunks' plaintexts (slices of
/// it), and what stopped it, if anything (after the chunks before it).
struct Opened {
    whole: Bytes,
    chunks: Vec<Bytes>,
    failure: Option<Error>,
}

/// A trip to the blocking pool: the file and the opener go and come back
/// with the batch.
type Job = (BatchFile, ChunkOpener, Opened);

impl BatchFile {
    /// Reads up to [`READ_BATCH`] sealed chunks into `buf` (no chunk after
    /// the last one), in one read where the file allows.
    fn read_batch(&mut self, mut buf: Vec<u8>) -> std::io::Result<Sealed> {
        let left = self.chunks.saturating_sub(self.next_chunk);
        let lens: Vec<usize> = (0..left.min(READ_BATCH as u64))
            .map(|i| {
                let start = (self.next_chunk + i) * CHUNK_SIZE as u64;
                (self.size - start.min(self.size)).min(CHUNK_SIZE as u64) as usize + TAG_LEN
            })
            .collect();
        self.next_chunk += lens.len() as u64;
        let total: usize = lens.iter().sum();
        // Into the vector's spare capacity: a zeroed buffer cost a memset as
        // long as the batch before every read.
        buf.clear();
        buf.reserve(total);
        (&mut self.file).take(total as u64).read_to_end(&mut buf)?;
        Ok(Sealed { buf, lens })
    }

    fn is_done(&self) -> bool {
        self.next_chunk >= self.chunks
    }
}

/// Opens each chunk of `sealed` in place and returns their plaintexts as
/// slices of its buffer. A file cut short, or a chunk altered, is the
/// failure returned beside the chunks before it, so those still go out
/// first and the download breaks where the damage is.
fn open_batch(opener: &mut ChunkOpener, sealed: Sealed) -> Opened {
    let Sealed { mut buf, lens } = sealed;
    let mut plains = Vec::with_capacity(lens.len());
    let mut failure = None;
    let mut at = 0;
    for len in lens {
        if at + len > buf.len() {
            failure = Some(Error::Crypto(OpenError));
            break;
        }
        match opener.open_next(&mut buf[at..at + len]) {
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

/// Reads `file`'s next batch into `buf` and opens it, on the blocking pool.
fn read_and_open(
    mut file: BatchFile,
    mut opener: ChunkOpener,
    buf: Vec<u8>,
) -> tokio::task::JoinHandle<Job> {
    tokio::task::spawn_blocking(move || {
        let opened = match file.read_batch(buf) {
            Ok(sealed) => open_batch(&mut opener, sealed),
            Err(e) => Opened {
                whole: Bytes::new(),
                chunks: Vec::new(),
                failure: Some(Error::Io(e)),
            },
        };
        (file, opener, opened)
    })
}

/// The buffer of a batch already handed out, if nothing holds its chunks
/// any more (the body has sent them): the next batch is read into it, with
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
    let file = tokio::fs::File::open(attachment_dir(state, message).join(&attachment.id))
        .await?
        .into_std()
        .await;
    let file = BatchFile {
        file,
        next_chunk: 0,
        chunks: chunk_count(size),
        size,
    };
    let opener = ChunkOpener::new(&key, message, object, size);
    let mut stream = AttachmentStream {
        job: Some(read_and_open(file, opener, Vec::new())),
        ready: VecDeque::new(),
        spent: None,
        failure: None,
        size,
        failed: false,
    };
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

    /// Takes the batch being read and opened, and starts the next one (in
    /// the buffer of the batch before, if the body is done with it) while
    /// this one is sent. File reads block, and AES-GCM on half a megabyte is
    /// better off the async workers too.
    async fn fill(&mut self) {
        let Some(job) = self.job.take() else {
            return;
        };
        let (file, opener, opened) = match job.await {
            Ok(job) => job,
            Err(e) => {
                self.failure = Some(Error::Internal(format!("attachment reader: {e}")));
                return;
            }
        };
        // Nothing after a damaged chunk goes out.
        if opened.failure.is_none() && !file.is_done() {
            let buf = reuse(self.spent.take());
            self.job = Some(read_and_open(file, opener, buf));
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
