//! The access audit: who did what to which message, from where. Events are
//! written by one writer task with group commit ([`AuditLog`]); [`export`]
//! reads them out.

pub mod export;
mod writer;

use sealmail_api::admin::{AuditKind, AuditOutcome};
pub use writer::AuditLog;

use crate::store::audit::NewEvent;

/// An API token as the audit names it: never its secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRef {
    /// Its id.
    pub id: i64,
    /// Its name.
    pub name: String,
}

/// Who acted, for the audit: a signed-in account's address (or a command's
/// name) and the client's IP address when it came over HTTP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The account's address, or which command acted.
    pub name: String,
    /// The client's IP address, if it came over HTTP.
    pub client_address: Option<String>,
}

impl Actor {
    /// The command line: no client address.
    pub fn command_line(command: &str) -> Actor {
        Actor {
            name: format!("{command} (command line)"),
            client_address: None,
        }
    }

    /// An account acting through one of its API tokens: the audit shows
    /// `alice@example.com via API token 12 (deploy script)`.
    pub fn via_token(
        account: &str,
        token: &TokenRef,
        client: &crate::http::ClientAddress,
    ) -> Actor {
        Actor {
            name: format!("{account} via API token {} ({})", token.id, token.name),
            client_address: client.0.clone(),
        }
    }

    /// The event of this actor's own action, done, about no one message
    /// (an administrator's change or look-up); `detail` says what it was
    /// done to, and never holds a secret or message content.
    pub fn did(&self, kind: AuditKind, detail: impl Into<String>) -> NewEvent {
        NewEvent {
            kind,
            outcome: AuditOutcome::Success,
            message_id: None,
            recipient: None,
            actor: Some(self.name.clone()),
            client_address: self.client_address.clone(),
            detail: Some(detail.into()),
        }
    }
}
