//! `/signin`: a sender or administrator signs in, then goes where they were
//! headed (`?next=`), or to the Sent list.

use leptos::prelude::*;
use leptos::task::spawn_local;
use sealmail_api::ErrorCode;
use sealmail_api::sender::SignIn;

use crate::api::{ApiError, use_api};
use crate::app::{safe_next, use_location, use_session};
use crate::components::shell::Shell;
use crate::components::staff::error_text;
use crate::components::{focus_when_mounted, set_title};
use crate::i18n::{text, tr};

/// What went wrong, kept on the page (read out through `role="alert"`).
#[derive(Clone, PartialEq)]
enum Problem {
    Missing,
    Wrong,
    Failed(ApiError),
}

/// The sign-in form.
#[component]
pub fn SignInPage() -> impl IntoView {
    let api = StoredValue::new(use_api());
    let session = use_session();
    let location = use_location();
    let signed_out = location.query("signed_out").is_some();
    let next = safe_next(location.query("next"));
    let busy = RwSignal::new(false);
    let problem = RwSignal::new(None::<Problem>);
    let email = NodeRef::<leptos::html::Input>::new();
    let password = NodeRef::<leptos::html::Input>::new();
    focus_when_mounted(email);
    let title = tr(|s| s.signin_title);
    set_title(move || title.get().to_owned());

    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let value = |node: NodeRef<leptos::html::Input>| {
            node.get_untracked().map(|i| i.value()).unwrap_or_default()
        };
        let sign_in = SignIn {
            email: value(email).trim().to_owned(),
            password: value(password),
        };
        if sign_in.email.is_empty() || sign_in.password.is_empty() {
            problem.set(Some(Problem::Missing));
            let empty = if sign_in.email.is_empty() {
                email
            } else {
                password
            };
            if let Some(input) = empty.get_untracked() {
                let _ = input.focus();
            }
            return;
        }
        busy.set(true);
        problem.set(None);
        let next = next.clone();
        spawn_local(async move {
            match api.get_value().sender().sign_in(sign_in).await {
                Ok(me) => {
                    session.me.set(Some(me));
                    location.navigate(&next);
                }
                Err(error) => {
                    busy.set(false);
                    if let Some(input) = password.get_untracked() {
                        input.set_value("");
                        let _ = input.focus();
                    }
                    problem.set(Some(if error.code() == Some(ErrorCode::CredentialsWrong) {
                        Problem::Wrong
                    } else {
                        Problem::Failed(error)
                    }));
                }
            }
        });
    };

    view! {
        <Shell branding=Signal::derive(|| None)>
            <section class="card narrow" data-testid="page-signin">
                <h1>{tr(|s| s.signin_title)}</h1>
                {signed_out.then(|| view! {
                    <p class="notice" role="status" data-testid="signin-signed-out">{tr(|s| s.signed_out_staff)}</p>
                })}
                <form on:submit=submit novalidate>
                    <label for="signin-email">{tr(|s| s.email_address)}</label>
                    <input
                        id="signin-email"
                        name="email"
                        type="email"
                        autocomplete="username"
                        spellcheck="false"
                        aria-describedby="signin-error"
                        aria-invalid=move || problem.with(|p| if p.is_some() { "true" } else { "false" })
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
                        aria-invalid=move || problem.with(|p| if p.is_some() { "true" } else { "false" })
                        node_ref=password
                        data-testid="signin-password"
                    />
                    <p id="signin-error" class="error" role="alert" data-testid="signin-error">
                        {text(move |s, _| match problem.get() {
                            None => String::new(),
                            Some(Problem::Missing) => s.signin_missing.to_owned(),
                            Some(Problem::Wrong) => s.credentials_wrong.to_owned(),
                            Some(Problem::Failed(error)) => error_text(s, &error),
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
