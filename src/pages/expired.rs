//! The message passed its expiry (`message_expired`).

use leptos::prelude::*;

use crate::i18n::tr;
use crate::pages::EndPage;

/// The message has expired.
#[component]
pub fn ExpiredPage() -> impl IntoView {
    view! {
        <EndPage testid="page-expired" title=tr(|s| s.expired_title)>
            <p>{tr(|s| s.expired_body)}</p>
        </EndPage>
    }
}
