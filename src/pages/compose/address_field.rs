//! An address field of the compose page (To, Cc): several addresses, checked
//! as they are typed (only finished ones until the field is left), with the
//! bad ones named under it.

use leptos::prelude::*;

use super::text::{invalid_while_typing, parse_addresses};
use crate::i18n::fill;
use crate::translate::text;

/// The field `id` (also its `data-testid`; its error line is `{id}-error`).
/// `text` follows what is typed; `checked_all` makes every address count,
/// finished or not (set on leaving the field and on sending).
#[component]
pub fn AddressField(
    id: &'static str,
    #[prop(into)] label: Signal<String>,
    /// A hint under the field, if any (its id is `{id}-hint`).
    #[prop(optional, into)]
    hint: Option<Signal<String>>,
    text: RwSignal<String>,
    checked_all: RwSignal<bool>,
    node_ref: NodeRef<leptos::html::Input>,
) -> impl IntoView {
    let bad = Memo::new(move |_| {
        let value = text.get();
        if checked_all.get() {
            parse_addresses(&value).1
        } else {
            invalid_while_typing(&value)
        }
    });
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let described_by = match hint {
        Some(_) => format!("{hint_id} {error_id}"),
        None => error_id.clone(),
    };
    view! {
        <label for=id>{label}</label>
        <input
            id=id
            type="text"
            inputmode="email"
            autocomplete="off"
            spellcheck="false"
            aria-describedby=described_by
            aria-invalid=move || if bad.with(Vec::is_empty) { "false" } else { "true" }
            node_ref=node_ref
            data-testid=id
            on:input=move |e| text.set(event_target_value(&e))
            on:blur=move |_| checked_all.set(true)
        />
        {hint.map(|hint| view! { <p id=hint_id class="hint">{hint}</p> })}
        <p id=error_id.clone() class="error" aria-live="polite" data-testid=error_id>
            {self::text(move |s, _| {
                bad.with(|list| {
                    if list.is_empty() {
                        String::new()
                    } else {
                        fill(s.not_addresses, &list.join(", "))
                    }
                })
            })}
        </p>
    }
}
