//! Sealmail's web portal: the pages recipients see, and the sender's and
//! administrator's pages.
//!
//! The portal is three bundles: `src/main.rs` mounts a link's first page
//! (`dist/`), `src/bin/reader.rs` mounts [`ReaderApp`] (reading the message
//! once the passcode has opened a session, `dist/reader/`), `src/bin/staff.rs`
//! mounts [`StaffApp`] (the sender's and administrator's pages, `dist/staff/`).
//! Tests mount [`Portal`] (every page) or a page inside
//! [`Providers`] with a fake of [`api::RecipientApi`] and [`api::SenderApi`].
//!
//! - [`app`]: context (API client, language, session, location) and the
//!   router (a match on the path, moved by `history.pushState`).
//! - [`pages`]: one page per file; [`pages::recipient`] is the recipient's
//!   journey through a link, which chooses among the others; sign-in, Sent,
//!   compose and the `admin_*` pages are routed directly.
//! - [`components`]: the branded frame, the language switch, the sandboxed
//!   HTML body, attachments, the reply form; the signed-in frame
//!   ([`components::staff`]), a Sent row, address and Markdown handling.
//! - [`api`]: the only code that does HTTP.
//! - [`i18n`]: English, Dutch, Danish and Japanese; dates and sizes.

pub mod api;
pub mod app;
pub mod components;
pub mod i18n;
pub mod pages;

pub use app::{Portal, Providers, ReaderApp, RecipientApp, RecipientProviders, StaffApp};
