//! The identity provider as `openidconnect` sees it: its discovery document
//! and keys (fetched, then kept a few minutes), and the client built from
//! them with our id, secret and redirect URI. The ID token's claims beyond
//! the standard ones are kept, to read the administrator claim from.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreErrorResponseType, CoreGenderClaim, CoreJsonWebKey,
    CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm, CoreProviderMetadata,
    CoreRevocableToken, CoreRevocationErrorResponse, CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    AdditionalClaims, ClientId, ClientSecret, EmptyExtraTokenFields, EndpointMaybeSet,
    EndpointNotSet, EndpointSet, IssuerUrl, RedirectUrl, StandardErrorResponse,
    StandardTokenResponse,
};
use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;

use super::http::HttpClient;

/// How long a discovery document and its keys are used before being fetched
/// again: sign-ins do not each cost two requests to the provider, and a key
/// the provider rotates in is picked up within minutes.
const METADATA_TTL: Duration = Duration::from_secs(5 * 60);

/// The ID token's claims that are not OpenID Connect's standard ones
/// (`groups`, `roles`, …), as they came.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct OtherClaims {
    #[serde(flatten)]
    claims: HashMap<String, serde_json::Value>,
}

impl AdditionalClaims for OtherClaims {}

impl OtherClaims {
    /// The claim of this name, if the token has it.
    pub fn get(&self, name: &str) -> Option<&serde_json::Value> {
        self.claims.get(name)
    }
}

type IdTokenFields = openidconnect::IdTokenFields<
    OtherClaims,
    EmptyExtraTokenFields,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;

/// The token endpoint's answer.
pub type TokenResponse = StandardTokenResponse<IdTokenFields, CoreTokenType>;

/// `openidconnect`'s client for our provider, with [`OtherClaims`] kept.
pub type Client = openidconnect::Client<
    OtherClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    TokenResponse,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// The provider: who it is, who we are to it, and its discovery document.
pub struct Provider {
    issuer: IssuerUrl,
    client_id: ClientId,
    client_secret: Option<ClientSecret>,
    redirect: RedirectUrl,
    /// The HTTP client for the provider.
    pub http: HttpClient,
    metadata: Mutex<Option<(Instant, CoreProviderMetadata)>>,
}

impl std::fmt::Debug for Provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Provider")
            .field("issuer", &self.issuer.as_str())
            .field("client_id", &self.client_id.as_str())
            .finish_non_exhaustive()
    }
}

impl Provider {
    /// The provider at `issuer`, for the client `client_id`, which the
    /// provider sends back to `redirect`.
    pub fn new(
        issuer: IssuerUrl,
        client_id: ClientId,
        client_secret: Option<ClientSecret>,
        redirect: RedirectUrl,
    ) -> Result<Self, String> {
        Ok(Provider {
            issuer,
            client_id,
            client_secret,
            redirect,
            http: HttpClient::new()?,
            metadata: Mutex::new(None),
        })
    }

    /// The issuer URL, as configured.
    pub fn issuer(&self) -> &str {
        self.issuer.as_str()
    }

    /// The client, from the discovery document (fetched if not fresh).
    /// Discovery checks that the document names our issuer exactly.
    pub async fn client(&self) -> Result<Client, String> {
        let mut cached = self.metadata.lock().await;
        let metadata = match cached.as_ref() {
            Some((at, metadata)) if at.elapsed() < METADATA_TTL => metadata.clone(),
            _ => {
                let metadata =
                    CoreProviderMetadata::discover_async(self.issuer.clone(), &self.http)
                        .await
                        .map_err(|e| {
                            format!("discovery at {}: {}", self.issuer.as_str(), chain(&e))
                        })?;
                *cached = Some((Instant::now(), metadata.clone()));
                metadata
            }
        };
        Ok(Client::from_provider_metadata(
            metadata,
            self.client_id.clone(),
            self.client_secret.clone(),
        )
        .set_redirect_uri(self.redirect.clone()))
    }

    /// Forgets the discovery document, so the next sign-in fetches it (and
    /// the keys) again: after a token whose key was not among them.
    pub async fn forget_metadata(&self) {
        *self.metadata.lock().await = None;
    }
}

/// An error and its causes, on one line (for the log and the audit).
pub fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
