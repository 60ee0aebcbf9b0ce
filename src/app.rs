//! The portal's root: context (API client, language) and the router.
//!
//! The recipient portal has two pages and no links between them, so the
//! router is a match on the path read once at start: `leptos_router` would add
//! about a tenth to the wasm for navigation the portal never does.

use leptos::prelude::*;

use crate::api::Api;
use crate::i18n::provide_i18n;
use crate::pages::home::Home;
use crate::pages::recipient::RecipientFlow;

/// The portal as served: the real API client.
#[component]
pub fn App() -> impl IntoView {
    view! { <Portal api=Api::http()/> }
}

/// The portal with a given API client (tests pass a fake).
#[component]
pub fn Portal(api: Api) -> impl IntoView {
    let path = window().location().pathname().unwrap_or_default();
    view! {
        <Providers api>
            {match Route::from_path(&path) {
                Route::Recipient(token) => view! { <RecipientFlow token/> }.into_any(),
                Route::Home => view! { <Home/> }.into_any(),
            }}
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

/// The portal's pages, by path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    /// `/m/{token}` ([`sealmail_api::routes::PORTAL_LINK_PAGE`]): a recipient's link.
    Recipient(String),
    /// Anything else.
    Home,
}

impl Route {
    /// The page for a URL path. The token is percent-decoded, undoing what
    /// [`sealmail_api::routes::portal_link_page`] encodes.
    pub fn from_path(path: &str) -> Route {
        let prefix = sealmail_api::routes::PORTAL_LINK_PAGE.trim_end_matches("{token}");
        match path.strip_prefix(prefix).map(|t| t.trim_end_matches('/')) {
            Some(token) if !token.is_empty() && !token.contains('/') => {
                Route::Recipient(percent_decode(token))
            }
            _ => Route::Home,
        }
    }
}

fn percent_decode(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&hi), Some(&lo)) if hex(hi).is_some() && hex(lo).is_some() => {
                out.push((hex(hi).unwrap_or(0) * 16 + hex(lo).unwrap_or(0)) as u8);
                i += 3;
            }
            (byte, _, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
