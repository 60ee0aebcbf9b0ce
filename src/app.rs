//! The portal's roots, one per bundle, and their routes.
//!
//! The portal ships as three bundles, each a binary mounting its own app: the
//! recipient's ([`RecipientApp`], `src/main.rs`: a link's first pages), the
//! reader's ([`ReaderApp`], `src/bin/reader.rs`: reading a message once the
//! passcode has opened a session, at
//! [`sealmail_api::routes::PORTAL_READ_PAGE`]) and the staff's ([`StaffApp`],
//! `src/bin/staff.rs`). The recipient's first load is budgeted (100 KB gzip),
//! so what only a reader or a sender needs lives in the other two.
//!
//! The reader's and the staff's pages are routed by `leptos_router`
//! (`<Router>` in [`Providers`], `<Routes>` here). The recipient's bundle has
//! one page and never navigates, so it has no router: `leptos_router`
//! measured 26 KB gzip more on that budgeted first load. A link into another
//! bundle is `rel="external"`, so the router leaves it to the browser and the
//! server serves that bundle.

use std::sync::Arc;

use leptos::prelude::*;
use leptos_router::components::{Route, Routes};
use leptos_router::hooks::use_location;
use leptos_router::path;

use crate::api::{Api, HttpApi, RecipientApi};
use crate::context::{Providers, RecipientProviders, percent_decode};
use crate::gate::{Back, Gate, Leave, replace_location};
use crate::i18n::Lang;
use crate::pages::admin_audit::AdminAuditPage;
use crate::pages::admin_branding::AdminBrandingPage;
use crate::pages::admin_report::AdminReportPage;
use crate::pages::admin_rules::AdminRulesPage;
use crate::pages::admin_status::AdminStatusPage;
use crate::pages::admin_trace::AdminTracePage;
use crate::pages::compose::ComposePage;
use crate::pages::home::Home;
use crate::pages::recipient::RecipientFlow;
use crate::pages::sent::SentPage;
use crate::pages::signin::SignInPage;
use crate::pages::tokens::TokensPage;
use crate::translate::provide_i18n;

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
    let location = window().location();
    let back = Back::from_query(&location.search().unwrap_or_default());
    match link_token(&location.pathname().unwrap_or_default()) {
        Some(token) => view! { <Gate api token back leave/> }.into_any(),
        None => view! { <Home/> }.into_any(),
    }
}

/// The link token of a link page's path (`/m/{token}`, a trailing slash
/// allowed), percent-decoded as [`sealmail_api::routes::portal_link_page`]
/// encodes it; `None` for any other path.
pub fn link_token(path: &str) -> Option<String> {
    let prefix = sealmail_api::routes::PORTAL_LINK_PAGE.trim_end_matches("{token}");
    let token = path.strip_prefix(prefix)?.trim_end_matches('/');
    (!token.is_empty() && !token.contains('/')).then(|| percent_decode(token))
}

/// The reader bundle as served (`dist/reader/`): a link's reading page, where
/// the gate ([`crate::gate`], the recipient's first bundle) sends a recipient
/// once the passcode has opened a session. [`RecipientFlow`] shows the
/// message, and sends the recipient back to the gate when it cannot. `api`:
/// the server's client unless given (tests pass a fake).
#[component]
pub fn ReaderApp(#[prop(optional)] api: Option<Api>) -> impl IntoView {
    let api = api.unwrap_or_else(|| Api::recipient(Arc::new(HttpApi::same_origin())));
    view! {
        <RecipientProviders api>
            <Routes fallback=Home>
                <Route path=path!("/m/:token/read") view=Reading/>
            </Routes>
        </RecipientProviders>
    }
}

/// The staff bundle as served (`dist/staff/`): sign-in, Sent, compose, API
/// tokens and the admin pages. `api`: the server's client unless given (tests pass a fake).
#[component]
pub fn StaffApp(#[prop(optional)] api: Option<Api>) -> impl IntoView {
    let api = api.unwrap_or_else(|| Api::new(Arc::new(HttpApi::same_origin())));
    view! {
        <Providers api>
            <Routes fallback=Home>
                <Route path=path!("/signin") view=SignInPage/>
                <Route path=path!("/sent") view=SentPage/>
                <Route path=path!("/compose") view=ComposePage/>
                <Route path=path!("/tokens") view=TokensPage/>
                <Route path=path!("/admin") view=AdminStatusPage/>
                <Route path=path!("/admin/trace") view=AdminTracePage/>
                <Route path=path!("/admin/report") view=AdminReportPage/>
                <Route path=path!("/admin/audit") view=AdminAuditPage/>
                <Route path=path!("/admin/branding") view=AdminBrandingPage/>
                <Route path=path!("/admin/rules") view=AdminRulesPage/>
            </Routes>
        </Providers>
    }
}

/// `/m/{token}/read`: the link's message. The token is read from the path
/// as the browser has it and decoded once, as the gate does: the router's
/// `:token` parameter comes decoded twice (`%2541`, a token holding `%41`,
/// would arrive as `A`).
#[component]
fn Reading() -> impl IntoView {
    // The token never changes while the page is shown: a different link is a
    // different page load (the gate hands over with `location.replace`).
    let path = use_location().pathname.get_untracked();
    let token = path
        .trim_end_matches('/')
        .strip_suffix("/read")
        .and_then(link_token)
        .unwrap_or_default();
    view! { <RecipientFlow token/> }
}
