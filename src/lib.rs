//! Sealmail's web portal: the pages recipients see, and the sender's and
//! administrator's pages.
//!
//! The portal is three bundles: `src/main.rs` mounts the [`gate`] (a link's
//! first pages and the landing page, `dist/`, drawn without Leptos because
//! its first load is budgeted), `src/bin/reader.rs` mounts [`ReaderApp`]
//! (the message, once the passcode has opened a session, `dist/reader/`),
//! `src/bin/staff.rs` mounts [`StaffApp`] (the sender's and administrator's
//! pages, `dist/staff/`). Tests mount the gate, [`Portal`] (every Leptos page)
//! or a page inside [`Providers`] with a fake of [`api::RecipientApi`] and
//! [`api::SenderApi`].
//!
//! - [`gate`]: the link page, the passcode step, the pages where a journey
//!   ends, and the landing page, on the DOM directly.
//! - [`app`]: context (API client, language, session, location) and the
//!   router (a match on the path, moved by `history.pushState`).
//! - [`pages`]: one page per file; [`pages::recipient`] is the reader's
//!   message page; sign-in, Sent, compose and the `admin_*` pages are routed
//!   directly.
//! - [`components`]: the branded frame, the language switch, the sandboxed
//!   HTML body, attachments, the reply form; the signed-in frame
//!   ([`components::staff`]), a Sent row, address and Markdown handling.
//! - [`api`]: the only code that does HTTP.
//! - [`i18n`]: English, Dutch, Danish and Japanese; dates and sizes.

pub mod api;
pub mod app;
pub mod components;
pub mod gate;
pub mod i18n;
pub mod pages;

pub use app::{Portal, Providers, ReaderApp, RecipientProviders, StaffApp};
