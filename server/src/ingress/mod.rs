//! SMTP ingress: `sealmail serve --smtp-listen` accepts mail from the
//! organisation's mail server and from people's mail clients, so protected
//! mail can be sent without leaving the mail client.
//!
//! [`listener`] accepts connections (a cap, a graceful stop); [`session`]
//! speaks SMTP with smtp-proto's grammar (STARTTLS, AUTH after it, who may
//! relay); once a message is in, [`accept`] records bounces of Sealmail's own
//! mail and hands everything else to the mail-flow rules, which store the
//! protected part and queue the rest in one transaction.

mod accept;
mod budget;
mod conn;
mod data;
pub mod decode;
mod envelope;
mod facts;
mod flowed;
mod listener;
pub mod mime;
pub mod reply;
mod sasl;
mod session;
pub mod skeleton;
mod spool;
mod tls;
mod trial;

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

pub use listener::serve;
pub use trial::try_rules;

use crate::config::IngressConfig;
use crate::error::{Error, Result};
use crate::state::AppState;

/// Most recipients of one mail: the compose page's limit too.
pub const MAX_RECIPIENTS: usize = 500;

/// What the listener runs with. Cheap to clone.
#[derive(Clone)]
pub struct Ingress {
    state: AppState,
    settings: Arc<IngressSettings>,
    tls: Option<tokio_rustls::TlsAcceptor>,
    /// Memory for messages being received, in [`MEMORY_UNIT`]s.
    memory: Arc<tokio::sync::Semaphore>,
}

/// What one permit of the memory budget stands for.
pub const MEMORY_UNIT: usize = 64 * 1024;

/// The listener's settings, derived once from [`IngressConfig`].
#[derive(Debug, Clone)]
pub struct IngressSettings {
    /// The name in the greeting and the EHLO reply.
    pub hostname: String,
    /// The largest message accepted, in bytes (`--max-message-mib`).
    pub max_message_bytes: u64,
    /// Clients that may send without AUTH.
    pub trusted_networks: Vec<ipnet::IpNet>,
    /// The organisation's own domains (lower case).
    pub org_domains: Vec<String>,
    /// Connections served at once.
    pub max_connections: usize,
    /// The wait for a command.
    pub command_timeout: Duration,
    /// The wait for the next bytes of a message.
    pub data_timeout: Duration,
    /// The domain of Sealmail's `bounce+ID@` envelope senders, if set.
    pub bounce_domain: Option<String>,
}

impl Ingress {
    /// The listener for `config`, its TLS certificate loaded (an unreadable
    /// certificate or key is an error now, not at the first STARTTLS).
    pub fn new(
        state: AppState,
        config: &IngressConfig,
        bounce_domain: Option<String>,
    ) -> Result<Self> {
        let tls = match (&config.smtp_tls_cert, &config.smtp_tls_key) {
            (Some(cert), Some(key)) => Some(tls::acceptor(cert, key)?),
            (None, None) => None,
            _ => {
                return Err(Error::InvalidRequest(
                    "--smtp-tls-cert and --smtp-tls-key go together".into(),
                ));
            }
        };
        let settings = IngressSettings {
            hostname: state.settings.mail_domain.clone(),
            max_message_bytes: state.settings.max_message_bytes,
            trusted_networks: config.smtp_trusted_networks.clone(),
            org_domains: crate::mailflow::org_domains(&config.org_domains),
            max_connections: config.smtp_max_connections.max(1),
            command_timeout: config.smtp_command_timeout,
            data_timeout: config.smtp_data_timeout,
            bounce_domain: bounce_domain.map(|d| d.to_ascii_lowercase()),
        };
        // Computed now, so the first AUTH with an unknown address is not
        // slower than later ones (which would tell that it is unknown).
        crate::auth::dummy_hash();
        let units = usize::try_from(config.smtp_memory_mib.saturating_mul(1 << 20))
            .unwrap_or(usize::MAX)
            / MEMORY_UNIT;
        Ok(Ingress {
            state,
            settings: Arc::new(settings),
            tls,
            memory: Arc::new(tokio::sync::Semaphore::new(
                units.clamp(1, tokio::sync::Semaphore::MAX_PERMITS),
            )),
        })
    }

    /// The settings.
    pub fn settings(&self) -> &IngressSettings {
        &self.settings
    }

    /// Whether `ip` may send without AUTH.
    fn is_trusted(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.settings
            .trusted_networks
            .iter()
            .any(|net| net.contains(&ip))
    }
}

impl IngressSettings {
    /// Whether `address` is in one of the organisation's domains (or a subdomain).
    pub fn is_inside(&self, address: &str) -> bool {
        crate::mailflow::is_inside(address, &self.org_domains)
    }

    /// The mail id in `bounce+ID@BOUNCE_DOMAIN`, if `address` is one of ours.
    pub fn bounce_id(&self, address: &str) -> Option<String> {
        let domain = self.bounce_domain.as_deref()?;
        let (_, at) = address.rsplit_once('@')?;
        if !at.eq_ignore_ascii_case(domain) {
            return None;
        }
        crate::mail::bounce::verp_id(address)
    }
}
