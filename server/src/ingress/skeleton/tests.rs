//! The skeleton read by mail-parser, checked against the whole mail read by it.

use base64::Engine as _;

use super::*;
use crate::ingress::mime::{self, Body, NeedsWhole};

const ELIDE_AT: usize = 1024;

fn outline(mail: &[u8], piece: usize) -> Outline {
    let mut scanner = Scanner::new(ELIDE_AT);
    for bytes in mail.chunks(piece) {
        scanner.feed(bytes);
    }
    scanner.finish()
}

/// Each attachment's name and bytes, read whole by mail-parser.
fn whole(mail: &[u8]) -> Vec<(String, Vec<u8>)> {
    mime::parse(mail)
        .expect("a mail")
        .attachments()
        .into_iter()
        .map(|a| match a.body {
            Body::Bytes(bytes) => (a.name, bytes.to_vec()),
            Body::Elided(_) => panic!("nothing is elided from a whole mail"),
        })
        .collect()
}

/// Each attachment's name and bytes (an elided body decoded from `mail`
/// in pieces of `piece` bytes), and whether it was elided.
fn outlined(outline: &Outline, mail: &[u8], piece: usize) -> Vec<(String, Vec<u8>, bool)> {
    let parsed = mime::parse_outline(outline).expect("the skeleton stands for the mail");
    parsed
        .expect("a mail")
        .attachments()
        .into_iter()
        .map(|a| match a.body {
            Body::Bytes(bytes) => (a.name, bytes.to_vec(), false),
            Body::Elided(elided) => {
                let range = elided.range.start as usize..elided.range.end as usize;
                let mut decoder = elided.decoder();
                let mut out = Vec::new();
                for bytes in mail[range].chunks(piece) {
                    decoder
                        .push(bytes, &mut out)
                        .expect("checked as it was scanned");
                }
                decoder.finish(elided.at_boundary, &mut out);
                (a.name, out, true)
            }
        })
        .collect()
}

/// The names and bytes of the attachments read from the outline, which
/// must be those of the whole mail, for any way the mail is cut into pieces.
fn read_both_ways(mail: &[u8]) -> Vec<(String, Vec<u8>, bool)> {
    let expected = whole(mail);
    let mut first = None;
    for piece in [1, 3, 77, 4096, mail.len()] {
        let outline = outline(mail, piece);
        assert!(outline.skeleton().len() < mail.len());
        let got = outlined(&outline, mail, piece.max(5));
        let names_and_bytes: Vec<(String, Vec<u8>)> =
            got.iter().map(|(n, b, _)| (n.clone(), b.clone())).collect();
        assert_eq!(names_and_bytes, expected, "scanned in pieces of {piece}");
        first.get_or_insert(got);
    }
    first.unwrap()
}

fn sample(n: usize, seed: u32) -> Vec<u8> {
    (0..n as u32)
        .map(|i| (i.wrapping_add(seed).wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect()
}

fn base64_lines(data: &[u8], width: usize, line_break: &str) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(data);
    let mut out = String::new();
    for line in encoded.as_bytes().chunks(width) {
        out.push_str(std::str::from_utf8(line).unwrap());
        out.push_str(line_break);
    }
    out
}

/// Quoted-printable with odd line lengths, soft and hard line breaks.
fn quoted_printable(data: &[u8], line_break: &str) -> String {
    let mut out = String::new();
    let mut line = 0;
    for &byte in data {
        let text = match byte {
            b'=' | b'-' => format!("={byte:02X}"),
            33..=126 => (byte as char).to_string(),
            _ => format!("={byte:02X}"),
        };
        out.push_str(&text);
        line += text.len();
        if line > 70 + (out.len() % 5) {
            out.push('=');
            out.push_str(line_break);
            line = 0;
        }
    }
    out
}

fn head(content_type: &str) -> String {
    format!(
        "From: Alice <alice@corp.test>\r\nTo: Bob <bob@example.net>\r\n\
         Subject: [secure] files\r\nMIME-Version: 1.0\r\nContent-Type: {content_type}\r\n\r\n"
    )
}

#[test]
fn large_base64_and_quoted_printable_bodies_are_elided_and_decode_to_the_same_bytes() {
    let (pdf, blob, odd) = (sample(40_000, 1), sample(30_000, 2), sample(20_001, 3));
    let mail = format!(
        "{}preamble\r\n--outer\r\nContent-Type: multipart/alternative; boundary=inner\r\n\r\n\
         --inner\r\nContent-Type: text/plain\r\n\r\nSee the files.\r\n\
         --inner\r\nContent-Type: text/html\r\n\r\n<p>See the files.</p>\r\n--inner--\r\n\
         --outer\r\nContent-Type: application/pdf; name=\"a.pdf\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{}\
         --outer\r\nContent-Type: application/octet-stream; name=\"b.bin\"\r\n\
         Content-Transfer-Encoding: Quoted-Printable\r\n\r\n{}\r\n\
         --outer\r\nContent-Type: application/zip; name=\"c.zip\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{}--outer--\r\nepilogue\r\n",
        head("multipart/mixed; boundary=\"outer\""),
        base64_lines(&pdf, 76, "\r\n"),
        quoted_printable(&blob, "\n"),
        base64_lines(&odd, 57, "\n"),
    );
    let got = read_both_ways(mail.as_bytes());
    let names: Vec<&str> = got.iter().map(|(n, _, _)| n.as_str()).collect();
    assert_eq!(names, ["a.pdf", "b.bin", "c.zip"]);
    assert!(got.iter().all(|(_, _, elided)| *elided), "all three elided");
    assert_eq!(got[0].1, pdf);
    assert_eq!(got[1].1, blob);
    assert_eq!(got[2].1, odd);
}

#[test]
fn a_mail_that_is_one_encoded_file_is_elided_to_its_end() {
    let file = sample(10_000, 4);
    for (encoding, body) in [
        ("base64", base64_lines(&file, 76, "\r\n")),
        ("quoted-printable", quoted_printable(&file, "\r\n")),
    ] {
        let mail = format!(
            "{}\r\nContent-Transfer-Encoding: {encoding}\r\n\r\n{body}",
            head("application/pdf").trim_end_matches("\r\n")
        );
        let got = read_both_ways(mail.as_bytes());
        assert_eq!(got.len(), 1);
        assert!(got[0].2, "{encoding} elided");
    }
}

#[test]
fn small_bodies_and_inline_images_stay_in_the_skeleton() {
    let (small, image) = (sample(500, 5), sample(5_000, 6));
    let mail = format!(
        "{}--b\r\nContent-Type: text/html\r\n\r\n<img src=\"cid:pic\">\r\n\
         --b\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\
         --b\r\nContent-Type: image/png\r\nContent-ID: <pic>\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{}--b--\r\n",
        head("multipart/mixed; boundary=b"),
        base64_lines(&small, 76, "\r\n"),
        base64_lines(&image, 76, "\r\n"),
    );
    let outline = outline(mail.as_bytes(), 100);
    assert!(outline.elided().is_empty());
    let mail = mime::parse_outline(&outline).unwrap().unwrap();
    assert!(mail.html().unwrap().contains("data:image/png;base64,"));
}

#[test]
fn a_quoted_printable_body_holding_two_dashes_is_kept() {
    let body = format!("{}\r\n-- not a boundary --\r\n", "x".repeat(3000));
    let mail = format!(
        "{}--b\r\nContent-Type: application/octet-stream\r\n\
         Content-Transfer-Encoding: quoted-printable\r\n\r\n{body}\r\n--b--\r\n",
        head("multipart/mixed; boundary=b"),
    );
    let outline = outline(mail.as_bytes(), 64);
    assert!(outline.elided().is_empty());
    assert_eq!(whole(mail.as_bytes()).len(), 1);
}

#[test]
fn a_body_mail_parser_would_not_decode_makes_the_whole_mail_needed() {
    // Past the point where it was elided, a byte base64 does not have:
    // mail-parser reads the part as text with an encoding problem.
    let mut body = base64_lines(&sample(3_000, 7), 76, "\r\n");
    body.push_str("not base64!\r\n");
    let mail = format!(
        "{}--b\r\nContent-Type: application/pdf\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{body}--b--\r\n",
        head("multipart/mixed; boundary=b"),
    );
    let outline = outline(mail.as_bytes(), 512);
    assert!(outline.is_broken());
    assert!(matches!(mime::parse_outline(&outline), Err(NeedsWhole)));
}

#[test]
fn a_mail_inside_the_mail_makes_the_whole_mail_needed() {
    let mail = format!(
        "{}--b\r\nContent-Type: application/pdf\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{}\
         --b\r\nContent-Type: message/rfc822\r\n\r\nFrom: Carol <carol@example.org>\r\n\
         Subject: inner\r\n\r\nHello.\r\n--b--\r\n",
        head("multipart/mixed; boundary=b"),
        base64_lines(&sample(3_000, 8), 76, "\r\n"),
    );
    let outline = outline(mail.as_bytes(), 512);
    assert_eq!(outline.elided().len(), 1);
    assert!(matches!(mime::parse_outline(&outline), Err(NeedsWhole)));
}

#[test]
fn a_stand_in_that_does_not_come_back_makes_the_whole_mail_needed() {
    // A boundary line with text after it: the scan stops following the
    // structure there; mail-parser's view of the part is checked anyway.
    let mail = format!(
        "{}--b\r\nContent-Type: application/pdf\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{}--b--\r\n",
        head("multipart/mixed; boundary=b"),
        base64_lines(&sample(3_000, 9), 76, "\r\n"),
    );
    let mut outline = outline(mail.as_bytes(), 512);
    assert_eq!(outline.elided().len(), 1);
    outline.elided[0].skeleton_at += 1;
    assert!(matches!(mime::parse_outline(&outline), Err(NeedsWhole)));
}
