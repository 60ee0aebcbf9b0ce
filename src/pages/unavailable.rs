//! The server could not be reached, or failed (`internal`, or no answer).

use leptos::prelude::*;

use crate::i18n::use_i18n;
use crate::pages::EndPage;
use crate::pages::recipient::use_flow;

/// Says nothing is lost and offers to try again from the top.
#[component]
pub fn UnavailablePage() -> impl IntoView {
    let t = use_i18n();
    let flow = use_flow();
    view! {
        <EndPage testid="page-unavailable" title=Signal::derive(move || t.t().unavailable_title)>
            <p>{move || t.t().unavailable_body}</p>
            <button type="button" class="primary" data-testid="retry" on:click=move |_| flow.load()>
                {move || t.t().retry}
            </button>
        </EndPage>
    }
}
