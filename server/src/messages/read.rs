//! Opening a message's sealed body and streaming its attachments.

use std::collections::VecDeque;
use std::io::Read as _;

use axum::body::Bytes;
use sealmail_api::recipient::{Body, BodyView};

use super::{StoredBody, attachment_dir};
use crate::crypto::{ChunkOpener, DataKey, OpenError};
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

/// Sealed chunks read and opened per trip to the blocking thread pool (about
/// 512 KiB): one chunk per trip spent more on the trips than on AES-GCM. Each download holds about one batch, so this is also its
/// memory: 16 read a little faster but tripled the server's peak RSS with
/// 128 downloads at once; 4 fell back to about openssl's speed.
const READ_BATCH: usize = 8;

/// An attachment being decrypted a batch of chunks at a time: memory stays
/// at one batch whatever the file's size.
pub struct AttachmentStream {
    /// `None` while a batch is being read on the blocking pool, and after the last.
    reader: Option<BatchReader>,
    /// Opened chunks not yet handed out (slices of one buffer, no copies).
    ready: VecDeque<Bytes>,
    /// What stopped the reading, reported after the chunks before it.
    failure: Option<Error>,
    size: u64,
    failed: bool,
}

/// The file and where in it we are; moves to the blocking pool and back.
struct BatchReader {
    file: std::fs::File,
    opener: ChunkOpener,
    size: u64,
}

impl BatchReader {
    /// Reads up to [`READ_BATCH`] sealed chunks into one buffer, opens each
    /// in place, and returns their plaintexts as slices of that buffer (none
    /// after the last chunk). A file cut short, or a chunk altered, is the
    /// error returned beside the chunks before it, so those still go out
    /// first and the download breaks where the damage is.
    fn next_batch(&mut self) -> (Vec<Bytes>, Option<Error>) {
        let lens = self.opener.next_sealed_lens(self.size, READ_BATCH);
        let total: usize = lens.iter().sum();
        if total == 0 {
            return (Vec::new(), None);
        }
        let mut buf = vec![0u8; total];
        let (got, mut failure) = match read_up_to(&mut self.file, &mut buf) {
            Ok(got) => (got, None),
            Err(e) => (0, Some(Error::Io(e))),
        };
        let mut plains = Vec::with_capacity(lens.len());
        let mut at = 0;
        for len in lens {
            if failure.is_some() {
                break;
            }
            if at + len > got {
                failure = Some(Error::Crypto(OpenError));
                break;
            }
            match self.opener.open_next(&mut buf[at..at + len]) {
                Ok(plain) => plains.push(at..at + plain),
                Err(e) => failure = Some(Error::Crypto(e)),
            }
            at += len;
        }
        let buf = Bytes::from(buf);
        let chunks = plains.into_iter().map(|range| buf.slice(range)).collect();
        (chunks, failure)
    }
}

/// Fills `buf` from `file` as far as the file goes; returns how much it read.
fn read_up_to(file: &mut std::fs::File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match file.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
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
    let mut stream = AttachmentStream {
        reader: Some(BatchReader {
            file,
            opener: ChunkOpener::new(&key, message, object, size),
            size,
        }),
        ready: VecDeque::new(),
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

    /// Reads and opens the next batch on the blocking pool (file reads block,
    /// and AES-GCM on a megabyte is better off the async workers too).
    async fn fill(&mut self) {
        let Some(mut reader) = self.reader.take() else {
            return;
        };
        let (reader, (batch, failure)) = match tokio::task::spawn_blocking(move || {
            let batch = reader.next_batch();
            (reader, batch)
        })
        .await
        {
            Ok(done) => done,
            Err(e) => {
                self.failure = Some(Error::Internal(format!("attachment reader: {e}")));
                return;
            }
        };
        if batch.is_empty() || failure.is_some() {
            self.failure = failure;
        } else {
            self.reader = Some(reader);
        }
        self.ready.extend(batch);
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
