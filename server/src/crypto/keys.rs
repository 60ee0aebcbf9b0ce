//! The master key: it wraps every message's data key and keys the passcode MAC.

use std::io::Write as _;
use std::path::Path;

use base64::Engine as _;
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use ring::hmac;

use super::seal::{DataKey, KEY_LEN, NONCE_LEN, TAG_LEN, WrappedKey};
use super::{Secret, hex, random_bytes};

/// The key that wraps data keys. Its id (a hash of the key) is stored beside
/// every wrapped key, so a rotated-out key can be told apart from the current one.
pub struct MasterKey {
    id: String,
    aead: LessSafeKey,
    passcode_mac: hmac::Key,
}

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MasterKey")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

const WRAP_LABEL: &[u8] = b"sealmail key wrap v1\0";

impl MasterKey {
    /// Builds the master key from its 32 bytes.
    pub fn from_bytes(bytes: &[u8; KEY_LEN]) -> Self {
        // The id and the MAC key are derived with HMAC-SHA256 under distinct labels
        // (HKDF-Expand with one block), so neither reveals the key or the other.
        let prf = hmac::Key::new(hmac::HMAC_SHA256, bytes);
        let id = hex(&hmac::sign(&prf, b"sealmail key id v1").as_ref()[..8]);
        let mac_key = Secret::new(
            hmac::sign(&prf, b"sealmail passcode mac v1")
                .as_ref()
                .to_vec(),
        );
        MasterKey {
            id,
            aead: LessSafeKey::new(UnboundKey::new(&AES_256_GCM, bytes).expect("32-byte key")),
            passcode_mac: hmac::Key::new(hmac::HMAC_SHA256, mac_key.expose()),
        }
    }

    /// Reads `SEALMAIL_MASTER_KEY`'s value if given, else `path`, creating the
    /// file (mode 0600) with a fresh random key on first start.
    pub fn load_or_create(from_env: Option<&Secret<String>>, path: &Path) -> std::io::Result<Self> {
        if let Some(encoded) = from_env {
            return master_key_from_base64(encoded.expose()).map_err(std::io::Error::other);
        }
        match std::fs::read_to_string(path) {
            Ok(text) => {
                // Whoever could read it could unwrap every message's key.
                crate::files::make_private(path, 0o600)?;
                master_key_from_base64(text.trim())
                    .map_err(|e| std::io::Error::other(format!("{}: {e}", path.display())))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key = Secret::new(random_bytes::<KEY_LEN>());
                let encoded =
                    Secret::new(base64::engine::general_purpose::STANDARD.encode(key.expose()));
                let mut options = std::fs::OpenOptions::new();
                options.write(true).create_new(true);
                #[cfg(unix)]
                std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
                match options.open(path) {
                    Ok(mut file) => {
                        file.write_all(encoded.expose().as_bytes())?;
                        file.write_all(b"\n")?;
                        file.sync_all()?;
                        tracing::info!(path = %path.display(), "created a new master key");
                        Ok(MasterKey::from_bytes(key.expose()))
                    }
                    // Another process created it first: use theirs.
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                        Self::load_or_create(None, path)
                    }
                    Err(e) => Err(e),
                }
            }
            Err(e) => Err(e),
        }
    }

    /// The key's id, stored beside every key it wraps.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Wraps a data key for `message`: AES-256-GCM with a random 96-bit nonce
    /// (one wrap per message keeps far below the 2^32 random-nonce bound) and
    /// the message id as associated data, so a wrapped key cannot be moved to
    /// another message.
    pub fn wrap(&self, message: &str, key: &DataKey) -> WrappedKey {
        let nonce = random_bytes::<NONCE_LEN>();
        let mut buf = key.bytes().to_vec();
        self.aead
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(wrap_aad(message)),
                &mut buf,
            )
            .expect("sealing a 32-byte key cannot fail");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&buf);
        WrappedKey(out)
    }

    /// Unwraps a data key; fails if the wrapped key was altered, belongs to
    /// another message, or was wrapped by another master key.
    pub fn unwrap(&self, message: &str, wrapped: &[u8]) -> Option<DataKey> {
        if wrapped.len() != NONCE_LEN + KEY_LEN + TAG_LEN {
            return None;
        }
        let (nonce, sealed) = wrapped.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
        let mut buf = Secret::new(sealed.to_vec());
        // `Secret` wipes the buffer (which ends up holding the plain key) on drop.
        let work = buf.expose_mut();
        let plain = self
            .aead
            .open_in_place(nonce, Aad::from(wrap_aad(message)), work)
            .ok()?;
        let key = DataKey::from_bytes(plain.try_into().ok()?);
        Some(key)
    }

    /// Seals a stored record (a queued mail) under the master key:
    /// AES-256-GCM with a random 96-bit nonce, `context` as associated data
    /// (the record's kind and id, so a sealed record cannot be moved to
    /// another row). Returns nonce ‖ ciphertext ‖ tag. Random nonces keep one
    /// key safe for 2^32 seals (NIST SP 800-38D); rotating the key resets that.
    pub fn seal(&self, context: &[u8], plaintext: &[u8]) -> Vec<u8> {
        let nonce = random_bytes::<NONCE_LEN>();
        let mut sealed = Vec::with_capacity(plaintext.len() + TAG_LEN);
        sealed.extend_from_slice(plaintext);
        self.aead
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(context),
                &mut sealed,
            )
            .expect("AES-GCM sealing of a record cannot fail");
        let mut out = Vec::with_capacity(NONCE_LEN + sealed.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        out
    }

    /// Opens what [`MasterKey::seal`] sealed with the same `context`; `None`
    /// if it was altered, belongs to another record, or another key sealed it.
    pub fn open(&self, context: &[u8], sealed: &[u8]) -> Option<Secret<Vec<u8>>> {
        if sealed.len() < NONCE_LEN + TAG_LEN {
            return None;
        }
        let (nonce, sealed) = sealed.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
        let mut buf = Secret::new(sealed.to_vec());
        let len = self
            .aead
            .open_in_place(nonce, Aad::from(context), buf.expose_mut())
            .ok()?
            .len();
        buf.expose_mut().truncate(len);
        Some(buf)
    }

    /// HMAC-SHA256 of a passcode for `recipient`, under a key derived from the
    /// master key: a stolen database alone does not let anyone test passcodes.
    pub fn passcode_mac(&self, recipient: i64, passcode: &str) -> Vec<u8> {
        let mut input = recipient.to_be_bytes().to_vec();
        input.extend_from_slice(passcode.as_bytes());
        hmac::sign(&self.passcode_mac, &input).as_ref().to_vec()
    }
}

fn wrap_aad(message: &str) -> Vec<u8> {
    let mut aad = WRAP_LABEL.to_vec();
    aad.extend_from_slice(message.as_bytes());
    aad
}

/// Parses a base64 master key (as in `SEALMAIL_MASTER_KEY` or `master.key`).
pub fn master_key_from_base64(text: &str) -> Result<MasterKey, String> {
    let bytes = Secret::new(
        base64::engine::general_purpose::STANDARD
            .decode(text.trim())
            .map_err(|_| "the master key is not valid base64".to_owned())?,
    );
    let bytes: &[u8; KEY_LEN] = bytes
        .expose()
        .as_slice()
        .try_into()
        .map_err(|_| format!("the master key must be {KEY_LEN} bytes"))?;
    Ok(MasterKey::from_bytes(bytes))
}
