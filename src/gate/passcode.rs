//! The passcode step: where the code went, the field to type it in, and what
//! to do when it is wrong or has expired.

use leptos::prelude::*;

use super::{Journey, Problem, Request, on_click};
use crate::components::set_title;
use crate::effect::effect;
use crate::i18n::fill;
use crate::i18n::format::minutes;
use crate::translate::{text, tr};

/// Asks for the passcode that was mailed (to the masked address the server
/// gave).
#[component]
pub fn PasscodePage(journey: Journey) -> impl IntoView {
    let Journey { resend, open, .. } = journey;
    let busy = Signal::derive(move || journey.busy());
    // Nothing typed: said without asking the server.
    let missing = RwSignal::new(false);
    let input = NodeRef::<leptos::html::Input>::new();
    set_title(|| tr(|s| s.passcode_title).get().to_owned());

    // The problem of the last answer: each request clears the other's, so a
    // new code does not come with the last wrong passcode's words.
    let problem = move || {
        if missing.get() {
            return Some(Problem::Missing);
        }
        open.value()
            .with(|answer| Problem::in_answer(answer.as_ref(), true))
            .or_else(|| {
                resend
                    .value()
                    .with(|answer| Problem::in_answer(answer.as_ref(), true))
            })
    };
    let resent = move || resend.value().with(|answer| matches!(answer, Some(Ok(_))));

    // The field takes focus when the step opens and after each answer; a
    // refused passcode and one replaced by a new code are cleared for
    // retyping, and a problem selects what is left to retype.
    effect(move || {
        let (_, _) = (open.version().get(), resend.version().get());
        missing.track();
        let Some(field) = input.get() else { return };
        let refused = open.value().with_untracked(|a| matches!(a, Some(Err(_))));
        if refused || resend.value().with_untracked(|a| matches!(a, Some(Ok(_)))) {
            field.set_value("");
        }
        let _ = field.focus();
        if untrack(problem).is_some() {
            field.select();
        }
    });

    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if busy.get_untracked() {
            return;
        }
        // Pasted codes often carry spaces or dashes ("1234 5678"): drop them.
        let typed = input.get_untracked().map(|i| i.value()).unwrap_or_default();
        let passcode: String = typed
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        resend.clear();
        open.clear();
        if passcode.is_empty() {
            missing.set(true);
        } else {
            missing.set(false);
            open.dispatch_local(Request::Session(passcode));
        }
    };
    let new_code = on_click(move |_| {
        if !busy.get_untracked() {
            missing.set(false);
            open.clear();
            resend.clear();
            resend.dispatch_local(Request::Passcode);
        }
    });

    // Where the passcode went and for how long it holds: the server says the
    // same for every code of a link (its recipient, its fixed lifetime), so
    // the first code's answer serves while a later request's is cleared.
    let sent = move || journey.sent(resend).or_else(|| journey.sent(journey.ask));
    let sent_to = text(move |s, _| {
        let masked = sent().map(|sent| sent.sent_to_masked);
        fill(s.passcode_sent_to, &masked.unwrap_or_default())
    });
    let valid_for = text(move |s, _| {
        let secs = sent().map_or(0, |sent| sent.valid_for_secs);
        fill(s.passcode_valid_for, &minutes(u64::from(secs)))
    });
    view! {
        <section class="card" data-testid="page-passcode">
            <h1>{tr(|s| s.passcode_title)}</h1>
            <p id="passcode-sent-to" data-testid="sent-to">{sent_to}</p>
            <p class="hint">{valid_for}</p>
            <form class="passcode-form" on:submit=submit>
                <label for="passcode">{tr(|s| s.passcode_label)}</label>
                <input
                    id="passcode"
                    type="text"
                    inputmode="numeric"
                    autocomplete="one-time-code"
                    aria-describedby="passcode-hint passcode-sent-to passcode-error"
                    aria-invalid=move || if problem().is_some() { "true" } else { "false" }
                    data-testid="passcode"
                    node_ref=input
                />
                <p id="passcode-hint" class="hint">{tr(|s| s.passcode_hint)}</p>
                <p id="passcode-error" class="error" role="alert" data-testid="passcode-error">
                    {text(move |s, _| problem().map(|p| p.text(s)).unwrap_or_default())}
                </p>
                <button type="submit" class="primary" data-testid="submit-passcode" disabled=busy>
                    {text(move |s, _| if busy.get() { s.checking } else { s.read_message }.to_owned())}
                </button>
            </form>
            <button type="button" class="secondary" data-testid="new-code" disabled=busy on:click=new_code>
                {tr(|s| s.send_new_code)}
            </button>
            <p role="status" data-testid="passcode-status">
                {text(move |s, _| if resent() { s.new_code_sent } else { "" }.to_owned())}
            </p>
        </section>
    }
}
