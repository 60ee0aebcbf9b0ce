//! A queued mail's logo, kept once: when a mail is queued its logo's part
//! body is cut out of the signed RFC 5322 bytes (leaving a gap at an
//! offset), stored once per distinct logo (`mail_logos`), and put back
//! byte for byte when the mail is sent, so its DKIM signature still holds.

use std::sync::{Arc, Mutex};

use base64::Engine as _;

use super::InlineImage;
use crate::crypto::{self, Secret};
use crate::store::mail_queue::QueuedLogo;

/// The mail without its logo's part body, and the logo it leaves out.
pub struct Cut {
    /// The mail with a gap where the logo's base64 lines were (it still
    /// holds a link token or a passcode: wiped on drop).
    pub rest: Secret<Vec<u8>>,
    /// What goes back into the gap.
    pub logo: QueuedLogo,
}

/// The last logo cut, shared by the mails queued after it: a message's
/// recipients all carry the same one, so it is checked and held in memory
/// once, not once per recipient.
#[derive(Default)]
pub struct LastLogo(Mutex<Option<Checked>>);

/// A logo block found to decode to its logo, and its hash.
struct Checked {
    sha256: Vec<u8>,
    block: Arc<[u8]>,
}

/// Cuts `logo`'s part body out of `mail` (formatted by `build_message`).
/// `None` (the mail is then queued whole) if the part is not found exactly
/// as expected: the cut is checked to decode to the logo's bytes.
pub fn cut(mail: &[u8], logo: &InlineImage, last: &LastLogo) -> Option<Cut> {
    let header = format!("\r\nContent-ID: <{}>\r\n", logo.content_id);
    // The logo is the last part (after the text and the HTML, which could
    // quote a subject that looks like this header).
    let at = rfind(mail, header.as_bytes())?;
    let start = at + find(&mail[at..], b"\r\n\r\n")? + 4;
    // A base64 body has no `-`: the first line that starts with one is the
    // boundary that ends the part.
    let end = start + find(&mail[start..], b"\r\n--")?;
    let block = &mail[start..end];
    let sha256 = crypto::sha256(block);
    let shared = {
        let mut last = last.0.lock().expect("logo lock");
        match &*last {
            Some(seen) if seen.sha256 == sha256 => seen.block.clone(),
            _ => {
                let lines: Vec<u8> = block
                    .iter()
                    .copied()
                    .filter(|b| !matches!(b, b'\r' | b'\n'))
                    .collect();
                let decoded = base64::engine::general_purpose::STANDARD
                    .decode(lines)
                    .ok()?;
                if decoded != *logo.bytes {
                    return None;
                }
                let shared: Arc<[u8]> = block.into();
                *last = Some(Checked {
                    sha256: sha256.clone(),
                    block: shared.clone(),
                });
                shared
            }
        }
    };
    let mut rest = Vec::with_capacity(mail.len() - block.len());
    rest.extend_from_slice(&mail[..start]);
    rest.extend_from_slice(&mail[end..]);
    Some(Cut {
        rest: Secret::new(rest),
        logo: QueuedLogo {
            sha256,
            offset: start,
            block: shared,
        },
    })
}

/// `rest` with `block` put back at `offset`: the mail as it was signed.
pub fn fill(rest: &[u8], offset: usize, block: &[u8]) -> Option<Secret<Vec<u8>>> {
    let (before, after) = (rest.get(..offset)?, rest.get(offset..)?);
    let mut mail = Vec::with_capacity(rest.len() + block.len());
    mail.extend_from_slice(before);
    mail.extend_from_slice(block);
    mail.extend_from_slice(after);
    Some(Secret::new(mail))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn rfind(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}
