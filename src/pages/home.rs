//! `/`: what someone sees who opens the portal without a link.

use leptos::prelude::*;

use crate::components::shell::Shell;
use crate::i18n::use_i18n;

/// The landing page.
#[component]
pub fn Home() -> impl IntoView {
    let t = use_i18n();
    view! {
        <Shell branding=Signal::derive(|| None)>
            <section class="card">
                <h1 data-testid="home-title">"Sealmail"</h1>
                <p data-testid="home-status">{move || t.t().home_status}</p>
            </section>
        </Shell>
    }
}
