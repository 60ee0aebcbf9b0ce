//! DKIM (RFC 6376): Sealmail signs its own mail, so receivers can tell a
//! notification really comes from the domain it names, and a phishing copy
//! of it fails.
//!
//! Signing is mail-auth's (Stalwart's DKIM crate) over `ring`, whose RSA is
//! constant-time; lettre's signer uses the `rsa` crate, which is not
//! (RUSTSEC-2023-0071). The delivery worker signs each mail as it sends it,
//! over the exact bytes that leave, so a message to 10,000 recipients does
//! not wait for 10,000 RSA signatures before it is accepted. Keys are
//! generated (and PEM files read) with `rsa` and `ed25519-dalek`, which
//! never sign here.

use std::path::Path;

use mail_auth::common::crypto::{Ed25519Key, RsaKey, Sha256, SigningKey};
use mail_auth::common::headers::HeaderWriter as _;
use mail_auth::dkim::{Canonicalization, Done};
use rsa::pkcs1::{DecodeRsaPrivateKey as _, EncodeRsaPrivateKey as _};
use rsa::pkcs8::{DecodePrivateKey as _, EncodePrivateKey as _, EncodePublicKey as _, LineEnding};
use rustls_pki_types::{PrivateKeyDer, PrivatePkcs1KeyDer};
use zeroize::Zeroizing;

use super::MailError;

/// The headers the signature covers: what a reader sees, where an answer
/// goes and what it threads under (a reply mailed in plain carries them;
/// RFC 6376 §5.4.1 recommends signing them), the message's identity, and how
/// its body is to be read (a listed header a mail lacks is left out of that
/// mail's signature).
const SIGNED_HEADERS: [&str; 12] = [
    "From",
    "Reply-To",
    "To",
    "Subject",
    "Date",
    "Message-ID",
    "In-Reply-To",
    "References",
    "MIME-Version",
    "Content-Language",
    "Content-Type",
    "Content-Transfer-Encoding",
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
    key: Key,
}

/// mail-auth's signer, typed by its key.
enum Key {
    Rsa(mail_auth::dkim::DkimSigner<RsaKey<Sha256>, Done>),
    Ed25519(mail_auth::dkim::DkimSigner<Ed25519Key, Done>),
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
        let domain = domain.trim_end_matches('.').to_owned();
        let key = match signing_key(pem)? {
            ParsedKey::Rsa(key) => Key::Rsa(configure(key, selector, &domain)),
            ParsedKey::Ed25519(key) => Key::Ed25519(configure(key, selector, &domain)),
        };
        Ok(DkimSigner {
            selector: selector.to_owned(),
            domain,
            key,
        })
    }

    /// The `DKIM-Signature:` header line (CRLF-terminated) for `message`,
    /// the RFC 5322 bytes exactly as they will be sent: put it in front.
    pub fn signature_header(&self, message: &[u8]) -> Result<String, MailError> {
        let signed = match &self.key {
            Key::Rsa(signer) => signer.sign(message),
            Key::Ed25519(signer) => signer.sign(message),
        };
        signed
            .map(|signature| signature.to_header())
            .map_err(|e| MailError(format!("DKIM signing failed: {e}")))
    }
}

/// The signer for `key`: relaxed canonicalisation for header and body, since
/// relays re-fold headers and trim trailing spaces, which would break a
/// "simple" signature on the way.
fn configure<K: SigningKey>(
    key: K,
    selector: &str,
    domain: &str,
) -> mail_auth::dkim::DkimSigner<K, Done> {
    mail_auth::dkim::DkimSigner::from_key(key)
        .domain(domain)
        .selector(selector)
        .headers(SIGNED_HEADERS)
        .header_canonicalization(Canonicalization::Relaxed)
        .body_canonicalization(Canonicalization::Relaxed)
}

/// A private key read from PEM, ready for mail-auth.
enum ParsedKey {
    Rsa(RsaKey<Sha256>),
    Ed25519(Ed25519Key),
}

/// Reads PEM text: RSA as PKCS#1 or PKCS#8 (handed to ring as PKCS#1),
/// Ed25519 as PKCS#8.
fn signing_key(pem: &str) -> Result<ParsedKey, MailError> {
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
        let der = key.to_pkcs1_der().map_err(|e| bad(&e))?;
        let der = PrivateKeyDer::Pkcs1(PrivatePkcs1KeyDer::from(der.as_bytes().to_vec()));
        return RsaKey::<Sha256>::from_key_der(der)
            .map(ParsedKey::Rsa)
            .map_err(|e| bad(&e));
    }
    let key = ed25519_dalek::SigningKey::from_pkcs8_pem(pem).map_err(|_| {
        MailError("not an RSA or Ed25519 private key in PEM (PKCS#1 or PKCS#8)".into())
    })?;
    let seed = Zeroizing::new(key.to_bytes());
    Ed25519Key::from_seed_and_public_key(seed.as_slice(), key.verifying_key().as_bytes())
        .map(ParsedKey::Ed25519)
        .map_err(|e| bad(&e))
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
