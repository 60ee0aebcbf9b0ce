//! `/admin/audit`: the access audit — who asked for a passcode, opened,
//! downloaded, replied, revoked — filtered, a page at a time, and as CSV.

use leptos::prelude::*;
use sealmail_api::admin::{AuditKind, AuditOutcome, AuditQuery};

use crate::api::use_api;
use crate::components::filter_form::{Filter, FilterForm, FilterValues};
use crate::components::paged_list::use_paged_list;
use crate::components::set_title;
use crate::components::staff::{AdminNav, Staff, error_text};
use crate::i18n::Strings;
use crate::i18n::format::{date_time, end_of_day, start_of_day};
use crate::translate::{text, tr};

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
        AuditKind::NotificationResent => s.audit_notification_resent,
        AuditKind::MessageStatusViewed => s.audit_message_status_viewed,
        AuditKind::MessageTraceSearched => s.audit_message_trace_searched,
        AuditKind::AuditViewed => s.audit_audit_viewed,
        AuditKind::AuditExported => s.audit_audit_exported,
        AuditKind::BrandingTemplateCreated => s.audit_branding_template_created,
        AuditKind::BrandingTemplateChanged => s.audit_branding_template_changed,
        AuditKind::BrandingTemplateDeleted => s.audit_branding_template_deleted,
        AuditKind::BrandingLogoUploaded => s.audit_branding_logo_uploaded,
        AuditKind::BrandingLogoRemoved => s.audit_branding_logo_removed,
        AuditKind::MailFlowRuleAdded => s.audit_mail_flow_rule_added,
        AuditKind::MailFlowRuleChanged => s.audit_mail_flow_rule_changed,
        AuditKind::MailFlowRuleMoved => s.audit_mail_flow_rule_moved,
        AuditKind::MailFlowRuleRemoved => s.audit_mail_flow_rule_removed,
        AuditKind::ApiTokenCreated => s.audit_api_token_created,
        AuditKind::ApiTokenRevoked => s.audit_api_token_revoked,
        AuditKind::ApiTokenUsed => s.audit_api_token_used,
    }
}

const OUTCOMES: [AuditOutcome; 2] = [AuditOutcome::Success, AuditOutcome::Failure];

fn outcome_text(s: &Strings, outcome: AuditOutcome) -> &'static str {
    match outcome {
        AuditOutcome::Success => s.outcome_success,
        AuditOutcome::Failure => s.outcome_failure,
    }
}

#[component]
fn AdminAudit() -> impl IntoView {
    let api = StoredValue::new(use_api());
    let list = use_paged_list(Some(AuditQuery::default()), |api, query, cursor| {
        api.admin_audit(AuditQuery { cursor, ..query })
    });
    let title = tr(|s| s.audit_title);
    set_title(move || title.get().to_owned());
    let on_search = move |values: FilterValues| {
        let kind = values.text("audit-kind");
        let outcome = values.text("audit-outcome");
        list.search(AuditQuery {
            since: start_of_day(&values.text("audit-since")),
            until: end_of_day(&values.text("audit-until")),
            kind: AuditKind::ALL.into_iter().find(|k| k.as_str() == kind),
            outcome: OUTCOMES.into_iter().find(|o| o.as_str() == outcome),
            message_id: values.get("audit-message-id"),
            recipient: values.get("audit-recipient"),
            ..AuditQuery::default()
        });
    };
    let csv = move || {
        api.get_value()
            .sender()
            .admin_audit_csv_url(list.query.get().unwrap_or_default())
    };
    let input = |id, kind, label| Filter::Input { id, kind, label };
    let filters = vec![
        input("audit-since", "date", |s| s.period_from),
        input("audit-until", "date", |s| s.period_until),
        Filter::Choice {
            id: "audit-kind",
            label: |s| s.audit_kind,
            options: AuditKind::ALL
                .into_iter()
                .map(|k| (k.as_str(), text(move |s, _| kind_text(s, k).to_owned())))
                .collect(),
        },
        Filter::Choice {
            id: "audit-outcome",
            label: |s| s.audit_outcome,
            options: OUTCOMES
                .into_iter()
                .map(|o| (o.as_str(), text(move |s, _| outcome_text(s, o).to_owned())))
                .collect(),
        },
        input("audit-message-id", "text", |s| s.message_id),
        input("audit-recipient", "text", |s| s.recipient),
    ];

    view! {
        <AdminNav/>
        <section class="card" data-testid="page-admin-audit">
            <h1>{tr(|s| s.audit_title)}</h1>
            <FilterForm filters=filters search_id="audit-search" busy=Signal::derive(move || list.busy()) on_search=on_search/>
            <p><a href=csv download="sealmail-audit.csv" data-testid="audit-csv">{tr(|s| s.download_csv)}</a></p>
            <p class="error" role="alert" data-testid="audit-error">
                {text(move |s, _| list.problem().map(|e| error_text(s, &e)).unwrap_or_default())}
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
                        <Transition set_pending=list.loading>
                        <For each=move || list.rows().unwrap_or_default() key=|e| e.id let(e)>{{
                            let at = e.at.clone();
                            let kind = e.kind;
                            let outcome = e.outcome;
                            view! { <tr data-testid="audit-row">
                                <td>{text(move |_, lang| date_time(&at, lang))}</td>
                                <td>{text(move |s, _| kind_text(s, kind).to_owned())}</td>
                                <td>{text(move |s, _| outcome_text(s, outcome).to_owned())}</td>
                                <td>{e.recipient.clone()}</td>
                                <td>{e.actor.clone()}</td>
                                <td><code>{e.message_id.clone()}</code></td>
                                <td>{e.detail.clone()}</td>
                            </tr> }
                        }}</For>
                        </Transition>
                    </tbody>
                </table>
            </div>
            {move || list.is_empty().then(|| view! { <p role="status">{tr(|s| s.nothing_found)}</p> })}
            {move || list.can_load_more().then(|| view! {
                <button type="button" class="secondary" data-testid="audit-more" on:click=move |_| list.load_more()>{tr(|s| s.load_more)}</button>
            })}
        </section>
    }
}
