//! The link page: who sent what, how it is protected, and the button that
//! mails the recipient a one-time passcode.

use leptos::prelude::*;
use leptos::task::spawn_local;
use sealmail_api::{ErrorCode, Protection};

use crate::api::ApiError;
use crate::components::{focus_when_mounted, mailbox, set_title};
use crate::i18n::format::{date_time, minutes};
use crate::i18n::{fill, text, tr};
use crate::pages::recipient::{Back, use_flow};

/// A problem the page shows itself rather than ending on an error page.
#[derive(Clone, Copy, PartialEq)]
enum Problem {
    RateLimited(u64),
    Failed,
}

/// The first step. `back`: the recipient was reading and their session ran
/// out or they signed out, so they are asked for a new passcode with a word of
/// explanation.
#[component]
pub fn LinkPage(back: Option<Back>) -> impl IntoView {
    let flow = use_flow();
    let Some(info) = flow.info() else {
        return ().into_any();
    };
    let busy = RwSignal::new(false);
    let problem = RwSignal::new(None::<Problem>);
    let heading = NodeRef::<leptos::html::H1>::new();
    focus_when_mounted(heading);
    let title = tr(|s| s.protected_message);
    set_title(move || title.get().to_owned());

    let send = move |_| {
        // A double click must not mail two passcodes (the second would
        // replace the first).
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        problem.set(None);
        let api = flow.api();
        spawn_local(async move {
            match api.send_passcode(&flow.token()).await {
                Ok(sent) => flow.passcode_sent(sent),
                Err(error) => {
                    busy.set(false);
                    match inline_problem(&error) {
                        Some(p) => problem.set(Some(p)),
                        None => flow.fail(&error),
                    }
                }
            }
        });
    };

    let sender = mailbox(&info.sender);
    let protection = info.protection;
    let expires = info.expires_at.clone();
    let branding = info.branding.clone();
    let button_text = branding.read_button_text.clone();
    view! {
        <section class="card" data-testid="page-link">
            {branding.introduction_text.map(|text| view! { <p class="intro" data-testid="brand-intro">{text}</p> })}
            <h1 tabindex="-1" node_ref=heading data-testid="page-link-title">{tr(|s| s.protected_message)}</h1>
            <p data-testid="sender">{text(move |s, _| fill(s.sent_you, &sender))}</p>
            <ProtectionFacts protection/>
            {expires.map(|at| view! {
                <p data-testid="expires">{text(move |s, lang| fill(s.expires, &date_time(&at, lang)))}</p>
            })}
            {back.map(|back| match back {
                Back::SessionEnded => view! {
                    <p class="notice" role="status" data-testid="session-ended">{tr(|s| s.session_ended)}</p>
                },
                Back::SignedOut => view! {
                    <p class="notice" role="status" data-testid="signed-out">{tr(|s| s.signed_out)}</p>
                },
            })}
            <p>{tr(|s| s.passcode_intro)}</p>
            {branding.portal_text.map(|text| view! { <p class="portal-text">{text}</p> })}
            <button
                type="button"
                class="primary"
                data-testid="send-passcode"
                disabled=busy
                on:click=send
            >
                {text(move |s, _| {
                    if busy.get() {
                        s.sending.to_owned()
                    } else {
                        button_text.clone().unwrap_or_else(|| s.send_passcode.to_owned())
                    }
                })}
            </button>
            <p class="error" role="alert" data-testid="link-error">
                {text(move |s, _| match problem.get() {
                    Some(Problem::RateLimited(secs)) => fill(s.rate_limited, &minutes(secs)),
                    Some(Problem::Failed) => s.something_failed.to_owned(),
                    None => String::new(),
                })}
            </p>
        </section>
    }
    .into_any()
}

/// Errors the link page keeps on the page; the rest end the journey.
fn inline_problem(error: &ApiError) -> Option<Problem> {
    match error {
        ApiError::Unreachable => Some(Problem::Failed),
        ApiError::Api(body) => match body.code {
            ErrorCode::RateLimited => {
                Some(Problem::RateLimited(body.retry_after_secs.unwrap_or(60)))
            }
            ErrorCode::Internal => Some(Problem::Failed),
            _ => None,
        },
    }
}

/// The protection, named and explained.
#[component]
pub fn ProtectionFacts(protection: Protection) -> impl IntoView {
    let (name, explained) = match protection {
        Protection::EncryptOnly => (tr(|s| s.encrypt_only), tr(|s| s.encrypt_only_explained)),
        Protection::DoNotForward => (tr(|s| s.do_not_forward), tr(|s| s.do_not_forward_explained)),
    };
    view! {
        <p class="protection" data-testid="protection">
            <strong>{tr(|s| s.protection)} ": " {name}</strong>
            " — "
            {explained}
        </p>
    }
}
