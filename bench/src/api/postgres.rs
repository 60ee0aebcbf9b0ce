//! The API on PostgreSQL (issue 19): the message view and a passcode verify
//! at 16 clients against two `sealmail serve` replicas on one database and
//! one data dir, the load generator's clients split over both; then the same
//! on one replica alone, the other stopped; then two replicas again on a
//! database whose commits do not wait for the disk, to show what the flush
//! costs. Each run beside the health route over the same replicas, as on SQLite.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use crate::http::{self, LoadRun};
use crate::pg::PgDatabase;
use crate::report::{Figure, Goal};
use crate::seed;
use crate::server::{Server, free_addr, url};

use super::{Goals, LIGHT, MESSAGE_VIEW, PASSCODE_VERIFY, REPEATS, Requests, load_figures};

const CLIENTS: usize = 16;
/// Fresh passcodes for each database's runs (a run stops at its share).
const VERIFY_LINKS: usize = 9_000;

/// Whether a commit waits for its WAL to reach the disk.
#[derive(Clone, Copy, PartialEq)]
enum Commit {
    /// PostgreSQL's default (`synchronous_commit = on`, fsync on): each
    /// commit waits for its flush; on the bench machine's disk one flush
    /// took 3.7 ms (`pg_test_fsync`), and every view commits its audit row.
    Flushed,
    /// `synchronous_commit = off`: a commit returns before its flush (the
    /// WAL writer flushes within a fraction of a second; a crash of the
    /// database server may lose the last commits, never corrupt). The
    /// server's SQLite (WAL, `synchronous = NORMAL`) likewise does not wait
    /// for the disk at commit, so these rows are the like-for-like ones.
    Unflushed,
}

/// Issue 19's goals for two replicas at 16 clients: within 10 ms at p99
/// and at least 2,000 req/s between them (absolute, so a busy machine can
/// miss it: the ratio to the health route beside it is there to read).
const TWO_REPLICAS: Goals = Goals {
    throughput: Goal::AtLeast(2_000.0),
    p99: Goal::AtMost(10.0),
    ratio: Goal::None,
};

pub async fn run(
    binary: &Path,
    portal_dir: &Path,
    cluster_url: &str,
) -> Result<Vec<Figure>, String> {
    let mut figures = Vec::new();
    for commit in [Commit::Flushed, Commit::Unflushed] {
        let purpose = match commit {
            Commit::Flushed => "api",
            Commit::Unflushed => "api_unflushed",
        };
        let db = PgDatabase::create(cluster_url, purpose).await?;
        if commit == Commit::Unflushed {
            db.set("synchronous_commit", "off").await?;
        }
        let measured = measure(binary, portal_dir, &db, commit).await;
        // The replicas have stopped (dropped in `measure`): nothing holds the database.
        db.drop_database().await?;
        figures.extend(measured?);
    }
    Ok(figures)
}

async fn measure(
    binary: &Path,
    portal_dir: &Path,
    db: &PgDatabase,
    commit: Commit,
) -> Result<Vec<Figure>, String> {
    let data_dir = tempfile::Builder::new()
        .prefix("sealmail-bench-api-pg-")
        .tempdir_in(seed::scratch_dir())
        .map_err(|e| e.to_string())?;
    let (a, b) = (free_addr(), free_addr());
    if commit == Commit::Unflushed {
        println!("again, on a database with synchronous_commit = off");
    }
    println!("seeding {VERIFY_LINKS} links with passcodes and the viewed message on PostgreSQL");
    let fixture = seed::api(data_dir.path(), &url(a), VERIFY_LINKS, Some(&db.url)).await?;
    let replica_a = Server::start(binary, data_dir.path(), a, portal_dir, &db.args()).await?;
    let replica_b = Server::start(binary, data_dir.path(), b, portal_dir, &db.args()).await?;
    let requests = Arc::new(Requests::new(a, &fixture));
    // Warm both (connections to PostgreSQL, caches) before measuring.
    http::load_spread(
        &[a, b],
        CLIENTS,
        2_000,
        Duration::from_millis(500),
        requests.make(MESSAGE_VIEW, 0),
    )
    .await?;

    let layouts = match commit {
        Commit::Flushed => vec![
            ("api, PostgreSQL, 2 replicas", vec![a, b], TWO_REPLICAS),
            ("api, PostgreSQL, 1 replica", vec![a], Goals::NONE),
        ],
        Commit::Unflushed => vec![(
            "api, PostgreSQL with synchronous_commit off, 2 replicas",
            vec![a, b],
            Goals::NONE,
        )],
    };
    let mut figures = Vec::new();
    let mut passcodes_used = 0u64;
    let per_run = (fixture.passcodes.len() / (layouts.len() * REPEATS)) as u64;
    let mut replica_b = Some(replica_b);
    for (layout, addrs, goals) in layouts {
        if addrs.len() == 1 {
            drop(replica_b.take());
        }
        for (which, name) in [
            (MESSAGE_VIEW, "message view (10 KB)"),
            (PASSCODE_VERIFY, "passcode verify"),
        ] {
            let (mut runs, mut references) = (Vec::new(), Vec::new());
            for _ in 0..REPEATS {
                references.push(super::reference(&addrs, CLIENTS).await?);
                let max_requests = if which == PASSCODE_VERIFY {
                    per_run
                } else {
                    20_000
                };
                let run = http::load_spread(
                    &addrs,
                    CLIENTS,
                    max_requests,
                    LIGHT,
                    requests.make(which, passcodes_used),
                )
                .await?;
                if which == PASSCODE_VERIFY {
                    passcodes_used += run.requests + run.errors;
                }
                warn_of_errors(layout, name, &run);
                runs.push(run);
            }
            figures.extend(load_figures(
                layout,
                name,
                CLIENTS,
                &runs,
                &references,
                goals,
            ));
        }
    }
    drop(replica_a);
    Ok(figures)
}

fn warn_of_errors(layout: &str, name: &str, run: &LoadRun) {
    if run.errors > 0 {
        eprintln!(
            "warning: {layout}: {name} @{CLIENTS}: {} errors (first: {})",
            run.errors,
            run.first_error.as_deref().unwrap_or("?")
        );
    }
}
