//! The current language as Leptos state: provided once per bundle, read by
//! every view through [`tr`] and [`text`], switched by the language switch.
//! The languages and their strings are [`crate::i18n`]'s.

use leptos::prelude::*;

use crate::i18n::{Lang, Strings, preferred, remember};

/// The current language, shared by every component through context.
#[derive(Clone, Copy)]
pub struct I18n {
    lang: RwSignal<Lang>,
    /// Every string ([`Lang::strings`]), or the reader bundle's
    /// ([`Lang::recipient_strings`]), or the gate's ([`Lang::gate_strings`]).
    strings: fn(Lang) -> &'static Strings,
}

impl I18n {
    /// The current language (tracked: a view reading it follows a switch).
    pub fn lang(&self) -> Lang {
        self.lang.get()
    }

    /// The current language, untracked (for a request's language, say).
    pub fn lang_untracked(&self) -> Lang {
        self.lang.get_untracked()
    }

    /// The current language's strings (tracked).
    pub fn t(&self) -> &'static Strings {
        (self.strings)(self.lang.get())
    }

    /// Switches language and remembers the choice for the next visit.
    pub fn set(&self, lang: Lang) {
        remember(lang);
        self.lang.set(lang);
    }
}

/// Chooses the language, provides it as context, and keeps `<html lang>` in
/// step. `strings` is [`Lang::strings`], or [`Lang::recipient_strings`] in the
/// reader bundle and [`Lang::gate_strings`] in the recipient's first one (so
/// the strings of pages a bundle does not have stay out of its wasm).
pub fn provide_i18n(strings: fn(Lang) -> &'static Strings) -> I18n {
    let i18n = I18n {
        lang: RwSignal::new(preferred()),
        strings,
    };
    provide_context(i18n);
    crate::effect::effect(move || {
        let code = i18n.lang().code();
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("lang", code);
        }
    });
    i18n
}

/// The current language, from context.
pub fn use_i18n() -> I18n {
    expect_context()
}

/// A string of the current language, following every switch.
///
/// Every string of every view goes through this one function or [`text`], so
/// the rendering code for "translated text" exists once in the wasm; a closure
/// per string would get its own copy each, and a second signal type (a
/// `Signal<&str>` beside [`text`]'s `Signal<String>`) its own set of them
/// (the first load is budgeted).
pub fn tr(pick: fn(&'static Strings) -> &'static str) -> Signal<String> {
    text(move |s, _| pick(s).to_owned())
}

/// Text computed from the current language and other values (dates, sizes,
/// filled templates), as a `Signal<String>` for the same reason as [`tr`].
pub fn text(
    compute: impl Fn(&'static Strings, Lang) -> String + Send + Sync + 'static,
) -> Signal<String> {
    derive_text(Box::new(compute))
}

/// [`text`] behind one `Signal::derive`, whatever the computation.
fn derive_text(
    compute: Box<dyn Fn(&'static Strings, Lang) -> String + Send + Sync>,
) -> Signal<String> {
    let i18n = use_i18n();
    Signal::derive(move || compute(i18n.t(), i18n.lang()))
}
