//! The S3 client's TLS: trusting a private CA (`--s3-ca-file`), and saying
//! so when an endpoint's certificate is why a request failed.

use std::path::Path;

use object_store::{Certificate, ClientOptions};
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject as _;

use crate::error::{Error, Result};

/// The client options with `ca_file`'s certificates as extra roots.
pub(super) fn client_options(ca_file: Option<&Path>) -> Result<ClientOptions> {
    let mut options = ClientOptions::new();
    if let Some(path) = ca_file {
        for certificate in ca_certificates(path)? {
            options = options.with_root_certificate(certificate);
        }
    }
    Ok(options)
}

/// The certificates of `--s3-ca-file`, each checked as rustls will use it
/// (the HTTP client would only say so at the first request).
fn ca_certificates(path: &Path) -> Result<Vec<Certificate>> {
    let wrong =
        |what: String| Error::InvalidRequest(format!("--s3-ca-file {}: {what}", path.display()));
    let pem = std::fs::read(path).map_err(|e| wrong(format!("cannot read it: {e}")))?;
    let certificates: Vec<CertificateDer<'_>> = CertificateDer::pem_slice_iter(&pem)
        .collect::<std::result::Result<_, _>>()
        .map_err(|e| wrong(format!("not PEM: {e}")))?;
    if certificates.is_empty() {
        return Err(wrong(
            "holds no PEM certificate (-----BEGIN CERTIFICATE-----)".into(),
        ));
    }
    let mut roots = rustls::RootCertStore::empty();
    certificates
        .into_iter()
        .map(|der| {
            roots.add(der.clone()).map_err(|e| {
                wrong(match e {
                    // Not "invalid peer certificate", as rustls words it: it is ours.
                    rustls::Error::InvalidCertificate(why) => {
                        format!("not a CA certificate ({why:?})")
                    }
                    e => format!("not a CA certificate ({e})"),
                })
            })?;
            Certificate::from_der(&der).map_err(|e| wrong(format!("not a CA certificate ({e})")))
        })
        .collect()
}

/// What rustls said of the endpoint's certificate, if that is why `error`
/// happened. It sits a few sources down, inside I/O errors nested in I/O
/// errors, whose `source` skips what they wrap: those are opened by hand.
pub(super) fn certificate_problem(error: &object_store::Error) -> Option<String> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(mut e) = source {
        while let Some(inner) = e
            .downcast_ref::<std::io::Error>()
            .and_then(std::io::Error::get_ref)
        {
            e = inner;
        }
        if let Some(tls @ rustls::Error::InvalidCertificate(_)) = e.downcast_ref::<rustls::Error>()
        {
            return Some(tls.to_string());
        }
        source = e.source();
    }
    None
}
