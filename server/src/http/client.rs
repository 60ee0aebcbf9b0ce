//! The client's IP address, for the access audit and sign-in rate limits.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{Extensions, HeaderMap};

use crate::state::AppState;

/// The client's IP address: the peer of the TCP connection or, with
/// `--trust-forwarded-for` (behind a reverse proxy), the last address in
/// `X-Forwarded-For` — the one the proxy itself appended. `None` when
/// neither is known (requests made in-process, as tests do).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientAddress(pub Option<String>);

impl ClientAddress {
    /// Reads it from a request's headers and extensions.
    pub fn from_request(
        headers: &HeaderMap,
        extensions: &Extensions,
        trust_forwarded_for: bool,
    ) -> Self {
        if trust_forwarded_for
            && let Some(last) = headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .map(str::trim)
                .rfind(|v| v.parse::<std::net::IpAddr>().is_ok())
        {
            return ClientAddress(Some(last.to_owned()));
        }
        ClientAddress(
            extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|ConnectInfo(addr)| addr.ip().to_string()),
        )
    }
}

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Self::from_request(
            &parts.headers,
            &parts.extensions,
            state.settings.trust_forwarded_for,
        ))
    }
}
