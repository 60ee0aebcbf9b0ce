//! The protection in force, as the link page and the message view say it.

use leptos::prelude::*;
use sealmail_api::Protection;

use crate::translate::{text, tr};

/// The protection, named and explained ([`crate::i18n::Strings::protection_named`]).
#[component]
pub fn ProtectionFacts(protection: Protection) -> impl IntoView {
    let name = text(move |s, _| s.protection_named(protection).0.to_owned());
    let explained = text(move |s, _| s.protection_named(protection).1.to_owned());
    view! {
        <p class="protection" data-testid="protection">
            <strong>{tr(|s| s.protection)} ": " {name}</strong>
            " — "
            {explained}
        </p>
    }
}
