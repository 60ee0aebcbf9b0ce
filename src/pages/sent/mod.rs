//! `/sent`: the sender's Sent list — newest first, searchable, a page at a
//! time — with "Remove external access" for a whole message or one recipient,
//! "Send a new link" to one recipient (each after a confirmation that says
//! what will happen), and expiry changes.

mod row;
mod state;

use row::SentRow;
use state::{Notice, SentState, focus_row};

use leptos::prelude::*;
use sealmail_api::sender::{SentMessage, SentQuery};

use crate::components::change_confirm::ChangeConfirm;
use crate::components::paged_list::use_paged_list;
use crate::components::staff::{Staff, error_text};
use crate::components::{focus_when_mounted, set_title};
use crate::i18n::fill;
use crate::translate::{text, tr};

/// The Sent page (signed-in senders).
#[component]
pub fn SentPage() -> impl IntoView {
    view! { <Staff><SentList/></Staff> }
}

#[component]
fn SentList() -> impl IntoView {
    let list = use_paged_list(Some(String::new()), |api, q, cursor| {
        api.sent(SentQuery {
            q: (!q.trim().is_empty()).then(|| q.trim().to_owned()),
            cursor,
            limit: None,
        })
    })
    // After "load more", keyboard users continue at the first new message.
    .on_more(|first: &SentMessage| focus_row(first.id.clone()));
    let state = SentState::new(list);
    let heading = NodeRef::<leptos::html::H1>::new();
    focus_when_mounted(heading);
    let title = tr(|s| s.sent_title);
    set_title(move || title.get().to_owned());
    let search = NodeRef::<leptos::html::Input>::new();
    let on_search = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        state.shown.notice.set(None);
        state.shown.list.search(
            search
                .get_untracked()
                .map(|i| i.value())
                .unwrap_or_default(),
        );
    };

    let confirm_problem = text(move |s, _| {
        state.confirm.value().with(|v| match v {
            Some(Err(error)) => error_text(s, error),
            _ => String::new(),
        })
    });

    view! {
        <section class="card" data-testid="page-sent">
            <h1 tabindex="-1" node_ref=heading>{tr(|s| s.sent_title)}</h1>
            <form class="search" role="search" on:submit=on_search>
                <label for="sent-search">{tr(|s| s.search_label)}</label>
                <div class="inline">
                    <input id="sent-search" type="search" node_ref=search data-testid="sent-search"/>
                    <button type="submit" class="secondary" data-testid="sent-search-submit">{tr(|s| s.search)}</button>
                </div>
            </form>
            <p role="status" class="status" data-testid="sent-status">
                {text(move |s, _| state.shown.notice.with(|notice| match notice {
                    Some(Notice::Revoked) => s.revoked_done.to_owned(),
                    Some(Notice::AlreadyRevoked) => s.already_revoked.to_owned(),
                    Some(Notice::Resent(address)) => fill(s.resend_done, address),
                    Some(Notice::ExpiryChanged) => s.expiry_changed.to_owned(),
                    None => String::new(),
                }))}
            </p>
            <p class="error" role="alert" data-testid="sent-error">
                {text(move |s, _| state.shown.list.problem().map(|e| error_text(s, &e)).unwrap_or_default())}
            </p>
            <Transition set_pending=state.shown.list.loading>
                <ul class="sent-list" data-testid="sent-list">
                    // Keyed by the whole message: a row is drawn again only when it
                    // changed, and "show more" leaves the rows above alone.
                    <For
                        each=move || state.shown.list.rows().unwrap_or_default()
                        key=|message| message.clone()
                        children=move |message| view! { <SentRow message state/> }
                    />
                </ul>
            </Transition>
            {move || (!state.shown.list.busy() && state.shown.list.is_empty()).then(|| view! {
                <p data-testid="sent-empty">{tr(|s| s.sent_empty)}</p>
            })}
            {move || state.shown.list.busy().then(|| view! {
                <p class="loading" role="status" data-testid="loading">{tr(|s| s.loading)}</p>
            })}
            {move || state.shown.list.can_load_more().then(|| view! {
                <button type="button" class="secondary" data-testid="sent-more" on:click=move |_| state.shown.list.load_more()>
                    {tr(|s| s.load_more)}
                </button>
            })}
            <ChangeConfirm
                open=state.shown.dialog_open
                change=Signal::derive(move || state.shown.pending.with(|p| p.as_ref().map(|p| p.change.clone())))
                subject=Signal::derive(move || state.shown.pending.with(|p| p.as_ref().map(|p| p.subject.clone()).unwrap_or_default()))
                busy=state.confirm.pending()
                error=confirm_problem
                on_confirm=move || state.confirmed()
            />
        </section>
    }
}
