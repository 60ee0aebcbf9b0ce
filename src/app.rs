//! The portal's root: context (API client, language) and the router.

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use crate::api::Api;
use crate::i18n::provide_i18n;
use crate::pages::home::Home;
use crate::pages::recipient::RecipientRoute;

/// The portal as served: the real API client.
#[component]
pub fn App() -> impl IntoView {
    view! { <Portal api=Api::http()/> }
}

/// The portal with a given API client (tests pass a fake).
#[component]
pub fn Portal(api: Api) -> impl IntoView {
    view! {
        <Providers api>
            <Router>
                <Routes fallback=Home>
                    <Route path=path!("/") view=Home/>
                    <Route path=path!("/m/:token") view=RecipientRoute/>
                </Routes>
            </Router>
        </Providers>
    }
}

/// What every page expects in context: the API client and the language.
#[component]
pub fn Providers(api: Api, children: Children) -> impl IntoView {
    provide_context(api);
    provide_i18n();
    children()
}
