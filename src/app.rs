//! The portal's root: context (API client, language, session, location) and
//! the routers.
//!
//! The portal ships as three bundles, each a binary mounting its own app: the
//! recipient's ([`RecipientApp`], `src/main.rs`: a link's first pages), the
//! reader's ([`ReaderApp`], `src/bin/reader.rs`: reading a message once the
//! passcode has opened a session, at
//! [`sealmail_api::routes::PORTAL_READ_PAGE`]) and the staff's ([`StaffApp`],
//! `src/bin/staff.rs`). The recipient's first load is budgeted (100 KB gzip),
//! so what only a reader or a sender needs lives in the other two.
//!
//! The recipient's bundle has one route and never navigates: it matches the
//! path it was loaded at. The reader's and the staff's route with a match on
//! the path, moved by `history.pushState` (and the Back button's `popstate`).

use std::sync::Arc;

use leptos::prelude::*;
use sealmail_api::sender::Me;
use wasm_bindgen::JsValue;

use crate::api::{Api, HttpApi, RecipientApi};
use crate::gate::{Back, Gate, Leave, replace_location};
use crate::i18n::{Lang, Strings, provide_i18n};
use crate::pages::admin_audit::AdminAuditPage;
use crate::pages::admin_branding::AdminBrandingPage;
use crate::pages::admin_report::AdminReportPage;
use crate::pages::admin_status::AdminStatusPage;
use crate::pages::admin_trace::AdminTracePage;
use crate::pages::compose::ComposePage;
use crate::pages::home::Home;
use crate::pages::recipient::RecipientFlow;
use crate::pages::sent::SentPage;
use crate::pages::signin::SignInPage;

/// The recipient bundle as served (`dist/`): a link's first pages (the
/// [`Gate`]) at `/m/{token}`, the landing page anywhere else. `api` is the
/// server's client ([`HttpApi`]; tests pass a fake); `leave` goes to the
/// reader bundle once a session is open.
#[component]
pub fn RecipientApp<A: RecipientApi + 'static>(
    api: Arc<A>,
    #[prop(default = replace_location)] leave: Leave,
) -> impl IntoView {
    provide_i18n(Lang::gate_strings);
    // One route, and no navigation within the bundle (the landing page's
    // sign-in link loads the staff bundle): a match on the path it was
    // loaded at. `leptos_router` measured 26 KB gzip more on this first load.
    let location = window().location();
    let back = Back::from_query(&location.search().unwrap_or_default());
    match Route::from_path(&location.pathname().unwrap_or_default()) {
        Route::Recipient(token) => view! { <Gate api token back leave/> }.into_any(),
        _ => view! { <Home/> }.into_any(),
    }
}

/// The reader bundle as served (`dist/reader/`): a link's reading page, where
/// the gate ([`crate::gate`], the recipient's first bundle) sends a recipient
/// once the passcode has opened a session. [`RecipientFlow`] shows the
/// message, and sends the recipient back to the gate when it cannot.
#[component]
pub fn ReaderApp() -> impl IntoView {
    view! {
        <RecipientProviders api=Api::recipient(Arc::new(HttpApi::same_origin()))>
            <Router pages=reader_pages/>
        </RecipientProviders>
    }
}

/// The staff bundle as served (`dist/staff/`): sign-in, Sent, compose and the
/// admin pages.
#[component]
pub fn StaffApp() -> impl IntoView {
    view! {
        <Providers api=Api::new(Arc::new(HttpApi::same_origin()))>
            <Router pages=staff_pages/>
        </Providers>
    }
}

/// Every page in one router, with a given API client (tests pass a fake).
#[component]
pub fn Portal(api: Api) -> impl IntoView {
    view! {
        <Providers api>
            <Router pages=all_pages/>
        </Providers>
    }
}

/// Which pages a bundle draws: `None` for a page that lives in the other bundle.
type Pages = fn(Route) -> Option<AnyView>;

fn reader_pages(route: Route) -> Option<AnyView> {
    match route {
        Route::Reading(token) => Some(view! { <RecipientFlow token/> }.into_any()),
        Route::Home => Some(view! { <Home/> }.into_any()),
        _ => None,
    }
}

fn staff_pages(route: Route) -> Option<AnyView> {
    Some(match route {
        Route::SignIn => view! { <SignInPage/> }.into_any(),
        Route::Sent => view! { <SentPage/> }.into_any(),
        Route::Compose => view! { <ComposePage/> }.into_any(),
        Route::AdminStatus => view! { <AdminStatusPage/> }.into_any(),
        Route::AdminTrace => view! { <AdminTracePage/> }.into_any(),
        Route::AdminReport => view! { <AdminReportPage/> }.into_any(),
        Route::AdminAudit => view! { <AdminAuditPage/> }.into_any(),
        Route::AdminBranding => view! { <AdminBrandingPage/> }.into_any(),
        Route::Home => view! { <Home/> }.into_any(),
        Route::Recipient(_) | Route::Reading(_) => return None,
    })
}

/// What every bundle draws, together.
fn all_pages(route: Route) -> Option<AnyView> {
    reader_pages(route.clone()).or_else(|| staff_pages(route))
}

/// Shows the page for the current path; a new page only when the route changes.
/// A link into another bundle loads the page from the server, which serves
/// that bundle for it. Only after a navigation: on the first page the server
/// has already chosen the bundle, so a page it does not have is the landing
/// page (and a reload can never loop).
#[component]
fn Router(pages: Pages) -> impl IntoView {
    let location = use_location();
    let route = Memo::new(move |_| Route::from_path(&location.path()));
    let first = std::cell::Cell::new(true);
    move || {
        let page = pages(route.get());
        match (page, first.replace(false)) {
            (Some(page), _) => page,
            (None, true) => view! { <Home/> }.into_any(),
            (None, false) => {
                let _ = window().location().reload();
                ().into_any()
            }
        }
    }
}

/// What every page expects in context: the API client, the language, who is
/// signed in, and where the browser is.
#[component]
pub fn Providers(api: Api, children: Children) -> impl IntoView {
    provide(api, Lang::strings);
    children()
}

/// [`Providers`] with the recipient's strings (the staff pages' left out):
/// what [`ReaderApp`] runs with (the gate uses a smaller one,
/// [`Lang::gate_strings`]), and what the
/// reader's page tests mount, so a string a recipient page needs cannot go
/// missing unnoticed.
#[component]
pub fn RecipientProviders(api: Api, children: Children) -> impl IntoView {
    provide(api, Lang::recipient_strings);
    children()
}

fn provide(api: Api, strings: fn(Lang) -> &'static Strings) {
    provide_context(api);
    provide_i18n(strings);
    provide_context(Session::default());
    provide_context(Location::from_browser());
}

/// The portal's pages, by path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    /// `/m/{token}` ([`sealmail_api::routes::PORTAL_LINK_PAGE`]): a recipient's link.
    Recipient(String),
    /// `/m/{token}/read` ([`sealmail_api::routes::PORTAL_READ_PAGE`]): reading
    /// a link's message once the passcode has opened a session.
    Reading(String),
    /// `/signin`: a sender signs in.
    SignIn,
    /// `/sent`: the sender's Sent list.
    Sent,
    /// `/compose`: a new message.
    Compose,
    /// `/admin`: an administrator looks a message up by Message-ID.
    AdminStatus,
    /// `/admin/trace`: message trace.
    AdminTrace,
    /// `/admin/report`: the encryption report.
    AdminReport,
    /// `/admin/audit`: the access audit.
    AdminAudit,
    /// `/admin/branding`: the branding templates.
    AdminBranding,
    /// Anything else.
    Home,
}

/// Paths of the sender's and administrator's pages (shared with the server,
/// which serves them the staff bundle).
pub use sealmail_api::routes::pages as paths;

impl Route {
    /// The page for a URL path. The token is percent-decoded, undoing what
    /// [`sealmail_api::routes::portal_link_page`] and
    /// [`sealmail_api::routes::portal_read_page`] encode.
    pub fn from_path(path: &str) -> Route {
        let prefix = sealmail_api::routes::PORTAL_LINK_PAGE.trim_end_matches("{token}");
        if let Some(rest) = path.strip_prefix(prefix).map(|t| t.trim_end_matches('/')) {
            // The same test the server uses to hand this path the reader bundle.
            if paths::is_reader(path)
                && let Some(token) = rest.strip_suffix("/read")
            {
                return Route::Reading(percent_decode(token));
            }
            return if !rest.is_empty() && !rest.contains('/') {
                Route::Recipient(percent_decode(rest))
            } else {
                Route::Home
            };
        }
        match path.trim_end_matches('/') {
            paths::SIGN_IN => Route::SignIn,
            paths::SENT => Route::Sent,
            paths::COMPOSE => Route::Compose,
            paths::ADMIN => Route::AdminStatus,
            paths::ADMIN_TRACE => Route::AdminTrace,
            paths::ADMIN_REPORT => Route::AdminReport,
            paths::ADMIN_AUDIT => Route::AdminAudit,
            paths::ADMIN_BRANDING => Route::AdminBranding,
            _ => Route::Home,
        }
    }
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

/// Where the browser is: the path and the query string (`"?next=/sent"` or `""`).
#[derive(Clone, Copy)]
pub struct Location {
    url: RwSignal<(String, String)>,
}

impl Location {
    fn from_browser() -> Location {
        let location = Location {
            url: RwSignal::new(current_url()),
        };
        // The Back and Forward buttons.
        let handle = window_event_listener(leptos::ev::popstate, move |_| {
            location.url.set(current_url());
        });
        on_cleanup(move || handle.remove());
        location
    }

    /// The path (tracked).
    pub fn path(&self) -> String {
        self.url.with(|(path, _)| path.clone())
    }

    /// A query parameter's value, percent-decoded (untracked).
    pub fn query(&self, name: &str) -> Option<String> {
        self.url.with_untracked(|(_, search)| {
            search
                .trim_start_matches('?')
                .split('&')
                .filter_map(|pair| pair.split_once('='))
                .find(|(key, _)| *key == name)
                .map(|(_, value)| percent_decode(&value.replace('+', " ")))
        })
    }

    /// The path and query string, to come back to after signing in.
    pub fn here(&self) -> String {
        self.url
            .with_untracked(|(path, search)| format!("{path}{search}"))
    }

    /// Goes to `url` (a same-origin path) without reloading the portal.
    pub fn navigate(&self, url: &str) {
        if let Ok(history) = window().history() {
            let _ = history.push_state_with_url(&JsValue::NULL, "", Some(url));
        }
        self.url.set(current_url());
        window().scroll_to_with_x_and_y(0.0, 0.0);
    }
}

/// The location from context.
pub fn use_location() -> Location {
    expect_context()
}

fn current_url() -> (String, String) {
    let location = window().location();
    (
        location.pathname().unwrap_or_default(),
        location.search().unwrap_or_default(),
    )
}

/// Percent-decodes a URL component, through the browser's
/// `decodeURIComponent` (no decoder of our own in the budgeted first load); a
/// malformed one (a stray `%`, or bytes that are not UTF-8) is kept as it is.
pub fn percent_decode(segment: &str) -> String {
    js_sys::decode_uri_component(segment)
        .map(String::from)
        .unwrap_or_else(|_| segment.to_owned())
}

/// Percent-encodes a URL component (everything but unreserved characters).
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
