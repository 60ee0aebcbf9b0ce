//! Too many wrong passcodes (`too_many_attempts`).

use leptos::prelude::*;

use crate::i18n::format::minutes;
use crate::i18n::{fill, text, tr};
use crate::pages::EndPage;

/// The link is locked for a while; says for how long when the server did.
#[component]
pub fn LockedPage(retry_after_secs: Option<u64>) -> impl IntoView {
    let retry = move || {
        retry_after_secs.map(|secs| {
            view! { <p data-testid="locked-retry">{text(move |s, _| fill(s.locked_retry, &minutes(secs)))}</p> }
        })
    };
    view! {
        <EndPage testid="page-locked" title=tr(|s| s.locked_title)>
            <p>{tr(|s| s.locked_body)}</p>
            {retry}
        </EndPage>
    }
}
