//! Sealing a message's objects with its data key.
//!
//! A message's body is object 0 and its attachments objects 1, 2, …; each object
//! is a sequence of chunks (the body is one chunk). All share the message's data
//! key, so nonces are made unique *by construction*: nonce = object index (32
//! bits, big-endian) ‖ chunk index (64 bits). The associated data binds each
//! chunk to its message, object, index and whether it is the last one, so chunks
//! cannot be swapped, reordered, moved between messages, or cut off the end.

use ring::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};

use super::{Secret, random_bytes};

/// AES-256 key length.
pub const KEY_LEN: usize = 32;
/// AES-GCM nonce length.
pub const NONCE_LEN: usize = 12;
/// AES-GCM tag length: each sealed chunk is this much longer than its plaintext.
pub const TAG_LEN: usize = 16;
/// Plaintext bytes per attachment chunk (the last may be shorter).
pub const CHUNK_SIZE: usize = 64 * 1024;

/// A message's data key (random, 256 bits); only ever stored wrapped.
pub struct DataKey(Secret<[u8; KEY_LEN]>);

/// A data key sealed by the master key: nonce ‖ ciphertext ‖ tag.
#[derive(Clone, PartialEq, Eq)]
pub struct WrappedKey(pub Vec<u8>);

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey(***)")
    }
}

impl std::fmt::Debug for WrappedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WrappedKey(***)")
    }
}

/// Decryption failed: the ciphertext, its position, or the key is not the one
/// it was sealed with (tampering, truncation, a wrong key).
#[derive(Debug, thiserror::Error)]
#[error("the ciphertext does not authenticate (tampered, truncated, or the wrong key)")]
pub struct OpenError;

impl DataKey {
    /// A fresh random data key.
    pub fn generate() -> Self {
        DataKey(Secret::new(random_bytes::<KEY_LEN>()))
    }

    pub(super) fn from_bytes(bytes: [u8; KEY_LEN]) -> Self {
        DataKey(Secret::new(bytes))
    }

    pub(super) fn bytes(&self) -> &[u8; KEY_LEN] {
        self.0.expose()
    }

    fn aead(&self) -> LessSafeKey {
        LessSafeKey::new(UnboundKey::new(&AES_256_GCM, self.bytes()).expect("32-byte key"))
    }

    /// Seals a whole object (e.g. the body) as one last chunk.
    pub fn seal_object(&self, message: &str, object: u32, plaintext: &[u8]) -> Vec<u8> {
        let mut buf = plaintext.to_vec();
        seal_chunk(&self.aead(), message, object, 0, true, &mut buf);
        buf
    }

    /// Opens an object sealed by [`DataKey::seal_object`].
    pub fn open_object(
        &self,
        message: &str,
        object: u32,
        sealed: &[u8],
    ) -> Result<Vec<u8>, OpenError> {
        let mut buf = sealed.to_vec();
        let len = open_chunk(&self.aead(), message, object, 0, true, &mut buf)?;
        buf.truncate(len);
        Ok(buf)
    }

    /// Opens an object sealed by [`DataKey::seal_object`] in its own buffer
    /// (no copy: the plaintext is what is left of `sealed`).
    pub fn open_object_in_place(
        &self,
        message: &str,
        object: u32,
        mut sealed: Vec<u8>,
    ) -> Result<Vec<u8>, OpenError> {
        let len = open_chunk(&self.aead(), message, object, 0, true, &mut sealed)?;
        sealed.truncate(len);
        Ok(sealed)
    }
}

fn nonce(object: u32, chunk: u64) -> Nonce {
    let mut bytes = [0u8; NONCE_LEN];
    bytes[..4].copy_from_slice(&object.to_be_bytes());
    bytes[4..].copy_from_slice(&chunk.to_be_bytes());
    Nonce::assume_unique_for_key(bytes)
}

fn aad(message: &str, object: u32, chunk: u64, last: bool) -> Vec<u8> {
    let mut aad = Vec::with_capacity(message.len() + 16);
    aad.extend_from_slice(b"sealmail v1\0");
    aad.extend_from_slice(message.as_bytes());
    aad.push(0);
    aad.extend_from_slice(&object.to_be_bytes());
    aad.extend_from_slice(&chunk.to_be_bytes());
    aad.push(u8::from(last));
    aad
}

fn seal_chunk(
    key: &LessSafeKey,
    message: &str,
    object: u32,
    chunk: u64,
    last: bool,
    buf: &mut Vec<u8>,
) {
    key.seal_in_place_append_tag(
        nonce(object, chunk),
        Aad::from(aad(message, object, chunk, last)),
        buf,
    )
    .expect("AES-GCM sealing of a bounded chunk cannot fail");
}

/// Opens `buf` in place; returns the plaintext's length (at the start of `buf`).
fn open_chunk(
    key: &LessSafeKey,
    message: &str,
    object: u32,
    chunk: u64,
    last: bool,
    buf: &mut [u8],
) -> Result<usize, OpenError> {
    key.open_in_place(
        nonce(object, chunk),
        Aad::from(aad(message, object, chunk, last)),
        buf,
    )
    .map(|plain| plain.len())
    .map_err(|_| OpenError)
}

/// How many chunks an object of `size` plaintext bytes has (an empty one has one).
pub fn chunk_count(size: u64) -> u64 {
    size.div_ceil(CHUNK_SIZE as u64).max(1)
}

/// Seals a stream of bytes into chunks; memory stays at about one chunk
/// whatever the object's size.
pub struct ChunkSealer {
    key: LessSafeKey,
    message: String,
    object: u32,
    next_chunk: u64,
    pending: Vec<u8>,
    size: u64,
}

impl ChunkSealer {
    /// Starts sealing object `object` of `message` with its data key.
    pub fn new(key: &DataKey, message: &str, object: u32) -> Self {
        ChunkSealer {
            key: key.aead(),
            message: message.to_owned(),
            object,
            next_chunk: 0,
            pending: Vec::with_capacity(CHUNK_SIZE + TAG_LEN),
            size: 0,
        }
    }

    /// Adds plaintext; appends every chunk that is now complete to `out`.
    /// A full chunk is held back until more data (or `finish`) shows whether
    /// it is the last one.
    pub fn update(&mut self, mut data: &[u8], out: &mut Vec<u8>) {
        self.size += data.len() as u64;
        while !data.is_empty() {
            if self.pending.len() == CHUNK_SIZE {
                self.flush(false, out);
            }
            let take = (CHUNK_SIZE - self.pending.len()).min(data.len());
            self.pending.extend_from_slice(&data[..take]);
            data = &data[take..];
        }
    }

    /// Seals the last chunk into `out`; returns the object's plaintext size.
    pub fn finish(mut self, out: &mut Vec<u8>) -> u64 {
        self.flush(true, out);
        self.size
    }

    fn flush(&mut self, last: bool, out: &mut Vec<u8>) {
        seal_chunk(
            &self.key,
            &self.message,
            self.object,
            self.next_chunk,
            last,
            &mut self.pending,
        );
        out.extend_from_slice(&self.pending);
        self.pending.clear();
        self.next_chunk += 1;
    }
}

/// Opens an object's chunks one at a time, in order.
pub struct ChunkOpener {
    key: LessSafeKey,
    message: String,
    object: u32,
    next_chunk: u64,
    chunks: u64,
}

impl ChunkOpener {
    /// Opens object `object` of `message`, whose plaintext is `size` bytes.
    pub fn new(key: &DataKey, message: &str, object: u32, size: u64) -> Self {
        ChunkOpener {
            key: key.aead(),
            message: message.to_owned(),
            object,
            next_chunk: 0,
            chunks: chunk_count(size),
        }
    }

    /// The sealed length of the next chunk to read, or `None` when all are read.
    pub fn next_sealed_len(&self, size: u64) -> Option<usize> {
        if self.next_chunk >= self.chunks {
            return None;
        }
        let start = self.next_chunk * CHUNK_SIZE as u64;
        let plain = (size - start.min(size)).min(CHUNK_SIZE as u64) as usize;
        Some(plain + TAG_LEN)
    }

    /// The sealed lengths of the next chunks to read, at most `max` of them
    /// (none when all are read).
    pub fn next_sealed_lens(&self, size: u64, max: usize) -> Vec<usize> {
        let left = self.chunks.saturating_sub(self.next_chunk);
        (0..left.min(max as u64))
            .map(|i| {
                let start = (self.next_chunk + i) * CHUNK_SIZE as u64;
                (size - start.min(size)).min(CHUNK_SIZE as u64) as usize + TAG_LEN
            })
            .collect()
    }

    /// Opens the next chunk in place; returns its plaintext length.
    pub fn open_next(&mut self, buf: &mut [u8]) -> Result<usize, OpenError> {
        if self.next_chunk >= self.chunks {
            return Err(OpenError);
        }
        let last = self.next_chunk + 1 == self.chunks;
        let len = open_chunk(
            &self.key,
            &self.message,
            self.object,
            self.next_chunk,
            last,
            buf,
        )?;
        self.next_chunk += 1;
        Ok(len)
    }
}
