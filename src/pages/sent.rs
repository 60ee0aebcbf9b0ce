//! `/sent`: the sender's Sent list — newest first, searchable, a page at a
//! time — with "Remove external access" for a whole message or one recipient,
//! "Send a new link" to one recipient (each after a confirmation that says
//! what will happen), and expiry changes.

use std::time::Duration;

use leptos::prelude::*;
use sealmail_api::admin::{MessageState, RecipientState};
use sealmail_api::sender::{
    ExpiryChange, ResendRequest, RevokeRequest, SentMessage, SentPage, SentQuery,
};
use sealmail_api::{ErrorCode, Timestamp};

use crate::api::{Api, ApiError, use_api};
use crate::components::change_confirm::{Change, ChangeConfirm};
use crate::components::paged_list::{PagedList, use_paged_list};
use crate::components::sent_row::SentRow;
use crate::components::staff::{Staff, error_text, redirect_if_signed_out};
use crate::components::{focus_when_mounted, set_title};
use crate::context::{Here, use_here};
use crate::i18n::{fill, text, tr};

/// The Sent page (signed-in senders).
#[component]
pub fn SentPage() -> impl IntoView {
    view! { <Staff><SentList/></Staff> }
}

/// A change to a message waiting for its confirmation.
#[derive(Clone, Debug, PartialEq)]
pub struct Pending {
    pub id: String,
    pub subject: String,
    pub change: Change,
}

/// What the page last did, announced in its status line.
#[derive(Clone, PartialEq)]
enum Notice {
    Revoked,
    AlreadyRevoked,
    /// A new link went to this address.
    Resent(String),
    ExpiryChanged,
}

/// The list's state and what can be done to it; rows get a copy.
#[derive(Clone, Copy)]
pub struct SentState {
    shown: Shown,
    /// Carries out a confirmed change; its value says why it failed, if it did.
    confirm: Action<Pending, Result<(), ApiError>>,
    /// Changes a message's expiry; its value says which message's change
    /// failed, and why.
    expiry: Action<ExpiryAsked, Result<(), (String, ApiError)>>,
}

/// A message's id and the expiry asked for it (`None`: never).
type ExpiryAsked = (String, Option<Timestamp>);

/// The list and what the page says about it.
#[derive(Clone, Copy)]
struct Shown {
    api: StoredValue<Api>,
    here: Here,
    list: PagedList<String, SentPage>,
    notice: RwSignal<Option<Notice>>,
    pending: RwSignal<Option<Pending>>,
    dialog_open: RwSignal<bool>,
    /// The message whose chosen expiry date is not in the future.
    not_in_future: RwSignal<Option<String>>,
}

/// Why an expiry change did not happen.
#[derive(Clone, PartialEq)]
pub enum RowProblem {
    NotInFuture,
    Failed(ApiError),
}

impl SentState {
    /// Asks for a confirmation before changing a message.
    pub fn ask(self, pending: Pending) {
        self.confirm.value().set(None);
        self.shown.pending.set(Some(pending));
        self.shown.dialog_open.set(true);
    }

    fn confirmed(self) {
        if let Some(pending) = self.shown.pending.get_untracked()
            && !self.confirm.pending().get_untracked()
        {
            self.confirm.dispatch(pending);
        }
    }

    /// Changes a message's expiry (`date`: the value of a date input; empty: none).
    pub fn change_expiry(self, id: String, date: Option<String>) {
        self.expiry.value().set(None);
        self.shown.not_in_future.set(None);
        let expires_at = match date {
            None => None,
            Some(date) => match crate::i18n::format::end_of_day(&date) {
                Some(at) if crate::i18n::format::is_future(&at) => Some(at),
                _ => {
                    self.shown.not_in_future.set(Some(id));
                    return;
                }
            },
        };
        self.shown.notice.set(None);
        self.expiry.dispatch((id, expires_at));
    }

    /// Why message `id`'s expiry did not change, if it did not (tracked).
    pub fn row_problem(self, id: &str) -> Option<RowProblem> {
        if self.shown.not_in_future.with(|m| m.as_deref() == Some(id)) {
            return Some(RowProblem::NotInFuture);
        }
        self.expiry.value().with(|v| match v {
            Some(Err((failed, error))) if failed == id => Some(RowProblem::Failed(error.clone())),
            _ => None,
        })
    }
}

impl Shown {
    /// Carries out a confirmed change and shows what it did.
    async fn carry_out(self, pending: Pending) -> Result<(), ApiError> {
        let api = self.api.get_value();
        let result = match &pending.change {
            Change::Revoke(recipient) => {
                let request = RevokeRequest {
                    recipient: recipient.clone(),
                };
                api.sender()
                    .revoke(&pending.id, request)
                    .await
                    .map(|updated| (updated, Notice::Revoked))
            }
            Change::Resend(recipient) => {
                let request = ResendRequest {
                    recipient: recipient.clone(),
                };
                api.sender()
                    .resend(&pending.id, request)
                    .await
                    .map(|updated| (updated, Notice::Resent(recipient.clone())))
            }
        };
        match result {
            Ok((updated, notice)) => {
                self.replace(updated);
                self.done(&pending.id, notice);
                Ok(())
            }
            Err(error) if error.code() == Some(ErrorCode::AlreadyRevoked) => {
                // Someone (an administrator, another tab) was first: show it as revoked.
                self.list.rows.update(|rows| {
                    if let Some(list) = rows
                        && let Some(message) = list.iter_mut().find(|m| m.id == pending.id)
                    {
                        mark_revoked(message, pending.change.recipient());
                    }
                });
                self.done(&pending.id, Notice::AlreadyRevoked);
                Ok(())
            }
            Err(error) => {
                redirect_if_signed_out(self.here, &error);
                Err(error)
            }
        }
    }

    fn done(self, id: &str, notice: Notice) {
        self.dialog_open.set(false);
        self.pending.set(None);
        self.notice.set(Some(notice));
        focus_row(id.to_owned());
    }

    async fn change_expiry(
        self,
        id: String,
        expires_at: Option<Timestamp>,
    ) -> Result<(), (String, ApiError)> {
        let change = ExpiryChange { expires_at };
        match self
            .api
            .get_value()
            .sender()
            .change_expiry(&id, change)
            .await
        {
            Ok(updated) => {
                self.replace(updated);
                self.notice.set(Some(Notice::ExpiryChanged));
                Ok(())
            }
            Err(error) => {
                redirect_if_signed_out(self.here, &error);
                Err((id, error))
            }
        }
    }

    fn replace(self, updated: SentMessage) {
        self.list.rows.update(|rows| {
            if let Some(list) = rows
                && let Some(message) = list.iter_mut().find(|m| m.id == updated.id)
            {
                *message = updated;
            }
        });
    }
}

/// What a revoke did, as the list shows it, for when the server said it was
/// done already (`already_revoked` carries no message).
fn mark_revoked(message: &mut SentMessage, recipient: Option<&str>) {
    for status in &mut message.recipients {
        if recipient.is_none_or(|address| status.recipient.address == address) {
            status.state = RecipientState::Revoked;
        }
    }
    if recipient.is_none() {
        message.state = MessageState::Revoked;
        message.is_revocable = false;
    }
}

/// Focuses a row's heading once the list has re-rendered.
fn focus_row(id: String) {
    set_timeout(
        move || {
            if let Some(heading) = document().get_element_by_id(&row_heading_id(&id)) {
                use wasm_bindgen::JsCast;
                let _ = heading.unchecked_into::<web_sys::HtmlElement>().focus();
            }
        },
        Duration::from_millis(0),
    );
}

/// The id of a row's heading.
pub fn row_heading_id(id: &str) -> String {
    format!("sent-{id}")
}

#[component]
fn SentList() -> impl IntoView {
    let list = use_paged_list(String::new(), |api, q, cursor| {
        api.sent(SentQuery {
            q: (!q.trim().is_empty()).then(|| q.trim().to_owned()),
            cursor,
            limit: None,
        })
    })
    // After "load more", keyboard users continue at the first new message.
    .on_more(|first: &SentMessage| focus_row(first.id.clone()));
    let shown = Shown {
        api: StoredValue::new(use_api()),
        here: use_here(),
        list,
        notice: RwSignal::new(None),
        pending: RwSignal::new(None),
        dialog_open: RwSignal::new(false),
        not_in_future: RwSignal::new(None),
    };
    let state = SentState {
        shown,
        confirm: Action::new_unsync(move |pending: &Pending| shown.carry_out(pending.clone())),
        expiry: Action::new_unsync(move |(id, at): &ExpiryAsked| {
            shown.change_expiry(id.clone(), at.clone())
        }),
    };
    state.shown.list.load(false);
    let heading = NodeRef::<leptos::html::H1>::new();
    focus_when_mounted(heading);
    let title = tr(|s| s.sent_title);
    set_title(move || title.get().to_owned());
    let search = NodeRef::<leptos::html::Input>::new();
    let on_search = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        state.shown.list.query.set(
            search
                .get_untracked()
                .map(|i| i.value())
                .unwrap_or_default(),
        );
        state.shown.notice.set(None);
        state.shown.list.load(false);
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
                {text(move |s, _| state.shown.list.problem.with(|p| p.as_ref().map(|e| error_text(s, e)).unwrap_or_default()))}
            </p>
            <ul class="sent-list" data-testid="sent-list">
                // Keyed by the whole message: a row is drawn again only when it
                // changed, and "show more" leaves the rows above alone.
                <For
                    each=move || state.shown.list.rows.get().unwrap_or_default()
                    key=|message| message.clone()
                    children=move |message| view! { <SentRow message state/> }
                />
            </ul>
            {move || (!state.shown.list.busy.get() && state.shown.list.rows.with(|r| r.as_ref().is_none_or(Vec::is_empty)) && state.shown.list.problem.with(Option::is_none)).then(|| view! {
                <p data-testid="sent-empty">{tr(|s| s.sent_empty)}</p>
            })}
            {move || state.shown.list.busy.get().then(|| view! {
                <p class="loading" role="status" data-testid="loading">{tr(|s| s.loading)}</p>
            })}
            {move || state.shown.list.can_load_more().then(|| view! {
                <button type="button" class="secondary" data-testid="sent-more" on:click=move |_| state.shown.list.load(true)>
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
