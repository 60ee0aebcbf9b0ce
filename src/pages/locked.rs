//! Too many wrong passcodes (`too_many_attempts`).

use leptos::prelude::*;
use sealmail_api::Timestamp;

use crate::i18n::format::{date_time, minutes};
use crate::i18n::{fill, text, tr};
use crate::pages::EndPage;

/// The link is locked for a while; says for how long, and until when, as far
/// as the server said (`retry_after_secs` with the error, `locked_until` in
/// the link's info).
#[component]
pub fn LockedPage(
    retry_after_secs: Option<u64>,
    #[prop(into)] locked_until: Signal<Option<Timestamp>>,
) -> impl IntoView {
    let retry = move || {
        retry_after_secs.map(|secs| {
            view! { <p data-testid="locked-retry">{text(move |s, _| fill(s.locked_retry, &minutes(secs)))}</p> }
        })
    };
    let until = move || {
        locked_until.get().map(|until| {
            view! {
                <p data-testid="locked-until">
                    {text(move |s, lang| fill(s.locked_until, &date_time(&until, lang)))}
                </p>
            }
        })
    };
    view! {
        <EndPage testid="page-locked" title=tr(|s| s.locked_title)>
            <p>{tr(|s| s.locked_body)}</p>
            {retry}
            {until}
        </EndPage>
    }
}
