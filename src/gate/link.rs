//! The link page: who sent what, how it is protected, and the button that
//! mails the recipient a one-time passcode.

use leptos::prelude::*;
use sealmail_api::recipient::LinkInfo;

use super::{Back, Journey, Problem, Request, on_click};
use crate::components::protection::ProtectionFacts;
use crate::components::{focus_when_mounted, mailbox, set_title};
use crate::i18n::fill;
use crate::i18n::format::date_time;
use crate::translate::{text, tr};

/// The first step. `back`: the recipient was reading and their session ran
/// out or they signed out, so they are asked for a new passcode with a word of
/// explanation.
#[component]
pub fn LinkPage(journey: Journey, info: LinkInfo, back: Option<Back>) -> impl IntoView {
    let heading = NodeRef::<leptos::html::H1>::new();
    focus_when_mounted(heading);
    set_title(|| tr(|s| s.protected_message).get().to_owned());

    let ask = journey.ask;
    let busy: Signal<bool> = ask.pending().into();
    let send = on_click(move |_| {
        if !busy.get_untracked() {
            ask.dispatch_local(Request::Passcode);
        }
    });
    let problem = move || {
        ask.value()
            .with(|answer| Problem::in_answer(answer.as_ref(), false))
    };

    let LinkInfo {
        sender,
        protection,
        expires_at,
        branding,
        ..
    } = info;
    let sender = mailbox(&sender);
    let button_text = branding.read_button_text;
    view! {
        <section class="card" data-testid="page-link">
            {branding.introduction_text.map(|text| view! { <p class="intro" data-testid="brand-intro">{text}</p> }.into_any())}
            <h1 tabindex="-1" node_ref=heading data-testid="page-link-title">{tr(|s| s.protected_message)}</h1>
            <p data-testid="sender">{text(move |s, _| fill(s.sent_you, &sender))}</p>
            <ProtectionFacts protection/>
            {expires_at.map(|at| view! {
                <p data-testid="expires">{text(move |s, lang| fill(s.expires, &date_time(&at, lang)))}</p>
            }.into_any())}
            {back.map(|back| {
                let (testid, said) = match back {
                    Back::SessionEnded => ("session-ended", tr(|s| s.session_ended)),
                    Back::SignedOut => ("signed-out", tr(|s| s.signed_out)),
                };
                view! { <p class="notice" role="status" data-testid=testid>{said}</p> }.into_any()
            })}
            <p>{tr(|s| s.passcode_intro)}</p>
            {branding.portal_text.map(|text| view! { <p class="portal-text">{text}</p> }.into_any())}
            <button type="button" class="primary" data-testid="send-passcode" disabled=busy on:click=send>
                {text(move |s, _| {
                    if busy.get() {
                        s.sending.to_owned()
                    } else {
                        button_text.clone().unwrap_or_else(|| s.send_passcode.to_owned())
                    }
                })}
            </button>
            <p class="error" role="alert" data-testid="link-error">
                {text(move |s, _| problem().map(|p| p.text(s)).unwrap_or_default())}
            </p>
        </section>
    }
}
