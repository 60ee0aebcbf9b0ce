//! The client's IP address, for the access audit and sign-in rate limits.

use std::net::{IpAddr, SocketAddr};

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
    /// What rate limits count per: the address, or for IPv6 its /64 — one
    /// home or office network gets a whole /64, so one client could otherwise
    /// hop between 2^64 addresses.
    pub fn limit_key(&self) -> Option<String> {
        let address = self.0.as_deref()?;
        Some(match address.parse::<IpAddr>() {
            Ok(IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_none() => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
            Ok(ip) => ip.to_canonical().to_string(),
            Err(_) => address.to_owned(),
        })
    }

    /// Reads it from a request's headers and extensions.
    pub fn from_request(
        headers: &HeaderMap,
        extensions: &Extensions,
        trust_forwarded_for: bool,
    ) -> Self {
        // Only the very last entry: the one the trusted proxy appended. An
        // earlier one is whatever the client sent, so an unreadable last entry
        // falls back to the peer rather than to the entry before it.
        let last = headers
            .get_all("x-forwarded-for")
            .iter()
            .next_back()
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(forwarded_address);
        if trust_forwarded_for && let Some(last) = last {
            return ClientAddress(Some(last.to_string()));
        }
        ClientAddress(
            extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|ConnectInfo(addr)| addr.ip().to_string()),
        )
    }
}

/// An `X-Forwarded-For` entry's address: `198.51.100.4`, `2001:db8::1`, or
/// with the port some proxies add (`198.51.100.4:4711`, `[2001:db8::1]:443`).
fn forwarded_address(entry: &str) -> Option<IpAddr> {
    let entry = entry.trim();
    entry
        .parse()
        .ok()
        .or_else(|| entry.parse::<SocketAddr>().ok().map(|s| s.ip()))
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
