//! `GET /api/v1/admin/report`: the encryption report over a period.

use std::collections::BTreeMap;

use axum::extract::State;
use sealmail_api::Timestamp;
use sealmail_api::admin::{DomainCount, Report, ReportCounts, ReportDay, ReportQuery};

use crate::auth::AdminUser;
use crate::error::{Error, Result};
use crate::http::{ApiJson, ApiQuery};
use crate::state::AppState;
use crate::store::{self, sent};

const DAY: i64 = 86_400;
/// The default period (the modelled product's report also starts at a week).
const DEFAULT_DAYS: i64 = 7;
/// The longest period one report covers (its per-day list stays small).
const MAX_DAYS: i64 = 366;
/// How many recipient domains the report lists.
const TOP_DOMAINS: i64 = 10;

/// Messages sent, opened, revoked and expired per day, with totals and the
/// top recipient domains.
pub async fn report(
    State(state): State<AppState>,
    _admin: AdminUser,
    ApiQuery(query): ApiQuery<ReportQuery>,
) -> Result<ApiJson<Report>> {
    let until = match &query.until {
        Some(t) => store::parse_timestamp(t)?,
        // Exclusive, so one second on: what happened this very second counts.
        None => store::now() + 1,
    };
    let from = match &query.from {
        Some(t) => store::parse_timestamp(t)?,
        None => until - DEFAULT_DAYS * DAY,
    };
    if from >= until {
        return Err(Error::InvalidRequest(
            "`from` must be before `until`".to_owned(),
        ));
    }
    if until - from > MAX_DAYS * DAY {
        return Err(Error::InvalidRequest(format!(
            "a report covers at most {MAX_DAYS} days"
        )));
    }

    let events = sent::report_days(&state.db, from, until).await?;
    let mut days: BTreeMap<i64, ReportCounts> = (from.div_euclid(DAY)
        ..=(until - 1).div_euclid(DAY))
        .map(|d| (d, ReportCounts::default()))
        .collect();
    let mut totals = ReportCounts::default();
    for (list, field) in [
        (&events.sent, 0),
        (&events.opened, 1),
        (&events.revoked, 2),
        (&events.expired, 3),
    ] {
        for day in list {
            for counts in [days.entry(*day).or_default(), &mut totals] {
                match field {
                    0 => counts.sent += 1,
                    1 => counts.opened += 1,
                    2 => counts.revoked += 1,
                    _ => counts.expired += 1,
                }
            }
        }
    }
    let top_recipient_domains = sent::top_domains(&state.db, from, until, TOP_DOMAINS)
        .await?
        .into_iter()
        .map(|(domain, messages)| DomainCount {
            domain,
            messages: messages as u64,
        })
        .collect();
    Ok(ApiJson(Report {
        from: store::timestamp(from),
        until: store::timestamp(until),
        totals,
        per_day: days
            .into_iter()
            .map(|(day, counts)| ReportDay {
                date: date(day),
                counts,
            })
            .collect(),
        top_recipient_domains,
    }))
}

/// `"2026-11-23"` for a day number.
fn date(day: i64) -> String {
    let Timestamp(text) = store::timestamp(day * DAY);
    text.get(..10).unwrap_or_default().to_owned()
}
