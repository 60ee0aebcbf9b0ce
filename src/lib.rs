//! Sealmail's web portal: the pages recipients, senders and administrators see.

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

/// The whole portal: the router and its pages.
#[component]
pub fn App() -> impl IntoView {
    view! {
        <Router>
            <main id="main">
                <Routes fallback=|| view! { <Home/> }>
                    <Route path=path!("/") view=Home/>
                </Routes>
            </main>
        </Router>
    }
}

/// The landing page.
#[component]
fn Home() -> impl IntoView {
    view! {
        <h1 data-testid="home-title">"Sealmail"</h1>
        <p data-testid="home-status">"Sealmail is running."</p>
    }
}
