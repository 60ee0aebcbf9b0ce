//! Keys, sealing and hashing. Everything cryptographic goes through `ring`
//! (AES-256-GCM with AES-NI runs near the hardware's speed here), randomness
//! from the operating system.

mod keys;
mod seal;

pub use keys::{MasterKey, master_key_from_base64};
pub use seal::{
    CHUNK_SIZE, ChunkOpener, ChunkSealer, DataKey, OpenError, TAG_LEN, WrappedKey, chunk_count,
};

use ring::rand::{SecureRandom, SystemRandom};
use subtle::ConstantTimeEq;
use zeroize::Zeroize;

/// A value that must not leak: `Debug` prints `***`, and it is wiped on drop.
pub struct Secret<T: Zeroize>(T);

impl<T: Zeroize> Secret<T> {
    /// Wraps a secret value.
    pub fn new(value: T) -> Self {
        Secret(value)
    }
    /// The secret itself; use it, never log it.
    pub fn expose(&self) -> &T {
        &self.0
    }
    /// The secret, mutably (to decrypt into it in place).
    pub fn expose_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

impl<T: Zeroize> std::fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

impl<T: Zeroize + Clone> Clone for Secret<T> {
    fn clone(&self) -> Self {
        Secret(self.0.clone())
    }
}

impl<T: Zeroize> Drop for Secret<T> {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

/// `N` random bytes from the operating system.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    SystemRandom::new()
        .fill(&mut out)
        .expect("the operating system's random source failed");
    out
}

/// A random id as 32 hex digits (128 bits): unguessable, so ids never leak counts.
pub fn random_id() -> String {
    hex(&random_bytes::<16>())
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-256 of `data`: how link tokens and session ids are stored. They carry
/// 256 bits of randomness, so a plain hash cannot be brute-forced back.
pub fn sha256(data: &[u8]) -> Vec<u8> {
    ring::digest::digest(&ring::digest::SHA256, data)
        .as_ref()
        .to_vec()
}

/// Compares two byte strings in constant time (for MACs and hashes).
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

/// A new random bearer secret (a link token or a session id): 256 bits,
/// base64url without padding (43 characters), safe in URLs and cookies.
pub fn new_bearer_token() -> Secret<String> {
    use base64::Engine as _;
    Secret::new(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random_bytes::<32>()))
}

/// A random 8-digit passcode, uniformly distributed (rejection sampling avoids
/// the bias of a plain modulo).
pub fn new_passcode() -> Secret<String> {
    const LIMIT: u32 = 4_200_000_000; // the largest multiple of 10^8 below 2^32
    loop {
        let n = u32::from_be_bytes(random_bytes::<4>());
        if n < LIMIT {
            return Secret::new(format!("{:08}", n % 100_000_000));
        }
    }
}
