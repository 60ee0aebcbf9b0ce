//! The passcode step: where the code went, the field to type it in, and what
//! to do when it is wrong or has expired.

use leptos::prelude::*;
use leptos::task::spawn_local;
use sealmail_api::ErrorCode;
use sealmail_api::recipient::{PasscodeSent, PasscodeSubmit};

use crate::api::ApiError;
use crate::components::{focus_when_mounted, set_title};
use crate::i18n::format::minutes;
use crate::i18n::{fill, text, tr};
use crate::pages::recipient::use_flow;

/// What went wrong, kept on the page (read out through `role="alert"`).
#[derive(Clone, Copy, PartialEq)]
enum Problem {
    Missing,
    Wrong(Option<u32>),
    Expired,
    RateLimited(u64),
    Failed,
}

/// Asks for the passcode that was mailed to `sent.sent_to_masked`.
#[component]
pub fn PasscodePage(sent: PasscodeSent) -> impl IntoView {
    let flow = use_flow();
    let sent = RwSignal::new(sent);
    let busy = RwSignal::new(false);
    let problem = RwSignal::new(None::<Problem>);
    let resent = RwSignal::new(false);
    let input = NodeRef::<leptos::html::Input>::new();
    focus_when_mounted(input);
    let title = tr(|s| s.passcode_title);
    set_title(move || title.get().to_owned());

    let focus_input = move || {
        if let Some(input) = input.get_untracked() {
            input.select();
            let _ = input.focus();
        }
    };
    let show = move |p: Problem| {
        busy.set(false);
        problem.set(Some(p));
        focus_input();
    };

    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if busy.get_untracked() {
            return;
        }
        resent.set(false);
        // Pasted codes often carry spaces or dashes ("1234 5678"): drop them.
        let typed = input.get_untracked().map(|i| i.value()).unwrap_or_default();
        let passcode: String = typed
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        if passcode.is_empty() {
            show(Problem::Missing);
            return;
        }
        busy.set(true);
        problem.set(None);
        let api = flow.api();
        spawn_local(async move {
            match api
                .open_session(&flow.token(), PasscodeSubmit { passcode })
                .await
            {
                Ok(_) => flow.open_message(),
                Err(error) => match passcode_problem(&error) {
                    Some(p) => {
                        if let Some(input) = input.get_untracked() {
                            input.set_value("");
                        }
                        show(p);
                    }
                    None => flow.fail(&error),
                },
            }
        });
    };

    let new_code = move |_| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        problem.set(None);
        resent.set(false);
        let api = flow.api();
        spawn_local(async move {
            match api.send_passcode(&flow.token()).await {
                Ok(fresh) => {
                    sent.set(fresh);
                    busy.set(false);
                    resent.set(true);
                    if let Some(input) = input.get_untracked() {
                        input.set_value("");
                    }
                    focus_input();
                }
                Err(error) => match passcode_problem(&error) {
                    Some(p) => show(p),
                    None => flow.fail(&error),
                },
            }
        });
    };

    let problem_text = text(move |s, _| {
        problem.get().map_or_else(String::new, |p| match p {
            Problem::Missing => s.passcode_missing.to_owned(),
            Problem::Wrong(Some(0)) => format!("{} {}", s.passcode_wrong, s.passcode_used_up),
            Problem::Wrong(Some(1)) => format!("{} {}", s.passcode_wrong, s.tries_left_one),
            Problem::Wrong(Some(n)) => {
                format!(
                    "{} {}",
                    s.passcode_wrong,
                    fill(s.tries_left_other, &n.to_string())
                )
            }
            Problem::Wrong(None) => s.passcode_wrong.to_owned(),
            Problem::Expired => s.passcode_expired.to_owned(),
            Problem::RateLimited(secs) => fill(s.rate_limited, &minutes(secs)),
            Problem::Failed => s.something_failed.to_owned(),
        })
    });

    view! {
        <section class="card" data-testid="page-passcode">
            <h1>{tr(|s| s.passcode_title)}</h1>
            <p id="passcode-sent-to" data-testid="sent-to">
                {text(move |s, _| fill(s.passcode_sent_to, &sent.with(|sent| sent.sent_to_masked.clone())))}
            </p>
            <p class="hint">
                {text(move |s, _| fill(s.passcode_valid_for, &minutes(u64::from(sent.with(|sent| sent.valid_for_secs)))))}
            </p>
            <form class="passcode-form" on:submit=submit novalidate>
                <label for="passcode">{tr(|s| s.passcode_label)}</label>
                <input
                    id="passcode"
                    name="passcode"
                    type="text"
                    inputmode="numeric"
                    autocomplete="one-time-code"
                    spellcheck="false"
                    aria-describedby="passcode-hint passcode-sent-to passcode-error"
                    aria-invalid=move || problem.with(|p| if p.is_some() { "true" } else { "false" })
                    data-testid="passcode"
                    node_ref=input
                />
                <p id="passcode-hint" class="hint">{tr(|s| s.passcode_hint)}</p>
                <p id="passcode-error" class="error" role="alert" data-testid="passcode-error">
                    {problem_text}
                </p>
                <button type="submit" class="primary" data-testid="submit-passcode" disabled=busy>
                    {text(move |s, _| if busy.get() { s.checking } else { s.read_message }.to_owned())}
                </button>
            </form>
            <button type="button" class="secondary" data-testid="new-code" on:click=new_code disabled=busy>
                {tr(|s| s.send_new_code)}
            </button>
            <p role="status" data-testid="passcode-status">
                {text(move |s, _| if resent.get() { s.new_code_sent } else { "" }.to_owned())}
            </p>
        </section>
    }
}

/// Errors the passcode step keeps on the page; the rest (too many tries, a
/// revoked message …) end the journey on their own page.
fn passcode_problem(error: &ApiError) -> Option<Problem> {
    match error {
        ApiError::Unreachable => Some(Problem::Failed),
        ApiError::Api(body) => match body.code {
            ErrorCode::PasscodeWrong => Some(Problem::Wrong(body.tries_left)),
            ErrorCode::PasscodeExpired => Some(Problem::Expired),
            ErrorCode::RateLimited => {
                Some(Problem::RateLimited(body.retry_after_secs.unwrap_or(60)))
            }
            ErrorCode::InvalidRequest => Some(Problem::Wrong(None)),
            ErrorCode::Internal => Some(Problem::Failed),
            _ => None,
        },
    }
}
