//! One `Effect` for the whole portal's side effects.
//!
//! `Effect::new` is generic over its closure, so every call site compiles its
//! own copy of the effect's run loop (about 1.5 KB of wasm each). Boxing the
//! closure here compiles that loop once; the recipient's first load is
//! budgeted, and its pages need several effects (the language, the title,
//! focus, handing over to the reader).

use leptos::prelude::*;

/// Runs `f` now and again whenever a signal it read changes, like
/// `Effect::new(move |_| f())`.
pub fn effect(f: impl FnMut() + 'static) {
    run(Box::new(f));
}

fn run(mut f: Box<dyn FnMut()>) {
    Effect::new(move |_| f());
}
