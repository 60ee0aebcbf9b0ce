//! One message of the Sent list: subject, when, protection, expiry, each
//! recipient's state, replies, and what can still be done to it.

use super::state::{Pending, RowProblem, SentState, row_heading_id};
use crate::components::change_confirm::Change;
use crate::components::mailbox;
use crate::components::recipient_list::RecipientList;
use crate::components::staff::error_text;
use crate::i18n::fill;
use crate::i18n::format::{date_input_value, date_time};
use crate::translate::{text, tr};
use leptos::prelude::*;
use sealmail_api::Protection;
use sealmail_api::admin::MessageState;
use sealmail_api::sender::SentMessage;

/// A row of the Sent list.
#[component]
pub fn SentRow(message: SentMessage, state: SentState) -> impl IntoView {
    let id = message.id.clone();
    let heading_id = row_heading_id(&id);
    let active = message.state == MessageState::Active;
    let revocable = message.is_revocable;
    let subject = message.subject.clone();
    let sent_at = message.sent_at.clone();
    let datetime = sent_at.0.clone();
    let expires = message.expires_at.clone();
    let protection = match message.protection {
        Protection::EncryptOnly => tr(|s| s.encrypt_only),
        Protection::DoNotForward => tr(|s| s.do_not_forward),
    };
    let message_state = message.state;

    let (rid, rsubject) = (id.clone(), subject.clone());
    let revoke_one = Callback::new(move |address: String| {
        state.ask(Pending {
            id: rid.clone(),
            subject: rsubject.clone(),
            change: Change::Revoke(Some(address)),
        })
    });
    let (nid, nsubject) = (id.clone(), subject.clone());
    let resend_one = Callback::new(move |address: String| {
        state.ask(Pending {
            id: nid.clone(),
            subject: nsubject.clone(),
            change: Change::Resend(address),
        })
    });
    let (mid, msubject) = (id.clone(), subject.clone());
    let revoke_all = move |_| {
        state.ask(Pending {
            id: mid.clone(),
            subject: msubject.clone(),
            change: Change::Revoke(None),
        })
    };

    let expiry_input = NodeRef::<leptos::html::Input>::new();
    let input_id = format!("expiry-{id}");
    let error_id = format!("expiry-error-{id}");
    let (sid, xid) = (id.clone(), id.clone());
    let save_expiry = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let value = expiry_input
            .get_untracked()
            .map(|i| i.value())
            .unwrap_or_default();
        state.change_expiry(sid.clone(), Some(value));
    };
    let remove_expiry = move |_| state.change_expiry(xid.clone(), None);
    let pid = id.clone();
    let row_error = text(move |s, _| match state.row_problem(&pid) {
        Some(RowProblem::NotInFuture) => s.expiry_not_future.to_owned(),
        Some(RowProblem::Failed(error)) => error_text(s, &error),
        None => String::new(),
    });
    let has_expiry = expires.is_some();
    let current_date = expires.as_ref().map(date_input_value).unwrap_or_default();

    view! {
        <li class="sent-row" class:revoked=!active data-testid="sent-row" data-id=id.clone()>
            <h2 id=heading_id tabindex="-1" data-testid="sent-subject">{subject}</h2>
            <p class="meta">
                <time datetime=datetime data-testid="sent-at">{text(move |_, lang| date_time(&sent_at, lang))}</time>
                " · " {protection} " · "
                <span data-testid="sent-expiry">
                    {text(move |s, lang| match &expires {
                        Some(at) => fill(s.expires, &date_time(at, lang)),
                        None => s.no_expiry.to_owned(),
                    })}
                </span>
            </p>
            <p class="message-state" data-testid="message-state">
                {text(move |s, _| match message_state {
                    MessageState::Active => String::new(),
                    MessageState::Revoked => s.message_revoked.to_owned(),
                    MessageState::Expired => s.message_expired.to_owned(),
                })}
            </p>
            <h3 class="visually-hidden">{tr(|s| s.recipients)}</h3>
            <ul class="recipients">
                <RecipientList
                    recipients=message.recipients.clone()
                    revoke=revocable.then_some(revoke_one)
                    resend=active.then_some(resend_one)
                />
            </ul>
            {(!message.replies.is_empty()).then(|| {
                let replies = message.replies.clone();
                view! {
                    <h3 class="small-heading">{tr(|s| s.replies)}</h3>
                    <ul class="replies" data-testid="replies">
                        {replies.into_iter().map(|reply| {
                            let from = mailbox(&reply.from);
                            let at = reply.sent_at.clone();
                            let datetime = at.0.clone();
                            view! {
                                <li data-testid="reply">
                                    {reply.subject.clone()} " — " {from} " · "
                                    <time datetime=datetime>{text(move |_, lang| date_time(&at, lang))}</time>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }
            })}
            <p class="meta message-id">{tr(|s| s.message_id)} ": " <code data-testid="sent-message-id">{message.message_id.clone()}</code></p>
            {active.then(|| view! {
                <form class="expiry-form" on:submit=save_expiry novalidate>
                    <label for=input_id.clone()>{tr(|s| s.expiry_date)}</label>
                    <div class="inline">
                        <input
                            id=input_id
                            type="date"
                            value=current_date
                            aria-describedby=error_id.clone()
                            node_ref=expiry_input
                            data-testid="expiry-date"
                        />
                        <button type="submit" class="secondary" data-testid="expiry-save">{tr(|s| s.change_expiry)}</button>
                        {has_expiry.then(|| view! {
                            <button type="button" class="secondary" data-testid="expiry-remove" on:click=remove_expiry>
                                {tr(|s| s.remove_expiry)}
                            </button>
                        })}
                    </div>
                    <p id=error_id class="error" role="alert" data-testid="expiry-error">{row_error}</p>
                </form>
            })}
            {revocable.then(|| view! {
                <button type="button" class="danger" data-testid="revoke-message" on:click=revoke_all>
                    {tr(|s| s.remove_access)}
                </button>
            })}
        </li>
    }
}
