//! `/tokens`: the signed-in user's API tokens — each with its scopes, state
//! and dates, revoked here after a confirmation; and a form to create one,
//! whose secret is shown once ([`form`]).

mod form;

use leptos::prelude::*;
use sealmail_api::tokens::{ApiToken, TokenScope, TokenState};

use crate::api::use_api;
use crate::components::set_title;
use crate::components::staff::{
    ConfirmDialog, Staff, error_text, load_failed, redirect_if_signed_out,
};
use crate::context::use_here;
use crate::i18n::format::date_time;
use crate::i18n::{Strings, fill};
use crate::translate::{text, tr};

use form::TokenForm;

/// The API tokens page (any signed-in user, for their own tokens).
#[component]
pub fn TokensPage() -> impl IntoView {
    view! { <Staff><Tokens/></Staff> }
}

/// Loads the tokens, then shows the list and the form.
#[component]
fn Tokens() -> impl IntoView {
    let api = StoredValue::new(use_api());
    let here = use_here();
    let title = tr(|s| s.tokens_title);
    set_title(move || title.get().to_owned());
    let loaded = LocalResource::new(move || async move {
        let list = api.get_value().sender().tokens().await;
        if let Err(error) = &list {
            redirect_if_signed_out(here, error);
        }
        list
    });
    view! {
        <section class="card" data-testid="page-tokens">
            <h1>{tr(|s| s.tokens_title)}</h1>
            <p class="hint">{tr(|s| s.tokens_intro)}</p>
            <Transition fallback=|| view! { <p class="loading" role="status" data-testid="loading">{tr(|s| s.loading)}</p> }>
                <ErrorBoundary fallback=|errors| load_failed(errors, "tokens-load-error")>
                    {move || Suspend::new(async move {
                        loaded.await.map(|list| view! { <TokenList list/> })
                    })}
                </ErrorBoundary>
            </Transition>
        </section>
    }
}

/// The tokens `list` as loaded, kept here: a new token joins it at the top,
/// a revoked one changes in place.
#[component]
fn TokenList(list: Vec<ApiToken>) -> impl IntoView {
    let api = StoredValue::new(use_api());
    let here = use_here();
    let tokens = RwSignal::new(list);

    // The token the dialog asks about (id and name).
    let doomed = RwSignal::new(None::<(i64, String)>);
    let revoke_open = RwSignal::new(false);
    // Its value: whether the revoke went through (shown in the dialog if not).
    let revoke = Action::new_unsync(move |&id: &i64| async move {
        let revoked = api.get_value().sender().revoke_token(id).await;
        match &revoked {
            Ok(token) => {
                tokens.update(|list| {
                    if let Some(row) = list.iter_mut().find(|t| t.id == token.id) {
                        *row = token.clone();
                    }
                });
                revoke_open.set(false);
            }
            Err(error) => {
                redirect_if_signed_out(here, error);
            }
        }
        revoked.map(drop)
    });
    let ask_revoke = move |token: (i64, String)| {
        revoke.value().set(None);
        doomed.set(Some(token));
        revoke_open.set(true);
    };
    let confirm_revoke = move || {
        if let Some((id, _)) = doomed.get_untracked()
            && !revoke.pending().get_untracked()
        {
            revoke.dispatch(id);
        }
    };

    view! {
        <p role="status" class="status" data-testid="tokens-status">
            {text(move |s, _| match revoke.value().get() {
                Some(Ok(())) => s.token_revoked.to_owned(),
                _ => String::new(),
            })}
        </p>
        {move || tokens.with(Vec::is_empty).then(|| view! {
            <p data-testid="tokens-empty">{tr(|s| s.tokens_empty)}</p>
        })}
        <div class="table-scroll">
            <table class="data" data-testid="tokens-table" hidden=move || tokens.with(Vec::is_empty)>
                <caption class="visually-hidden">{tr(|s| s.tokens_title)}</caption>
                <thead><tr>
                    <th scope="col">{tr(|s| s.token_name_header)}</th>
                    <th scope="col">{tr(|s| s.token_scopes)}</th>
                    <th scope="col">{tr(|s| s.status)}</th>
                    <th scope="col">{tr(|s| s.token_created_at)}</th>
                    <th scope="col">{tr(|s| s.token_expires)}</th>
                    <th scope="col">{tr(|s| s.token_last_used)}</th>
                    <th scope="col">{tr(|s| s.token_starts_with)}</th>
                    <th scope="col"><span class="visually-hidden">{tr(|s| s.token_revoke)}</span></th>
                </tr></thead>
                <tbody>
                    <For each=move || tokens.get() key=|t| (t.id, t.state) let(token)>
                        <TokenRow token on_revoke=ask_revoke/>
                    </For>
                </tbody>
            </table>
        </div>
        <TokenForm tokens/>
        <ConfirmDialog
            open=revoke_open
            title=tr(|s| s.token_revoke_title)
            body=text(move |s, _| fill(s.token_revoke_body, &doomed.get().map(|d| d.1).unwrap_or_default()))
            confirm=tr(|s| s.token_revoke)
            busy=revoke.pending()
            error=text(move |s, _| revoke.value().with(|v| match v {
                Some(Err(error)) => error_text(s, error),
                _ => String::new(),
            }))
            on_confirm=confirm_revoke
        />
    }
}

/// One token of the list. Keyed by its id and state, so a revoke draws it anew.
#[component]
fn TokenRow(token: ApiToken, on_revoke: impl Fn((i64, String)) + Copy + 'static) -> impl IntoView {
    let ApiToken {
        id,
        name,
        hint,
        scopes,
        state,
        created_at,
        expires_at,
        last_used_at,
        ..
    } = token;
    let scopes = text(move |s, _| {
        scopes
            .iter()
            .map(|scope| scope_text(s, *scope))
            .collect::<Vec<_>>()
            .join("; ")
    });
    let (state_text, state_class) = match state {
        TokenState::Active => (tr(|s| s.message_active), "state"),
        TokenState::Expired => (tr(|s| s.state_expired), "state state-expired"),
        TokenState::Revoked => (tr(|s| s.state_revoked), "state state-revoked"),
    };
    let expires = text(move |s, lang| match &expires_at {
        Some(at) => date_time(at, lang),
        None => s.expiry_never.to_owned(),
    });
    let used = text(move |s, lang| match &last_used_at {
        Some(at) => date_time(at, lang),
        None => s.token_never_used.to_owned(),
    });
    let revoke_name = name.clone();
    view! {
        <tr data-testid="token-row" data-token-id=id.to_string()>
            <td data-testid="token-name">{name.clone()}</td>
            <td data-testid="token-scopes">{scopes}</td>
            <td><span class=state_class data-testid="token-state">{state_text}</span></td>
            <td>{text(move |_, lang| date_time(&created_at, lang))}</td>
            <td data-testid="token-expires">{expires}</td>
            <td data-testid="token-last-used">{used}</td>
            <td><code data-testid="token-hint">{hint}"…"</code></td>
            <td>
                {(state == TokenState::Active).then(|| view! {
                    <button type="button" class="danger-text link-button" data-testid="token-revoke"
                        on:click=move |_| on_revoke((id, revoke_name.clone()))>
                        {tr(|s| s.token_revoke)}<span class="visually-hidden">": " {name.clone()}</span>
                    </button>
                })}
            </td>
        </tr>
    }
}

/// What a scope lets a token do, in words.
pub(crate) fn scope_text(s: &'static Strings, scope: TokenScope) -> &'static str {
    match scope {
        TokenScope::Send => s.token_scope_send,
        TokenScope::Status => s.token_scope_status,
        TokenScope::Revoke => s.token_scope_revoke,
        TokenScope::Admin => s.token_scope_admin,
    }
}
