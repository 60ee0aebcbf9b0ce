//! The message passed its expiry (`message_expired`).

use leptos::prelude::*;

use crate::i18n::use_i18n;
use crate::pages::EndPage;

/// The message has expired.
#[component]
pub fn ExpiredPage() -> impl IntoView {
    let t = use_i18n();
    view! {
        <EndPage testid="page-expired" title=Signal::derive(move || t.t().expired_title)>
            <p>{move || t.t().expired_body}</p>
        </EndPage>
    }
}
