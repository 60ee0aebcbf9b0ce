//! The encryption report: messages sent, opened, revoked and expired over a period.

use serde::{Deserialize, Serialize};

use crate::common::Timestamp;

/// `GET /api/v1/admin/report`: the period of the encryption report.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct ReportQuery {
    /// Start of the period (default: 7 days before `until`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<Timestamp>,
    /// End of the period, exclusive (default: now).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<Timestamp>,
}

impl ReportQuery {
    /// The query string (`"?from=…&until=…"`, or `""`), percent-encoded.
    pub fn to_query_string(&self) -> String {
        crate::query::query_string(&[
            ("from", self.from.as_ref().map(|t| t.0.clone())),
            ("until", self.until.as_ref().map(|t| t.0.clone())),
        ])
    }
}

/// The encryption report over a period.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Report {
    /// Start of the period.
    pub from: Timestamp,
    /// End of the period (exclusive).
    pub until: Timestamp,
    /// The whole period.
    pub totals: ReportCounts,
    /// Per UTC day, oldest first, every day of the period (zeros included).
    pub per_day: Vec<ReportDay>,
    /// The recipient domains that received the most messages in the period,
    /// most first (at most 10).
    pub top_recipient_domains: Vec<DomainCount>,
}

/// What happened in a period. Each event counts on the day it happened:
/// a message sent on Monday and revoked on Tuesday counts as sent on Monday
/// and revoked on Tuesday.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportCounts {
    /// Messages sent (replies from recipients not counted).
    pub sent: u64,
    /// Messages opened for the first time (by any recipient).
    pub opened: u64,
    /// Messages revoked (whole messages; one recipient's revoke does not count).
    pub revoked: u64,
    /// Messages that expired.
    pub expired: u64,
}

/// One day of the report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportDay {
    /// The UTC date, `"2026-11-23"`.
    pub date: String,
    /// What happened that day.
    #[serde(flatten)]
    pub counts: ReportCounts,
}

/// How many messages went to one recipient domain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DomainCount {
    /// The domain (`"example.net"`), lower case.
    pub domain: String,
    /// Messages sent in the period with at least one recipient there.
    pub messages: u64,
}
