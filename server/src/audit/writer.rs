//! Writing audit events with group commit.
//!
//! Every recipient access is audited, so under load every message view is
//! also a write, and SQLite has one writer at a time: one transaction per
//! event made the views queue for the write lock (the message view's p99 at
//! 16 clients). Events go to one writer task instead, which stores
//! whatever has arrived while its previous commit ran as one `INSERT`
//! (one statement: all or none; on PostgreSQL a few commits run at once). Nothing waits for a timer, and a request still returns only
//! after its event is stored ("logged before served" as before), so a crash
//! loses no event a client saw the effect of.

use std::sync::Arc;

use tokio::sync::{Semaphore, mpsc, oneshot};

use crate::store::{self, audit::NewEvent};

/// How many events may wait for the writer before callers wait to hand theirs
/// over (back-pressure instead of unbounded memory).
const QUEUE: usize = 4096;
/// The most events in one commit (8 values each, well under SQLite's
/// 32,766 bound parameters).
const MOST_PER_COMMIT: usize = 512;

/// Batches being committed at once on PostgreSQL.
const COMMITS_IN_FLIGHT: usize = 4;

type Pending = (NewEvent, i64, oneshot::Sender<()>);

/// The audit log's writer. Clones share the writer; it stops when the last
/// clone is dropped.
#[derive(Clone, Debug)]
pub struct AuditLog {
    queue: mpsc::Sender<Pending>,
}

impl AuditLog {
    /// Starts the writer task on the current Tokio runtime.
    pub fn start(db: crate::store::Db) -> AuditLog {
        let (queue, events) = mpsc::channel(QUEUE);
        tokio::spawn(write(db, events));
        AuditLog { queue }
    }

    /// Stores `event` (timed now) and returns once it is stored, or once
    /// storing it failed (logged: a failure to audit never fails the request).
    pub async fn record(&self, event: NewEvent) {
        let (stored, done) = oneshot::channel();
        let kind = event.kind;
        if self
            .queue
            .send((event, store::now(), stored))
            .await
            .is_err()
        {
            tracing::error!(
                kind = kind.as_str(),
                "the audit writer has stopped; event not recorded"
            );
            return;
        }
        let _ = done.await;
    }
}

async fn write(db: crate::store::Db, mut events: mpsc::Receiver<Pending>) {
    // SQLite has one writer: a second commit in flight would only wait for
    // the first. PostgreSQL flushes commits that wait together in one go, so
    // while one batch waits for its flush the next ones are sent.
    let in_flight = Arc::new(Semaphore::new(if db.is_postgres() {
        COMMITS_IN_FLIGHT
    } else {
        1
    }));
    loop {
        let Ok(turn) = in_flight.clone().acquire_owned().await else {
            return;
        };
        let mut batch = Vec::with_capacity(MOST_PER_COMMIT);
        if events.recv_many(&mut batch, MOST_PER_COMMIT).await == 0 {
            return;
        }
        let db = db.clone();
        tokio::spawn(async move {
            store_batch(&db, batch).await;
            drop(turn);
        });
    }
}

async fn store_batch(db: &crate::store::Db, batch: Vec<Pending>) {
    let (rows, waiting): (Vec<_>, Vec<_>) = batch
        .into_iter()
        .map(|(event, at, stored)| ((event, at), stored))
        .unzip();
    if let Err(e) = store::audit::insert_all(db, &rows).await {
        tracing::error!(error = %e, events = rows.len(), "could not record audit events");
    }
    for stored in waiting {
        let _ = stored.send(());
    }
}

#[cfg(test)]
mod tests {
    use sealmail_api::admin::{AuditKind, AuditOutcome};

    use super::*;

    fn event(n: usize) -> NewEvent {
        NewEvent {
            kind: AuditKind::MessageOpened,
            outcome: AuditOutcome::Success,
            message_id: Some(format!("<{n}@sealmail.test>")),
            recipient: Some("bob@example.net".into()),
            actor: None,
            client_address: None,
            detail: None,
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn every_event_recorded_at_once_is_stored_before_its_caller_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        let db = store::open(&dir.path().join("audit.db")).await.unwrap();
        let log = AuditLog::start(db.clone());
        let callers: Vec<_> = (0..300)
            .map(|n| {
                let log = log.clone();
                let db = db.clone();
                tokio::spawn(async move {
                    log.record(event(n)).await;
                    // Stored by the time record returns: this caller sees its own row.
                    let filter = store::audit::Filter {
                        message_id: Some(format!("<{n}@sealmail.test>")),
                        ..Default::default()
                    };
                    store::audit::list(&db, &filter, None).await.unwrap().len()
                })
            })
            .collect();
        for caller in callers {
            assert_eq!(caller.await.unwrap(), 1);
        }
        let all = store::audit::list(&db, &Default::default(), Some(1000))
            .await
            .unwrap();
        assert_eq!(all.len(), 300);
    }
}
