//! Shared test helpers: canned `sealmail-api` values, a scripted fake of the
//! API, mounting into a fresh container, and polling the DOM.
#![allow(dead_code)] // each test binary uses a different subset

pub mod dom;
pub mod fake;
pub mod fixtures;

// Each test binary uses a different subset (real_server.rs: no fake at all).
#[allow(unused_imports)]
pub use dom::*;
#[allow(unused_imports)]
pub use fake::*;
#[allow(unused_imports)]
pub use fixtures::*;
// Not every test binary touches the document or window directly.
#[allow(unused_imports)]
pub use leptos::prelude::{document, window};
