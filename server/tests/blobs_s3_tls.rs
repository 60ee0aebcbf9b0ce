//! An S3 store over https whose certificate comes from a private CA (MinIO,
//! Ceph or Garage behind an organisation's own CA): `--s3-ca-file` trusts
//! that CA, and without it the server will not start, saying the store's
//! certificate is the problem (after the client's retries: seconds, not a hang).
//! The store is an `s3s-fs` behind a TLS-terminating proxy on loopback
//! (`tests/data/tls/`'s certificate, for 127.0.0.1).

mod common;

use std::time::{Duration, Instant};

use common::blobs::S3Server;
use common::ingress::tls_files;
use common::tls_proxy::TlsProxy;
use common::*;
use http_body_util::BodyExt as _;

const BUCKET: &str = "sealed";

fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 253) as u8 ^ (i >> 9) as u8).collect()
}

/// `sealmail … status` (any command that opens the attachment store) with
/// these options; returns whether it succeeded, its stderr and its time.
fn start_with(args: &[String]) -> (bool, String, Duration) {
    let started = Instant::now();
    let out = common::blobs::status_with(args);
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        started.elapsed(),
    )
}

fn ca_file_args(path: &std::path::Path) -> [String; 2] {
    ["--s3-ca-file".to_owned(), path.display().to_string()]
}

#[tokio::test]
async fn an_attachment_goes_up_and_comes_back_over_https_trusting_the_ca_file() {
    let s3 = S3Server::start(BUCKET);
    let proxy = TlsProxy::start(s3.port());
    let mut args = s3.args_via(&proxy.url(), &format!("{BUCKET}/tls"));
    args.extend(ca_file_args(&tls_files().0));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let app = TestApp::with_args(&args).await;

    // Over a part (5 MiB): a multipart upload, and reads in several ranges.
    let data = pattern(6 * 1024 * 1024 + 7);
    let bob = app
        .bob_reading_with(&[("report.bin", "application/octet-stream", &data)])
        .await;
    let view = bob.read().await;
    assert_eq!(
        s3.objects(&format!("{BUCKET}/tls")).len(),
        1,
        "the attachment is in the bucket behind the proxy"
    );
    let id = &view.attachments[0].id;
    let body = bob.download(id).stream().await.into_body();
    let got = body.collect().await.unwrap().to_bytes();
    assert!(got[..] == data[..], "the bytes differ");
}

#[tokio::test]
async fn without_the_ca_file_the_server_refuses_to_start_naming_the_certificate() {
    let s3 = S3Server::start(BUCKET);
    let proxy = TlsProxy::start(s3.port());
    let (ok, stderr, took) = start_with(&s3.args_via(&proxy.url(), &format!("{BUCKET}/x")));
    assert!(!ok, "started without trusting the store's CA");
    assert!(stderr.contains("certificate"), "{stderr}");
    assert!(stderr.contains("--s3-ca-file"), "{stderr}");
    // object_store retries a failed connection 10 times, with a random
    // backoff growing from 0.1 s and capped at 15 s: a few seconds as a rule,
    // about 70 s at the very most.
    assert!(took < Duration::from_secs(90), "took {took:?}");
}

#[tokio::test]
async fn a_ca_file_that_is_missing_or_not_a_certificate_stops_the_server_at_start() {
    let s3 = S3Server::start(BUCKET);
    let proxy = TlsProxy::start(s3.port());
    let dir = tempfile::tempdir().unwrap();
    let not_pem = dir.path().join("notes.txt");
    std::fs::write(&not_pem, "this is not a certificate\n").unwrap();
    let damaged = dir.path().join("damaged.pem");
    std::fs::write(
        &damaged,
        "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n",
    )
    .unwrap();
    let missing = dir.path().join("missing.pem");
    let key = tls_files().1;
    for (file, says) in [
        (&missing, "cannot read"),
        (&not_pem, "no PEM certificate"),
        (&key, "no PEM certificate"),
        (&damaged, "not a CA certificate"),
    ] {
        let mut args = s3.args_via(&proxy.url(), &format!("{BUCKET}/x"));
        args.extend(ca_file_args(file));
        let (ok, stderr, _) = start_with(&args);
        assert!(!ok, "started with {}", file.display());
        assert!(stderr.contains("--s3-ca-file"), "{stderr}");
        assert!(stderr.contains(says), "{}: {stderr}", file.display());
    }
}
