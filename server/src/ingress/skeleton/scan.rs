//! The scan itself: header blocks and boundary lines followed line by line,
//! a candidate body byte by byte (decoded as it goes, to be sure it is one
//! mail-parser decodes cleanly, and cut at the `--` that ends it).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD_NO_PAD as BASE64;
use mail_parser::{MessageParser, MimeHeaders as _};

use super::{Elided, Outline};
use crate::ingress::decode::{Decoder, Encoding};

/// A header block or line longer than this is not followed: the rest of
/// the mail is kept as it is.
const MAX_LINE: usize = 64 * 1024;
/// Longer boundaries (RFC 2046 allows 70 characters) are not followed.
const MAX_BOUNDARY: usize = 200;

/// Scans a mail a piece at a time and writes its skeleton.
pub struct Scanner {
    outline: Outline,
    /// Bytes received and not yet scanned (from `pos`).
    pending: Vec<u8>,
    pos: usize,
    /// The mail's offset of `pending[pos]`.
    offset: u64,
    state: State,
    /// The boundaries of the multiparts the scan is in, innermost last,
    /// and whether each is a digest (its parts are mails by default).
    boundaries: Vec<(Vec<u8>, bool)>,
    /// Whether the scan is at the start of a line (or where mail-parser
    /// looks for a boundary line after an elided body).
    line_start: bool,
    /// An elided body's encoded bytes at least this long are elided.
    elide_at: u64,
    nonce: String,
    /// Scratch for the decoder's output while it checks a body.
    scratch: Vec<u8>,
}

enum State {
    /// A part's header lines; its block starts at this skeleton offset.
    Headers(usize),
    /// Before a multipart's first boundary line, or after its last.
    Between,
    /// A body kept in the skeleton.
    Body,
    /// A body that may be elided.
    Candidate(Candidate),
    /// The rest is kept as it is.
    Verbatim,
}

struct Candidate {
    /// Where its encoded bytes start in the mail.
    start: u64,
    /// Where they start in the skeleton.
    skeleton_at: usize,
    decoder: Decoder,
    encoding: Encoding,
    /// No longer in the skeleton.
    elided: bool,
    /// The mail's only part: it runs to the mail's end.
    alone: bool,
}

impl Scanner {
    /// A scan that elides base64 and quoted-printable attachment bodies
    /// of `elide_at` bytes or more.
    pub fn new(elide_at: usize) -> Self {
        Scanner {
            outline: Outline {
                skeleton: Vec::new(),
                elided: Vec::new(),
                len: 0,
                broken: false,
            },
            pending: Vec::new(),
            pos: 0,
            offset: 0,
            state: State::Headers(0),
            boundaries: Vec::new(),
            line_start: true,
            elide_at: elide_at.max(1) as u64,
            nonce: crate::crypto::hex(&crate::crypto::random_bytes::<16>()),
            scratch: Vec::new(),
        }
    }

    /// The memory it holds, in bytes.
    pub fn memory(&self) -> usize {
        self.outline.skeleton.capacity() + self.pending.capacity() + self.scratch.capacity()
    }

    /// Scans the mail's next bytes.
    pub fn feed(&mut self, bytes: &[u8]) {
        self.outline.len += bytes.len() as u64;
        if self.outline.broken {
            return;
        }
        self.pending.extend_from_slice(bytes);
        self.scan(false);
        if self.outline.broken {
            self.pending = Vec::new();
        } else {
            self.pending.drain(..self.pos);
        }
        self.pos = 0;
    }

    /// The mail is over: its outline.
    pub fn finish(mut self) -> Outline {
        if !self.outline.broken {
            // A candidate body still open is ended or dropped here.
            self.scan(true);
        }
        if self.outline.broken {
            self.outline.skeleton = Vec::new();
            self.outline.elided.clear();
        }
        self.outline
    }

    fn scan(&mut self, at_end: bool) {
        while !self.outline.broken {
            let rest = self.pending.len() - self.pos;
            match self.state {
                State::Verbatim => {
                    let rest = &self.pending[self.pos..];
                    self.outline.skeleton.extend_from_slice(rest);
                    self.advance(rest.len());
                    return;
                }
                State::Candidate(_) => {
                    if !self.candidate(at_end) {
                        return;
                    }
                }
                _ => {
                    let line = &self.pending[self.pos..];
                    let (len, complete) = match memchr_newline(line) {
                        Some(i) => (i + 1, true),
                        None if at_end && rest > 0 => (rest, false),
                        None if rest > MAX_LINE => (rest, false),
                        None => return,
                    };
                    self.line(len, complete);
                }
            }
        }
    }

    fn advance(&mut self, n: usize) {
        self.pos += n;
        self.offset += n as u64;
    }

    /// One line (`complete`: up to its line break) in a line-wise state.
    fn line(&mut self, len: usize, complete: bool) {
        let start = self.pos;
        let at_line_start = self.line_start;
        self.outline
            .skeleton
            .extend_from_slice(&self.pending[start..start + len]);
        self.advance(len);
        self.line_start = complete;
        let line = &self.pending[start..start + len];
        match self.state {
            State::Headers(block) => {
                if self.outline.skeleton.len() - block > MAX_LINE {
                    self.state = State::Verbatim;
                } else if complete && is_blank(line) {
                    self.state = self.after_headers(block);
                }
            }
            State::Between | State::Body => {
                let Some((boundary, _)) = self.boundaries.last() else {
                    self.state = State::Verbatim;
                    return;
                };
                let rest = at_line_start
                    .then(|| line.strip_prefix(b"--")?.strip_prefix(boundary.as_slice()))
                    .flatten();
                if let Some(rest) = rest {
                    self.state = if rest.starts_with(b"--") {
                        self.boundaries.pop();
                        if self.boundaries.is_empty() {
                            // mail-parser reads nothing after the last one.
                            State::Verbatim
                        } else {
                            State::Between
                        }
                    } else if complete && is_blank(rest) {
                        State::Headers(self.outline.skeleton.len())
                    } else {
                        State::Verbatim
                    };
                }
            }
            State::Candidate(_) | State::Verbatim => {}
        }
    }

    /// What follows a part's header block (at `block` in the skeleton).
    fn after_headers(&mut self, block: usize) -> State {
        let alone = self.boundaries.is_empty();
        let in_digest = self.boundaries.last().is_some_and(|(_, digest)| *digest);
        let parsed = MessageParser::default().parse_headers(&self.outline.skeleton[block..]);
        let Some(part) = parsed.as_ref().map(|m| m.root_part()) else {
            return if alone { State::Verbatim } else { State::Body };
        };
        let Some(content_type) = part.content_type() else {
            // text/plain, or in a digest a mail.
            return if alone || in_digest {
                State::Verbatim
            } else {
                State::Body
            };
        };
        match content_type.ctype() {
            "multipart" => match content_type.attribute("boundary") {
                Some(boundary) if !boundary.is_empty() && boundary.len() <= MAX_BOUNDARY => {
                    let digest = content_type.subtype() == Some("digest");
                    self.boundaries.push((boundary.as_bytes().to_vec(), digest));
                    State::Between
                }
                _ => State::Verbatim,
            },
            // A mail inside the mail: mail-parser hands the whole skeleton
            // out as its bytes, so nothing is elided from here on.
            "message" => State::Verbatim,
            "text" if alone => State::Verbatim,
            "text" => State::Body,
            _ => {
                let encoding = match part.content_transfer_encoding() {
                    Some(e) if e.eq_ignore_ascii_case("base64") => Some(Encoding::Base64),
                    Some(e) if e.eq_ignore_ascii_case("quoted-printable") => {
                        Some(Encoding::QuotedPrintable)
                    }
                    _ => None,
                };
                // An image the HTML may show inline is kept (its bytes go
                // into the HTML body).
                match encoding {
                    Some(encoding) if part.content_id().is_none() => State::Candidate(Candidate {
                        start: self.offset,
                        skeleton_at: self.outline.skeleton.len(),
                        decoder: Decoder::new(encoding),
                        encoding,
                        elided: false,
                        alone,
                    }),
                    _ if alone => State::Verbatim,
                    _ => State::Body,
                }
            }
        }
    }

    /// Scans a candidate body's next bytes; `false` when it needs more.
    fn candidate(&mut self, at_end: bool) -> bool {
        let State::Candidate(candidate) = &self.state else {
            return false;
        };
        let alone = candidate.alone;
        let data = &self.pending[self.pos..];
        // What ends it: mail-parser's decoders stop at the first `--` (a
        // quoted-printable body of a mail's only part has no end but the mail's).
        let dashes = if alone && candidate.encoding == Encoding::QuotedPrintable {
            None
        } else {
            memchr::memmem::find(data, b"--")
        };
        let Some(at) = dashes else {
            // A last dash may be the first of two.
            let mut take = data.len();
            if !at_end && data.last() == Some(&b'-') {
                take -= 1;
            }
            if !self.body_bytes(take) {
                return true;
            }
            if !at_end {
                return false;
            }
            if alone {
                self.end_candidate(false);
            } else {
                // mail-parser: a body with no boundary before the end is an error.
                self.drop_candidate();
            }
            return true;
        };
        // A base64 body of a mail's only part has no boundary: `--` is an error.
        let boundary_len = self.boundaries.last().map_or(0, |(b, _)| b.len());
        if data.len() < at + 2 + boundary_len && !at_end {
            // The boundary may be in the next bytes.
            return at > 0 && self.body_bytes(at);
        }
        let ends = self
            .boundaries
            .last()
            .is_some_and(|(boundary, _)| data[at + 2..].starts_with(boundary));
        if self.body_bytes(at) {
            if ends {
                self.end_candidate(true);
            } else {
                self.drop_candidate();
            }
        }
        true
    }

    /// `n` more bytes of the candidate body: checked by decoding, and kept
    /// in the skeleton until the body is long enough to elide. `false` if
    /// they make it no longer a candidate.
    fn body_bytes(&mut self, n: usize) -> bool {
        let State::Candidate(candidate) = &self.state else {
            return false;
        };
        // Up to the length that makes it elided, then the rest: an error is
        // before or after that point however the mail came in pieces.
        let kept = self.elide_at.saturating_sub(self.offset - candidate.start);
        let kept = if candidate.elided {
            0
        } else {
            n.min(usize::try_from(kept).unwrap_or(usize::MAX))
        };
        self.body_piece(kept) && self.body_piece(n - kept)
    }

    fn body_piece(&mut self, n: usize) -> bool {
        if n == 0 {
            return true;
        }
        let State::Candidate(candidate) = &mut self.state else {
            return false;
        };
        let bytes = &self.pending[self.pos..self.pos + n];
        let valid = candidate.decoder.push(bytes, &mut self.scratch).is_ok();
        self.scratch.clear();
        if !candidate.elided {
            self.outline.skeleton.extend_from_slice(bytes);
            if self.offset + n as u64 - candidate.start >= self.elide_at && valid {
                candidate.elided = true;
                self.outline.skeleton.truncate(candidate.skeleton_at);
            }
        }
        self.line_start = bytes.last() == Some(&b'\n');
        self.advance(n);
        if !valid {
            self.drop_candidate();
        }
        valid
    }

    /// The candidate body ended (`at_boundary`: where `--` and the
    /// boundary follow): its stand-in goes into the skeleton if it was elided.
    fn end_candidate(&mut self, at_boundary: bool) {
        let State::Candidate(candidate) = std::mem::replace(&mut self.state, State::Body) else {
            return;
        };
        if candidate.alone {
            self.state = State::Verbatim;
        }
        // mail-parser looks for the boundary line right here.
        self.line_start = true;
        if !candidate.elided {
            return;
        }
        let mut token = format!(
            "SEALMAILELIDED{}N{:06}",
            self.nonce,
            self.outline.elided.len()
        );
        // Whole base64 quanta: mail-parser drops a last partial one.
        while token.len() % 3 != 0 {
            token.push('X');
        }
        let stand_in = match candidate.encoding {
            Encoding::Base64 => BASE64.encode(&token),
            Encoding::QuotedPrintable => token.clone(),
        };
        self.outline.skeleton.extend_from_slice(stand_in.as_bytes());
        self.outline.elided.push(Elided {
            range: candidate.start..self.offset,
            encoding: candidate.encoding,
            at_boundary,
            skeleton_at: candidate.skeleton_at,
            token: token.into_bytes(),
        });
    }

    /// The candidate body is not one mail-parser decodes cleanly to its
    /// end (or it holds `--`): kept, if it still can be.
    fn drop_candidate(&mut self) {
        let State::Candidate(candidate) = std::mem::replace(&mut self.state, State::Body) else {
            return;
        };
        if candidate.elided {
            self.outline.broken = true;
        } else if candidate.alone {
            self.state = State::Verbatim;
        }
    }
}

/// Where the first line break is.
fn memchr_newline(bytes: &[u8]) -> Option<usize> {
    memchr::memchr(b'\n', bytes)
}

/// A line of nothing but spaces, tabs and its line break.
fn is_blank(line: &[u8]) -> bool {
    line.iter()
        .all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
}
