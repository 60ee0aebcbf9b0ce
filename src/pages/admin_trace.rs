//! `/admin/trace`: message trace — find messages by sender, recipient,
//! subject and dates; each result links to its status page.

use leptos::prelude::*;
use leptos_router::components::A;
use sealmail_api::admin::{MessageState, TraceQuery};

use crate::components::filter_form::{Filter, FilterForm, FilterValues};
use crate::components::paged_list::use_paged_list;
use crate::components::recipient_list::recipient_state;
use crate::components::staff::{AdminNav, Staff, error_text};
use crate::components::{mailbox, set_title};
use crate::context::{paths, percent_encode};
use crate::i18n::format::{date_time, end_of_day, start_of_day};
use crate::translate::{text, tr};

/// The trace page (administrators only).
#[component]
pub fn AdminTracePage() -> impl IntoView {
    view! { <Staff admin=true><AdminTrace/></Staff> }
}

#[component]
fn AdminTrace() -> impl IntoView {
    let list = use_paged_list(None, |api, query, cursor| {
        api.admin_trace(TraceQuery { cursor, ..query })
    });
    let title = tr(|s| s.trace_title);
    set_title(move || title.get().to_owned());

    let on_search = move |values: FilterValues| {
        list.search(TraceQuery {
            sender: values.get("trace-sender"),
            recipient: values.get("trace-recipient"),
            subject: values.get("trace-subject"),
            from: start_of_day(&values.text("trace-from")),
            until: end_of_day(&values.text("trace-until")),
            cursor: None,
            limit: None,
        });
    };
    let input = |id, kind, label| Filter::Input { id, kind, label };
    let filters = vec![
        input("trace-sender", "text", |s| s.sender),
        input("trace-recipient", "text", |s| s.recipient),
        input("trace-subject", "text", |s| s.subject),
        input("trace-from", "date", |s| s.period_from),
        input("trace-until", "date", |s| s.period_until),
    ];

    view! {
        <AdminNav/>
        <section class="card" data-testid="page-admin-trace">
            <h1>{tr(|s| s.trace_title)}</h1>
            <FilterForm filters=filters search_id="trace-search" busy=Signal::derive(move || list.busy()) on_search=on_search/>
            <p class="error" role="alert" data-testid="trace-error">
                {text(move |s, _| list.problem().map(|e| error_text(s, &e)).unwrap_or_default())}
            </p>
            <div role="status" class="status" data-testid="trace-count">
                {text(move |s, _| if list.is_empty() { s.nothing_found.to_owned() } else { String::new() })}
            </div>
            <Transition set_pending=list.loading>
            <ul class="sent-list" data-testid="trace-results">
                // Rows never change in place: a search replaces them, "more" appends.
                <For each=move || list.rows().unwrap_or_default() key=|m| m.message_id.clone() let(m)>{{
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
                            <p><A href=href attr:data-testid="trace-status-link">{m.message_id.clone()}</A></p>
                        </li>
                    }
                }}</For>
            </ul>
            </Transition>
            {move || list.can_load_more().then(|| view! {
                <button type="button" class="secondary" data-testid="trace-more" on:click=move |_| list.load_more()>{tr(|s| s.load_more)}</button>
            })}
        </section>
    }
}
