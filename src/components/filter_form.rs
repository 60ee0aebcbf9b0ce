//! The filter form of the admin lists (message trace, access audit): labelled
//! text, date and choice fields in a row, and a search button. The page says
//! which fields; the form hands the typed values back on search.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::i18n::Strings;

use crate::translate::tr;

/// A translated label.
pub type Label = fn(&'static Strings) -> &'static str;

/// One field of a [`FilterForm`]; `id` is also its `name` and `data-testid`.
pub enum Filter {
    /// An `<input>` of this type (`"text"`, `"date"`).
    Input {
        id: &'static str,
        kind: &'static str,
        label: Label,
    },
    /// A `<select>`: "any" (value `""`), then these values with their labels.
    Choice {
        id: &'static str,
        label: Label,
        options: Vec<(&'static str, Signal<String>)>,
    },
}

/// What was in the form when it was sent.
pub struct FilterValues(Option<web_sys::FormData>);

impl FilterValues {
    /// The field's value, trimmed; `None` if empty.
    pub fn get(&self, id: &str) -> Option<String> {
        let value = self.0.as_ref()?.get(id).as_string()?;
        let value = value.trim();
        (!value.is_empty()).then(|| value.to_owned())
    }

    /// The field's value, trimmed, or `""`.
    pub fn text(&self, id: &str) -> String {
        self.get(id).unwrap_or_default()
    }
}

/// The form. `on_search` gets the values on submit (Enter in any field, or
/// the button `search_id`, disabled while `busy`).
#[component]
pub fn FilterForm(
    filters: Vec<Filter>,
    search_id: &'static str,
    #[prop(into)] busy: Signal<bool>,
    on_search: impl Fn(FilterValues) + 'static,
) -> impl IntoView {
    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let data = event
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok())
            .and_then(|form| web_sys::FormData::new_with_form(&form).ok());
        on_search(FilterValues(data));
    };
    let fields = filters
        .into_iter()
        .map(|filter| match filter {
            Filter::Input { id, kind, label } => view! {
                <div>
                    <label for=id>{tr(label)}</label>
                    <input id=id name=id type=kind data-testid=id/>
                </div>
            }
            .into_any(),
            Filter::Choice { id, label, options } => view! {
                <div>
                    <label for=id>{tr(label)}</label>
                    <select id=id name=id data-testid=id>
                        <option value="">{tr(|s| s.any)}</option>
                        {options.into_iter().map(|(value, text)| view! {
                            <option value=value>{text}</option>
                        }).collect_view()}
                    </select>
                </div>
            }
            .into_any(),
        })
        .collect_view();
    view! {
        <form class="filters" on:submit=on_submit>
            {fields}
            <button type="submit" class="primary" disabled=busy data-testid=search_id>{tr(|s| s.search)}</button>
        </form>
    }
}
