//! The confirmation before changing who can read a message — "Remove
//! external access" for everyone or for one recipient, "Send a new link" to
//! one recipient — shared by the Sent view and the admin status page, so both
//! say the same thing about what will happen.

use leptos::prelude::*;

use crate::components::staff::ConfirmDialog;
use crate::i18n::fill;
use crate::translate::{text, use_i18n};

/// What a confirmation is for.
#[derive(Clone, Debug, PartialEq)]
pub enum Change {
    /// "Remove external access": one recipient's (their address), or
    /// everyone's (`None`).
    Revoke(Option<String>),
    /// Mail this recipient a new link; their old one stops working.
    Resend(String),
}

impl Change {
    /// The recipient it is about; `None`: every recipient.
    pub fn recipient(&self) -> Option<&str> {
        match self {
            Change::Revoke(recipient) => recipient.as_deref(),
            Change::Resend(recipient) => Some(recipient),
        }
    }
}

/// The dialog for `change` to the message titled `subject`; `admin`: in the
/// administrator's words ("Revoke message") for the whole message.
#[component]
pub fn ChangeConfirm(
    /// Opens and closes the dialog.
    open: RwSignal<bool>,
    #[prop(into)] change: Signal<Option<Change>>,
    #[prop(into)] subject: Signal<String>,
    #[prop(into)] busy: Signal<bool>,
    /// Why the last try failed, if it did.
    #[prop(into)]
    error: Signal<String>,
    #[prop(optional)] admin: bool,
    on_confirm: impl Fn() + 'static,
) -> impl IntoView {
    let title = text(move |s, _| {
        change
            .with(|c| match c {
                Some(Change::Revoke(Some(_))) => s.confirm_recipient_title,
                Some(Change::Resend(_)) => s.confirm_resend_title,
                _ if admin => s.revoke_message,
                _ => s.confirm_message_title,
            })
            .to_owned()
    });
    let body = text(move |s, _| {
        let subject = subject.get();
        change.with(|c| match c {
            None => String::new(),
            Some(Change::Revoke(None)) => fill(s.confirm_message_body, &subject),
            Some(Change::Revoke(Some(address))) => {
                fill(&fill(s.confirm_recipient_body, address), &subject)
            }
            Some(Change::Resend(address)) => fill(&fill(s.confirm_resend_body, address), &subject),
        })
    });
    let i18n = use_i18n();
    let confirm = Signal::derive(move || {
        let s = i18n.t();
        change.with(|c| match c {
            Some(Change::Resend(_)) => s.resend_link,
            Some(Change::Revoke(None)) if admin => s.revoke_message,
            _ => s.remove_access,
        })
    });
    view! { <ConfirmDialog open title body confirm busy error on_confirm/> }
}
