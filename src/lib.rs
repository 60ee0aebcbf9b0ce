//! Sealmail's web portal: the pages recipients see, and the sender's and
//! administrator's pages, all drawn with Leptos.
//!
//! The portal is three bundles: `src/main.rs` mounts [`RecipientApp`] (a
//! link's first pages, the [`gate`], and the landing page, `dist/`; its first
//! load is budgeted), `src/bin/reader.rs` mounts [`ReaderApp`] (the message,
//! once the passcode has opened a session, `dist/reader/`),
//! `src/bin/staff.rs` mounts [`StaffApp`] (the sender's and administrator's
//! pages, `dist/staff/`). Tests mount the same roots, or the [`gate::Gate`]
//! or a page inside [`RecipientProviders`], with a fake of
//! [`api::RecipientApi`] and [`api::SenderApi`].
//!
//! - [`gate`]: the link page, the passcode step and the pages where a journey
//!   ends: the link's info in a `LocalResource`, the passcode requests as
//!   `Action`s.
//! - [`app`]: the bundles' roots and their `leptos_router` routes.
//! - [`context`]: what pages find in context (API client, language, session,
//!   the router's location) and URL helpers; pages import it, not [`app`].
//! - [`pages`]: one page per file; [`pages::recipient`] is the reader's
//!   message page; sign-in, Sent, compose and the `admin_*` pages are routed
//!   directly.
//! - [`components`]: the branded frame, the language switch, the sandboxed
//!   HTML body, attachments, the reply form; the signed-in frame
//!   ([`components::staff`]), a Sent row, address and Markdown handling.
//! - [`api`]: the only code that does HTTP.
//! - [`i18n`]: English, Dutch, Danish and Japanese; dates and sizes (no
//!   Leptos); [`translate`]: the current language as Leptos state, and the
//!   views' translated text.

pub mod api;
pub mod app;
pub mod components;
pub mod context;
pub mod effect;
pub mod gate;
pub mod i18n;
pub mod pages;
pub mod translate;

pub use app::{ReaderApp, RecipientApp, StaffApp};
pub use context::{Providers, RecipientProviders};
