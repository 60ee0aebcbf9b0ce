//! What the portal's pages find in context — the API client, the language,
//! who is signed in, the router — and the small URL helpers they share. The
//! bundles' roots ([`crate::app`]) provide it; pages and components import
//! this module, never the roots.

use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::components::Router;
use leptos_router::hooks::{use_location, use_navigate};
use sealmail_api::sender::Me;
use std::sync::Arc;

use crate::api::Api;
use crate::i18n::{Lang, Strings};
use crate::translate::provide_i18n;

/// Paths of the sender's and administrator's pages (shared with the server,
/// which serves them the staff bundle).
pub use sealmail_api::routes::pages as paths;

/// What every staff page expects in context: the API client, the language,
/// who is signed in, and the router (`leptos_router`'s `<Router>`; the
/// bundle's `<Routes>` go inside it).
#[component]
pub fn Providers(api: Api, children: Children) -> impl IntoView {
    provide(api, Lang::strings);
    view! { <Router>{children()}</Router> }
}

/// [`Providers`] with the recipient's strings (the staff pages' left out):
/// what the reader bundle runs with (the gate uses a smaller one,
/// [`Lang::gate_strings`]), and what the reader's page tests mount, so a
/// string a recipient page needs cannot go missing unnoticed.
#[component]
pub fn RecipientProviders(api: Api, children: Children) -> impl IntoView {
    provide(api, Lang::recipient_strings);
    view! { <Router>{children()}</Router> }
}

fn provide(api: Api, strings: fn(Lang) -> &'static Strings) {
    provide_context(api);
    provide_i18n(strings);
    provide_context(Session::default());
}

/// Who is signed in, once the server has said (`None`: not known yet, or
/// nobody).
#[derive(Clone, Copy)]
pub struct Session {
    pub me: RwSignal<Option<Me>>,
}

impl Default for Session {
    fn default() -> Self {
        Session {
            me: RwSignal::new(None),
        }
    }
}

/// The session from context.
pub fn use_session() -> Session {
    expect_context()
}

type Navigate = Arc<dyn Fn(&str, NavigateOptions) + Send + Sync>;

/// The router's location and navigation, taken where a page is drawn: a
/// `Copy` handle for code that runs later (after an `await`, in an
/// `Action`), where the router's hooks can no longer be called.
#[derive(Clone, Copy)]
pub struct Here {
    path: Memo<String>,
    search: Memo<String>,
    navigate: StoredValue<Navigate>,
}

/// The router's [`Here`]; call it while drawing a page or component.
pub fn use_here() -> Here {
    let location = use_location();
    let navigate: Navigate = Arc::new(use_navigate());
    Here {
        path: location.pathname,
        search: location.search,
        navigate: StoredValue::new(navigate),
    }
}

impl Here {
    /// The path (tracked).
    pub fn path(&self) -> String {
        self.path.get()
    }

    /// A query parameter's value, percent-decoded once (untracked). Read from
    /// the raw query string: the router's own query map decodes a value a
    /// second time, which would turn a Message-ID holding `%41` into `A`.
    pub fn query(&self, name: &str) -> Option<String> {
        self.search.with_untracked(|search| {
            search
                .trim_start_matches('?')
                .split('&')
                .filter_map(|pair| pair.split_once('='))
                .find(|(key, _)| *key == name)
                .map(|(_, value)| percent_decode(&value.replace('+', " ")))
        })
    }

    /// A query parameter's value as [`Here::query`], tracked: a view or
    /// resource reading it follows navigations within the page.
    pub fn query_tracked(&self, name: &str) -> Option<String> {
        self.search.track();
        self.query(name)
    }

    /// The path and query string, to come back to after signing in.
    pub fn here(&self) -> String {
        let path = self.path.get_untracked();
        self.search
            .with_untracked(|search| match search.trim_start_matches('?') {
                "" => path,
                search => format!("{path}?{search}"),
            })
    }

    /// Goes to `url` (a path of this bundle) without reloading the portal.
    pub fn navigate(&self, url: &str) {
        (self.navigate.get_value())(url, NavigateOptions::default());
    }
}

/// Percent-decodes a URL component, through the browser's
/// `decodeURIComponent`; a malformed one (a stray `%`, or bytes that are not
/// UTF-8) is kept as it is.
pub fn percent_decode(segment: &str) -> String {
    js_sys::decode_uri_component(segment)
        .map(String::from)
        .unwrap_or_else(|_| segment.to_owned())
}

/// Percent-encodes a URL component (everything but unreserved characters and
/// `/`, so that `?next=/sent` stays readable).
pub fn percent_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// A `?next=` target that stays inside the portal (a path, not `//host` or a
/// URL), so the sign-in page cannot be used to send someone elsewhere.
pub fn safe_next(next: Option<String>) -> String {
    match next {
        Some(next) if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') => {
            next
        }
        _ => paths::SENT.to_owned(),
    }
}
