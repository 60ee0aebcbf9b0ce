//! SMTP ingress in tests: the app's own listener on a loopback port (in this
//! process, on the app's database), a real SMTP client (lettre: STARTTLS
//! against the test certificate in `tests/data/tls/`, AUTH), and a raw
//! client for replies lettre would not let a test see (AUTH before
//! STARTTLS, a stalled client, pipelining).

use std::path::PathBuf;
use std::time::Duration;

use clap::Parser as _;
use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport as _, Tokio1Executor};
use sealmail::config::Cli;
use tokio::io::{AsyncBufReadExt as _, AsyncRead, AsyncWrite, AsyncWriteExt as _, BufReader};
use tokio::net::TcpStream;

use super::TestApp;

/// The test certificate and key (self-signed, `localhost` and 127.0.0.1).
pub fn tls_files() -> (PathBuf, PathBuf) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/tls");
    (dir.join("cert.pem"), dir.join("key.pem"))
}

/// `--smtp-tls-cert … --smtp-tls-key …` for the test certificate.
pub fn tls_args() -> Vec<String> {
    let (cert, key) = tls_files();
    vec![
        "--smtp-tls-cert".into(),
        cert.display().to_string(),
        "--smtp-tls-key".into(),
        key.display().to_string(),
    ]
}

/// A message of the corpus in `tests/data/mime/`.
pub fn corpus(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/mime")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The SMTP listener, stopped when dropped.
pub struct Listener {
    /// Its port on 127.0.0.1.
    pub port: u16,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl TestApp {
    /// Starts the SMTP listener on the app's state with these settings
    /// (`--smtp-trusted-networks`, `--org-domains`, `--smtp-tls-cert`, …).
    pub async fn smtp_listener(&self, settings: &[&str]) -> Listener {
        let mut args = vec!["sealmail".to_owned()];
        args.extend(settings.iter().map(|s| s.to_string()));
        args.push("serve".to_owned());
        let config = Cli::parse_from(args).config;
        let ingress = sealmail::ingress::Ingress::new(
            self.state.clone(),
            &config.ingress,
            config.bounce_domain.clone(),
        )
        .unwrap();
        let socket = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = socket.local_addr().unwrap().port();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(sealmail::ingress::serve(socket, ingress, async {
            let _ = stopped.await;
        }));
        Listener {
            port,
            stop: Some(stop),
            task: Some(task),
        }
    }
}

impl Listener {
    /// A client that starts TLS (trusting the test certificate) and, with
    /// `credentials`, authenticates with AUTH PLAIN.
    pub fn client(&self, credentials: Option<(&str, &str)>) -> AsyncSmtpTransport<Tokio1Executor> {
        self.client_with(credentials, Mechanism::Plain)
    }

    /// [`Listener::client`] authenticating with `mechanism`.
    pub fn client_with(
        &self,
        credentials: Option<(&str, &str)>,
        mechanism: Mechanism,
    ) -> AsyncSmtpTransport<Tokio1Executor> {
        let cert = Certificate::from_pem(&std::fs::read(tls_files().0).unwrap()).unwrap();
        let tls = TlsParameters::builder("localhost".to_owned())
            .add_root_certificate(cert)
            .build_rustls()
            .unwrap();
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
            .port(self.port)
            .tls(Tls::Required(tls))
            .timeout(Some(Duration::from_secs(20)));
        if let Some((user, password)) = credentials {
            builder = builder
                .credentials(Credentials::new(user.to_owned(), password.to_owned()))
                .authentication(vec![mechanism]);
        }
        builder.build()
    }

    /// A client without TLS or AUTH (a trusted network's mail server).
    pub fn plain_client(&self) -> AsyncSmtpTransport<Tokio1Executor> {
        AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
            .port(self.port)
            .timeout(Some(Duration::from_secs(20)))
            .build()
    }

    /// A raw connection, its greeting read.
    pub async fn raw(&self) -> RawSmtp {
        let stream = TcpStream::connect(("127.0.0.1", self.port)).await.unwrap();
        let mut raw = RawSmtp {
            stream: BufReader::new(Box::new(stream)),
        };
        let greeting = raw.reply().await;
        assert_eq!(greeting.code, 220, "{greeting:?}");
        raw
    }

    /// Stops the listener and waits until it has.
    pub async fn stop(mut self) {
        let _ = self.stop.take().unwrap().send(());
        self.task.take().unwrap().await.unwrap();
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Submits `raw` with this envelope; the server's final reply or its refusal.
pub async fn submit(
    client: &AsyncSmtpTransport<Tokio1Executor>,
    from: &str,
    to: &[&str],
    raw: &[u8],
) -> Result<String, lettre::transport::smtp::Error> {
    let envelope = Envelope::new(
        Some(from.parse().unwrap()),
        to.iter().map(|t| t.parse().unwrap()).collect(),
    )
    .unwrap();
    // lettre ends DATA with CRLF . CRLF after the mail, so a mail that ends
    // in CRLF itself would arrive one blank line longer.
    let raw = raw.strip_suffix(b"\r\n").unwrap_or(raw);
    let response = client.send_raw(&envelope, raw).await?;
    Ok(format!(
        "{} {}",
        response.code(),
        response.message().collect::<Vec<_>>().join(" ")
    ))
}

/// The reply code of a refused submission (`535`, `552`, …).
pub fn code_of(error: &lettre::transport::smtp::Error) -> String {
    error
        .status()
        .map(|code| code.to_string())
        .unwrap_or_else(|| format!("no code: {error}"))
}

/// One reply: its code and its lines' texts.
#[derive(Debug, Clone)]
pub struct Reply {
    pub code: u16,
    pub lines: Vec<String>,
}

impl Reply {
    /// All its text, lines joined by spaces.
    pub fn text(&self) -> String {
        self.lines.join(" ")
    }
}

/// A connection's byte stream: plain TCP, or TLS over it.
pub trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// A hand-driven SMTP connection.
pub struct RawSmtp {
    stream: BufReader<Box<dyn Io>>,
}

impl RawSmtp {
    /// After the server's 220 to STARTTLS: the TLS handshake (trusting the
    /// test certificate), and the same connection over TLS. Whatever the
    /// server sent in the clear after its 220 is returned too (it should be
    /// nothing).
    pub async fn start_tls(self) -> (RawSmtp, Vec<u8>) {
        use tokio_rustls::rustls;
        let leftover = self.stream.buffer().to_vec();
        let mut roots = rustls::RootCertStore::empty();
        let cert = std::fs::read(tls_files().0).unwrap();
        for cert in rustls::pki_types::pem::PemObject::pem_slice_iter(&cert) {
            roots.add(cert.unwrap()).unwrap();
        }
        let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
        let connector = tokio_rustls::TlsConnector::from(std::sync::Arc::new(config));
        let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
        let tls = connector
            .connect(name, self.stream.into_inner())
            .await
            .unwrap();
        (
            RawSmtp {
                stream: BufReader::new(Box::new(tls)),
            },
            leftover,
        )
    }

    /// Sends one command line and reads its reply.
    pub async fn command(&mut self, line: &str) -> Reply {
        self.write(format!("{line}\r\n").as_bytes()).await;
        self.reply().await
    }

    /// Writes bytes as they are.
    pub async fn write(&mut self, bytes: &[u8]) {
        self.stream.get_mut().write_all(bytes).await.unwrap();
    }

    /// Reads one reply (all its lines); code 0 if the server hung up.
    pub async fn reply(&mut self) -> Reply {
        let mut lines = Vec::new();
        loop {
            let mut line = String::new();
            let read =
                tokio::time::timeout(Duration::from_secs(20), self.stream.read_line(&mut line))
                    .await
                    .expect("a reply within 20 s")
                    .unwrap();
            if read == 0 {
                return Reply { code: 0, lines };
            }
            let line = line.trim_end();
            let code = line.get(..3).and_then(|c| c.parse().ok()).unwrap_or(0);
            lines.push(line.get(4..).unwrap_or_default().to_owned());
            if line.as_bytes().get(3) != Some(&b'-') {
                return Reply { code, lines };
            }
        }
    }
}
