//! The properties the fuzz targets (`fuzz/`, cargo-fuzz on nightly) and the
//! property tests (`server/tests/properties.rs`, proptest on stable) hold
//! Sealmail's parsers to: one definition, two ways to search for a breach.
//! Each check panics on a breach.

use std::sync::Arc;

use html5ever::tendril::TendrilSink as _;
use markup5ever_rcdom::{Handle, NodeData, RcDom};
use sealmail_api::ErrorBody;

/// Elements that run script, load a document or a resource by themselves,
/// change where URLs point, or submit data: none may survive the sanitiser.
const SCRIPT_CAPABLE: &[&str] = &[
    "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "link",
    "meta", "form", "input", "button", "textarea", "select", "svg", "math", "template", "noscript",
    "portal", "audio", "video", "source", "track",
];

/// Attributes that hold a URL a browser may follow or load.
const URL_ATTRIBUTES: &[&str] = &[
    "href",
    "src",
    "action",
    "formaction",
    "background",
    "poster",
    "cite",
    "longdesc",
    "usemap",
    "lowsrc",
    "dynsrc",
    "data",
    "srcset",
    "xlink:href",
    "ping",
];

/// The sanitiser's output, parsed as a browser parses it (html5ever, the
/// HTML5 parsing algorithm), holds no script-capable element, no event
/// handler, no URL with a script scheme, no `data:` URL but an inline image,
/// and no style that can fetch or run anything.
pub fn sanitized_html_is_inert(input: &str) {
    html_is_inert(&sealmail::sanitize::sanitize_html(input), input);
}

/// `output` (made from `input`), parsed as a browser parses it, is inert.
pub fn html_is_inert(output: &str, input: &str) {
    let dom = html5ever::parse_document(RcDom::default(), Default::default()).one(output);
    walk(&dom.document, &mut |element, attributes| {
        assert!(
            !SCRIPT_CAPABLE.contains(&element),
            "<{element}> survived: {output:?} (from {input:?})"
        );
        for (name, value) in attributes {
            assert!(
                !name.starts_with("on"),
                "{name}= on <{element}> survived: {output:?} (from {input:?})"
            );
            if URL_ATTRIBUTES.contains(&name.as_str()) {
                let url = as_a_browser_reads(value).to_ascii_lowercase();
                for scheme in ["javascript:", "vbscript:", "livescript:"] {
                    assert!(
                        !url.starts_with(scheme),
                        "{name}={value:?} survived: {output:?} (from {input:?})"
                    );
                }
                if url.starts_with("data:") {
                    assert!(
                        element == "img" && name == "src" && url.starts_with("data:image/"),
                        "data URL in {element} {name} survived: {output:?} (from {input:?})"
                    );
                }
            }
            if name == "style" {
                let style = value.to_ascii_lowercase();
                for bad in ["url(", "expression", "behavior", "binding", "\\", "@import"] {
                    assert!(
                        !style.contains(bad),
                        "style {value:?} survived: {output:?} (from {input:?})"
                    );
                }
            }
        }
    });
}

/// A URL attribute as a browser's URL parser reads it: tab and newline
/// dropped anywhere, C0 controls and spaces trimmed.
fn as_a_browser_reads(value: &str) -> String {
    value
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect::<String>()
        .trim_matches(|c: char| c <= ' ')
        .to_owned()
}

/// An element's name and attributes (`prefix:name`, lower case), as visited.
type Visit<'a> = &'a mut dyn FnMut(&str, &[(String, String)]);

fn walk(node: &Handle, visit: Visit<'_>) {
    if let NodeData::Element { name, attrs, .. } = &node.data {
        let attributes: Vec<(String, String)> = attrs
            .borrow()
            .iter()
            .map(|a| {
                let prefix = a.name.prefix.as_ref().map(|p| format!("{p}:"));
                (
                    format!("{}{}", prefix.unwrap_or_default(), a.name.local).to_ascii_lowercase(),
                    a.value.to_string(),
                )
            })
            .collect();
        visit(&name.local.to_ascii_lowercase(), &attributes);
    }
    for child in node.children.borrow().iter() {
        walk(child, visit);
    }
}

/// A request body either fails to parse as `T`, or parses to a value that
/// survives the trip back to JSON and again unchanged (nothing read that
/// the server would not write the same way).
fn round_trips<T>(data: &[u8])
where
    T: serde::Serialize + serde::de::DeserializeOwned + PartialEq,
{
    if let Ok(value) = serde_json::from_slice::<T>(data) {
        let again = serde_json::to_vec(&value).expect("a parsed body serialises");
        let back: T = serde_json::from_slice(&again).unwrap_or_else(|e| {
            panic!(
                "{} does not parse back: {e}: {}",
                std::any::type_name::<T>(),
                String::from_utf8_lossy(&again)
            )
        });
        assert!(
            back == value,
            "{} changed on the way back: {}",
            std::any::type_name::<T>(),
            String::from_utf8_lossy(&again)
        );
    }
}

/// Every JSON request body of the API.
pub fn json_bodies_parse_or_fail_cleanly(data: &[u8]) {
    use sealmail_api::admin::BrandingTemplateInput;
    use sealmail_api::recipient::{PasscodeRequest, PasscodeSubmit, ReplyRequest};
    use sealmail_api::sender::{
        ComposeRequest, ExpiryChange, ResendRequest, RevokeRequest, SignIn,
    };
    round_trips::<SignIn>(data);
    round_trips::<ComposeRequest>(data);
    round_trips::<ExpiryChange>(data);
    round_trips::<RevokeRequest>(data);
    round_trips::<ResendRequest>(data);
    round_trips::<PasscodeRequest>(data);
    round_trips::<PasscodeSubmit>(data);
    round_trips::<ReplyRequest>(data);
    round_trips::<BrandingTemplateInput>(data);
}

/// A bounce is read or refused with `invalid_request`, never a panic; what
/// is read names a mail.
pub fn bounces_parse_or_fail_cleanly(data: &[u8]) {
    match sealmail::mail::bounce::parse(data) {
        Ok(bounce) => {
            assert!(!bounce.mail_id.is_empty(), "{bounce:?}");
            assert!(!bounce.reason().is_empty());
        }
        Err(e) => assert_eq!(e.code(), sealmail_api::ErrorCode::InvalidRequest, "{e}"),
    }
}

/// A mail that came in over SMTP is read or refused (`None`: not a mail),
/// never a panic; what is read holds no header injection and no body blown
/// up past a few times the mail's own size (inline images carried once).
pub fn mails_parse_or_fail_cleanly(data: &[u8]) {
    let Some(mail) = sealmail::ingress::mime::parse(data) else {
        return;
    };
    let _ = (
        mail.subject(),
        mail.message_id(),
        mail.in_reply_to(),
        mail.headers(),
    );
    for mailbox in mail.from().into_iter().chain(mail.to()).chain(mail.cc()) {
        assert!(!mailbox.address.contains(['\r', '\n']), "{mailbox:?}");
    }
    let _ = (mail.text(), mail.body_text());
    // Charsets may take up to three bytes for one (Latin-1 to UTF-8, say).
    let bound = 4 * data.len() + 64 * 1024;
    if let Some(html) = mail.html() {
        assert!(
            html.len() <= bound,
            "{} bytes of HTML from {}",
            html.len(),
            data.len()
        );
    }
    for attachment in mail.attachments() {
        assert!(!attachment.name.is_empty());
        match attachment.body {
            sealmail::ingress::mime::Body::Bytes(bytes) => assert!(bytes.len() <= bound),
            sealmail::ingress::mime::Body::Elided(_) => panic!("elided from a whole mail"),
        }
    }
}

/// A mail read from its skeleton (every base64 or quoted-printable
/// attachment body of `elide_at` bytes or more elided, the mail scanned in
/// odd pieces) reads as the whole mail does: the same headers, bodies and
/// attachments, an elided body decoded from the mail in pieces to the same
/// bytes. Or the skeleton says it cannot stand for the mail, and the whole
/// mail is parsed instead (which is then the same thing by construction).
/// Returns whether the skeleton stood for the mail.
pub fn outlined_mails_read_as_whole_ones(data: &[u8], elide_at: usize) -> bool {
    use sealmail::ingress::mime::{self, Body};
    let scan = |piece: usize| {
        let mut scanner = sealmail::ingress::skeleton::Scanner::new(elide_at);
        for piece in data.chunks(piece.max(1)) {
            scanner.feed(piece);
        }
        scanner.finish()
    };
    let outline = scan(7);
    assert_eq!(outline.len(), data.len() as u64);
    // However the mail came in pieces, the same bodies are elided (the
    // stand-ins differ: each scan has its own).
    let shape = |o: &sealmail::ingress::skeleton::Outline| {
        let ranges: Vec<_> = o.elided().iter().map(|e| e.range.clone()).collect();
        (o.is_broken(), ranges, o.skeleton().len())
    };
    assert_eq!(shape(&outline), shape(&scan(data.len())));
    let Ok(outlined) = mime::parse_outline(&outline) else {
        return false;
    };
    let whole = mime::parse(data);
    let (outlined, whole) = match (outlined, whole) {
        (None, None) => return true,
        (Some(outlined), Some(whole)) => (outlined, whole),
        (outlined, whole) => panic!(
            "a mail read whole: {}, from its skeleton: {}",
            whole.is_some(),
            outlined.is_some()
        ),
    };
    assert_eq!(outlined.subject(), whole.subject());
    assert_eq!(outlined.message_id(), whole.message_id());
    assert_eq!(outlined.in_reply_to(), whole.in_reply_to());
    assert_eq!(outlined.headers(), whole.headers());
    assert_eq!(outlined.from(), whole.from());
    assert_eq!(outlined.to(), whole.to());
    assert_eq!(outlined.cc(), whole.cc());
    assert_eq!(outlined.text(), whole.text());
    assert_eq!(outlined.body_text(), whole.body_text());
    assert_eq!(outlined.html(), whole.html());
    let (outlined, whole) = (outlined.attachments(), whole.attachments());
    assert_eq!(outlined.len(), whole.len());
    for (o, w) in outlined.iter().zip(&whole) {
        assert_eq!((&o.name, &o.content_type), (&w.name, &w.content_type));
        let Body::Bytes(expected) = w.body else {
            panic!("elided from a whole mail")
        };
        match o.body {
            Body::Bytes(bytes) => assert_eq!(bytes, expected),
            Body::Elided(elided) => {
                let range = elided.range.start as usize..elided.range.end as usize;
                let mut decoder = elided.decoder();
                let mut out = Vec::new();
                for piece in data[range].chunks(5) {
                    decoder
                        .push(piece, &mut out)
                        .expect("an elided body was checked as it was scanned");
                }
                decoder.finish(elided.at_boundary, &mut out);
                assert_eq!(out, expected, "{}", o.name);
            }
        }
    }
    true
}

/// A real app (temporary data dir, real SQLite) with a signed-in sender, to
/// post compose bodies to.
pub struct ComposeTarget {
    runtime: tokio::runtime::Runtime,
    router: axum::Router,
    cookie: String,
    _dir: tempfile::TempDir,
}

/// The boundary of the multipart bodies given to [`ComposeTarget::check`].
pub const BOUNDARY: &str = "fuzz";

impl ComposeTarget {
    pub fn new() -> Self {
        use clap::Parser as _;
        let dir = tempfile::tempdir().unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let config = sealmail::config::Cli::parse_from([
            "sealmail",
            "--data-dir",
            dir.path().join("data").to_str().unwrap(),
            "--public-url",
            "http://portal.test",
            "--max-message-mib",
            "1",
            "serve",
        ])
        .config;
        let (router, cookie) = runtime.block_on(async {
            let state = sealmail::AppState::open(
                &config,
                Arc::new(sealmail::mail::RecordingMailer::default()),
            )
            .await
            .unwrap();
            let now = sealmail::store::now();
            let id = sealmail::store::users::insert(
                &state.db,
                "alice@sealmail.test",
                None,
                false,
                "$argon2id$v=19$m=19456,t=2,p=1$bm8tc2lnbi1pbg$bm8tc2lnbi1pbi1mb3ItZnV6emluZw",
                now,
            )
            .await
            .unwrap();
            let session = sealmail::crypto::new_bearer_token();
            sealmail::store::accounts::create_session(
                &state.db,
                &sealmail::crypto::sha256(session.expose().as_bytes()),
                id,
                now,
                now + 86_400,
            )
            .await
            .unwrap();
            let cookie = format!(
                "{}={}",
                sealmail_api::routes::SENDER_SESSION_COOKIE,
                session.expose()
            );
            (sealmail::app(state), cookie)
        });
        ComposeTarget {
            runtime,
            router,
            cookie,
            _dir: dir,
        }
    }

    /// Posts `body` as a compose request: it is stored (201) or refused with
    /// a JSON error whose code fits its status; never a 500. Returns the status.
    pub fn check(&self, body: &[u8]) -> u16 {
        use http_body_util::BodyExt as _;
        use tower::ServiceExt as _;
        let request = axum::http::Request::post(sealmail_api::routes::MESSAGES)
            .header(
                "content-type",
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .header(
                sealmail_api::routes::CSRF_HEADER,
                sealmail_api::routes::CSRF_VALUE,
            )
            .header("cookie", &self.cookie)
            .body(axum::body::Body::from(body.to_vec()))
            .unwrap();
        let (status, answer) = self.runtime.block_on(async {
            let response = self.router.clone().oneshot(request).await.unwrap();
            let status = response.status();
            let bytes = response.into_body().collect().await.unwrap().to_bytes();
            (status, bytes)
        });
        if status == axum::http::StatusCode::CREATED {
            return status.as_u16();
        }
        let error: ErrorBody = serde_json::from_slice(&answer).unwrap_or_else(|e| {
            panic!(
                "{status}: not an error body ({e}): {}",
                String::from_utf8_lossy(&answer)
            )
        });
        assert_eq!(status.as_u16(), error.code.http_status(), "{error:?}");
        assert_ne!(
            error.code,
            sealmail_api::ErrorCode::Internal,
            "a compose body made the server fail: {error:?}"
        );
        status.as_u16()
    }
}

/// A valid compose body with `text` as the message's text and `file` as its
/// one attachment: the seed the fuzzers and the property tests start from.
pub fn compose_body(text: &str, file: &[u8]) -> Vec<u8> {
    let message = serde_json::json!({
        "to": [{"address": "bob@example.net"}],
        "subject": "fuzz",
        "body": {"text": text},
        "protection": "encrypt_only",
    });
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{}\"\r\n\
         Content-Type: application/json\r\n\r\n{message}\r\n--{BOUNDARY}\r\n\
         Content-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\
         Content-Type: text/plain\r\n\r\n",
        sealmail_api::routes::COMPOSE_PART
    )
    .into_bytes();
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}
