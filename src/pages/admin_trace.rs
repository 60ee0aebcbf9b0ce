//! `/admin/trace`: message trace — find messages by sender, recipient,
//! subject and dates; each result links to its status page.

use leptos::prelude::*;
use leptos::task::spawn_local;
use sealmail_api::admin::{MessageState, MessageStatus, TraceQuery};

use crate::api::{ApiError, use_api};
use crate::app::{paths, percent_encode, use_location};
use crate::components::sent_row::recipient_state;
use crate::components::staff::{AdminNav, Staff, error_text, redirect_if_signed_out};
use crate::components::{mailbox, set_title};
use crate::i18n::format::{date_time, end_of_day, start_of_day};
use crate::i18n::{text, tr};

/// The trace page (administrators only).
#[component]
pub fn AdminTracePage() -> impl IntoView {
    view! { <Staff admin=true><AdminTrace/></Staff> }
}

#[component]
fn AdminTrace() -> impl IntoView {
    let api = StoredValue::new(use_api());
    let location = use_location();
    let results = RwSignal::new(None::<Vec<MessageStatus>>);
    let cursor = RwSignal::new(None::<String>);
    let query = RwSignal::new(TraceQuery::default());
    let problem = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    let inputs: [NodeRef<leptos::html::Input>; 5] = std::array::from_fn(|_| NodeRef::new());
    let title = tr(|s| s.trace_title);
    set_title(move || title.get().to_owned());

    let load = move |more: bool| {
        let mut q = query.get_untracked();
        q.cursor = if more { cursor.get_untracked() } else { None };
        busy.set(true);
        problem.set(None);
        spawn_local(async move {
            let result = api.get_value().sender().admin_trace(q).await;
            busy.set(false);
            match result {
                Ok(page) => {
                    if more {
                        results.update(|r| r.get_or_insert_with(Vec::new).extend(page.messages));
                    } else {
                        results.set(Some(page.messages));
                    }
                    cursor.set(page.next_cursor);
                }
                Err(error) => {
                    if !redirect_if_signed_out(location, &error) {
                        problem.set(Some(error));
                    }
                }
            }
        });
    };
    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let value = |i: usize| {
            inputs[i]
                .get_untracked()
                .map(|i| i.value().trim().to_owned())
                .unwrap_or_default()
        };
        let some = |v: String| (!v.is_empty()).then_some(v);
        query.set(TraceQuery {
            sender: some(value(0)),
            recipient: some(value(1)),
            subject: some(value(2)),
            from: start_of_day(&value(3)),
            until: end_of_day(&value(4)),
            cursor: None,
            limit: None,
        });
        load(false);
    };

    let field = |i: usize, id: &'static str, kind: &'static str, label: Signal<&'static str>| {
        view! {
            <div>
                <label for=id>{label}</label>
                <input id=id type=kind node_ref=inputs[i] data-testid=id/>
            </div>
        }
    };

    view! {
        <AdminNav/>
        <section class="card" data-testid="page-admin-trace">
            <h1>{tr(|s| s.trace_title)}</h1>
            <form class="filters" on:submit=on_submit>
                {field(0, "trace-sender", "text", tr(|s| s.sender))}
                {field(1, "trace-recipient", "text", tr(|s| s.recipient))}
                {field(2, "trace-subject", "text", tr(|s| s.subject))}
                {field(3, "trace-from", "date", tr(|s| s.period_from))}
                {field(4, "trace-until", "date", tr(|s| s.period_until))}
                <button type="submit" class="primary" disabled=busy data-testid="trace-search">{tr(|s| s.search)}</button>
            </form>
            <p class="error" role="alert" data-testid="trace-error">
                {text(move |s, _| problem.with(|p| p.as_ref().map(|e| error_text(s, e)).unwrap_or_default()))}
            </p>
            <div role="status" class="status" data-testid="trace-count">
                {text(move |s, _| results.with(|r| match r {
                    Some(list) if list.is_empty() => s.nothing_found.to_owned(),
                    _ => String::new(),
                }))}
            </div>
            <ul class="sent-list" data-testid="trace-results">
                {move || results.get().unwrap_or_default().into_iter().map(|m| {
                    let sent_at = m.sent_at.clone();
                    let href = format!("{}?message_id={}", paths::ADMIN, percent_encode(&m.message_id));
                    let state = m.state;
                    let recipients = m.recipients.clone();
                    view! {
                        <li class="sent-row" data-testid="trace-row">
                            <h2>{m.subject.clone()}</h2>
                            <p class="meta">
                                {mailbox(&m.sender)} " · " {text(move |_, lang| date_time(&sent_at, lang))}
                                {(state != MessageState::Active).then(|| view! {
                                    " · " <strong>{text(move |s, _| if state == MessageState::Revoked { s.state_revoked } else { s.state_expired }.to_owned())}</strong>
                                })}
                            </p>
                            <ul class="recipients">
                                {recipients.into_iter().map(|r| {
                                    let address = r.recipient.address.clone();
                                    view! { <li><span class="recipient-name">{address}</span> <span class="state">{text(move |s, lang| recipient_state(s, &r, lang))}</span></li> }
                                }).collect_view()}
                            </ul>
                            <p><a href=href.clone() data-testid="trace-status-link" on:click=move |e: leptos::ev::MouseEvent| {
                                if e.button() == 0 && !(e.ctrl_key() || e.meta_key() || e.shift_key() || e.alt_key()) {
                                    e.prevent_default();
                                    location.navigate(&href);
                                }
                            }>{m.message_id.clone()}</a></p>
                        </li>
                    }
                }).collect_view()}
            </ul>
            {move || (cursor.with(Option::is_some) && !busy.get()).then(|| view! {
                <button type="button" class="secondary" data-testid="trace-more" on:click=move |_| load(true)>{tr(|s| s.load_more)}</button>
            })}
        </section>
    }
}
