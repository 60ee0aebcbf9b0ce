//! Sealmail's DKIM signatures, checked by an independent implementation:
//! Python's dkimpy (installed into .tools/python by `cargo xtask setup`),
//! handed the public key directly instead of asking DNS.
//!
//! The flow is the operator's: `sealmail dkim generate` writes the key and
//! prints the record; `sealmail send --dkim-key …` writes the signed mail
//! into the outbox; dkimpy verifies that file against the printed record.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::cli::{fails, ok, run_sealmail as sealmail};

const SELECTOR: &str = "s2026";
const DOMAIN: &str = "sealmail.test";
/// What `cargo xtask setup` installs (xtask/src/tools.rs pins the versions).
const PYTHON_PACKAGES: &str = "dkimpy, dnspython and PyNaCl";

/// Verifies `eml` with dkimpy; the only DNS answer it gets is `record`
/// for SELECTOR._domainkey.DOMAIN.
const VERIFY: &str = r#"
import sys
import dkim
import nacl  # dkimpy's Ed25519: imported here so its absence is reported, not a silent "fail"

message = open(sys.argv[1], "rb").read()
name, record = sys.argv[2].encode(), sys.argv[3].encode()

def dns(qname, timeout=5):
    if qname.rstrip(b".") != name:
        raise SystemExit("unexpected DNS query for %r" % qname)
    return record

ok = dkim.verify(message, dnsfunc=dns)
print("pass" if ok else "fail")
"#;

fn python_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../.tools/python")
}

/// `true` if dkimpy says the signature is good. Fails the test, loudly,
/// when dkimpy is not installed: a skipped check would look like a pass.
fn dkimpy_verifies(eml: &Path, txt_value: &str) -> bool {
    let output = Command::new("python3")
        .env("PYTHONPATH", python_dir())
        .arg("-c")
        .arg(VERIFY)
        .arg(eml)
        .arg(format!("{SELECTOR}._domainkey.{DOMAIN}"))
        .arg(txt_value)
        .output()
        .expect("python3 runs (install Python 3, then `cargo xtask setup`)");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !stderr.contains("No module named"),
        "{PYTHON_PACKAGES} are not installed: run `cargo xtask setup` (it installs them into {}): {stderr}",
        python_dir().display()
    );
    assert!(
        output.status.success(),
        "the verifier failed: {stdout}{stderr}"
    );
    match stdout.trim() {
        "pass" => true,
        "fail" => false,
        other => panic!("unexpected verifier output: {other}{stderr}"),
    }
}

/// The record's text (`v=DKIM1; k=rsa; p=…`) from the zone-file line
/// `sealmail dkim generate` prints, its quoted strings joined.
fn txt_value(printed: &str) -> String {
    let line = printed
        .lines()
        .find(|l| l.starts_with(&format!("{SELECTOR}._domainkey.{DOMAIN}. IN TXT ")))
        .unwrap_or_else(|| panic!("no TXT record in {printed}"));
    line.split('"').skip(1).step_by(2).collect()
}

/// A data dir with Alice's account and a new DKIM key; returns the key
/// file and the record to publish.
fn setup(algorithm: &str) -> (tempfile::TempDir, PathBuf, PathBuf, String) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    ok(sealmail(
        &data,
        &[
            "user",
            "add",
            "--email",
            "alice@sealmail.test",
            "--password-stdin",
        ],
        "correct horse battery\n",
    ));
    let key = dir.path().join("dkim.key");
    let printed = ok(sealmail(
        &data,
        &[
            "dkim",
            "generate",
            "--selector",
            SELECTOR,
            "--domain",
            DOMAIN,
            "--algorithm",
            algorithm,
            "--out",
            key.to_str().unwrap(),
        ],
        "",
    ));
    (dir, data, key, txt_value(&printed))
}

/// `sealmail send` with the key; returns the notification's `.eml` file.
fn send_signed(data: &Path, key: &Path, language: &str) -> PathBuf {
    ok(sealmail(
        data,
        &[
            "--mail-from",
            "Sealmail <no-reply@sealmail.test>",
            "--dkim-key",
            key.to_str().unwrap(),
            "--dkim-selector",
            SELECTOR,
            "send",
            "--from",
            "alice@sealmail.test",
            "--to",
            "Bob Example <bob@example.net>",
            "--subject",
            "Contract – ready for signing",
            "--language",
            language,
        ],
        "Please sign.",
    ));
    let outbox = data.join("outbox");
    let mut mails: Vec<_> = std::fs::read_dir(&outbox)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .collect();
    assert_eq!(mails.len(), 1, "one notification in {}", outbox.display());
    mails.pop().unwrap()
}

#[test]
fn a_notification_signed_with_a_generated_rsa_key_verifies_in_dkimpy() {
    let (_dir, data, key, record) = setup("rsa");
    assert!(record.starts_with("v=DKIM1; k=rsa; p=MII"), "{record}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&key).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the private key is its owner's alone");
    }

    let eml = send_signed(&data, &key, "ja");
    let mail = std::fs::read_to_string(&eml).unwrap();
    // The header, unfolded.
    let start = mail
        .find("DKIM-Signature:")
        .expect("a DKIM-Signature header");
    let end = start + mail[start..].find("\r\n").unwrap();
    let mut end = end;
    while mail[end + 2..].starts_with(' ') {
        end += 2 + mail[end + 2..].find("\r\n").unwrap();
    }
    let signature = mail[start..end].replace("\r\n ", " ");
    for tag in [
        "a=rsa-sha256",
        "d=sealmail.test",
        "s=s2026",
        "c=relaxed/relaxed",
    ] {
        assert!(signature.contains(tag), "{tag} in {signature}");
    }
    assert!(mail.contains("multipart/alternative"));
    // `sealmail send --language ja`, signed over Content-Language too.
    assert!(mail.contains("\r\nContent-Language: ja\r\n"), "{mail}");
    assert!(signature.contains("content-language"), "{signature}");
    assert!(dkimpy_verifies(&eml, &record), "{mail}");
}

#[test]
fn an_ed25519_signature_verifies_in_dkimpy_too() {
    let (_dir, data, key, record) = setup("ed25519");
    assert!(record.starts_with("v=DKIM1; k=ed25519; p="), "{record}");
    let eml = send_signed(&data, &key, "da");
    let mail = std::fs::read_to_string(&eml).unwrap();
    assert!(mail.contains("a=ed25519-sha256"), "{mail}");
    assert!(dkimpy_verifies(&eml, &record));
}

#[test]
fn a_changed_body_or_subject_fails_dkimpy() {
    let (dir, data, key, record) = setup("rsa");
    let eml = send_signed(&data, &key, "nl");
    let mail = std::fs::read_to_string(&eml).unwrap();
    assert!(dkimpy_verifies(&eml, &record));

    // A phisher swaps the link: the body hash no longer matches.
    let start = mail.find("/m/").expect("the link") + 3;
    let mut forged = mail.clone();
    forged.replace_range(start..start + 4, "EVIL");
    let forged_path = dir.path().join("forged-body.eml");
    std::fs::write(&forged_path, &forged).unwrap();
    assert!(!dkimpy_verifies(&forged_path, &record));

    let subject = mail.lines().find(|l| l.starts_with("Subject:")).unwrap();
    let forged = mail.replacen(subject, "Subject: Urgent: reset your password", 1);
    std::fs::write(&forged_path, &forged).unwrap();
    assert!(!dkimpy_verifies(&forged_path, &record));

    // And another key published under the selector does not verify it.
    let (_other_dir, _other_data, _other_key, other_record) = setup("rsa");
    assert!(!dkimpy_verifies(&eml, &other_record));
}

#[test]
fn dkim_key_problems_are_one_clear_line() {
    let (dir, data, key, _record) = setup("rsa");
    // The same --out again: never over an existing key.
    let again = fails(sealmail(
        &data,
        &[
            "dkim",
            "generate",
            "--selector",
            SELECTOR,
            "--domain",
            DOMAIN,
            "--out",
            key.to_str().unwrap(),
        ],
        "",
    ));
    assert!(again.contains("exists already"), "{again}");

    let without_selector = fails(sealmail(
        &data,
        &[
            "--dkim-key",
            key.to_str().unwrap(),
            "status",
            "--message-id",
            "x",
        ],
        "",
    ));
    assert!(
        without_selector.contains("--dkim-selector"),
        "{without_selector}"
    );

    let not_a_key = dir.path().join("not-a-key.pem");
    std::fs::write(
        &not_a_key,
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
    )
    .unwrap();
    let bad = fails(sealmail(
        &data,
        &[
            "--dkim-key",
            not_a_key.to_str().unwrap(),
            "--dkim-selector",
            SELECTOR,
            "status",
            "--message-id",
            "x",
        ],
        "",
    ));
    assert!(bad.contains("not-a-key.pem"), "{bad}");
    assert!(bad.contains("not an RSA or Ed25519 private key"), "{bad}");
}

#[tokio::test]
async fn a_mail_queued_without_its_logo_still_verifies_once_the_logo_is_back() {
    use common::sender::message_to;
    use common::smtp_sink::SmtpSink;
    use sealmail_api::admin::{BrandingFields, BrandingTemplateInput};

    let (dir, _data, key, record) = setup("rsa");
    let relay = SmtpSink::start();
    let key = key.to_str().unwrap();
    let app = common::TestApp::with_relay(
        &relay.url(""),
        &[
            "--mail-from",
            "Sealmail <no-reply@sealmail.test>",
            "--dkim-key",
            key,
            "--dkim-selector",
            SELECTOR,
        ],
    )
    .await;
    app.hold_mail();
    let admin = app.admin().await;
    let template = admin
        .create_template(&BrandingTemplateInput {
            name: "Fabrikam".into(),
            is_default: true,
            fields: BrandingFields {
                organisation: Some("Fabrikam".into()),
                background_color: "#0b5cab".into(),
                introduction_text: None,
                read_button_text: None,
                email_text: None,
                disclaimer_text: None,
                portal_text: None,
                privacy_statement_url: None,
                passcode_enabled: true,
                expiry_days: None,
                language: None,
            },
        })
        .await;
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend((0..20_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8));
    admin.upload_logo(&template.id, "image/png", &png).await;
    app.sender(common::ALICE)
        .await
        .send(&message_to(&[common::BOB]))
        .await;
    assert_eq!(
        app.rows_in("mail_logos").await,
        1,
        "queued without its logo"
    );

    assert_eq!(app.deliver_mail().await.sent, 1);
    let mail = &relay.wait_for(1, std::time::Duration::from_secs(10))[0];
    assert!(mail.raw.contains("Content-ID: <logo@sealmail>"));
    let eml = dir.path().join("with-logo.eml");
    std::fs::write(&eml, &mail.raw).unwrap();
    assert!(dkimpy_verifies(&eml, &record), "{}", mail.raw);
}
