//! The link matches nothing (`link_unknown`).

use leptos::prelude::*;

use crate::i18n::tr;
use crate::pages::EndPage;

/// The link is not valid: mistyped, cut short, or never issued.
#[component]
pub fn UnknownLinkPage() -> impl IntoView {
    view! {
        <EndPage testid="page-unknown-link" title=tr(|s| s.unknown_title)>
            <p>{tr(|s| s.unknown_body)}</p>
        </EndPage>
    }
}
