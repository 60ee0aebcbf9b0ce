//! Sealmail's web portal: the pages recipients see (senders' and
//! administrators' pages come later).
//!
//! `main.rs` only mounts [`App`]; tests mount [`Portal`] or a page inside
//! [`Providers`] with a fake [`api::RecipientApi`].
//!
//! - [`app`]: context and the router (a match on the path).
//! - [`pages`]: one page per file; [`pages::recipient`] is the recipient's
//!   journey through a link, which chooses among the others.
//! - [`components`]: the branded frame, the language switch, the sandboxed
//!   HTML body, attachments, the reply form.
//! - [`api`]: the only code that does HTTP.
//! - [`i18n`]: English, Dutch, Danish and Japanese; dates and sizes.

pub mod api;
pub mod app;
pub mod components;
pub mod i18n;
pub mod pages;

pub use app::{App, Portal, Providers};
