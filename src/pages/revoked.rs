//! The message was revoked (`message_revoked`).

use leptos::prelude::*;

use crate::i18n::use_i18n;
use crate::pages::EndPage;

/// "The message has been revoked by the sender", in the seeds' own words.
#[component]
pub fn RevokedPage() -> impl IntoView {
    let t = use_i18n();
    view! {
        <EndPage testid="page-revoked" title=Signal::derive(move || t.t().revoked_title)>
            <p>{move || t.t().revoked_body}</p>
        </EndPage>
    }
}
