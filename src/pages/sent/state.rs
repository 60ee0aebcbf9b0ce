//! The Sent list's state: the rows shown, the change waiting for its
//! confirmation, what the page last did, and the actions that change a message.

use crate::api::{Api, ApiError, use_api};
use crate::components::change_confirm::Change;
use crate::components::paged_list::PagedList;
use crate::components::staff::redirect_if_signed_out;
use crate::context::{Here, use_here};
use leptos::prelude::*;
use sealmail_api::admin::{MessageState, RecipientState};
use sealmail_api::sender::{ExpiryChange, ResendRequest, RevokeRequest, SentMessage, SentPage};
use sealmail_api::{ErrorCode, Timestamp};
use std::time::Duration;

/// A change to a message waiting for its confirmation.
#[derive(Clone, Debug, PartialEq)]
pub struct Pending {
    pub id: String,
    pub subject: String,
    pub change: Change,
}

/// What the page last did, announced in its status line.
#[derive(Clone, PartialEq)]
pub(super) enum Notice {
    Revoked,
    AlreadyRevoked,
    /// A new link went to this address.
    Resent(String),
    ExpiryChanged,
}

/// The list's state and what can be done to it; rows get a copy.
#[derive(Clone, Copy)]
pub struct SentState {
    pub(super) shown: Shown,
    /// Carries out a confirmed change; its value says why it failed, if it did.
    pub(super) confirm: Action<Pending, Result<(), ApiError>>,
    /// Changes a message's expiry; its value says which message's change
    /// failed, and why.
    pub(super) expiry: Action<ExpiryAsked, Result<(), (String, ApiError)>>,
}

/// A message's id and the expiry asked for it (`None`: never).
pub(super) type ExpiryAsked = (String, Option<Timestamp>);

/// The list and what the page says about it.
#[derive(Clone, Copy)]
pub(super) struct Shown {
    pub(super) api: StoredValue<Api>,
    pub(super) here: Here,
    pub(super) list: PagedList<String, SentPage>,
    pub(super) notice: RwSignal<Option<Notice>>,
    pub(super) pending: RwSignal<Option<Pending>>,
    pub(super) dialog_open: RwSignal<bool>,
    /// The message whose chosen expiry date is not in the future.
    pub(super) not_in_future: RwSignal<Option<String>>,
}

/// Why an expiry change did not happen.
#[derive(Clone, PartialEq)]
pub enum RowProblem {
    NotInFuture,
    Failed(ApiError),
}

impl SentState {
    /// The state of a Sent list showing `list`, its actions ready.
    pub(super) fn new(list: PagedList<String, SentPage>) -> SentState {
        let shown = Shown {
            api: StoredValue::new(use_api()),
            here: use_here(),
            list,
            notice: RwSignal::new(None),
            pending: RwSignal::new(None),
            dialog_open: RwSignal::new(false),
            not_in_future: RwSignal::new(None),
        };
        SentState {
            shown,
            confirm: Action::new_unsync(move |pending: &Pending| shown.carry_out(pending.clone())),
            expiry: Action::new_unsync(move |(id, at): &ExpiryAsked| {
                shown.change_expiry(id.clone(), at.clone())
            }),
        }
    }

    /// Asks for a confirmation before changing a message.
    pub fn ask(self, pending: Pending) {
        self.confirm.value().set(None);
        self.shown.pending.set(Some(pending));
        self.shown.dialog_open.set(true);
    }

    pub(super) fn confirmed(self) {
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
                self.list.update_rows(|rows| {
                    if let Some(message) = rows.iter_mut().find(|m| m.id == pending.id) {
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
        self.list.update_rows(|rows| {
            if let Some(message) = rows.iter_mut().find(|m| m.id == updated.id) {
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
pub(super) fn focus_row(id: String) {
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
