//! The message view: headers, body, attachments, the protection in force, and
//! the reply form.

use std::sync::Arc;

use leptos::prelude::*;
use sealmail_api::Protection;
use sealmail_api::recipient::MessageView;

use crate::components::attachments::Attachments;
use crate::components::html_body::HtmlBody;
use crate::components::reply_form::ReplyForm;
use crate::components::{focus_when_mounted, mailbox, mailboxes};
use crate::i18n::format::date_time;
use crate::i18n::{fill, use_i18n};
use crate::pages::link::ProtectionFacts;

/// Shows one decrypted message.
#[component]
pub fn MessagePage(message: Arc<MessageView>) -> impl IntoView {
    let t = use_i18n();
    let heading = NodeRef::<leptos::html::H1>::new();
    focus_when_mounted(heading);

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
    let body = if let Some(html) = message.body.html.clone() {
        view! { <HtmlBody html do_not_forward/> }.into_any()
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
                <p class="notice dnf-notice" role="note" data-testid="dnf-notice">{move || t.t().dnf_notice}</p>
                <p class="print-notice">{move || t.t().dnf_print}</p>
            })}
            <div class="message-content">
                <h1 tabindex="-1" node_ref=heading data-testid="subject">{message.subject.clone()}</h1>
                <dl class="headers">
                    <dt>{move || t.t().from}</dt>
                    <dd data-testid="from">{from}</dd>
                    <dt>{move || t.t().to}</dt>
                    <dd data-testid="to">{to}</dd>
                    {cc.map(|cc| view! {
                        <dt>{move || t.t().cc}</dt>
                        <dd data-testid="cc">{cc}</dd>
                    })}
                    <dt>{move || t.t().date}</dt>
                    <dd>
                        <time datetime=message.sent_at.0.clone() data-testid="sent-at">
                            {move || date_time(&sent_at, t.lang())}
                        </time>
                    </dd>
                </dl>
                <ProtectionFacts protection=message.protection/>
                {expires.map(|at| view! {
                    <p data-testid="expires">{move || fill(t.t().expires, &date_time(&at, t.lang()))}</p>
                })}
                <h2 class="visually-hidden">{move || t.t().message_body}</h2>
                {body}
                <Attachments attachments=message.attachments.clone()/>
            </div>
            <ReplyForm to=from_for_reply(&message)/>
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
