//! `/signin`: a sender or administrator signs in, then goes where they were
//! headed (`?next=`), or to the Sent list — with the password, or, when the
//! server offers it, with the organisation's identity provider (a link the
//! server sends on; a refusal comes back here with `?sso_error=CODE`).

use leptos::prelude::*;
use sealmail_api::ErrorCode;
use sealmail_api::sender::SignIn;
use sealmail_api::sso::SIGN_IN_ERROR_PARAM;

use crate::api::use_api;
use crate::components::shell::Shell;
use crate::components::staff::error_text;
use crate::components::{focus_when_mounted, set_title};
use crate::context::{safe_next, use_here, use_session};
use crate::i18n::{Strings, fill};
use crate::translate::{text, tr};

/// The sign-in form.
#[component]
pub fn SignInPage() -> impl IntoView {
    let api = StoredValue::new(use_api());
    let session = use_session();
    let here = use_here();
    let signed_out = here.query("signed_out").is_some();
    // Why single sign-on failed, if it sent the browser back here.
    let sso_error = here
        .query(SIGN_IN_ERROR_PARAM)
        .and_then(|code| ErrorCode::ALL.into_iter().find(|c| c.as_str() == code));
    let next = StoredValue::new(safe_next(here.query("next")));
    // An address or password left empty: said before asking the server.
    let missing = RwSignal::new(false);
    let email = NodeRef::<leptos::html::Input>::new();
    let password = NodeRef::<leptos::html::Input>::new();
    focus_when_mounted(email);
    let title = tr(|s| s.signin_title);
    set_title(move || title.get().to_owned());

    let sign_in = Action::new_unsync(move |request: &SignIn| {
        let request = request.clone();
        async move {
            let me = api.get_value().sender().sign_in(request).await;
            match &me {
                Ok(me) => {
                    session.me.set(Some(me.clone()));
                    here.navigate(&next.get_value());
                }
                Err(_) => {
                    if let Some(input) = password.get_untracked() {
                        input.set_value("");
                        let _ = input.focus();
                    }
                }
            }
            me.map(|_| ())
        }
    });
    let busy = sign_in.pending();
    let failed = move || sign_in.value().with(|v| matches!(v, Some(Err(_))));
    let invalid = move || {
        if missing.get() || failed() {
            "true"
        } else {
            "false"
        }
    };

    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let value = |node: NodeRef<leptos::html::Input>| {
            node.get_untracked().map(|i| i.value()).unwrap_or_default()
        };
        let request = SignIn {
            email: value(email).trim().to_owned(),
            password: value(password),
        };
        sign_in.value().set(None);
        missing.set(request.email.is_empty() || request.password.is_empty());
        if missing.get_untracked() {
            let empty = if request.email.is_empty() {
                email
            } else {
                password
            };
            if let Some(input) = empty.get_untracked() {
                let _ = input.focus();
            }
            return;
        }
        sign_in.dispatch(request);
    };

    // Single sign-on, when the server offers it. Until it answers (or if it
    // cannot), the password form stands alone.
    let options =
        LocalResource::new(move || async move { api.get_value().sender().sign_in_options().await });
    let single_sign_on = move || {
        Suspend::new(async move {
            let sso = options.await.ok()?.single_sign_on?;
            let href = api.get_value().sender().sso_start_url(&next.get_value());
            let name = sso.provider_name;
            Some(view! {
                <a href=href rel="external" class="button primary" data-testid="signin-sso">
                    {text(move |s, _| fill(s.sign_in_with, &name))}
                </a>
                <p class="divider">{tr(|s| s.sign_in_or)}</p>
            })
        })
    };

    view! {
        <Shell branding=Signal::derive(|| None)>
            <section class="card narrow" data-testid="page-signin">
                <h1>{tr(|s| s.signin_title)}</h1>
                {signed_out.then(|| view! {
                    <p class="notice" role="status" data-testid="signin-signed-out">{tr(|s| s.signed_out_staff)}</p>
                })}
                {sso_error.map(|code| view! {
                    <p class="error" role="alert" data-testid="signin-sso-error">
                        {text(move |s, _| sso_error_text(s, code))}
                    </p>
                })}
                <Transition fallback=|| ()>{single_sign_on}</Transition>
                <form on:submit=submit novalidate>
                    <label for="signin-email">{tr(|s| s.email_address)}</label>
                    <input
                        id="signin-email"
                        name="email"
                        type="email"
                        autocomplete="username"
                        spellcheck="false"
                        aria-describedby="signin-error"
                        aria-invalid=invalid
                        node_ref=email
                        data-testid="signin-email"
                    />
                    <label for="signin-password">{tr(|s| s.password)}</label>
                    <input
                        id="signin-password"
                        name="password"
                        type="password"
                        autocomplete="current-password"
                        aria-describedby="signin-error"
                        aria-invalid=invalid
                        node_ref=password
                        data-testid="signin-password"
                    />
                    <p id="signin-error" class="error" role="alert" data-testid="signin-error">
                        {text(move |s, _| {
                            if missing.get() {
                                return s.signin_missing.to_owned();
                            }
                            sign_in.value().with(|v| match v {
                                Some(Err(e)) if e.code() == Some(ErrorCode::CredentialsWrong) => {
                                    s.credentials_wrong.to_owned()
                                }
                                Some(Err(e)) => error_text(s, e),
                                _ => String::new(),
                            })
                        })}
                    </p>
                    <button type="submit" class="primary" disabled=busy data-testid="signin-submit">
                        {text(move |s, _| if busy.get() { s.signing_in } else { s.sign_in }.to_owned())}
                    </button>
                </form>
            </section>
        </Shell>
    }
}

/// What the sign-in page says when single sign-on sent the browser back
/// with `code`.
fn sso_error_text(s: &'static Strings, code: ErrorCode) -> String {
    match code {
        ErrorCode::SsoStateInvalid => s.sso_state_invalid.to_owned(),
        ErrorCode::SsoTokenInvalid => s.sso_token_invalid.to_owned(),
        ErrorCode::SsoAccountRefused => s.sso_account_refused.to_owned(),
        ErrorCode::SsoUnavailable => s.sso_unavailable.to_owned(),
        // Too many sign-ins begun from here: they count for ten minutes.
        ErrorCode::RateLimited => fill(s.rate_limited_later, "10"),
        _ => s.something_failed.to_owned(),
    }
}
