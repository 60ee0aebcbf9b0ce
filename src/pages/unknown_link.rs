//! The link matches nothing (`link_unknown`).

use leptos::prelude::*;

use crate::i18n::use_i18n;
use crate::pages::EndPage;

/// The link is not valid: mistyped, cut short, or never issued.
#[component]
pub fn UnknownLinkPage() -> impl IntoView {
    let t = use_i18n();
    view! {
        <EndPage testid="page-unknown-link" title=Signal::derive(move || t.t().unknown_title)>
            <p>{move || t.t().unknown_body}</p>
        </EndPage>
    }
}
