//! The server could not be reached, or failed (`internal`, or no answer).

use leptos::prelude::*;

use super::flow::use_flow;
use crate::pages::EndPage;
use crate::translate::tr;

/// Says nothing is lost and offers to try again from the top.
#[component]
pub fn UnavailablePage() -> impl IntoView {
    let flow = use_flow();
    view! {
        <EndPage testid="page-unavailable" title=tr(|s| s.unavailable_title)>
            <p>{tr(|s| s.unavailable_body)}</p>
            <button type="button" class="primary" data-testid="retry" on:click=move |_| flow.load()>
                {tr(|s| s.retry)}
            </button>
        </EndPage>
    }
}
