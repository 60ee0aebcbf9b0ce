//! Prometheus metrics, served only with `--metrics-listen`, on that address
//! alone (never on the public port). Each event is counted by one named
//! function, called where the event is decided; without `--metrics-listen`
//! no recorder is installed and every call here does nothing.
//!
//! No label ever holds a request's path, a link token or an address: HTTP
//! requests are labelled with the route's template (`/api/v1/links/{token}`),
//! the method (one of a fixed few) and the status code.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use ::metrics::{Unit, counter, describe_counter, describe_gauge, describe_histogram, gauge};
use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::error::Error;
use crate::state::AppState;
use crate::store;

/// Where Prometheus scrapes.
pub const PATH: &str = "/metrics";

const HTTP_REQUESTS: &str = "sealmail_http_requests_total";
const HTTP_DURATION: &str = "sealmail_http_request_duration_seconds";
const MESSAGES_STORED: &str = "sealmail_messages_stored_total";
const MESSAGES_OPENED: &str = "sealmail_messages_opened_total";
const MESSAGES_REVOKED: &str = "sealmail_messages_revoked_total";
const MESSAGES_EXPIRED: &str = "sealmail_messages_expired_total";
const RECIPIENTS_REVOKED: &str = "sealmail_recipient_access_revoked_total";
const PASSCODES_SENT: &str = "sealmail_passcodes_sent_total";
const PASSCODES_WRONG: &str = "sealmail_passcodes_wrong_total";
const PASSCODE_LOCKOUTS: &str = "sealmail_passcode_lockouts_total";
const SMTP_MAILS: &str = "sealmail_smtp_mails_total";
const QUEUE_DEPTH: &str = "sealmail_mail_queue_depth";
const QUEUE_OLDEST: &str = "sealmail_mail_queue_oldest_age_seconds";
const POOL_SIZE: &str = "sealmail_db_pool_connections";
const POOL_IDLE: &str = "sealmail_db_pool_idle_connections";
const POOL_MAX: &str = "sealmail_db_pool_max_connections";

/// The latency histogram's buckets (seconds): an API call takes milliseconds,
/// a large upload or a sign-in (argon2id) up to seconds.
const LATENCY_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// The label of requests no API route matched: the portal's pages and files
/// (whose paths hold link tokens, so they are never a label).
const PORTAL_ROUTE: &str = "portal";

/// A message was stored (sent through the API, `sealmail send`, SMTP, or a reply).
pub fn message_stored() {
    counter!(MESSAGES_STORED).increment(1);
}

/// A recipient opened a message for the first time (their first correct passcode).
pub fn message_opened() {
    counter!(MESSAGES_OPENED).increment(1);
}

/// A message was revoked: its key and content destroyed.
pub fn message_revoked() {
    counter!(MESSAGES_REVOKED).increment(1);
}

/// A message expired and was purged: its key and content destroyed.
pub fn message_expired() {
    counter!(MESSAGES_EXPIRED).increment(1);
}

/// One recipient's access to a message was revoked (the others kept theirs).
pub fn recipient_access_revoked() {
    counter!(RECIPIENTS_REVOKED).increment(1);
}

/// A passcode was issued and its mail queued.
pub fn passcode_sent() {
    counter!(PASSCODES_SENT).increment(1);
}

/// A wrong passcode was counted against its link.
pub fn passcode_wrong() {
    counter!(PASSCODES_WRONG).increment(1);
}

/// Wrong passcodes locked a client out of a link for a while, or blocked the link.
pub fn passcode_lockout(scope: Lockout) {
    counter!(PASSCODE_LOCKOUTS, "scope" => scope.as_str()).increment(1);
}

/// What wrong passcodes locked.
#[derive(Debug, Clone, Copy)]
pub enum Lockout {
    /// One client, for a while (`too_many_attempts`).
    Client,
    /// The link, for everyone, until the sender sends a new one (`link_blocked`).
    Link,
}

impl Lockout {
    fn as_str(self) -> &'static str {
        match self {
            Lockout::Client => "client",
            Lockout::Link => "link",
        }
    }
}

/// The SMTP listener answered a mail's DATA with `code`: taken (2xx), to be
/// tried later (4xx) or refused (5xx).
pub fn smtp_mail(code: u16) {
    let outcome = match code {
        200..=299 => "accepted",
        400..=499 => "deferred",
        _ => "refused",
    };
    counter!(SMTP_MAILS, "outcome" => outcome).increment(1);
}

/// Counts and times every request by its route's template (never its path),
/// method and status. A layer of the whole router, so routes and the portal's
/// fallback both pass through it.
pub async fn track_request(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or(PORTAL_ROUTE, |path| path.as_str())
        .to_owned();
    let method = crate::http::method_name(request.method());
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    counter!(HTTP_REQUESTS, "method" => method, "route" => route.clone(), "status" => status)
        .increment(1);
    ::metrics::histogram!(HTTP_DURATION, "method" => method, "route" => route)
        .record(started.elapsed().as_secs_f64());
    response
}

/// The process's recorder, installed by the first call. Counting starts
/// then: before it (and without `--metrics-listen`) the counters are no-ops.
fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full(HTTP_DURATION.to_owned()), LATENCY_BUCKETS)
            .map(PrometheusBuilder::build_recorder)
            .unwrap_or_else(|_| PrometheusBuilder::new().build_recorder());
        let handle = recorder.handle();
        if ::metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("another metrics recorder is installed: /metrics will stay empty");
        }
        describe();
        handle
    })
}

/// The HELP lines, and the plain counters at zero, so a dashboard sees
/// every series from the first scrape.
fn describe() {
    describe_counter!(
        HTTP_REQUESTS,
        "HTTP requests, by route template, method and status code"
    );
    describe_histogram!(
        HTTP_DURATION,
        Unit::Seconds,
        "Time to answer an HTTP request (until its headers), by route template and method"
    );
    for (name, help) in [
        (
            MESSAGES_STORED,
            "Messages stored (API, command line, SMTP, replies)",
        ),
        (
            MESSAGES_OPENED,
            "First opens of a message by a recipient (a correct passcode)",
        ),
        (
            MESSAGES_REVOKED,
            "Messages revoked (key and content destroyed)",
        ),
        (
            MESSAGES_EXPIRED,
            "Messages expired and purged (key and content destroyed)",
        ),
        (RECIPIENTS_REVOKED, "One recipient's access revoked"),
        (PASSCODES_SENT, "Passcodes issued (their mail queued)"),
        (PASSCODES_WRONG, "Wrong passcodes counted"),
    ] {
        describe_counter!(name, help);
        counter!(name).increment(0);
    }
    describe_counter!(
        PASSCODE_LOCKOUTS,
        "Lockouts after wrong passcodes: one client for a while (client), or the link (link)"
    );
    describe_counter!(
        SMTP_MAILS,
        "Mails received over SMTP, by the answer to DATA: accepted, deferred (4xx), refused (5xx)"
    );
    describe_gauge!(
        QUEUE_DEPTH,
        "Mails waiting to be sent, by state (queued, deferred)"
    );
    describe_gauge!(
        QUEUE_OLDEST,
        Unit::Seconds,
        "Age of the oldest mail waiting to be sent (0 when none waits)"
    );
    describe_gauge!(POOL_SIZE, "Database connections open (in use and idle)");
    describe_gauge!(POOL_IDLE, "Database connections open and idle");
    describe_gauge!(POOL_MAX, "Database connections the pool may open");
}

/// The metrics listener's router: `GET /metrics` in Prometheus' text format,
/// everything else `not_found`. Installs the recorder if it is not yet.
pub fn router(state: AppState) -> Router {
    handle();
    Router::new()
        .route(PATH, get(scrape))
        .fallback(not_found)
        .with_state(state)
}

/// Serves `app` (the [`router`]) on `listener` until `stop`, and drains the
/// latency samples into their buckets every few seconds even if nobody scrapes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    limits: crate::http::listen::Limits,
    stop: impl Future<Output = ()>,
) {
    let upkeep = tokio::spawn(async {
        let mut every = tokio::time::interval(Duration::from_secs(5));
        loop {
            every.tick().await;
            handle().run_upkeep();
        }
    });
    crate::http::listen::serve(listener, app, limits, stop).await;
    upkeep.abort();
}

/// What is read at scrape time (the queue and the pool), then everything.
async fn scrape(State(state): State<AppState>) -> Response {
    match store::mail_queue::waiting(&state.db).await {
        Ok(waiting) => {
            gauge!(QUEUE_DEPTH, "state" => "queued").set(waiting.queued as f64);
            gauge!(QUEUE_DEPTH, "state" => "deferred").set(waiting.deferred as f64);
            let age = waiting
                .oldest_created_at
                .map_or(0, |at| (store::now() - at).max(0));
            gauge!(QUEUE_OLDEST).set(age as f64);
        }
        Err(e) => tracing::warn!(error = %e, "reading the mail queue for /metrics failed"),
    }
    let pool = state.db.pool_use();
    gauge!(POOL_SIZE).set(f64::from(pool.size));
    gauge!(POOL_IDLE).set(pool.idle as f64);
    gauge!(POOL_MAX).set(f64::from(pool.max));
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        handle().render(),
    )
        .into_response()
}

async fn not_found() -> Error {
    Error::NotFound("the metrics listener serves only /metrics".to_owned())
}
