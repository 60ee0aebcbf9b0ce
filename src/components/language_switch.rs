//! The language switch shown on every page.

use leptos::prelude::*;

use crate::i18n::Lang;

use crate::translate::{tr, use_i18n};

/// A labelled `<select>` of the four languages, each named in itself.
#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let on_change = move |event: leptos::ev::Event| {
        if let Some(lang) = Lang::from_tag(&event_target_value(&event)) {
            i18n.set(lang);
        }
    };
    view! {
        <div class="lang-switch">
            <label for="language">{tr(|s| s.language)}</label>
            <select id="language" data-testid="language" on:change=on_change>
                {Lang::ALL
                    .into_iter()
                    .map(|lang| {
                        view! {
                            <option
                                value=lang.code()
                                lang=lang.code()
                                selected=move || i18n.lang() == lang
                            >
                                {lang.native_name()}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </div>
    }
}
