//! The pages where a journey ends: revoked, expired, unknown link, locked,
//! blocked, and the server out of reach (with a retry).

use leptos::prelude::*;

use super::{Failure, Journey, on_click};
use crate::i18n::fill;
use crate::i18n::format::{date_time, minutes};
use crate::pages::EndPage;
use crate::translate::{text, tr};

/// The page for `failure`: a heading (focused, so it is read out at once),
/// an explanation, and what can still be done.
#[component]
pub fn FailurePage(journey: Journey, failure: Failure) -> impl IntoView {
    let (testid, title, body) = match failure {
        Failure::Revoked => (
            "page-revoked",
            tr(|s| s.revoked_title),
            tr(|s| s.revoked_body),
        ),
        Failure::Expired => (
            "page-expired",
            tr(|s| s.expired_title),
            tr(|s| s.expired_body),
        ),
        Failure::UnknownLink => (
            "page-unknown-link",
            tr(|s| s.unknown_title),
            tr(|s| s.unknown_body),
        ),
        Failure::Locked(_) => ("page-locked", tr(|s| s.locked_title), tr(|s| s.locked_body)),
        Failure::Blocked => (
            "page-blocked",
            tr(|s| s.blocked_title),
            tr(|s| s.blocked_body),
        ),
        Failure::Unavailable => (
            "page-unavailable",
            tr(|s| s.unavailable_title),
            tr(|s| s.unavailable_body),
        ),
    };
    let more = match failure {
        Failure::Locked(retry_after_secs) => view! { <Locked journey retry_after_secs/> }.into_any(),
        Failure::Unavailable => view! {
            <button type="button" class="primary" data-testid="retry" on:click=on_click(move |_| journey.retry())>
                {tr(|s| s.retry)}
            </button>
        }
        .into_any(),
        _ => ().into_any(),
    };
    view! {
        <EndPage testid title>
            <p>{body}</p>
            {more}
        </EndPage>
    }
}

/// Too many wrong passcodes: for how long, and until when, as far as the
/// server said (`retry_after_secs` with the error, `locked_until` in the
/// link's info).
#[component]
fn Locked(journey: Journey, retry_after_secs: Option<u64>) -> impl IntoView {
    let until = move || {
        journey.info.with(|info| match info {
            Some(Ok(info)) => info.locked_until.clone(),
            _ => None,
        })
    };
    view! {
        {retry_after_secs.map(|secs| view! {
            <p data-testid="locked-retry">{text(move |s, _| fill(s.locked_retry, &minutes(secs)))}</p>
        }.into_any())}
        {move || until().map(|until| view! {
            <p data-testid="locked-until">
                {text(move |s, lang| fill(s.locked_until, &date_time(&until, lang)))}
            </p>
        }.into_any())}
    }
}
