//! mail-parser's base64 and quoted-printable body decoders
//! (`MessageStream::decode_base64_mime`, `decode_quoted_printable_mime`),
//! taken a piece at a time, so a large attachment is decoded straight from
//! the spooled mail into the sealing and its decoded bytes are never whole
//! in memory. They keep mail-parser's every quirk (its tables, what it
//! skips, what it drops at the boundary): the bytes are the ones a whole
//! parse would give, which the tests check against mail-parser itself.
//!
//! A piece given here never holds the two dashes that end a part: the
//! [`super::skeleton`] scan cuts the body just before them.

use mail_parser::decoders::base64::BASE64_MAP;
use mail_parser::decoders::quoted_printable::HEX_MAP;

/// The body is not what mail-parser decodes: it would read the part as
/// text with an encoding problem instead.
#[derive(Debug, PartialEq, Eq)]
pub struct Invalid;

/// How a body is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Base64,
    QuotedPrintable,
}

/// A body being decoded.
pub enum Decoder {
    Base64(Base64),
    QuotedPrintable(QuotedPrintable),
}

impl Decoder {
    /// A decoder at the start of a body.
    pub fn new(encoding: Encoding) -> Self {
        match encoding {
            Encoding::Base64 => Decoder::Base64(Base64::default()),
            Encoding::QuotedPrintable => Decoder::QuotedPrintable(QuotedPrintable::default()),
        }
    }

    /// Decodes the body's next bytes; appends what is final to `out`.
    pub fn push(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<(), Invalid> {
        match self {
            Decoder::Base64(d) => d.push(input, out),
            Decoder::QuotedPrintable(d) => d.push(input, out),
        }
    }

    /// The body is over: at a boundary (`--` and the boundary follow), or
    /// at the end of the mail. Appends the rest to `out`.
    pub fn finish(self, at_boundary: bool, out: &mut Vec<u8>) {
        match self {
            // What a last incomplete quantum holds is dropped, as mail-parser does.
            Decoder::Base64(_) => {}
            Decoder::QuotedPrintable(d) => d.finish(at_boundary, out),
        }
    }
}

/// `decode_base64_mime`: four characters make three bytes; `=` flushes a
/// partial quantum; white space and a lone `-` are skipped.
#[derive(Default)]
pub struct Base64 {
    chunk: u32,
    byte_count: u8,
}

/// What `BASE64_MAP` holds for a byte that is not in the alphabet.
const NOT_BASE64: u32 = 0x01ff_ffff;

impl Base64 {
    fn push(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<(), Invalid> {
        for &ch in input {
            let val = BASE64_MAP[usize::from(self.byte_count)][usize::from(ch)];
            if val < NOT_BASE64 {
                self.byte_count = (self.byte_count + 1) & 3;
                if self.byte_count == 1 {
                    self.chunk = val;
                } else {
                    self.chunk |= val;
                    if self.byte_count == 0 {
                        out.extend_from_slice(&self.chunk.to_le_bytes()[..3]);
                    }
                }
                continue;
            }
            match ch {
                b'=' => {
                    match self.byte_count {
                        1 | 2 => out.push(self.chunk.to_le_bytes()[0]),
                        3 => out.extend_from_slice(&self.chunk.to_le_bytes()[..2]),
                        _ => {}
                    }
                    self.byte_count = 0;
                }
                b'\n' | b' ' | b'\t' | b'\r' | b'-' => {}
                _ => return Err(Invalid),
            }
        }
        Ok(())
    }
}

/// `decode_quoted_printable_mime`. It drops a line's trailing white space
/// when the line ends, and at the boundary the line break before it (or,
/// quirk kept, the bytes a soft line break leaves there): so the last bytes
/// it has produced are held back until nothing can take them away.
pub struct QuotedPrintable {
    /// Decoded, not yet handed out.
    held: Vec<u8>,
    state: QpState,
    hex1: i8,
    last_ch: u8,
    /// The white space at the end of `held` that the line's end would drop.
    ws_count: usize,
    /// Once a CR is seen, line breaks are written as CRLF.
    crlf: &'static [u8],
}

#[derive(PartialEq, Eq, Clone, Copy)]
enum QpState {
    None,
    Eq,
    Hex1,
}

impl Default for QuotedPrintable {
    fn default() -> Self {
        QuotedPrintable {
            held: Vec::new(),
            state: QpState::None,
            hex1: 0,
            last_ch: 0,
            ws_count: 0,
            crlf: b"\n",
        }
    }
}

/// The most the boundary takes off the end of what is decoded: a CRLF and a dash.
const BOUNDARY_CUT: usize = 3;

impl QuotedPrintable {
    fn push(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<(), Invalid> {
        for &ch in input {
            self.byte(ch)?;
        }
        let keep = self.ws_count + BOUNDARY_CUT;
        if self.held.len() > keep {
            let ready = self.held.len() - keep;
            out.extend_from_slice(&self.held[..ready]);
            self.held.drain(..ready);
        }
        Ok(())
    }

    fn byte(&mut self, ch: u8) -> Result<(), Invalid> {
        match ch {
            b'=' => {
                if self.state != QpState::None {
                    return Err(Invalid);
                }
                self.state = QpState::Eq;
            }
            b'\n' => {
                if self.state == QpState::Eq {
                    self.state = QpState::None;
                } else {
                    self.held.truncate(self.held.len() - self.ws_count);
                    self.held.extend_from_slice(self.crlf);
                }
                self.ws_count = 0;
            }
            b'\r' => self.crlf = b"\r\n",
            _ => match self.state {
                QpState::None => {
                    if ch.is_ascii_whitespace() {
                        self.ws_count += 1;
                    } else {
                        self.ws_count = 0;
                    }
                    self.held.push(ch);
                }
                QpState::Eq => {
                    self.hex1 = HEX_MAP[usize::from(ch)];
                    if self.hex1 != -1 {
                        self.state = QpState::Hex1;
                    } else if !ch.is_ascii_whitespace() {
                        self.state = QpState::None;
                        self.held.extend_from_slice(&[b'=', ch]);
                        self.ws_count = 0;
                    }
                }
                QpState::Hex1 => {
                    let hex2 = HEX_MAP[usize::from(ch)];
                    self.state = QpState::None;
                    if hex2 != -1 {
                        self.held.push(((self.hex1 as u8) << 4) | hex2 as u8);
                    } else {
                        self.held.extend_from_slice(&[b'=', self.last_ch, ch]);
                    }
                    self.ws_count = 0;
                }
            },
        }
        self.last_ch = ch;
        Ok(())
    }

    fn finish(mut self, at_boundary: bool, out: &mut Vec<u8>) {
        if at_boundary {
            // mail-parser has taken the first dash as a byte of the body
            // when it meets the second and the boundary after it; then it
            // cuts the end. (A dash is never an error here.)
            let before_dash = self.last_ch;
            let _ = self.byte(b'-');
            let cut = if before_dash == b'\n' {
                self.crlf.len() + 1
            } else {
                1
            };
            // Where mail-parser's subtraction would wrap, its truncate does nothing.
            if let Some(keep) = self.held.len().checked_sub(cut) {
                self.held.truncate(keep);
            }
        }
        out.append(&mut self.held);
    }
}

#[cfg(test)]
mod tests {
    use mail_parser::parsers::MessageStream;

    use super::*;

    const BOUNDARY: &[u8] = b"b0und";

    /// What mail-parser makes of `body` followed by the boundary (or of
    /// `body` alone, as a mail's only part); `None` where it finds an
    /// encoding problem.
    fn mail_parser(encoding: Encoding, body: &[u8], at_boundary: bool) -> Option<Vec<u8>> {
        let mut data = body.to_vec();
        let boundary: &[u8] = if at_boundary {
            data.extend_from_slice(b"--");
            data.extend_from_slice(BOUNDARY);
            data.extend_from_slice(b"--\r\n");
            BOUNDARY
        } else {
            b""
        };
        let mut stream = MessageStream::new(&data);
        let (end, bytes) = match encoding {
            Encoding::Base64 => stream.decode_base64_mime(boundary),
            Encoding::QuotedPrintable => stream.decode_quoted_printable_mime(boundary),
        };
        (end != usize::MAX).then(|| bytes.into_owned())
    }

    /// `body` decoded here, in pieces of `piece` bytes.
    fn piecewise(
        encoding: Encoding,
        body: &[u8],
        at_boundary: bool,
        piece: usize,
    ) -> Option<Vec<u8>> {
        let mut decoder = Decoder::new(encoding);
        let mut out = Vec::new();
        for chunk in body.chunks(piece.max(1)) {
            decoder.push(chunk, &mut out).ok()?;
        }
        decoder.finish(at_boundary, &mut out);
        Some(out)
    }

    fn same_as_mail_parser(encoding: Encoding, body: &[u8]) {
        for at_boundary in [true, false] {
            // mail-parser's cut at the boundary subtracts past zero after a
            // soft line break at a body's very start: in a debug build that
            // panics (a release build wraps, and its truncate does nothing,
            // which `finish` keeps).
            let Ok(expected) =
                std::panic::catch_unwind(|| mail_parser(encoding, body, at_boundary))
            else {
                assert!(piecewise(encoding, body, at_boundary, 1).is_some());
                continue;
            };
            for piece in [1, 2, 3, 5, 7, 64, 1000, body.len()] {
                assert_eq!(
                    piecewise(encoding, body, at_boundary, piece),
                    expected,
                    "{encoding:?} in pieces of {piece}, at a boundary: {at_boundary}, of {:?}",
                    String::from_utf8_lossy(body)
                );
            }
        }
    }

    fn base64_lines(data: &[u8], width: usize, line_break: &str) -> Vec<u8> {
        use base64::Engine as _;
        let encoded = base64::engine::general_purpose::STANDARD.encode(data);
        let mut out = Vec::new();
        for line in encoded.as_bytes().chunks(width) {
            out.extend_from_slice(line);
            out.extend_from_slice(line_break.as_bytes());
        }
        out
    }

    fn sample(n: usize) -> Vec<u8> {
        (0..n as u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
            .collect()
    }

    #[test]
    fn base64_in_pieces_gives_what_mail_parser_gives() {
        let data = sample(10_000);
        for (width, line_break) in [
            (76, "\r\n"),
            (75, "\n"),
            (1, "\r\n"),
            (77, "\r\n"),
            (4, " "),
        ] {
            same_as_mail_parser(Encoding::Base64, &base64_lines(&data, width, line_break));
        }
        for n in [0, 1, 2, 3, 4, 5] {
            same_as_mail_parser(Encoding::Base64, &base64_lines(&sample(n), 76, "\r\n"));
        }
        for quirk in [
            &b"QUJD=RA==\r\nRUY=\r\n"[..],
            b"QQ=\r\nQUI=QUJD",
            b"Q=QUJD",
            b"QUJD-RA-=\r\n",
            b"QU\tJD \r\n\r\n",
            b"QUJD*RA==",
            b"====QUJD",
        ] {
            same_as_mail_parser(Encoding::Base64, quirk);
        }
    }

    #[test]
    fn quoted_printable_in_pieces_gives_what_mail_parser_gives() {
        for body in [
            &b"caf=C3=A9 au lait\r\nline two   \r\nsoft=\r\nbreak\r\n"[..],
            b"no final break",
            b"trailing space   ",
            b"trailing space   \r\n",
            b"lf only\nand =3D\nend\n",
            b"mixed\nthen\r\ncrlf\nagain\n",
            b"soft break at the end=\r\n",
            b"soft break at the end=\n",
            b"=\r\n",
            b"=\n",
            b"x=\n",
            b"\n",
            b"",
            b"bad =ZZ escape and =4 half\r\n",
            b"=4\n",
            b"= \t\r\nspace after the equals\r\n",
            b"a = b\r\n",
            b"==\r\n",
            b"tabs\t\t\r\n\t\r\n",
            b"=20\r\n",
            b"- a dash - and another -\r\n",
        ] {
            same_as_mail_parser(Encoding::QuotedPrintable, body);
        }
    }

    #[test]
    fn quoted_printable_of_a_large_file_in_pieces() {
        let data = sample(50_000);
        let mut encoded = Vec::new();
        let mut line = 0;
        for byte in data {
            let text = match byte {
                b'=' | b'-' => format!("={byte:02X}"),
                33..=126 => (byte as char).to_string(),
                b' ' if line % 3 == 0 => " ".to_owned(),
                _ => format!("={byte:02X}"),
            };
            encoded.extend_from_slice(text.as_bytes());
            line += text.len();
            // Odd line lengths, some soft breaks, some hard ones.
            if line > 71 {
                let end: &[u8] = if line % 2 == 0 { b"=\r\n" } else { b"\n" };
                encoded.extend_from_slice(end);
                line = 0;
            }
        }
        same_as_mail_parser(Encoding::QuotedPrintable, &encoded);
    }

    #[test]
    fn what_mail_parser_finds_wrong_is_invalid_here_too() {
        for (encoding, body) in [
            (Encoding::Base64, &b"QUJD!RA=="[..]),
            (Encoding::Base64, b"QUJD\x00"),
            (Encoding::QuotedPrintable, b"a==b"),
            (Encoding::QuotedPrintable, b"=A="),
        ] {
            assert_eq!(mail_parser(encoding, body, true), None);
            assert_eq!(piecewise(encoding, body, true, 3), None);
        }
    }
}
