//! `/admin/report`: the encryption report for a period — totals, a chart of
//! messages sent per day (inline SVG drawn here, no chart library) with the
//! same numbers in a table, and the top recipient domains.

use leptos::prelude::*;
use sealmail_api::admin::{Report, ReportDay, ReportQuery};

use crate::api::use_api;
use crate::components::set_title;
use crate::components::staff::{AdminNav, Staff, load_failed, redirect_if_signed_out};
use crate::context::use_here;
use crate::i18n::fill;
use crate::i18n::format::{end_of_day, short_day, start_of_day};
use crate::translate::{text, tr};

/// The report page (administrators only).
#[component]
pub fn AdminReportPage() -> impl IntoView {
    view! { <Staff admin=true><AdminReport/></Staff> }
}

#[component]
fn AdminReport() -> impl IntoView {
    let api = StoredValue::new(use_api());
    let here = use_here();
    // The period asked for; every change loads the report again.
    let query = RwSignal::new(ReportQuery::default());
    let report = LocalResource::new(move || {
        let query = query.get();
        async move {
            let report = api.get_value().sender().admin_report(query).await;
            if let Err(error) = &report {
                redirect_if_signed_out(here, error);
            }
            report
        }
    });
    let loading = RwSignal::new(false);
    let from = NodeRef::<leptos::html::Input>::new();
    let until = NodeRef::<leptos::html::Input>::new();
    let title = tr(|s| s.report_title);
    set_title(move || title.get().to_owned());

    let show = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let value = |node: NodeRef<leptos::html::Input>| {
            node.get_untracked().map(|i| i.value()).unwrap_or_default()
        };
        let asked = ReportQuery {
            from: start_of_day(&value(from)),
            until: end_of_day(&value(until)),
        };
        // The same period again still reloads (the numbers may have moved).
        if query.get_untracked() == asked {
            report.refetch();
        } else {
            query.set(asked);
        }
    };

    view! {
        <AdminNav/>
        <section class="card" data-testid="page-admin-report">
            <h1>{tr(|s| s.report_title)}</h1>
            <form class="filters" on:submit=show>
                <div>
                    <label for="report-from">{tr(|s| s.period_from)}</label>
                    <input id="report-from" type="date" node_ref=from data-testid="report-from"/>
                </div>
                <div>
                    <label for="report-until">{tr(|s| s.period_until)}</label>
                    <input id="report-until" type="date" node_ref=until data-testid="report-until"/>
                </div>
                <button type="submit" class="primary" disabled=loading data-testid="report-show">{tr(|s| s.show_report)}</button>
            </form>
            <Transition
                fallback=|| view! { <p class="loading" role="status" data-testid="loading">{tr(|s| s.loading)}</p> }
                set_pending=loading
            >
                <ErrorBoundary fallback=|errors| load_failed(errors, "report-error")>
                    {move || Suspend::new(async move {
                        report.await.map(|report| view! { <ReportView report/> })
                    })}
                </ErrorBoundary>
            </Transition>
        </section>
    }
}

#[component]
fn ReportView(report: Report) -> impl IntoView {
    let totals = report.totals;
    let days = report.per_day.clone();
    let domains = report.top_recipient_domains.clone();
    view! {
        <dl class="totals" data-testid="report-totals">
            <div><dt>{tr(|s| s.count_sent)}</dt><dd data-testid="total-sent">{totals.sent}</dd></div>
            <div><dt>{tr(|s| s.count_opened)}</dt><dd data-testid="total-opened">{totals.opened}</dd></div>
            <div><dt>{tr(|s| s.count_revoked)}</dt><dd data-testid="total-revoked">{totals.revoked}</dd></div>
            <div><dt>{tr(|s| s.count_expired)}</dt><dd data-testid="total-expired">{totals.expired}</dd></div>
        </dl>
        <h2 id="chart-title">{tr(|s| s.per_day_title)}</h2>
        <DayChart days=days.clone()/>
        <table class="data" data-testid="report-days">
            <caption class="visually-hidden">{tr(|s| s.per_day_title)}</caption>
            <thead><tr>
                <th scope="col">{tr(|s| s.date)}</th>
                <th scope="col">{tr(|s| s.count_sent)}</th>
                <th scope="col">{tr(|s| s.count_opened)}</th>
                <th scope="col">{tr(|s| s.count_revoked)}</th>
                <th scope="col">{tr(|s| s.count_expired)}</th>
            </tr></thead>
            <tbody>
                {days.into_iter().map(|day| {
                    let date = day.date.clone();
                    view! { <tr>
                        <th scope="row">{text(move |_, lang| short_day(&date, lang))}</th>
                        <td>{day.counts.sent}</td><td>{day.counts.opened}</td>
                        <td>{day.counts.revoked}</td><td>{day.counts.expired}</td>
                    </tr> }
                }).collect_view()}
            </tbody>
        </table>
        <h2>{tr(|s| s.top_domains)}</h2>
        {if domains.is_empty() {
            view! { <p>{tr(|s| s.nothing_found)}</p> }.into_any()
        } else {
            view! {
                <ol class="domains" data-testid="report-domains">
                    {domains.into_iter().map(|d| {
                        let count = d.messages;
                        view! { <li data-testid="report-domain"><span>{d.domain}</span>" "<span class="meta">{text(move |s, _| fill(s.messages_count, &count.to_string()))}</span></li> }
                    }).collect_view()}
                </ol>
            }.into_any()
        }}
    }
}

/// Geometry of the chart, in SVG user units (it scales with the page).
const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 200.0;
const AXIS: f64 = 24.0;

/// Bars of messages sent per day. A picture for sighted readers
/// (`role="img"` with a summary as its name); the table below it has the
/// numbers for everyone.
#[component]
fn DayChart(days: Vec<ReportDay>) -> impl IntoView {
    let max = days.iter().map(|d| d.counts.sent).max().unwrap_or(0).max(1);
    let slot = WIDTH / days.len().max(1) as f64;
    let bar = (slot * 0.7).max(1.0);
    let total: u64 = days.iter().map(|d| d.counts.sent).sum();
    let label_every = (days.len() / 8).max(1);
    let bars = days
        .iter()
        .enumerate()
        .map(|(i, day)| {
            let h = (HEIGHT - AXIS) * day.counts.sent as f64 / max as f64;
            let x = i as f64 * slot + (slot - bar) / 2.0;
            let y = HEIGHT - AXIS - h;
            let date = day.date.clone();
            let label = day.date.clone();
            let sent = day.counts.sent;
            view! {
                <g>
                    <rect class="bar" x=format!("{x:.1}") y=format!("{y:.1}") width=format!("{bar:.1}") height=format!("{h:.1}") data-testid="chart-bar">
                        <title>{text(move |s, lang| format!("{}: {}", short_day(&date, lang), fill(s.messages_count, &sent.to_string())))}</title>
                    </rect>
                    {(i % label_every == 0).then(|| view! {
                        <text class="axis-label" x=format!("{:.1}", x + bar / 2.0) y=format!("{:.1}", HEIGHT - 6.0) text-anchor="middle">
                            {text(move |_, lang| short_day(&label, lang))}
                        </text>
                    })}
                </g>
            }
        })
        .collect_view();
    view! {
        <svg
            class="chart"
            viewBox=format!("0 0 {WIDTH} {HEIGHT}")
            role="img"
            aria-label=text(move |s, _| fill(s.chart_summary, &total.to_string()))
            data-testid="report-chart"
        >
            <line class="axis" x1="0" x2=WIDTH.to_string() y1=(HEIGHT - AXIS).to_string() y2=(HEIGHT - AXIS).to_string()/>
            {bars}
        </svg>
    }
}
