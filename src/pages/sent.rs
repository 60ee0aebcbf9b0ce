//! `/sent`: the sender's Sent list — newest first, searchable, a page at a
//! time — with "Remove external access" for a whole message or one recipient
//! (after a confirmation that says what will happen), and expiry changes.

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use sealmail_api::ErrorCode;
use sealmail_api::admin::{MessageState, RecipientState};
use sealmail_api::sender::{ExpiryChange, RevokeRequest, SentMessage, SentPage, SentQuery};

use crate::api::{Api, ApiError, use_api};
use crate::app::{Location, use_location};
use crate::components::paged_list::{PagedList, use_paged_list};
use crate::components::sent_row::SentRow;
use crate::components::staff::{ConfirmDialog, Staff, error_text, redirect_if_signed_out};
use crate::components::{focus_when_mounted, set_title};
use crate::i18n::{fill, text, tr};

/// The Sent page (signed-in senders).
#[component]
pub fn SentPage() -> impl IntoView {
    view! { <Staff><SentList/></Staff> }
}

/// A revoke waiting for its confirmation.
#[derive(Clone, Debug, PartialEq)]
pub struct Pending {
    pub id: String,
    pub subject: String,
    /// One recipient's address; `None`: the whole message.
    pub recipient: Option<String>,
}

/// What the page last did, announced in its status line.
#[derive(Clone, Copy, PartialEq)]
enum Notice {
    Revoked,
    AlreadyRevoked,
    ExpiryChanged,
}

/// The list's state and what can be done to it; rows get a copy.
#[derive(Clone, Copy)]
pub struct SentState {
    api: StoredValue<Api>,
    location: Location,
    list: PagedList<String, SentPage>,
    notice: RwSignal<Option<Notice>>,
    pending: RwSignal<Option<Pending>>,
    dialog_open: RwSignal<bool>,
    revoking: RwSignal<bool>,
    revoke_problem: RwSignal<Option<ApiError>>,
    /// An expiry change that failed: the message's id and why.
    pub row_problem: RwSignal<Option<(String, RowProblem)>>,
}

/// Why an expiry change did not happen.
#[derive(Clone, PartialEq)]
pub enum RowProblem {
    NotInFuture,
    Failed(ApiError),
}

impl SentState {
    /// Asks for a confirmation before revoking.
    pub fn ask_revoke(self, pending: Pending) {
        self.revoke_problem.set(None);
        self.pending.set(Some(pending));
        self.dialog_open.set(true);
    }

    fn confirm_revoke(self) {
        let Some(pending) = self.pending.get_untracked() else {
            return;
        };
        if self.revoking.get_untracked() {
            return;
        }
        self.revoking.set(true);
        self.revoke_problem.set(None);
        let api = self.api.get_value();
        spawn_local(async move {
            let request = RevokeRequest {
                recipient: pending.recipient.clone(),
            };
            let result = api.sender().revoke(&pending.id, request).await;
            self.revoking.set(false);
            match result {
                Ok(updated) => {
                    self.replace(updated);
                    self.done(&pending.id, Notice::Revoked);
                }
                Err(error) if error.code() == Some(ErrorCode::AlreadyRevoked) => {
                    // Someone (an administrator, another tab) was first: show it as revoked.
                    self.list.rows.update(|rows| {
                        if let Some(list) = rows
                            && let Some(message) = list.iter_mut().find(|m| m.id == pending.id)
                        {
                            mark_revoked(message, pending.recipient.as_deref());
                        }
                    });
                    self.done(&pending.id, Notice::AlreadyRevoked);
                }
                Err(error) => {
                    if !redirect_if_signed_out(self.location, &error) {
                        self.revoke_problem.set(Some(error));
                    }
                }
            }
        });
    }

    fn done(self, id: &str, notice: Notice) {
        self.dialog_open.set(false);
        self.pending.set(None);
        self.notice.set(Some(notice));
        focus_row(id.to_owned());
    }

    /// Changes a message's expiry (`date`: the value of a date input; empty: none).
    pub fn change_expiry(self, id: String, date: Option<String>) {
        let expires_at = match date {
            None => None,
            Some(date) => match crate::i18n::format::end_of_day(&date) {
                Some(at) if crate::i18n::format::is_future(&at) => Some(at),
                _ => {
                    self.row_problem.set(Some((id, RowProblem::NotInFuture)));
                    return;
                }
            },
        };
        self.row_problem.set(None);
        self.notice.set(None);
        let api = self.api.get_value();
        spawn_local(async move {
            match api
                .sender()
                .change_expiry(&id, ExpiryChange { expires_at })
                .await
            {
                Ok(updated) => {
                    self.replace(updated);
                    self.notice.set(Some(Notice::ExpiryChanged));
                }
                Err(error) => {
                    if !redirect_if_signed_out(self.location, &error) {
                        self.row_problem.set(Some((id, RowProblem::Failed(error))));
                    }
                }
            }
        });
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
    let state = SentState {
        api: StoredValue::new(use_api()),
        location: use_location(),
        list,
        notice: RwSignal::new(None),
        pending: RwSignal::new(None),
        dialog_open: RwSignal::new(false),
        revoking: RwSignal::new(false),
        revoke_problem: RwSignal::new(None),
        row_problem: RwSignal::new(None),
    };
    state.list.load(false);
    let heading = NodeRef::<leptos::html::H1>::new();
    focus_when_mounted(heading);
    let title = tr(|s| s.sent_title);
    set_title(move || title.get().to_owned());
    let search = NodeRef::<leptos::html::Input>::new();
    let on_search = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        state.list.query.set(
            search
                .get_untracked()
                .map(|i| i.value())
                .unwrap_or_default(),
        );
        state.notice.set(None);
        state.list.load(false);
    };

    let dialog_title = text(move |s, _| {
        state.pending.with(|p| match p {
            Some(Pending {
                recipient: Some(_), ..
            }) => s.confirm_recipient_title.to_owned(),
            _ => s.confirm_message_title.to_owned(),
        })
    });
    let dialog_body = text(move |s, _| {
        state.pending.with(|p| match p {
            None => String::new(),
            Some(Pending {
                subject,
                recipient: None,
                ..
            }) => fill(s.confirm_message_body, subject),
            Some(Pending {
                subject,
                recipient: Some(address),
                ..
            }) => fill(&fill(s.confirm_recipient_body, address), subject),
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
                {text(move |s, _| match state.notice.get() {
                    Some(Notice::Revoked) => s.revoked_done.to_owned(),
                    Some(Notice::AlreadyRevoked) => s.already_revoked.to_owned(),
                    Some(Notice::ExpiryChanged) => s.expiry_changed.to_owned(),
                    None => String::new(),
                })}
            </p>
            <p class="error" role="alert" data-testid="sent-error">
                {text(move |s, _| state.list.problem.with(|p| p.as_ref().map(|e| error_text(s, e)).unwrap_or_default()))}
            </p>
            <ul class="sent-list" data-testid="sent-list">
                {move || state.list.rows.get().unwrap_or_default().into_iter().map(|message| view! { <SentRow message state/> }).collect_view()}
            </ul>
            {move || (!state.list.busy.get() && state.list.rows.with(|r| r.as_ref().is_none_or(Vec::is_empty)) && state.list.problem.with(Option::is_none)).then(|| view! {
                <p data-testid="sent-empty">{tr(|s| s.sent_empty)}</p>
            })}
            {move || state.list.busy.get().then(|| view! {
                <p class="loading" role="status" data-testid="loading">{tr(|s| s.loading)}</p>
            })}
            {move || state.list.can_load_more().then(|| view! {
                <button type="button" class="secondary" data-testid="sent-more" on:click=move |_| state.list.load(true)>
                    {tr(|s| s.load_more)}
                </button>
            })}
            <ConfirmDialog
                open=state.dialog_open
                title=dialog_title
                body=dialog_body
                confirm=tr(|s| s.remove_access)
                busy=state.revoking
                error=text(move |s, _| state.revoke_problem.with(|p| p.as_ref().map(|e| error_text(s, e)).unwrap_or_default()))
                on_confirm=move || state.confirm_revoke()
            />
        </section>
    }
}
