//! Sealmail's wire contract.
//!
//! Every type that crosses HTTP between the portal and the server lives here, and
//! nowhere else: the server serialises these types, the portal deserialises them.
//! The exact JSON of each type is pinned by the tests in `api/tests/`, so a rename
//! that would silently break a client fails the build instead.

pub mod admin;
pub mod common;
pub mod error;
#[cfg(feature = "openapi")]
pub mod openapi;
mod query;
pub mod recipient;
pub mod routes;
pub mod sender;
pub mod sso;
pub mod tokens;

pub use common::{Language, Mailbox, Protection, Timestamp};
pub use error::{ErrorBody, ErrorCode};
