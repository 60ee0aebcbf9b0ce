//! Single sign-on's settings: the provider and what the configuration
//! allows. Kept apart from the routes, so the app's state can hold it
//! without the state and the sign-in routes importing each other.

use openidconnect::{ClientId, ClientSecret, IssuerUrl, RedirectUrl};
use sealmail_api::routes;

use super::claims::AdminClaim;
use super::provider::Provider;
use crate::config::OidcConfig;
use crate::error::{Error, Result};

/// Single sign-on as configured (`--oidc-*`).
#[derive(Debug)]
pub struct Sso {
    pub(super) provider: Provider,
    /// The name on the sign-in button.
    pub(super) provider_name: String,
    /// Scopes asked for beside `openid`.
    pub(super) scopes: Vec<String>,
    /// The e-mail domains whose people may sign in, lower case.
    pub(super) allowed_domains: Vec<String>,
    /// What makes an administrator, if anything.
    pub(super) admin: Option<AdminClaim>,
}

impl Sso {
    /// Single sign-on from the configuration, or `None` when no issuer is set.
    pub fn from_config(config: &OidcConfig, public_url: &str) -> Result<Option<Self>> {
        let Some(issuer) = &config.oidc_issuer else {
            return Ok(None);
        };
        let invalid = |what: &str| Error::InvalidRequest(format!("single sign-on: {what}"));
        let client_id = config
            .oidc_client_id
            .clone()
            .ok_or_else(|| invalid("--oidc-client-id is missing"))?;
        let allowed_domains: Vec<String> = config
            .oidc_allowed_domains
            .iter()
            .map(|d| d.trim().trim_start_matches('@').to_lowercase())
            .filter(|d| !d.is_empty())
            .collect();
        if allowed_domains.is_empty() {
            return Err(invalid("--oidc-allowed-domains names no domain"));
        }
        // Exactly as configured: discovery and the ID token's check compare
        // the issuer as a string.
        let issuer =
            IssuerUrl::new(issuer.clone()).map_err(|e| invalid(&format!("--oidc-issuer: {e}")))?;
        let redirect = RedirectUrl::new(format!("{public_url}{}", routes::OIDC_CALLBACK))
            .map_err(|e| invalid(&format!("the callback URL: {e}")))?;
        let provider_name = config.oidc_provider_name.clone().unwrap_or_else(|| {
            issuer
                .url()
                .host_str()
                .unwrap_or("single sign-on")
                .to_owned()
        });
        let provider = Provider::new(
            issuer,
            ClientId::new(client_id),
            config
                .oidc_client_secret
                .as_ref()
                .map(|s| ClientSecret::new(s.0.expose().clone())),
            redirect,
        )
        .map_err(Error::Internal)?;
        Ok(Some(Sso {
            provider,
            provider_name,
            scopes: config.oidc_scopes.clone(),
            allowed_domains,
            admin: AdminClaim::from_config(config),
        }))
    }
}
