//! A message's recipients with their state and delivery, and what can still
//! be done for each: shared by the Sent list and the administrator's status
//! page.

use leptos::prelude::*;
use sealmail_api::admin::{Delivery, RecipientKind, RecipientState, RecipientStatus};

use crate::components::mailbox;
use crate::i18n::format::date_time;
use crate::i18n::{Strings, fill};
use crate::translate::{text, tr};

/// A recipient's state in words (`"Opened 23 November 2026 at 10:30"`).
pub fn recipient_state(s: &Strings, status: &RecipientStatus, lang: crate::i18n::Lang) -> String {
    match status.state {
        RecipientState::Sent => s.state_sent.to_owned(),
        RecipientState::Opened => match &status.opened_at {
            Some(at) => fill(s.state_opened_at, &date_time(at, lang)),
            None => s.state_opened.to_owned(),
        },
        RecipientState::Revoked => s.state_revoked.to_owned(),
        RecipientState::Expired => s.state_expired.to_owned(),
    }
}

/// Where a recipient's notification mail stands, in words.
pub fn delivery_state(s: &Strings, delivery: &Delivery, lang: crate::i18n::Lang) -> String {
    match delivery {
        Delivery::Queued => s.delivery_queued.to_owned(),
        Delivery::Sent { at } => fill(s.delivery_sent_at, &date_time(at, lang)),
        Delivery::Deferred { last_error, .. } => fill(s.delivery_deferred, last_error),
        Delivery::Bounced { reason, .. } => fill(s.delivery_bounced, reason),
        Delivery::Cancelled { .. } => s.delivery_cancelled.to_owned(),
        Delivery::GaveUp { last_error, .. } => fill(s.delivery_gave_up, last_error),
    }
}

/// The recipients and their states; `revoke`: offer "Remove external access",
/// and `resend`: "Send a new link", per recipient who still has access.
#[component]
pub fn RecipientList(
    recipients: Vec<RecipientStatus>,
    revoke: Option<Callback<String>>,
    resend: Option<Callback<String>>,
) -> impl IntoView {
    recipients
        .into_iter()
        .map(|status| {
            let address = status.recipient.address.clone();
            let shown = mailbox(&status.recipient);
            let has_access = matches!(status.state, RecipientState::Sent | RecipientState::Opened);
            let state_class = match status.state {
                RecipientState::Sent => "state state-sent",
                RecipientState::Opened => "state state-opened",
                RecipientState::Revoked => "state state-revoked",
                RecipientState::Expired => "state state-expired",
            };
            let delivery = status.delivery.clone().map(|delivery| {
                let class = match delivery {
                    Delivery::Bounced { .. } | Delivery::GaveUp { .. } => "meta delivery delivery-failed",
                    _ => "meta delivery",
                };
                view! {
                    <span class=class data-testid="recipient-delivery">
                        {text(move |s, lang| delivery_state(s, &delivery, lang))}
                    </span>
                }
            });
            let label_address = address.clone();
            let data_address = address.clone();
            let (resend_address, resend_label) = (address.clone(), address.clone());
            view! {
                <li data-testid="recipient" data-address=data_address>
                    <span class="recipient-name">
                        {(status.kind == RecipientKind::Cc).then(|| view! { <span class="meta">{tr(|s| s.cc)} ": "</span> })}
                        {shown}
                    </span>
                    <span class=state_class data-testid="recipient-state">
                        {text(move |s, lang| recipient_state(s, &status, lang))}
                    </span>
                    {delivery}
                    {resend.filter(|_| has_access).map(|resend| view! {
                        <button
                            type="button"
                            class="link-button"
                            aria-label=text(move |s, _| fill(s.resend_link_for, &resend_label))
                            data-testid="resend-recipient"
                            on:click=move |_| resend.run(resend_address.clone())
                        >
                            {tr(|s| s.resend_link)}
                        </button>
                    })}
                    {revoke.filter(|_| has_access).map(|revoke| view! {
                        <button
                            type="button"
                            class="link-button danger-text"
                            aria-label=text(move |s, _| fill(s.remove_access_for, &label_address))
                            data-testid="revoke-recipient"
                            on:click=move |_| revoke.run(address.clone())
                        >
                            {tr(|s| s.remove_access)}
                        </button>
                    })}
                </li>
            }
        })
        .collect_view()
}
