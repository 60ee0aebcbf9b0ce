//! `/admin`: an administrator looks a message up by its Message-ID — Subject,
//! IsRevocable, Revoked and the recipients, as `sealmail status` prints them —
//! and revokes it, removes one recipient's access, or mails one recipient a
//! new link.

use leptos::prelude::*;
use sealmail_api::ErrorCode;
use sealmail_api::sender::{ResendRequest, RevokeRequest};

use crate::api::use_api;
use crate::components::change_confirm::{Change, ChangeConfirm};
use crate::components::recipient_list::RecipientList;
use crate::components::staff::{AdminNav, Staff, error_text, redirect_if_signed_out};
use crate::components::{focus_when_mounted, mailbox, set_title};
use crate::context::{paths, percent_encode, use_here};
use crate::effect::effect;
use crate::i18n::fill;
use crate::i18n::format::date_time;
use crate::translate::{text, tr};

/// The status page (administrators only).
#[component]
pub fn AdminStatusPage() -> impl IntoView {
    view! { <Staff admin=true><AdminStatus/></Staff> }
}

#[component]
fn AdminStatus() -> impl IntoView {
    let api = StoredValue::new(use_api());
    let here = use_here();
    let done_now = RwSignal::new(None::<Done>);
    // What the open dialog asks to confirm.
    let pending = RwSignal::new(None::<Change>);
    let dialog_open = RwSignal::new(false);
    // The look-up form was sent empty.
    let missing = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let input = NodeRef::<leptos::html::Input>::new();
    let result_heading = NodeRef::<leptos::html::H2>::new();
    focus_when_mounted(input);
    let title = tr(|s| s.admin_status_title);
    set_title(move || title.get().to_owned());

    // The message looked up is the address's `?message_id=` (the form and
    // the trace go there), so Back, a reload and a shared link show it too.
    let wanted = Memo::new(move |_| {
        here.query_tracked("message_id")
            .map(|m| m.trim().to_owned())
            .filter(|m| !m.is_empty())
    });
    let found = LocalResource::new(move || {
        let message_id = wanted.get();
        async move {
            let message_id = message_id?;
            let found = api.get_value().sender().admin_message(&message_id).await;
            if let Err(error) = &found {
                redirect_if_signed_out(here, error);
            }
            Some(found)
        }
    });
    // What is shown: the message found, if one was.
    let status = move || found.get().flatten().and_then(Result::ok);
    effect(move || {
        if found.get().flatten().is_some_and(|f| f.is_ok()) {
            focus_soon(result_heading);
        }
    });
    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let message_id = input
            .get_untracked()
            .map(|i| i.value().trim().to_owned())
            .unwrap_or_default();
        missing.set(message_id.is_empty());
        done_now.set(None);
        if message_id.is_empty() {
            return;
        }
        if wanted.get_untracked().as_deref() == Some(message_id.as_str()) {
            found.refetch();
        } else {
            here.navigate(&format!(
                "{}?message_id={}",
                paths::ADMIN,
                percent_encode(&message_id)
            ));
        }
    };
    let confirm = Action::new_unsync(move |change: &Change| {
        let change = change.clone();
        let message_id = found
            .get_untracked()
            .flatten()
            .and_then(|f| f.ok())
            .map(|s| s.message_id);
        async move {
            let Some(message_id) = message_id else {
                return Ok(());
            };
            let sender = api.get_value();
            let result = match &change {
                Change::Revoke(recipient) => {
                    let request = RevokeRequest {
                        recipient: recipient.clone(),
                    };
                    sender.sender().admin_revoke(&message_id, request).await
                }
                Change::Resend(recipient) => {
                    let request = ResendRequest {
                        recipient: recipient.clone(),
                    };
                    sender.sender().admin_resend(&message_id, request).await
                }
            };
            match result {
                Ok(updated) => {
                    found.set(Some(Some(Ok(updated))));
                    dialog_open.set(false);
                    done_now.set(Some(match change {
                        Change::Revoke(None) => Done::Revoked,
                        Change::Revoke(Some(_)) => Done::RecipientRevoked,
                        Change::Resend(address) => Done::Resent(address),
                    }));
                    focus_soon(result_heading);
                    Ok(())
                }
                Err(error) if error.code() == Some(ErrorCode::AlreadyRevoked) => {
                    dialog_open.set(false);
                    found.refetch();
                    Ok(())
                }
                Err(error) => {
                    redirect_if_signed_out(here, &error);
                    Err(error)
                }
            }
        }
    });
    let ask = move |change: Change| {
        confirm.value().set(None);
        pending.set(Some(change));
        dialog_open.set(true);
    };

    let yes_no = |value: bool| text(move |s, _| if value { s.yes } else { s.no }.to_owned());
    let revoke_one = Callback::new(move |address: String| ask(Change::Revoke(Some(address))));
    let resend_one = Callback::new(move |address: String| ask(Change::Resend(address)));

    view! {
        <AdminNav/>
        <section class="card" data-testid="page-admin-status">
            <h1>{tr(|s| s.admin_status_title)}</h1>
            <p class="hint">{tr(|s| s.admin_status_intro)}</p>
            <form on:submit=on_submit novalidate>
                <label for="admin-message-id">{tr(|s| s.message_id)}</label>
                <div class="inline">
                    <input
                        id="admin-message-id"
                        type="text"
                        spellcheck="false"
                        placeholder="<id@example.com>"
                        aria-describedby="admin-error"
                        node_ref=input
                        prop:value=move || wanted.get().unwrap_or_default()
                        data-testid="admin-message-id"
                    />
                    <button type="submit" class="primary" disabled=busy data-testid="admin-lookup">{tr(|s| s.look_up)}</button>
                </div>
                <p id="admin-error" class="error" role="alert" data-testid="admin-error">
                    {text(move |s, _| {
                        if missing.get() {
                            return s.message_id_missing.to_owned();
                        }
                        match found.get().flatten() {
                            Some(Err(e)) if e.code() == Some(ErrorCode::NotFound) => s.no_such_message.to_owned(),
                            Some(Err(e)) if e.code() == Some(ErrorCode::NotSignedIn) => String::new(),
                            Some(Err(e)) => error_text(s, &e),
                            _ => String::new(),
                        }
                    })}
                </p>
            </form>
            <p role="status" data-testid="admin-status-notice">
                {text(move |s, _| done_now.with(|done| match done {
                    Some(Done::Revoked) => s.admin_revoked_done.to_owned(),
                    Some(Done::RecipientRevoked) => s.revoked_done.to_owned(),
                    Some(Done::Resent(address)) => fill(s.resend_done, address),
                    None => String::new(),
                }))}
            </p>
            <Transition fallback=|| () set_pending=busy>
            {move || Suspend::new(async move { found.await.and_then(Result::ok).map(|found| {
                let sent_at = found.sent_at.clone();
                let expires = found.expires_at.clone();
                let revocable = found.is_revocable;
                let state = found.state;
                view! {
                    <section class="status-result" data-testid="admin-result">
                        <h2 tabindex="-1" node_ref=result_heading>{found.message_id.clone()}</h2>
                        <dl class="headers">
                            <dt>{tr(|s| s.subject)}</dt>
                            <dd data-testid="admin-subject">{found.subject.clone()}</dd>
                            <dt>"IsRevocable"</dt>
                            <dd data-testid="admin-revocable">{yes_no(found.is_revocable)}</dd>
                            <dt>"Revoked"</dt>
                            <dd data-testid="admin-revoked">{yes_no(found.revoked)}</dd>
                            <dt>{tr(|s| s.status)}</dt>
                            <dd data-testid="admin-state">{text(move |s, _| match state {
                                sealmail_api::admin::MessageState::Active => s.message_active,
                                sealmail_api::admin::MessageState::Revoked => s.message_revoked,
                                sealmail_api::admin::MessageState::Expired => s.message_expired,
                            }.to_owned())}</dd>
                            <dt>{tr(|s| s.from)}</dt>
                            <dd data-testid="admin-sender">{mailbox(&found.sender)}</dd>
                            <dt>{tr(|s| s.date)}</dt>
                            <dd>{text(move |_, lang| date_time(&sent_at, lang))}</dd>
                            <dt>{tr(|s| s.expiry)}</dt>
                            <dd>{text(move |s, lang| match &expires {
                                Some(at) => fill(s.expires, &date_time(at, lang)),
                                None => s.no_expiry.to_owned(),
                            })}</dd>
                        </dl>
                        <h3 class="small-heading">{tr(|s| s.recipients)}</h3>
                        <ul class="recipients" data-testid="admin-recipients">
                            <RecipientList
                                recipients=found.recipients.clone()
                                revoke=revocable.then_some(revoke_one)
                                resend=(state == sealmail_api::admin::MessageState::Active).then_some(resend_one)
                            />
                        </ul>
                        {revocable.then(|| view! {
                            <button type="button" class="danger" data-testid="admin-revoke" on:click=move |_| ask(Change::Revoke(None))>
                                {tr(|s| s.revoke_message)}
                            </button>
                        })}
                    </section>
                }
            })})}
            </Transition>
            <ChangeConfirm
                open=dialog_open
                change=pending
                subject=Signal::derive(move || status().map(|st| st.subject).unwrap_or_default())
                busy=confirm.pending()
                error=text(move |s, _| confirm.value().with(|v| match v {
                    Some(Err(error)) => error_text(s, error),
                    _ => String::new(),
                }))
                admin=true
                on_confirm=move || {
                    if let Some(change) = pending.get_untracked()
                        && !confirm.pending().get_untracked()
                    {
                        confirm.dispatch(change);
                    }
                }
            />
        </section>
    }
}

/// What the last confirmed change on this page did, announced in its status line.
#[derive(Clone, PartialEq)]
enum Done {
    Revoked,
    RecipientRevoked,
    /// A new link went to this address.
    Resent(String),
}

/// Focuses an element once the view has caught up.
fn focus_soon<E>(node: NodeRef<E>)
where
    E: leptos::html::ElementType,
    E::Output: wasm_bindgen::JsCast + Clone + 'static,
{
    set_timeout(
        move || {
            use wasm_bindgen::JsCast;
            // `try_`: the page may be gone when the timer fires.
            if let Some(element) = node.try_get_untracked().flatten() {
                let _ = element.unchecked_ref::<web_sys::HtmlElement>().focus();
            }
        },
        std::time::Duration::from_millis(0),
    );
}
