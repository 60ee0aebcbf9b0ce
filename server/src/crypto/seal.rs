//! Sealing a message's objects with its data key.
//!
//! A message's body is object 0 and its attachments objects 1, 2, …; each object
//! is a sequence of chunks (the body is one chunk). All share the message's data
//! key, so nonces are made unique *by construction*: nonce = object index (32
//! bits, big-endian) ‖ chunk index (64 bits). The associated data binds each
//! chunk to its message, object, index and whether it is the last one, so chunks
//! cannot be swapped, reordered, moved between messages, or cut off the end.

use ring::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, Tag, UnboundKey};

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
        let mut buf = Vec::with_capacity(plaintext.len() + TAG_LEN);
        buf.extend_from_slice(plaintext);
        let tag = seal_chunk(&self.aead(), message, object, 0, true, &mut buf);
        buf.extend_from_slice(tag.as_ref());
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

/// Seals `buf` in place; returns the tag, which goes right after it.
fn seal_chunk(
    key: &LessSafeKey,
    message: &str,
    object: u32,
    chunk: u64,
    last: bool,
    buf: &mut [u8],
) -> Tag {
    key.seal_in_place_separate_tag(
        nonce(object, chunk),
        Aad::from(aad(message, object, chunk, last)),
        buf,
    )
    .expect("AES-GCM sealing of a bounded chunk cannot fail")
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
/// (plus the sealed bytes not yet taken) whatever the object's size.
///
/// The plaintext is copied once, into the sealer's own buffer, and sealed
/// there in place: the sealed chunks, then the plaintext of the chunk still
/// open. Only the sealed part can be taken out ([`ChunkSealer::take_sealed`],
/// [`ChunkSealer::finish`]), so no plaintext reaches a caller's output.
pub struct ChunkSealer {
    key: LessSafeKey,
    message: String,
    object: u32,
    next_chunk: u64,
    /// Sealed chunks (`..open`), then the open chunk's plaintext (`open..`).
    buf: Vec<u8>,
    open: usize,
    size: u64,
}

impl ChunkSealer {
    /// Starts sealing object `object` of `message` with its data key, into
    /// `buf` (cleared; its capacity is reused).
    pub fn new(key: &DataKey, message: &str, object: u32, mut buf: Vec<u8>) -> Self {
        buf.clear();
        buf.reserve(CHUNK_SIZE + TAG_LEN);
        ChunkSealer {
            key: key.aead(),
            message: message.to_owned(),
            object,
            next_chunk: 0,
            buf,
            open: 0,
            size: 0,
        }
    }

    /// Adds plaintext, sealing every chunk that is now complete. A full chunk
    /// stays open until more data (or `finish`) shows whether it is the last.
    pub fn update(&mut self, mut data: &[u8]) {
        self.size += data.len() as u64;
        while !data.is_empty() {
            let mut pending = self.buf.len() - self.open;
            if pending == CHUNK_SIZE {
                self.seal_open_chunk(false);
                pending = 0;
            }
            let take = (CHUNK_SIZE - pending).min(data.len());
            self.buf.extend_from_slice(&data[..take]);
            data = &data[take..];
        }
    }

    /// How many sealed bytes [`ChunkSealer::take_sealed`] would hand out.
    pub fn sealed_len(&self) -> usize {
        self.open
    }

    /// Hands out the chunks sealed so far and goes on in `spare` (cleared;
    /// its capacity is reused): the open chunk's plaintext, at most one
    /// chunk, moves there.
    pub fn take_sealed(&mut self, mut spare: Vec<u8>) -> Vec<u8> {
        spare.clear();
        spare.reserve(CHUNK_SIZE + TAG_LEN);
        spare.extend_from_slice(&self.buf[self.open..]);
        self.buf.truncate(self.open);
        self.open = 0;
        std::mem::replace(&mut self.buf, spare)
    }

    /// Seals the last chunk; returns the sealed bytes not yet taken and the
    /// object's plaintext size.
    pub fn finish(mut self) -> (Vec<u8>, u64) {
        self.seal_open_chunk(true);
        (self.buf, self.size)
    }

    fn seal_open_chunk(&mut self, last: bool) {
        let tag = seal_chunk(
            &self.key,
            &self.message,
            self.object,
            self.next_chunk,
            last,
            &mut self.buf[self.open..],
        );
        self.buf.extend_from_slice(tag.as_ref());
        self.open = self.buf.len();
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
        let len = self.open_at(self.next_chunk, buf)?;
        self.next_chunk += 1;
        Ok(len)
    }

    /// Opens chunk number `chunk` in place, in any order (so batches can be
    /// opened side by side); returns its plaintext length. The index is
    /// bound into the nonce and associated data: a chunk opened as any
    /// other fails.
    pub fn open_at(&self, chunk: u64, buf: &mut [u8]) -> Result<usize, OpenError> {
        if chunk >= self.chunks {
            return Err(OpenError);
        }
        let last = chunk + 1 == self.chunks;
        open_chunk(&self.key, &self.message, self.object, chunk, last, buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MSG: &str = "0123456789abcdef0123456789abcdef";

    fn pattern(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i % 251) as u8).collect()
    }

    /// Seals `data` fed in `piece`-byte updates, taking the sealed bytes out
    /// after every update, as the attachment writer does.
    fn seal_taking(key: &DataKey, data: &[u8], piece: usize) -> Vec<u8> {
        let mut sealer = ChunkSealer::new(key, MSG, 1, Vec::new());
        let mut sealed = Vec::new();
        for part in data.chunks(piece) {
            sealer.update(part);
            let taken = sealer.take_sealed(Vec::new());
            // Only whole sealed chunks come out, never the open chunk's plaintext.
            assert_eq!(taken.len() % (CHUNK_SIZE + TAG_LEN), 0);
            sealed.extend_from_slice(&taken);
        }
        let (rest, size) = sealer.finish();
        assert_eq!(size, data.len() as u64);
        sealed.extend_from_slice(&rest);
        sealed
    }

    fn open_all(key: &DataKey, sealed: &[u8], size: u64) -> Result<Vec<u8>, OpenError> {
        let mut opener = ChunkOpener::new(key, MSG, 1, size);
        let mut buf = sealed.to_vec();
        let (mut at, mut plain) = (0, Vec::new());
        while let Some(len) = opener.next_sealed_len(size) {
            let chunk = buf.get_mut(at..at + len).ok_or(OpenError)?;
            let n = opener.open_next(chunk)?;
            plain.extend_from_slice(&chunk[..n]);
            at += len;
        }
        if at == sealed.len() {
            Ok(plain)
        } else {
            Err(OpenError)
        }
    }

    #[test]
    fn sealing_in_any_pieces_gives_the_same_bytes_and_they_open() {
        let key = DataKey::generate();
        for len in [
            0,
            1,
            CHUNK_SIZE - 1,
            CHUNK_SIZE,
            CHUNK_SIZE + 1,
            3 * CHUNK_SIZE + 77,
        ] {
            let data = pattern(len);
            let whole = seal_taking(&key, &data, len.max(1));
            assert_eq!(
                whole.len() as u64,
                len as u64 + chunk_count(len as u64) * TAG_LEN as u64
            );
            for piece in [1000, CHUNK_SIZE, CHUNK_SIZE + 1, 2 * CHUNK_SIZE] {
                assert!(
                    seal_taking(&key, &data, piece) == whole,
                    "{len} bytes in {piece}-byte pieces"
                );
            }
            assert!(
                open_all(&key, &whole, len as u64).unwrap() == data,
                "{len} bytes"
            );
        }
    }

    #[test]
    fn chunks_open_at_their_own_index_in_any_order_and_at_no_other() {
        let key = DataKey::generate();
        let data = pattern(2 * CHUNK_SIZE + 5);
        let sealed = seal_taking(&key, &data, CHUNK_SIZE);
        let opener = ChunkOpener::new(&key, MSG, 1, data.len() as u64);
        let chunk = |i: usize| {
            let start = i * (CHUNK_SIZE + TAG_LEN);
            sealed[start..(start + CHUNK_SIZE + TAG_LEN).min(sealed.len())].to_vec()
        };
        for i in [2, 0, 1] {
            let mut buf = chunk(i);
            let n = opener.open_at(i as u64, &mut buf).unwrap();
            assert!(buf[..n] == data[i * CHUNK_SIZE..(i * CHUNK_SIZE + n)]);
        }
        assert!(opener.open_at(1, &mut chunk(0)).is_err(), "chunk 0 as 1");
        assert!(opener.open_at(3, &mut chunk(2)).is_err(), "past the last");
    }

    #[test]
    fn a_full_chunk_stays_open_until_it_is_known_whether_it_is_the_last() {
        let key = DataKey::generate();
        let mut sealer = ChunkSealer::new(&key, MSG, 1, Vec::new());
        sealer.update(&pattern(CHUNK_SIZE));
        assert_eq!(
            sealer.sealed_len(),
            0,
            "the only chunk so far may be the last"
        );
        assert!(sealer.take_sealed(Vec::new()).is_empty());
        sealer.update(&[1]);
        assert_eq!(sealer.sealed_len(), CHUNK_SIZE + TAG_LEN);
        let (rest, size) = sealer.finish();
        assert_eq!(
            (rest.len(), size),
            (CHUNK_SIZE + TAG_LEN + 1 + TAG_LEN, CHUNK_SIZE as u64 + 1)
        );
    }
}
