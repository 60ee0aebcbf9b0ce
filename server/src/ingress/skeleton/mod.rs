//! A large mail's skeleton: the mail as it came, but each large attachment
//! body encoded in base64 or quoted-printable replaced by a short stand-in.
//! mail-parser reads the skeleton (a few kilobytes for a mail of megabytes)
//! instead of the mail, so neither the mail nor its decoded attachments are
//! ever whole in memory; each elided body is decoded from the spooled mail
//! into the sealing, a piece at a time ([`super::decode`]).
//!
//! The scan follows the MIME structure loosely (header blocks, boundary
//! lines); it does not need to agree with mail-parser everywhere, because
//! what it elides is checked afterwards ([`super::mime::parse_outline`]):
//! each stand-in must come back from mail-parser as the whole decoded body
//! of a top-level attachment starting where the elided body started.
//! Before that spot the skeleton and the mail are the same bytes, so
//! mail-parser was decoding that same body; the scan has checked that the
//! body holds no `--` before the boundary that ends it, so it ends at the
//! same place, and that the body decodes without an error. Whenever it is
//! not sure, the scan keeps bytes; whenever the check fails, the whole mail
//! is read and parsed as any other.

use std::ops::Range;

use super::decode::{Decoder, Encoding};

mod scan;
#[cfg(test)]
mod tests;

pub use scan::Scanner;

/// What the scan made of a mail.
pub struct Outline {
    skeleton: Vec<u8>,
    elided: Vec<Elided>,
    /// The mail's length.
    len: u64,
    /// A body was elided and then turned out not to be one mail-parser
    /// decodes as an attachment: the skeleton is of no use.
    broken: bool,
}

/// An attachment body the skeleton holds a stand-in for.
#[derive(Debug, Clone)]
pub struct Elided {
    /// Where its encoded bytes are in the mail.
    pub range: Range<u64>,
    /// How they are encoded.
    pub encoding: Encoding,
    /// `--` and the boundary follow them (else the mail ends there).
    pub at_boundary: bool,
    /// Where the stand-in is in the skeleton (mail-parser's body offset).
    pub(super) skeleton_at: usize,
    /// What the stand-in decodes to.
    pub(super) token: Vec<u8>,
}

impl Elided {
    /// A decoder for its body, from its start.
    pub fn decoder(&self) -> Decoder {
        Decoder::new(self.encoding)
    }
}

impl Outline {
    /// The skeleton, for mail-parser.
    pub fn skeleton(&self) -> &[u8] {
        &self.skeleton
    }

    /// The bodies it elides, in the mail's order.
    pub fn elided(&self) -> &[Elided] {
        &self.elided
    }

    /// The mail's length in bytes.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether the mail was empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether the skeleton is of no use (the whole mail must be parsed).
    pub fn is_broken(&self) -> bool {
        self.broken
    }
}
