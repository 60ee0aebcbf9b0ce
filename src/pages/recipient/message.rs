//! The message view: headers, body, attachments, the protection in force, and
//! the reply form.

use std::sync::Arc;

use leptos::prelude::*;
use sealmail_api::Protection;
use sealmail_api::recipient::MessageView;

use super::attachments::Attachments;
use super::flow::use_flow;
use super::html_body::HtmlBody;
use super::reply_form::ReplyForm;
use crate::api::use_api;
use crate::components::protection::ProtectionFacts;
use crate::components::{focus_when_mounted, mailbox, mailboxes, set_title};
use crate::i18n::fill;
use crate::i18n::format::date_time;
use crate::translate::{text, tr};

/// Shows one decrypted message.
#[component]
pub fn MessagePage(message: Arc<MessageView>) -> impl IntoView {
    let flow = use_flow();
    let heading = NodeRef::<leptos::html::H1>::new();
    focus_when_mounted(heading);
    let subject = message.subject.clone();
    set_title(move || subject.clone());

    let do_not_forward = message.protection == Protection::DoNotForward;
    // Discouraged, not prevented: nothing on a screen can stop a photo of it.
    let on_copy = move |event: web_sys::ClipboardEvent| {
        if do_not_forward {
            event.prevent_default();
        }
    };
    let from = mailbox(&message.from);
    let to = mailboxes(&message.to);
    let cc = (!message.cc.is_empty()).then(|| mailboxes(&message.cc));
    let sent_at = message.sent_at.clone();
    let expires = message.expires_at.clone();
    let body = if message.body.html {
        let src = use_api().body_url(&flow.token());
        view! { <HtmlBody src/> }.into_any()
    } else {
        let text = message.body.text.clone().unwrap_or_default();
        view! { <div class="body-text" data-testid="body-text">{text}</div> }.into_any()
    };

    view! {
        <article
            class="card message"
            class:dnf=do_not_forward
            data-testid="page-message"
            on:copy=on_copy
            on:cut=on_copy
        >
            {do_not_forward.then(|| view! {
                <p class="notice dnf-notice" role="note" data-testid="dnf-notice">{tr(|s| s.dnf_notice)}</p>
                <p class="print-notice">{tr(|s| s.dnf_print)}</p>
            })}
            <div class="message-content">
                <h1 tabindex="-1" node_ref=heading data-testid="subject">{message.subject.clone()}</h1>
                <dl class="headers">
                    <dt>{tr(|s| s.from)}</dt>
                    <dd data-testid="from">{from}</dd>
                    <dt>{tr(|s| s.to)}</dt>
                    <dd data-testid="to">{to}</dd>
                    {cc.map(|cc| view! {
                        <dt>{tr(|s| s.cc)}</dt>
                        <dd data-testid="cc">{cc}</dd>
                    })}
                    <dt>{tr(|s| s.date)}</dt>
                    <dd>
                        <time datetime=message.sent_at.0.clone() data-testid="sent-at">
                            {text(move |_, lang| date_time(&sent_at, lang))}
                        </time>
                    </dd>
                </dl>
                <ProtectionFacts protection=message.protection/>
                {expires.map(|at| view! {
                    <p data-testid="expires">{text(move |s, lang| fill(s.expires, &date_time(&at, lang)))}</p>
                })}
                <h2 class="visually-hidden">{tr(|s| s.message_body)}</h2>
                {body}
                <Attachments attachments=message.attachments.clone()/>
            </div>
            <ReplyForm to=from_for_reply(&message)/>
            <button type="button" class="secondary sign-out" data-testid="sign-out" on:click=move |_| flow.sign_out()>
                {tr(|s| s.sign_out)}
            </button>
        </article>
    }
}

fn from_for_reply(message: &MessageView) -> String {
    message
        .from
        .name
        .clone()
        .unwrap_or_else(|| message.from.address.clone())
}
