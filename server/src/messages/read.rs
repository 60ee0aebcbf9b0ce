//! Opening a message's sealed body and streaming its attachments.

use axum::body::Bytes;
use sealmail_api::recipient::Body;
use tokio::io::AsyncReadExt as _;

use super::{StoredBody, attachment_dir};
use crate::AppState;
use crate::crypto::{ChunkOpener, DataKey, OpenError};
use crate::error::{Error, Result};
use crate::sanitize::sanitize_html;
use crate::store::messages::{self, AttachmentRow};

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

/// Decrypts a message's body; HTML comes back sanitised.
pub async fn open_body(state: &AppState, message: &str) -> Result<Body> {
    let content = messages::content(&state.db, message)
        .await?
        .ok_or(Error::MessageRevoked)?;
    let key = unwrap(state, message, &content.master_key_id, &content.wrapped_key)?;
    let plain = key.open_object(message, 0, &content.ciphertext)?;
    let stored: StoredBody = serde_json::from_slice(&plain)
        .map_err(|e| Error::Internal(format!("stored body of {message}: {e}")))?;
    Ok(Body {
        text: stored.text,
        html: stored.html.as_deref().map(sanitize_html),
    })
}

/// An attachment being decrypted chunk by chunk: memory stays at one chunk.
pub struct AttachmentStream {
    file: tokio::fs::File,
    opener: ChunkOpener,
    size: u64,
    first: Option<Bytes>,
    failed: bool,
}

/// Opens an attachment for streaming. The first chunk is decrypted before
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
    let file = tokio::fs::File::open(attachment_dir(state, message).join(&attachment.id)).await?;
    let mut stream = AttachmentStream {
        file,
        opener: ChunkOpener::new(&key, message, object, size),
        size,
        first: None,
        failed: false,
    };
    stream.first = stream.next_chunk().await?;
    Ok(stream)
}

impl AttachmentStream {
    /// The plaintext size.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Reads and opens the next chunk; `None` after the last one. A file cut
    /// short, or a chunk altered, is an error.
    pub async fn next_chunk(&mut self) -> Result<Option<Bytes>> {
        if let Some(first) = self.first.take() {
            return Ok(Some(first));
        }
        let Some(len) = self.opener.next_sealed_len(self.size) else {
            return Ok(None);
        };
        let mut buf = vec![0u8; len];
        self.file.read_exact(&mut buf).await.map_err(|e| {
            if e.kind() == std::io::ErrorKind::UnexpectedEof {
                Error::Crypto(OpenError)
            } else {
                Error::Io(e)
            }
        })?;
        let plain = self.opener.open_next(&mut buf)?;
        buf.truncate(plain);
        Ok(Some(Bytes::from(buf)))
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
