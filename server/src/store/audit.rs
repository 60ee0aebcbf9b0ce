//! The access audit: one row per recipient access, revoke, expiry change and
//! sign-in. Rows hold no secret.

use sealmail_api::admin::{AuditEvent, AuditKind, AuditOutcome};
use sqlx::QueryBuilder;

use super::{Db, Serial, Tx, dialect, on_db, on_tx};

use crate::error::Result;

/// A new event (its id and time are set when it is stored).
#[derive(Debug, Clone)]
pub struct NewEvent {
    /// What happened.
    pub kind: AuditKind,
    /// Whether it succeeded.
    pub outcome: AuditOutcome,
    /// The Message-ID concerned.
    pub message_id: Option<String>,
    /// The recipient's address.
    pub recipient: Option<String>,
    /// The sender/admin who acted (or the address tried at sign-in).
    pub actor: Option<String>,
    /// The client's IP address.
    pub client_address: Option<String>,
    /// The error code of a failure, an attachment's name, a new expiry.
    pub detail: Option<String>,
}

/// The one `INSERT` of `events` (each with its time), as a query builder:
/// written once, expanded for each driver inside `on_db!`/`on_tx!`.
macro_rules! insert_events {
    ($events:expr) => {{
        let mut q = QueryBuilder::new(
            "INSERT INTO audit_events (at, kind, outcome, message_id, recipient, actor, client_address, detail) ",
        );
        q.push_values($events, |mut row, (e, at)| {
            row.push_bind(at)
                .push_bind(e.kind.as_str())
                .push_bind(e.outcome.as_str())
                .push_bind(&e.message_id)
                .push_bind(&e.recipient)
                .push_bind(&e.actor)
                .push_bind(&e.client_address)
                .push_bind(&e.detail);
        });
        q
    }};
}

impl NewEvent {
    /// Whether its `detail` is an attachment's file name (a download's).
    fn names_a_file(&self) -> bool {
        self.kind == AuditKind::AttachmentDownloaded
            && self.outcome == AuditOutcome::Success
            && self.detail.is_some()
    }
}

/// Stores events, each with its time, in one statement: all or none. One
/// statement is one trip to the connection's thread and one short hold of
/// the write lock, however many events (a transaction of one `INSERT` per
/// event took two trips more than events).
pub async fn insert_all(db: &Db, events: &[(NewEvent, i64)]) -> Result<()> {
    if events.is_empty() {
        return Ok(());
    }
    // In one write order with the end of each message whose file names these
    // events carry: an event of a message that ended while it was on its way
    // loses its name here, as the events before the end lost theirs in
    // `forget_file_names`. Only those messages are locked (in one order, so
    // two writers never wait on each other), so on PostgreSQL the writers of
    // several replicas commit side by side.
    let mut named: Vec<Serial> = events
        .iter()
        .filter(|(e, _)| e.names_a_file())
        .filter_map(|(e, _)| e.message_id.as_deref().map(Serial::message_files))
        .collect();
    named.sort_unstable();
    named.dedup();
    if named.is_empty() {
        // One statement is all or none by itself: no transaction around it.
        on_db!(db, |c| insert_events!(events)
            .build()
            .execute(c)
            .await
            .map(|r| r.rows_affected()))?;
        return Ok(());
    }
    let mut tx = db.write().await?;
    for message in &named {
        tx.serialize(*message).await?;
    }
    on_tx!(tx, |c| {
        let mut q = insert_events!(events);
        q.push(" RETURNING id");
        let ids: Vec<i64> = q.build_query_scalar().fetch_all(&mut *c).await?;
        let first = ids.iter().min().copied().unwrap_or(0);
        sqlx::query(
            "UPDATE audit_events SET detail = NULL
             WHERE kind = 'attachment_downloaded' AND outcome = 'success' AND detail IS NOT NULL
               AND id >= $1 AND message_id IN (SELECT message_id FROM messages WHERE state <> 'active')",
        )
        .bind(first)
        .execute(&mut *c)
        .await
        .map(|_| ())
    })?;
    tx.commit().await?;
    Ok(())
}

/// Stores `event`, timed `at`, inside the caller's transaction (a handler
/// that audits what it did in the same commit). It carries no file name.
pub async fn insert_in(tx: &mut Tx, event: &NewEvent, at: i64) -> Result<()> {
    debug_assert!(!event.names_a_file());
    on_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO audit_events (at, kind, outcome, message_id, recipient, actor, client_address, detail)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(at)
    .bind(event.kind.as_str())
    .bind(event.outcome.as_str())
    .bind(&event.message_id)
    .bind(&event.recipient)
    .bind(&event.actor)
    .bind(&event.client_address)
    .bind(&event.detail)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Drops the attachment file names from the audit of the message with
/// Message-ID `message_id`, inside the transaction that ends it: crypto-
/// shredding takes the names with the files. The events stay.
pub async fn forget_file_names(tx: &mut Tx, message_id: &str) -> Result<()> {
    tx.serialize(Serial::message_files(message_id)).await?;
    // A download's `detail` is the file's name.
    on_tx!(tx, |c| sqlx::query(
        "UPDATE audit_events SET detail = NULL
         WHERE kind = 'attachment_downloaded' AND outcome = 'success' AND detail IS NOT NULL
           AND message_id = $1",
    )
    .bind(message_id)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Filters for [`list`]; times are Unix seconds.
#[derive(Debug, Default, Clone)]
pub struct Filter {
    /// At or after.
    pub since: Option<i64>,
    /// Before.
    pub until: Option<i64>,
    /// Only this kind.
    pub kind: Option<AuditKind>,
    /// Only this outcome.
    pub outcome: Option<AuditOutcome>,
    /// Only this Message-ID.
    pub message_id: Option<String>,
    /// Recipient address contains this.
    pub recipient: Option<String>,
    /// Only events with an id below this (paging, newest first).
    pub before_id: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    at: i64,
    kind: String,
    outcome: String,
    message_id: Option<String>,
    recipient: Option<String>,
    actor: Option<String>,
    client_address: Option<String>,
    detail: Option<String>,
}

/// Matching events, newest first, at most `limit` (all with `None`).
pub async fn list(db: &Db, f: &Filter, limit: Option<i64>) -> Result<Vec<AuditEvent>> {
    let rows: Vec<Row> = on_db!(db, |c, pg| {
        let mut q = QueryBuilder::new(
            "SELECT id, at, kind, outcome, message_id, recipient, actor, client_address, detail
             FROM audit_events WHERE 1 = 1",
        );
        if let Some(since) = f.since {
            q.push(" AND at >= ").push_bind(since);
        }
        if let Some(until) = f.until {
            q.push(" AND at < ").push_bind(until);
        }
        if let Some(kind) = f.kind {
            q.push(" AND kind = ").push_bind(kind.as_str());
        }
        if let Some(outcome) = f.outcome {
            q.push(" AND outcome = ").push_bind(outcome.as_str());
        }
        if let Some(message_id) = &f.message_id {
            q.push(" AND message_id = ").push_bind(message_id.clone());
        }
        if let Some(recipient) = &f.recipient {
            q.push(dialect!(
                pg,
                " AND recipient LIKE ",
                " AND recipient ILIKE "
            ))
            .push_bind(super::like_pattern(recipient))
            .push(" ESCAPE '\\'");
        }
        if let Some(before) = f.before_id {
            q.push(" AND id < ").push_bind(before);
        }
        q.push(" ORDER BY id DESC");
        if let Some(limit) = limit {
            q.push(" LIMIT ").push_bind(limit);
        }
        q.build_query_as().fetch_all(c).await
    })?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            // Only this code writes kinds; one it does not know (a newer
            // version's, after a downgrade) is left out rather than mislabelled.
            let kind = AuditKind::ALL.into_iter().find(|k| k.as_str() == r.kind)?;
            Some((kind, r))
        })
        .map(|(kind, r)| AuditEvent {
            id: r.id as u64,
            at: super::timestamp(r.at),
            kind,
            outcome: if r.outcome == "success" {
                AuditOutcome::Success
            } else {
                AuditOutcome::Failure
            },
            message_id: r.message_id,
            recipient: r.recipient,
            actor: r.actor,
            client_address: r.client_address,
            detail: r.detail,
        })
        .collect())
}
