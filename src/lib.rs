//! Sealmail's web portal: the pages recipients see (senders' and
//! administrators' pages come later).
//!
//! `main.rs` only mounts [`App`]; tests mount [`Portal`] or a page inside
//! [`Providers`] with a fake [`api::RecipientApi`].

pub mod api;
pub mod app;
pub mod components;
pub mod i18n;
pub mod pages;

pub use app::{App, Portal, Providers};
