//! The frame of the sender's and administrator's pages: a session check that
//! sends a signed-out user to sign in (and back afterwards), the navigation
//! bar, the forbidden page for non-administrators, and what those pages share
//! (in-app links, error sentences, the confirmation dialog).

use leptos::prelude::*;
use leptos_router::components::A;
use sealmail_api::ErrorCode;

use crate::api::{ApiError, use_api};
use crate::components::shell::Shell;
use crate::components::{focus_when_mounted, set_title};
use crate::context::{Here, paths, percent_encode, use_here, use_session};
use crate::i18n::format::minutes;
use crate::i18n::{Strings, fill};
use crate::translate::{text, tr};

/// Whether the signed-in user may see the page.
#[derive(Clone, Copy, PartialEq)]
enum Access {
    Checking,
    Unreachable,
    Forbidden,
    Allowed,
}

/// A page for signed-in users (`admin`: administrators only). Asks the server
/// who is signed in unless it is known; a signed-out user goes to sign in.
#[component]
pub fn Staff(#[prop(optional)] admin: bool, children: ChildrenFn) -> impl IntoView {
    let session = use_session();
    let here = use_here();
    let api = StoredValue::new(use_api());
    // Asks the server who is signed in; its value is whether the server
    // could not say (a signed-out user has gone to sign in meanwhile).
    let check = Action::new_unsync(move |_: &()| async move {
        match api.get_value().sender().me().await {
            Ok(me) => {
                session.me.set(Some(me));
                false
            }
            Err(error) => !redirect_if_signed_out(here, &error),
        }
    });
    if session.me.get_untracked().is_none() {
        check.dispatch(());
    }
    let access = Memo::new(move |_| {
        if check.value().get() == Some(true) && !check.pending().get() {
            return Access::Unreachable;
        }
        session.me.with(|me| match me {
            None => Access::Checking,
            Some(me) if admin && !me.is_admin => Access::Forbidden,
            Some(_) => Access::Allowed,
        })
    });
    view! {
        <Shell branding=Signal::derive(|| None) nav=view! { <NavBar/> }.into_any()>
            {move || match access.get() {
                Access::Checking => view! {
                    <p class="loading" role="status" data-testid="loading">{tr(|s| s.loading)}</p>
                }.into_any(),
                Access::Unreachable => view! {
                    <section class="card" data-testid="page-unavailable">
                        <h1>{tr(|s| s.unavailable_title)}</h1>
                        <p>{tr(|s| s.unavailable_body)}</p>
                        <button type="button" class="primary" data-testid="retry" on:click=move |_| { check.dispatch(()); }>
                            {tr(|s| s.retry)}
                        </button>
                    </section>
                }.into_any(),
                Access::Forbidden => view! { <Forbidden/> }.into_any(),
                Access::Allowed => children().into_any(),
            }}
        </Shell>
    }
}

/// Sends a signed-out user (`not_signed_in`) to sign in, to come back here
/// afterwards. Whether it did.
pub fn redirect_if_signed_out(here: Here, error: &ApiError) -> bool {
    if error.code() != Some(ErrorCode::NotSignedIn) {
        return false;
    }
    let next = percent_encode(&here.here());
    here.navigate(&format!("{}?next={next}", paths::SIGN_IN));
    true
}

/// The page a signed-in non-administrator gets on an administrator's page.
#[component]
fn Forbidden() -> impl IntoView {
    let heading = NodeRef::<leptos::html::H1>::new();
    focus_when_mounted(heading);
    let title = tr(|s| s.forbidden_title);
    set_title(move || title.get().to_owned());
    view! {
        <section class="card end-page" data-testid="page-forbidden">
            <h1 tabindex="-1" node_ref=heading data-testid="page-title">{title}</h1>
            <p>{tr(|s| s.forbidden_body)}</p>
            <p><Link href=paths::SENT testid="forbidden-sent">{tr(|s| s.nav_sent)}</Link></p>
        </section>
    }
}

/// The signed-in user's navigation: Sent, Compose, API tokens, Admin
/// (administrators), who is signed in, and Sign out.
#[component]
fn NavBar() -> impl IntoView {
    let session = use_session();
    let here = use_here();
    let api = StoredValue::new(use_api());
    let sign_out = Action::new_unsync(move |_: &()| async move {
        // Signed out already or not: either way this browser is out.
        let _ = api.get_value().sender().sign_out().await;
        session.me.set(None);
        here.navigate(&format!("{}?signed_out=1", paths::SIGN_IN));
    });
    let busy = sign_out.pending();
    move || {
        session.me.get().map(|me| {
            let who = me.name.clone().unwrap_or_else(|| me.address.clone());
            view! {
                <nav class="staff-nav" aria-label=tr(|s| s.nav_label) data-testid="nav">
                    <ul>
                        <li><Link href=paths::SENT testid="nav-sent">{tr(|s| s.nav_sent)}</Link></li>
                        <li><Link href=paths::COMPOSE testid="nav-compose">{tr(|s| s.nav_compose)}</Link></li>
                        <li><Link href=paths::TOKENS testid="nav-tokens">{tr(|s| s.nav_tokens)}</Link></li>
                        {me.is_admin.then(|| view! {
                            <li><Link href=paths::ADMIN testid="nav-admin">{tr(|s| s.nav_admin)}</Link></li>
                        })}
                    </ul>
                    <span class="who" data-testid="nav-who">{who}</span>
                    <button type="button" class="link-button" data-testid="nav-sign-out" disabled=busy on:click=move |_| { sign_out.dispatch(()); }>
                        {tr(|s| s.sign_out)}
                    </button>
                </nav>
            }
        })
    }
}

/// A link to another page of this bundle: leptos_router's `<A>`, which
/// follows it without reloading and marks the current page's link
/// (`aria-current="page"`, exact path).
#[component]
pub fn Link(href: &'static str, testid: &'static str, children: Children) -> impl IntoView {
    view! { <A href=href exact=true attr:data-testid=testid>{children()}</A> }
}

/// The sentence for an error on the sender's and administrator's pages.
pub fn error_text(s: &Strings, error: &ApiError) -> String {
    let ApiError::Api(body) = error else {
        return s.something_failed.to_owned();
    };
    match body.code {
        ErrorCode::RateLimited | ErrorCode::TooManyAttempts => fill(
            s.rate_limited_later,
            &minutes(body.retry_after_secs.unwrap_or(60)),
        ),
        ErrorCode::Forbidden => s.forbidden_body.to_owned(),
        ErrorCode::NotFound => s.not_found.to_owned(),
        ErrorCode::PayloadTooLarge => s.payload_too_large.to_owned(),
        ErrorCode::AlreadyRevoked => s.already_revoked.to_owned(),
        ErrorCode::NotSignedIn | ErrorCode::SessionExpired => s.signed_out_elsewhere.to_owned(),
        ErrorCode::InvalidRequest => s.invalid_request.to_owned(),
        _ => s.something_failed.to_owned(),
    }
}

/// What an `<ErrorBoundary>` around a page's load shows: the first error, in
/// the reader's language (an `ApiError` when it came from the server).
pub fn load_failed(errors: ArcRwSignal<Errors>, testid: &'static str) -> impl IntoView {
    let said = text(move |s, _| {
        errors.with(|errors| {
            errors
                .iter()
                .next()
                .map(|(_, error)| match error.downcast_ref::<ApiError>() {
                    Some(error) => error_text(s, error),
                    None => s.something_failed.to_owned(),
                })
                .unwrap_or_default()
        })
    });
    view! { <p class="error" role="alert" data-testid=testid>{said}</p> }
}

/// A confirmation in a modal `<dialog>`: the browser keeps focus inside it,
/// closes it on Escape, and gives focus back to the button that opened it.
#[component]
pub fn ConfirmDialog(
    /// Opens and closes the dialog; set back to `false` when it closes.
    open: RwSignal<bool>,
    #[prop(into)] title: Signal<String>,
    #[prop(into)] body: Signal<String>,
    #[prop(into)] confirm: Signal<String>,
    #[prop(into)] busy: Signal<bool>,
    /// Why the last try failed, if it did (read out at once).
    #[prop(into)]
    error: Signal<String>,
    on_confirm: impl Fn() + 'static,
) -> impl IntoView {
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    Effect::new(move |_| {
        let want_open = open.get();
        if let Some(dialog) = dialog.get() {
            if want_open && !dialog.open() {
                let _ = dialog.show_modal();
            } else if !want_open && dialog.open() {
                dialog.close();
            }
        }
    });
    view! {
        <dialog
            class="confirm"
            node_ref=dialog
            aria-labelledby="confirm-title"
            aria-describedby="confirm-body"
            data-testid="confirm-dialog"
            on:close=move |_| {
                // The `close` event comes a task after `close()`: if the
                // dialog was opened again meanwhile (the next confirmation),
                // this one is stale and must not shut it.
                let still_open = dialog.try_get_untracked().flatten().is_some_and(|d| d.open());
                if !still_open {
                    open.set(false);
                }
            }
        >
            <h2 id="confirm-title">{title}</h2>
            <p id="confirm-body" data-testid="confirm-body">{body}</p>
            <p class="error" role="alert" data-testid="confirm-error">{error}</p>
            <div class="actions">
                <button type="button" class="secondary" data-testid="cancel-revoke" on:click=move |_| open.set(false)>
                    {tr(|s| s.cancel)}
                </button>
                <button type="button" class="danger" data-testid="confirm-revoke" disabled=busy on:click=move |_| on_confirm()>
                    {confirm}
                </button>
            </div>
        </dialog>
    }
}

/// The administrator's pages, one link each.
#[component]
pub fn AdminNav() -> impl IntoView {
    view! {
        <nav class="admin-nav" aria-label=tr(|s| s.nav_admin) data-testid="admin-nav">
            <Link href=paths::ADMIN testid="admin-nav-status">{tr(|s| s.admin_status_title)}</Link>
            <Link href=paths::ADMIN_TRACE testid="admin-nav-trace">{tr(|s| s.trace_title)}</Link>
            <Link href=paths::ADMIN_REPORT testid="admin-nav-report">{tr(|s| s.report_title)}</Link>
            <Link href=paths::ADMIN_AUDIT testid="admin-nav-audit">{tr(|s| s.audit_title)}</Link>
            <Link href=paths::ADMIN_BRANDING testid="admin-nav-branding">{tr(|s| s.branding_title)}</Link>
            <Link href=paths::ADMIN_RULES testid="admin-nav-rules">{tr(|s| s.rules_title)}</Link>
        </nav>
    }
}
