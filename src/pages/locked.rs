//! Too many wrong passcodes (`too_many_attempts`).

use leptos::prelude::*;

use crate::i18n::format::minutes;
use crate::i18n::{fill, use_i18n};
use crate::pages::EndPage;

/// The link is locked for a while; says for how long when the server did.
#[component]
pub fn LockedPage(retry_after_secs: Option<u64>) -> impl IntoView {
    let t = use_i18n();
    let retry = move || {
        retry_after_secs.map(|secs| {
            view! { <p data-testid="locked-retry">{move || fill(t.t().locked_retry, &minutes(secs))}</p> }
        })
    };
    view! {
        <EndPage testid="page-locked" title=Signal::derive(move || t.t().locked_title)>
            <p>{move || t.t().locked_body}</p>
            {retry}
        </EndPage>
    }
}
