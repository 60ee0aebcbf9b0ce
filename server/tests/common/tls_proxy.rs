//! A TLS-terminating proxy on loopback: https in front of a plain service
//! (an `s3s-fs`, say), with the test certificate of `tests/data/tls/`
//! (self-signed for `localhost` and 127.0.0.1), as an S3 store behind an
//! organisation's own CA would be. It runs on a runtime of its own, so a test
//! may block on a child process while the proxy keeps answering.

use std::sync::Arc;

use rustls_pki_types::pem::PemObject as _;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;

/// The proxy; stopped when dropped.
pub struct TlsProxy {
    runtime: Option<tokio::runtime::Runtime>,
    port: u16,
}

impl TlsProxy {
    /// Serves https on a free loopback port, passing each connection's
    /// plaintext on to `127.0.0.1:backend_port`.
    pub fn start(backend_port: u16) -> TlsProxy {
        let (cert, key) = super::ingress::tls_files();
        let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&cert)
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let key = PrivateKeyDer::from_pem_file(&key).unwrap();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .unwrap();
        let acceptor = TlsAcceptor::from(Arc::new(config));

        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        // Bound here, not with `block_on`: the caller may be inside a runtime.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        runtime.spawn(async move {
            let listener = TcpListener::from_std(listener).unwrap();
            while let Ok((client, _)) = listener.accept().await {
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    // A client that refuses our certificate ends here.
                    let Ok(mut client) = acceptor.accept(client).await else {
                        return;
                    };
                    let Ok(mut backend) = TcpStream::connect(("127.0.0.1", backend_port)).await
                    else {
                        return;
                    };
                    let _ = tokio::io::copy_bidirectional(&mut client, &mut backend).await;
                });
            }
        });
        TlsProxy {
            runtime: Some(runtime),
            port,
        }
    }

    /// Its https URL, by the address the certificate names.
    pub fn url(&self) -> String {
        format!("https://127.0.0.1:{}", self.port)
    }
}

impl Drop for TlsProxy {
    fn drop(&mut self) {
        // Without waiting: a test's own runtime may be the one dropping us.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}
