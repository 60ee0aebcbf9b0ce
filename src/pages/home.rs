//! `/`: what someone sees who opens the portal without a link.

use leptos::prelude::*;

use crate::components::shell::Shell;
use crate::context::paths;
use crate::translate::tr;

/// The landing page.
#[component]
pub fn Home() -> impl IntoView {
    view! {
        <Shell branding=Signal::derive(|| None)>
            <section class="card">
                <h1 data-testid="home-title">"Sealmail"</h1>
                <p data-testid="home-status">{tr(|s| s.home_status)}</p>
                // The sign-in page is in the staff bundle: the browser loads it
                // from the server (`rel="external"`: no router follows it here).
                <p>
                    <a href=paths::SIGN_IN rel="external" data-testid="home-signin">
                        {tr(|s| s.home_sign_in)}
                    </a>
                </p>
            </section>
        </Shell>
    }
}
