//! The form that creates a token — its name, what it may do (the admin API
//! only offered to administrators), how long it lasts — and the new token's
//! secret, shown this once, selected for copying.

use leptos::prelude::*;
use sealmail_api::tokens::{ApiToken, DEFAULT_TOKEN_DAYS, NewApiToken, TokenExpiry, TokenScope};

use super::scope_text;
use crate::api::{ApiError, use_api};
use crate::components::staff::{error_text, redirect_if_signed_out};
use crate::context::{use_here, use_session};
use crate::effect::effect;
use crate::i18n::fill;
use crate::translate::{text, tr};

/// The expiries offered, in days (`None`: never); the default is chosen.
const EXPIRIES: [Option<u32>; 4] = [Some(30), Some(DEFAULT_TOKEN_DAYS), Some(365), None];

/// Why the last creation did not go through.
#[derive(Clone, Debug, PartialEq)]
enum Unmade {
    NameMissing,
    ScopeMissing,
    Failed(ApiError),
}

#[component]
pub(super) fn TokenForm(tokens: RwSignal<Vec<ApiToken>>) -> impl IntoView {
    let api = StoredValue::new(use_api());
    let here = use_here();
    let session = use_session();
    let name = RwSignal::new(String::new());
    let scopes = RwSignal::new(Vec::<TokenScope>::new());
    let expiry = RwSignal::new(Some(DEFAULT_TOKEN_DAYS));

    // Its value: the new token's secret, or why there is none.
    let create = Action::new_unsync(move |request: &NewApiToken| {
        let request = request.clone();
        async move {
            match api.get_value().sender().create_token(request).await {
                Ok(created) => {
                    tokens.update(|list| list.insert(0, created.token));
                    name.set(String::new());
                    scopes.set(Vec::new());
                    expiry.set(Some(DEFAULT_TOKEN_DAYS));
                    Ok(created.secret)
                }
                Err(error) => {
                    redirect_if_signed_out(here, &error);
                    Err(Unmade::Failed(error))
                }
            }
        }
    });
    let busy = create.pending();
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let request = NewApiToken {
            name: name.get_untracked().trim().to_owned(),
            scopes: scopes.get_untracked(),
            expires: expiry
                .get_untracked()
                .map_or(TokenExpiry::Never, TokenExpiry::Days),
        };
        if request.name.is_empty() {
            create.value().set(Some(Err(Unmade::NameMissing)));
        } else if request.scopes.is_empty() {
            create.value().set(Some(Err(Unmade::ScopeMissing)));
        } else {
            create.value().set(None);
            create.dispatch(request);
        }
    };

    let offered = move || {
        let admin = session
            .me
            .with(|me| me.as_ref().is_some_and(|me| me.is_admin));
        TokenScope::ALL
            .into_iter()
            .filter(move |scope| admin || *scope != TokenScope::Admin)
    };
    let scope_box = move |scope: TokenScope| {
        let id = format!("token-scope-{}", scope.as_str());
        let (for_id, testid) = (id.clone(), id.clone());
        view! {
            <label class="check" for=for_id>
                <input type="checkbox" id=id data-testid=testid
                    prop:checked=move || scopes.with(|list| list.contains(&scope))
                    on:change=move |e| {
                        let on = event_target_checked(&e);
                        scopes.update(|list| {
                            list.retain(|s| *s != scope);
                            if on {
                                list.push(scope);
                            }
                        });
                    }/>
                " " {text(move |s, _| scope_text(s, scope).to_owned())}
            </label>
        }
    };
    let secret = move || {
        create.value().with(|v| match v {
            Some(Ok(secret)) => Some(secret.clone()),
            _ => None,
        })
    };

    view! {
        {move || secret().map(|secret| view! { <NewSecret secret/> })}
        <form class="rule-form" on:submit=submit novalidate data-testid="token-form">
            <h2>{tr(|s| s.tokens_new)}</h2>
            <label for="token-name">{tr(|s| s.token_name)}</label>
            <input id="token-name" type="text" maxlength="100" data-testid="token-name-input"
                prop:value=move || name.get()
                on:input=move |e| name.set(event_target_value(&e))/>
            <fieldset>
                <legend>{tr(|s| s.token_scopes)}</legend>
                {move || offered().map(scope_box).collect_view()}
            </fieldset>
            <label for="token-expiry">{tr(|s| s.token_expires)}</label>
            <select id="token-expiry" data-testid="token-expiry"
                on:change=move |e| expiry.set(event_target_value(&e).parse().ok())>
                {EXPIRIES.into_iter().map(|days| {
                    let value = days.map_or_else(|| "never".to_owned(), |d| d.to_string());
                    view! {
                        <option value=value prop:selected=move || expiry.get() == days>
                            {text(move |s, _| match days {
                                Some(days) => fill(s.token_days, &days.to_string()),
                                None => s.token_never.to_owned(),
                            })}
                        </option>
                    }
                }).collect_view()}
            </select>
            <p class="error" role="alert" data-testid="token-form-error">
                {text(move |s, _| create.value().with(|v| match v {
                    Some(Err(Unmade::NameMissing)) => s.token_name_missing.to_owned(),
                    Some(Err(Unmade::ScopeMissing)) => s.token_scope_missing.to_owned(),
                    Some(Err(Unmade::Failed(error))) => error_text(s, error),
                    _ => String::new(),
                }))}
            </p>
            <button type="submit" class="primary" disabled=busy data-testid="token-create">
                {tr(|s| s.token_create)}
            </button>
        </form>
    }
}

/// The new token's secret, shown this once: read out, and selected so that
/// Ctrl+C copies it.
#[component]
fn NewSecret(secret: String) -> impl IntoView {
    let input = NodeRef::<leptos::html::Input>::new();
    effect(move || {
        if let Some(input) = input.get() {
            let _ = input.focus();
            input.select();
        }
    });
    view! {
        <div class="token-secret" data-testid="token-secret-box">
            <p role="status" data-testid="token-created">{tr(|s| s.token_created)}</p>
            <label for="token-secret">{tr(|s| s.token_secret_label)}</label>
            <input id="token-secret" type="text" readonly spellcheck="false" autocomplete="off"
                aria-describedby="token-copy-hint" node_ref=input data-testid="token-secret"
                value=secret/>
            <p id="token-copy-hint" class="hint">{tr(|s| s.token_copy_hint)}</p>
        </div>
    }
}
