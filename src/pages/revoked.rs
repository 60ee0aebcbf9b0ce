//! The message was revoked (`message_revoked`).

use leptos::prelude::*;

use crate::i18n::tr;
use crate::pages::EndPage;

/// "The message has been revoked by the sender", in the seeds' own words.
#[component]
pub fn RevokedPage() -> impl IntoView {
    view! {
        <EndPage testid="page-revoked" title=tr(|s| s.revoked_title)>
            <p>{tr(|s| s.revoked_body)}</p>
        </EndPage>
    }
}
