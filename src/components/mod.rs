//! Pieces shared by several pages.

pub mod change_confirm;
pub mod filter_form;
pub mod language_switch;
pub mod paged_list;
pub mod protection;
pub mod recipient_list;
pub mod shell;
pub mod staff;

use leptos::html::ElementType;
use leptos::prelude::*;
use sealmail_api::Mailbox;
use wasm_bindgen::JsCast;

use crate::effect::effect;

/// Moves keyboard focus to `node` once it is in the page, so that after each
/// step a screen reader starts reading at the new step and a keyboard user
/// does not have to tab back from the top.
pub fn focus_when_mounted<E>(node: NodeRef<E>)
where
    E: ElementType,
    E::Output: JsCast + Clone + 'static,
{
    effect(move || {
        if let Some(element) = node.get() {
            let _ = element.unchecked_ref::<web_sys::HtmlElement>().focus();
        }
    });
}

/// Keeps the browser tab's title (what a screen reader announces first, and
/// what the history shows) in step with the page: "Page — Sealmail".
pub fn set_title(title: impl Fn() -> String + 'static) {
    effect(move || document().set_title(&[&title(), " — Sealmail"].concat()));
}

/// `Name <address>`, or the bare address.
pub fn mailbox(mailbox: &Mailbox) -> String {
    match &mailbox.name {
        Some(name) if !name.is_empty() => format!("{name} <{}>", mailbox.address),
        _ => mailbox.address.clone(),
    }
}

/// Mailboxes as a comma-separated list.
pub fn mailboxes(list: &[Mailbox]) -> String {
    list.iter().map(mailbox).collect::<Vec<_>>().join(", ")
}
