//! `/admin/audit`: the access audit — who asked for a passcode, opened,
//! downloaded, replied, revoked — filtered, a page at a time, and as CSV.

use leptos::prelude::*;
use leptos::task::spawn_local;
use sealmail_api::admin::{AuditEvent, AuditKind, AuditOutcome, AuditQuery};

use crate::api::{ApiError, use_api};
use crate::app::use_location;
use crate::components::set_title;
use crate::components::staff::{AdminNav, Staff, error_text, redirect_if_signed_out};
use crate::i18n::format::{date_time, end_of_day, start_of_day};
use crate::i18n::{Strings, text, tr};

/// The audit page (administrators only).
#[component]
pub fn AdminAuditPage() -> impl IntoView {
    view! { <Staff admin=true><AdminAudit/></Staff> }
}

/// An event kind in words.
pub fn kind_text(s: &Strings, kind: AuditKind) -> &'static str {
    match kind {
        AuditKind::PasscodeRequested => s.audit_passcode_requested,
        AuditKind::PasscodeEntered => s.audit_passcode_entered,
        AuditKind::MessageOpened => s.audit_message_opened,
        AuditKind::AttachmentDownloaded => s.audit_attachment_downloaded,
        AuditKind::ReplySent => s.audit_reply_sent,
        AuditKind::Revoked => s.audit_revoked,
        AuditKind::ExpiryChanged => s.audit_expiry_changed,
        AuditKind::SignIn => s.audit_sign_in,
    }
}

#[component]
fn AdminAudit() -> impl IntoView {
    let api = StoredValue::new(use_api());
    let location = use_location();
    let events = RwSignal::new(None::<Vec<AuditEvent>>);
    let cursor = RwSignal::new(None::<String>);
    let query = RwSignal::new(AuditQuery::default());
    let problem = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    let inputs: [NodeRef<leptos::html::Input>; 4] = std::array::from_fn(|_| NodeRef::new());
    let kind = NodeRef::<leptos::html::Select>::new();
    let outcome = NodeRef::<leptos::html::Select>::new();
    let title = tr(|s| s.audit_title);
    set_title(move || title.get().to_owned());

    let load = move |more: bool| {
        let mut q = query.get_untracked();
        q.cursor = if more { cursor.get_untracked() } else { None };
        busy.set(true);
        problem.set(None);
        spawn_local(async move {
            let result = api.get_value().sender().admin_audit(q).await;
            busy.set(false);
            match result {
                Ok(page) => {
                    if more {
                        events.update(|e| e.get_or_insert_with(Vec::new).extend(page.events));
                    } else {
                        events.set(Some(page.events));
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
    load(false);
    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let value = |i: usize| {
            inputs[i]
                .get_untracked()
                .map(|i| i.value().trim().to_owned())
                .unwrap_or_default()
        };
        let some = |v: String| (!v.is_empty()).then_some(v);
        let chosen_kind = kind.get_untracked().map(|k| k.value()).unwrap_or_default();
        let chosen_outcome = outcome
            .get_untracked()
            .map(|o| o.value())
            .unwrap_or_default();
        query.set(AuditQuery {
            since: start_of_day(&value(0)),
            until: end_of_day(&value(1)),
            kind: AuditKind::ALL
                .into_iter()
                .find(|k| k.as_str() == chosen_kind),
            outcome: [AuditOutcome::Success, AuditOutcome::Failure]
                .into_iter()
                .find(|o| o.as_str() == chosen_outcome),
            message_id: some(value(2)),
            recipient: some(value(3)),
            ..AuditQuery::default()
        });
        load(false);
    };
    let csv = move || api.get_value().sender().admin_audit_csv_url(query.get());

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
        <section class="card" data-testid="page-admin-audit">
            <h1>{tr(|s| s.audit_title)}</h1>
            <form class="filters" on:submit=on_submit>
                {field(0, "audit-since", "date", tr(|s| s.period_from))}
                {field(1, "audit-until", "date", tr(|s| s.period_until))}
                <div>
                    <label for="audit-kind">{tr(|s| s.audit_kind)}</label>
                    <select id="audit-kind" node_ref=kind data-testid="audit-kind">
                        <option value="">{tr(|s| s.any)}</option>
                        {AuditKind::ALL.into_iter().map(|k| view! {
                            <option value=k.as_str()>{text(move |s, _| kind_text(s, k).to_owned())}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div>
                    <label for="audit-outcome">{tr(|s| s.audit_outcome)}</label>
                    <select id="audit-outcome" node_ref=outcome data-testid="audit-outcome">
                        <option value="">{tr(|s| s.any)}</option>
                        <option value="success">{tr(|s| s.outcome_success)}</option>
                        <option value="failure">{tr(|s| s.outcome_failure)}</option>
                    </select>
                </div>
                {field(2, "audit-message-id", "text", tr(|s| s.message_id))}
                {field(3, "audit-recipient", "text", tr(|s| s.recipient))}
                <button type="submit" class="primary" disabled=busy data-testid="audit-search">{tr(|s| s.search)}</button>
            </form>
            <p><a href=csv download="sealmail-audit.csv" data-testid="audit-csv">{tr(|s| s.download_csv)}</a></p>
            <p class="error" role="alert" data-testid="audit-error">
                {text(move |s, _| problem.with(|p| p.as_ref().map(|e| error_text(s, e)).unwrap_or_default()))}
            </p>
            <div class="table-scroll">
                <table class="data" data-testid="audit-table">
                    <caption class="visually-hidden">{tr(|s| s.audit_title)}</caption>
                    <thead><tr>
                        <th scope="col">{tr(|s| s.date)}</th>
                        <th scope="col">{tr(|s| s.audit_kind)}</th>
                        <th scope="col">{tr(|s| s.audit_outcome)}</th>
                        <th scope="col">{tr(|s| s.recipient)}</th>
                        <th scope="col">{tr(|s| s.audit_actor)}</th>
                        <th scope="col">{tr(|s| s.message_id)}</th>
                        <th scope="col">{tr(|s| s.audit_detail)}</th>
                    </tr></thead>
                    <tbody>
                        {move || events.get().unwrap_or_default().into_iter().map(|e| {
                            let at = e.at.clone();
                            let kind = e.kind;
                            let outcome = e.outcome;
                            view! { <tr data-testid="audit-row">
                                <td>{text(move |_, lang| date_time(&at, lang))}</td>
                                <td>{text(move |s, _| kind_text(s, kind).to_owned())}</td>
                                <td>{text(move |s, _| if outcome == AuditOutcome::Success { s.outcome_success } else { s.outcome_failure }.to_owned())}</td>
                                <td>{e.recipient.clone()}</td>
                                <td>{e.actor.clone()}</td>
                                <td><code>{e.message_id.clone()}</code></td>
                                <td>{e.detail.clone()}</td>
                            </tr> }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            {move || events.with(|e| e.as_ref().is_some_and(Vec::is_empty)).then(|| view! { <p role="status">{tr(|s| s.nothing_found)}</p> })}
            {move || (cursor.with(Option::is_some) && !busy.get()).then(|| view! {
                <button type="button" class="secondary" data-testid="audit-more" on:click=move |_| load(true)>{tr(|s| s.load_more)}</button>
            })}
        </section>
    }
}
