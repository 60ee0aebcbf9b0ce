//! The HTTP client `openidconnect` talks to the identity provider with
//! (discovery, keys, the token endpoint): reqwest 0.13, already in the tree,
//! over the rustls and ring the server already builds, trusting the system's
//! certificate store (rustls-platform-verifier), so an organisation's own CA
//! works. No redirects (`openidconnect` asks for that: a redirect is a way to
//! send its requests somewhere else), a timeout, and a cap on answers.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use openidconnect::{AsyncHttpClient, HttpRequest, HttpResponse};

/// The longest one request to the provider may take.
const TIMEOUT: Duration = Duration::from_secs(10);
/// The largest answer read from the provider: discovery documents and key
/// sets are a few KiB; a provider sending more is not read to the end.
const MAX_ANSWER_BYTES: usize = 1024 * 1024;

/// A request to the identity provider failed.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    /// Could not connect, TLS failed, timed out…
    #[error("{0}")]
    Request(#[from] reqwest::Error),
    /// The answer was larger than [`MAX_ANSWER_BYTES`].
    #[error("the identity provider's answer is larger than {MAX_ANSWER_BYTES} bytes")]
    TooLarge,
    /// The answer could not be put together.
    #[error("{0}")]
    Http(#[from] openidconnect::http::Error),
}

/// The client (cheap to clone).
#[derive(Clone, Debug)]
pub struct HttpClient(reqwest::Client);

impl HttpClient {
    /// A client trusting the system's certificate store.
    pub fn new() -> Result<Self, String> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let verifier = rustls_platform_verifier::Verifier::new(provider.clone())
            .map_err(|e| format!("the system's certificate store: {e}"))?;
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(verifier))
            .with_no_client_auth();
        reqwest::Client::builder()
            .tls_backend_preconfigured(tls)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(TIMEOUT)
            .build()
            .map(HttpClient)
            .map_err(|e| format!("the HTTP client for single sign-on: {e}"))
    }

    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, HttpError> {
        let mut response = self.0.execute(request.try_into()?).await?;
        let mut answer = HttpResponse::new(Vec::new());
        *answer.status_mut() = response.status();
        *answer.headers_mut() = std::mem::take(response.headers_mut());
        while let Some(chunk) = response.chunk().await? {
            if answer.body().len() + chunk.len() > MAX_ANSWER_BYTES {
                return Err(HttpError::TooLarge);
            }
            answer.body_mut().extend_from_slice(&chunk);
        }
        Ok(answer)
    }
}

impl<'c> AsyncHttpClient<'c> for HttpClient {
    type Error = HttpError;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, HttpError>> + Send + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(self.send(request))
    }
}
