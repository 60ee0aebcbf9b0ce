//! Property tests on stable Rust: the same properties as the fuzz targets in
//! `fuzz/` (`properties/checks.rs`), searched with proptest's generated
//! inputs instead of libFuzzer's, so they hold where nightly is not
//! installed too. `cargo xtask fuzz` searches far longer.

#[path = "properties/checks.rs"]
mod checks;

use std::sync::LazyLock;

use proptest::prelude::*;

/// Pieces of HTML that sanitisers have been fooled with: script-capable
/// tags, event handlers, URL schemes hidden by entities, controls and case,
/// broken nesting, comments, CDATA, foreign content.
const HTML_PIECES: &[&str] = &[
    "<script>",
    "</script>",
    "<SCRIPT SRC=//x>",
    "<img",
    "<a",
    "<svg>",
    "<math>",
    "<style>",
    "</style>",
    "<iframe",
    "<object",
    "<embed",
    "<base href=",
    "<form",
    "<template>",
    "<noscript>",
    "<table>",
    "<td",
    "<p>",
    "</p>",
    "<div",
    "<!--",
    "-->",
    "<![CDATA[",
    "]]>",
    ">",
    "/>",
    " ",
    "\"",
    "'",
    "=",
    " src=",
    " href=",
    " style=",
    " onerror=",
    " onload=",
    " on",
    "javascript:",
    "java&#9;script:",
    "jav&#x0A;ascript:",
    "&#106;avascript:",
    "JaVaScRiPt:",
    "vbscript:",
    "data:text/html,",
    "data:image/png;base64,AAAA",
    "da&#9;ta:",
    " \u{1}javascript:",
    "alert(1)",
    "url(",
    "expression(",
    "\\75rl(",
    "background:",
    "color:red",
    "width:100vh",
    "&lt;",
    "&#0;",
    "\u{0}",
    "<xmp>",
    "<plaintext>",
    "<textarea>",
    "<title>",
    "<select><option>",
    "<mglyph>",
    "<malignmark>",
    "<foreignObject>",
    "<annotation-xml encoding=text/html>",
    "xlink:href=",
    "<use",
    "<animate attributeName=href",
];

fn html() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            4 => prop::sample::select(HTML_PIECES).prop_map(str::to_owned),
            1 => "[ -~]{0,8}",
        ],
        0..40,
    )
    .prop_map(|pieces| pieces.concat())
}

/// JSON pieces around the API's request fields.
const JSON_PIECES: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "\"email\"",
    "\"password\"",
    "\"to\"",
    "\"cc\"",
    "\"subject\"",
    "\"body\"",
    "\"text\"",
    "\"html\"",
    "\"protection\"",
    "\"expiry\"",
    "\"never\"",
    "\"template_default\"",
    "\"at\"",
    "\"encrypt_only\"",
    "\"do_not_forward\"",
    "\"address\"",
    "\"name\"",
    "\"recipient\"",
    "\"passcode\"",
    "\"language\"",
    "\"nl\"",
    "\"expires_at\"",
    "null",
    "true",
    "false",
    "0",
    "-1",
    "1e999",
    "\"\\u0000\"",
    "\"\\ud800\"",
    "\"2026-12-03T10:00:00Z\"",
    "\"x\"",
    "{\"kind\":\"at\"}",
];

fn json() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(prop::sample::select(JSON_PIECES), 0..30)
        .prop_map(|pieces| pieces.concat().into_bytes())
}

const BOUNCE: &str = "From: MAILER-DAEMON@relay.example\r\n\
To: bounce+0123456789abcdef0123456789abcdef@bounces.sealmail.test\r\n\
Subject: Undelivered Mail\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\r\n\
\r\n\
--b\r\n\
Content-Type: text/plain\r\n\
\r\n\
It did not arrive.\r\n\
--b\r\n\
Content-Type: message/delivery-status\r\n\
\r\n\
Reporting-MTA: dns; relay.example\r\n\
\r\n\
Final-Recipient: rfc822; bob@example.net\r\n\
Action: failed\r\n\
Status: 5.1.1\r\n\
Diagnostic-Code: smtp; 550 5.1.1 No such user\r\n\
--b--\r\n";

/// A real bounce, cut, spliced and garbled at random places.
fn bounce() -> impl Strategy<Value = Vec<u8>> {
    (prop::collection::vec(
        (
            0..BOUNCE.len(),
            0usize..40,
            prop::collection::vec(any::<u8>(), 0..12),
        ),
        0..6,
    ),)
        .prop_map(|(edits,)| {
            let mut raw = BOUNCE.as_bytes().to_vec();
            for (at, cut, insert) in edits {
                let at = at.min(raw.len());
                let end = (at + cut).min(raw.len());
                raw.splice(at..end, insert);
            }
            raw
        })
}

/// One of the ingress corpus's mails, cut, spliced and garbled at random places.
fn mail() -> impl Strategy<Value = Vec<u8>> {
    (
        prop::sample::select(MAILS.to_vec()),
        prop::collection::vec(
            (
                any::<prop::sample::Index>(),
                0usize..40,
                prop::collection::vec(any::<u8>(), 0..12),
            ),
            0..6,
        ),
    )
        .prop_map(|(seed, edits)| {
            let mut raw = seed.to_vec();
            for (at, cut, insert) in edits {
                let at = at.index(raw.len() + 1);
                let end = (at + cut).min(raw.len());
                raw.splice(at..end, insert);
            }
            raw
        })
}

/// A multipart mail of attachments encoded in base64 or quoted-printable,
/// with odd line lengths and CRLF or LF line breaks, some in a nested
/// multipart; then cut, spliced and garbled at random places like [`mail`].
fn mime_mail() -> impl Strategy<Value = Vec<u8>> {
    let part = (
        prop::collection::vec(any::<u8>(), 0..3000),
        any::<bool>(),
        1usize..100,
        any::<bool>(),
        prop::sample::select(vec![
            "application/pdf",
            "image/png",
            "text/plain",
            "application/zip",
        ]),
    );
    (
        prop::collection::vec(part, 1..5),
        any::<bool>(),
        prop::collection::vec(
            (
                any::<prop::sample::Index>(),
                0usize..40,
                prop::collection::vec(
                    prop::sample::select(vec![b'-', b'=', b'\r', b'\n', b'A', b'!', b' ']),
                    0..6,
                ),
            ),
            0..3,
        ),
    )
        .prop_map(|(parts, nested, edits)| {
            use base64::Engine as _;
            let mut raw = String::from(
                "From: Alice <alice@corp.test>\r\nTo: Bob <bob@example.net>\r\n\
                 Subject: files\r\nMIME-Version: 1.0\r\n\
                 Content-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n--outer\r\n",
            );
            if nested {
                raw.push_str(
                    "Content-Type: multipart/mixed; boundary=inner\r\n\r\n--inner\r\n\
                     Content-Type: text/plain\r\n\r\nHello.\r\n--inner\r\n",
                );
            }
            let delimiter = if nested { "--inner" } else { "--outer" };
            for (i, (bytes, base64, width, crlf, content_type)) in parts.into_iter().enumerate() {
                let line_break = if crlf { "\r\n" } else { "\n" };
                let (encoding, body) = if base64 {
                    let encoded = base64::engine::general_purpose::STANDARD.encode(&bytes);
                    let lines: Vec<&str> = encoded
                        .as_bytes()
                        .chunks(width)
                        .map(|l| std::str::from_utf8(l).unwrap())
                        .collect();
                    ("base64", lines.join(line_break))
                } else {
                    let mut body = String::new();
                    let mut line = 0;
                    for byte in bytes {
                        let text = match byte {
                            b'=' | b'-' => format!("={byte:02X}"),
                            b' ' | 33..=126 => (byte as char).to_string(),
                            b'\n' => line_break.to_owned(),
                            _ => format!("={byte:02X}"),
                        };
                        body.push_str(&text);
                        line += text.len();
                        if line >= width {
                            body.push('=');
                            body.push_str(line_break);
                            line = 0;
                        }
                    }
                    ("quoted-printable", body)
                };
                raw.push_str(&format!(
                    "Content-Type: {content_type}; name=\"f{i}\"\r\n\
                     Content-Transfer-Encoding: {encoding}\r\n\r\n{body}\r\n{delimiter}\r\n"
                ));
            }
            raw.truncate(raw.len() - 2);
            raw.push_str("--\r\n");
            if nested {
                raw.push_str("--outer--\r\n");
            }
            let mut raw = raw.into_bytes();
            for (at, cut, insert) in edits {
                let at = at.index(raw.len() + 1);
                let end = (at + cut).min(raw.len());
                raw.splice(at..end, insert);
            }
            raw
        })
}

/// The ingress corpus (`server/tests/data/mime/`), the fuzz target's seeds too.
const MAILS: [&[u8]; 7] = [
    include_bytes!("data/mime/alternative.eml"),
    include_bytes!("data/mime/attachment.eml"),
    include_bytes!("data/mime/forwarded.eml"),
    include_bytes!("data/mime/invite.eml"),
    include_bytes!("data/mime/iso-2022-jp.eml"),
    include_bytes!("data/mime/latin1.eml"),
    include_bytes!("data/mime/related.eml"),
];

/// A valid compose body, cut, spliced and garbled at random places.
fn compose() -> impl Strategy<Value = Vec<u8>> {
    let seed = checks::compose_body("hello", b"attached bytes");
    let len = seed.len();
    prop::collection::vec(
        (
            0..len,
            0usize..60,
            prop::collection::vec(any::<u8>(), 0..16),
        ),
        0..5,
    )
    .prop_map(move |edits| {
        let mut raw = seed.clone();
        for (at, cut, insert) in edits {
            let at = at.min(raw.len());
            let end = (at + cut).min(raw.len());
            raw.splice(at..end, insert);
        }
        raw
    })
}

static COMPOSE: LazyLock<checks::ComposeTarget> = LazyLock::new(checks::ComposeTarget::new);

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn sanitised_html_never_holds_script_capable_markup(input in html()) {
        checks::sanitized_html_is_inert(&input);
    }

    #[test]
    fn json_request_bodies_parse_or_fail_cleanly(data in json()) {
        checks::json_bodies_parse_or_fail_cleanly(&data);
    }

    #[test]
    fn bounces_are_read_or_refused_cleanly(data in bounce()) {
        checks::bounces_parse_or_fail_cleanly(&data);
    }

    #[test]
    fn mails_from_smtp_are_read_or_refused_cleanly(data in mail()) {
        checks::mails_parse_or_fail_cleanly(&data);
    }

    #[test]
    fn a_large_mail_read_from_its_skeleton_reads_as_the_whole_mail(
        data in prop_oneof![mail(), mime_mail()],
        elide_at in prop_oneof![Just(1usize), 1usize..2000],
    ) {
        checks::outlined_mails_read_as_whole_ones(&data, elide_at);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn compose_bodies_are_stored_or_refused_with_a_clean_error(body in compose()) {
        let _status = COMPOSE.check(&body);
    }
}

#[test]
fn the_seeds_themselves_pass() {
    checks::bounces_parse_or_fail_cleanly(BOUNCE.as_bytes());
    assert!(sealmail::mail::bounce::parse(BOUNCE.as_bytes()).is_ok());
    for mail in MAILS {
        checks::mails_parse_or_fail_cleanly(mail);
        assert!(sealmail::ingress::mime::parse(mail).is_some());
        assert!(
            checks::outlined_mails_read_as_whole_ones(mail, 1),
            "the skeleton stands for {}",
            String::from_utf8_lossy(mail)
        );
    }
    let seed = checks::compose_body("hello", b"attached bytes");
    assert_eq!(COMPOSE.check(&seed), 201);
}

#[test]
fn the_html_check_sees_what_a_browser_would_run() {
    for unsafe_html in [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "<a href=\"java&#9;script:alert(1)\">x</a>",
        "<a href=\"data:text/html,<script>alert(1)</script>\">x</a>",
        "<p style=\"background:url(https://t.example/p.gif)\">x</p>",
        "<svg><a xlink:href=\"javascript:alert(1)\">x</a></svg>",
    ] {
        let caught = std::panic::catch_unwind(|| checks::html_is_inert(unsafe_html, unsafe_html));
        assert!(caught.is_err(), "the check let {unsafe_html:?} through");
    }
    checks::html_is_inert(
        "<p style=\"color:red\"><img src=\"data:image/png;base64,AAAA\"></p>",
        "",
    );
}
