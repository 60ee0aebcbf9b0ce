//! DKIM (RFC 6376): Sealmail signs its own mail, so receivers can tell a
//! notification really comes from the domain it names, and a phishing copy
//! of it fails.
//!
//! Signing is lettre's (`Message::sign`): the mail is already a lettre
//! message, so signing adds one small dependency (the `rsa` crate) rather
//! than a second MIME stack and a DNS resolver (mail-auth). The keys are
//! generated here with the same `rsa` and `ed25519-dalek` versions lettre uses.

use std::path::Path;

use lettre::message::dkim::{
    DkimCanonicalization, DkimCanonicalizationType, DkimConfig, DkimSigningAlgorithm,
    DkimSigningKey,
};
use lettre::message::header::HeaderName;
use rsa::pkcs1::{DecodeRsaPrivateKey as _, EncodeRsaPrivateKey as _};
use rsa::pkcs8::{DecodePrivateKey as _, EncodePrivateKey as _, EncodePublicKey as _, LineEnding};
use zeroize::Zeroizing;

use super::MailError;

/// The headers the signature covers: what a reader sees, and the message's
/// identity. Not Content-Type: lettre writes a multipart's Content-Type
/// with the body, after signing, so it cannot be covered (a listed header
/// the signer did not hash fails every verifier); the body hash covers
/// every part, boundaries included.
const SIGNED_HEADERS: [&str; 7] = [
    "From",
    "To",
    "Subject",
    "Date",
    "Message-ID",
    "MIME-Version",
    "Content-Language",
];

/// RSA key size: 2048 bits, what RFC 8301 asks signers for and every
/// receiver verifies (some refuse larger keys in one DNS TXT record).
const RSA_BITS: usize = 2048;

/// A key's algorithm.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Algorithm {
    /// RSA-SHA256, 2048 bits: verified by every receiver.
    Rsa,
    /// Ed25519-SHA256 (RFC 8463): short keys, but not every receiver
    /// verifies it yet; publish an RSA key too if you use it.
    Ed25519,
}

/// Signs mail with one key, for one selector and domain.
pub struct DkimSigner {
    selector: String,
    domain: String,
    config: DkimConfig,
}

/// The key never appears in logs: only where it signs for.
impl std::fmt::Debug for DkimSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DkimSigner")
            .field("selector", &self.selector)
            .field("domain", &self.domain)
            .field("key", &"***")
            .finish()
    }
}

impl DkimSigner {
    /// Reads a private key file (PEM: PKCS#1 or PKCS#8 RSA, or PKCS#8
    /// Ed25519, as `sealmail dkim generate` and `openssl genpkey` write them).
    pub fn load(path: &Path, selector: &str, domain: &str) -> Result<Self, MailError> {
        let pem =
            Zeroizing::new(std::fs::read_to_string(path).map_err(|e| {
                MailError(format!("cannot read the DKIM key {}: {e}", path.display()))
            })?);
        Self::from_pem(&pem, selector, domain)
            .map_err(|e| MailError(format!("the DKIM key {}: {e}", path.display())))
    }

    /// A signer for a PEM private key.
    pub fn from_pem(pem: &str, selector: &str, domain: &str) -> Result<Self, MailError> {
        check_label("selector", selector)?;
        for label in domain.trim_end_matches('.').split('.') {
            check_label("domain", label)?;
        }
        let key = signing_key(pem)?;
        let headers = SIGNED_HEADERS
            .iter()
            .map(|name| HeaderName::new_from_ascii_str(name))
            .collect();
        // Relaxed for both: relays re-fold headers and trim trailing spaces,
        // which would break a "simple" signature on the way.
        let canonicalization = DkimCanonicalization {
            header: DkimCanonicalizationType::Relaxed,
            body: DkimCanonicalizationType::Relaxed,
        };
        Ok(DkimSigner {
            selector: selector.to_owned(),
            domain: domain.trim_end_matches('.').to_owned(),
            config: DkimConfig::new(
                selector.to_owned(),
                domain.trim_end_matches('.').to_owned(),
                key,
                headers,
                canonicalization,
            ),
        })
    }

    /// Adds the DKIM-Signature header to `message`.
    pub fn sign(&self, message: &mut lettre::Message) {
        message.sign(&self.config);
    }
}

/// lettre's key from PEM text: RSA as PKCS#1 (lettre reads only that, so a
/// PKCS#8 key is re-encoded), Ed25519 as its 32 secret bytes in base64.
fn signing_key(pem: &str) -> Result<DkimSigningKey, MailError> {
    let bad = |e: &dyn std::fmt::Display| MailError(format!("not a usable private key: {e}"));
    let rsa_key = if pem.contains("BEGIN RSA PRIVATE KEY") {
        Some(rsa::RsaPrivateKey::from_pkcs1_pem(pem).map_err(|e| bad(&e))?)
    } else {
        rsa::RsaPrivateKey::from_pkcs8_pem(pem).ok()
    };
    if let Some(key) = rsa_key {
        if rsa::traits::PublicKeyParts::size(&key) * 8 < 1024 {
            // RFC 8301: verifiers must not accept keys under 1024 bits.
            return Err(MailError("the RSA key is shorter than 1024 bits".into()));
        }
        let pkcs1 = key.to_pkcs1_pem(LineEnding::LF).map_err(|e| bad(&e))?;
        return DkimSigningKey::new(&pkcs1, DkimSigningAlgorithm::Rsa).map_err(|e| bad(&e));
    }
    let key = ed25519_dalek::SigningKey::from_pkcs8_pem(pem).map_err(|_| {
        MailError("not an RSA or Ed25519 private key in PEM (PKCS#1 or PKCS#8)".into())
    })?;
    let secret = Zeroizing::new(base64_encode(key.as_bytes()));
    DkimSigningKey::new(&secret, DkimSigningAlgorithm::Ed25519).map_err(|e| bad(&e))
}

/// A DNS label: letters, digits, hyphens (a selector, or a part of the domain).
fn check_label(what: &str, label: &str) -> Result<(), MailError> {
    let valid = !label.is_empty()
        && label.len() <= 63
        && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && !label.starts_with('-');
    if valid {
        Ok(())
    } else {
        Err(MailError(format!(
            "the DKIM {what} must be DNS labels (letters, digits, hyphens), not `{label}`"
        )))
    }
}

/// A new key pair: the private key as PEM, the public key as DKIM's `p=`.
pub struct NewKey {
    /// The private key (PKCS#1 PEM for RSA, PKCS#8 PEM for Ed25519).
    pub private_pem: Zeroizing<String>,
    /// The TXT record's `k=` and `p=` values.
    pub algorithm: Algorithm,
    /// Base64: the SubjectPublicKeyInfo for RSA, the raw 32 bytes for Ed25519 (RFC 8463).
    pub public_base64: String,
}

/// Generates a key pair.
pub fn generate(algorithm: Algorithm) -> Result<NewKey, MailError> {
    let failed = |e: &dyn std::fmt::Display| MailError(format!("generating the key: {e}"));
    match algorithm {
        Algorithm::Rsa => {
            let key = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, RSA_BITS)
                .map_err(|e| failed(&e))?;
            let public = key
                .to_public_key()
                .to_public_key_der()
                .map_err(|e| failed(&e))?;
            Ok(NewKey {
                private_pem: Zeroizing::new(
                    key.to_pkcs1_pem(LineEnding::LF)
                        .map_err(|e| failed(&e))?
                        .to_string(),
                ),
                algorithm,
                public_base64: base64_encode(public.as_bytes()),
            })
        }
        Algorithm::Ed25519 => {
            let secret = Zeroizing::new(crate::crypto::random_bytes::<32>());
            let key = ed25519_dalek::SigningKey::from_bytes(&secret);
            Ok(NewKey {
                private_pem: Zeroizing::new(
                    key.to_pkcs8_pem(LineEnding::LF)
                        .map_err(|e| failed(&e))?
                        .to_string(),
                ),
                algorithm,
                public_base64: base64_encode(key.verifying_key().as_bytes()),
            })
        }
    }
}

impl NewKey {
    /// The TXT record's text, unsplit: `v=DKIM1; k=rsa; p=…`.
    pub fn txt_value(&self) -> String {
        let k = match self.algorithm {
            Algorithm::Rsa => "rsa",
            Algorithm::Ed25519 => "ed25519",
        };
        format!("v=DKIM1; k={k}; p={}", self.public_base64)
    }

    /// The record as a zone-file line. A TXT string holds at most 255
    /// bytes and a 2048-bit key's is longer, so the value is split into
    /// several quoted strings, which receivers join back together.
    pub fn zone_record(&self, selector: &str, domain: &str) -> String {
        let value = self.txt_value();
        let strings: Vec<String> = value
            .as_bytes()
            .chunks(255)
            .map(|chunk| format!("\"{}\"", String::from_utf8_lossy(chunk)))
            .collect();
        format!(
            "{selector}._domainkey.{}. IN TXT {}",
            domain.trim_end_matches('.'),
            strings.join(" ")
        )
    }
}

fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_rsa_record_is_split_into_dns_strings_that_join_to_the_key() {
        let key = generate(Algorithm::Rsa).unwrap();
        assert!(
            key.private_pem
                .starts_with("-----BEGIN RSA PRIVATE KEY-----")
        );
        let record = key.zone_record("s2026", "example.org.");
        assert!(
            record.starts_with("s2026._domainkey.example.org. IN TXT \"v=DKIM1; k=rsa; p=MII"),
            "{record}"
        );
        let strings: Vec<&str> = record
            .split_once(" IN TXT ")
            .unwrap()
            .1
            .split(' ')
            .filter(|s| s.starts_with('"') || s.ends_with('"'))
            .collect();
        let joined: String = record
            .split_once(" IN TXT ")
            .unwrap()
            .1
            .split('"')
            .skip(1)
            .step_by(2)
            .collect();
        assert_eq!(joined, key.txt_value());
        assert!(strings.len() >= 2, "{record}");
        for string in record.split('"').skip(1).step_by(2) {
            assert!(string.len() <= 255);
        }
        // The key it printed is the key it signs with.
        DkimSigner::from_pem(&key.private_pem, "s2026", "example.org").unwrap();
    }

    #[test]
    fn an_ed25519_key_is_pkcs8_and_publishes_32_raw_bytes() {
        use base64::Engine as _;
        let key = generate(Algorithm::Ed25519).unwrap();
        assert!(key.private_pem.starts_with("-----BEGIN PRIVATE KEY-----"));
        let public = base64::engine::general_purpose::STANDARD
            .decode(&key.public_base64)
            .unwrap();
        assert_eq!(public.len(), 32);
        assert!(key.txt_value().starts_with("v=DKIM1; k=ed25519; p="));
        DkimSigner::from_pem(&key.private_pem, "ed", "example.org").unwrap();
    }

    #[test]
    fn the_signer_debug_and_errors_never_show_the_key() {
        let key = generate(Algorithm::Ed25519).unwrap();
        let signer = DkimSigner::from_pem(&key.private_pem, "s1", "example.org").unwrap();
        let shown = format!("{signer:?}");
        assert!(shown.contains("s1") && shown.contains("***"), "{shown}");
        let body = key.private_pem.lines().nth(1).unwrap();
        assert!(!shown.contains(body));

        let broken = key.private_pem.replace(body, "AAAA");
        let error = DkimSigner::from_pem(&broken, "s1", "example.org").unwrap_err();
        assert!(!error.0.contains(body), "{error}");
    }

    #[test]
    fn selector_and_domain_must_be_dns_names() {
        let key = generate(Algorithm::Ed25519).unwrap();
        for (selector, domain) in [
            ("", "example.org"),
            ("a b", "example.org"),
            ("s", "exa_mple.org"),
            ("s", ""),
        ] {
            assert!(
                DkimSigner::from_pem(&key.private_pem, selector, domain).is_err(),
                "{selector} {domain}"
            );
        }
    }
}
