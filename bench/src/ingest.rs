//! SMTP ingest: the release `sealmail serve --smtp-listen` on loopback, its
//! trusted network 127.0.0.1/32 (no AUTH) and the default mail-flow rules,
//! so each mail (to an outside address, tagged `[secure]`) is parsed,
//! judged, sealed, stored and its notification queued before the 250.
//! Driven by lettre's SMTP client: 8 connections, each reused for its share
//! of 50 KB messages; then one large message on a fresh server, its RSS
//! sampled from `/proc` while it is sent and handled.

use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};

use base64::Engine as _;
use lettre::address::Envelope;
use lettre::transport::smtp::client::AsyncSmtpConnection;
use lettre::transport::smtp::extension::ClientId;
use serde_json::json;

use crate::report::{Figure, Goal, max, median};
use crate::seed;
use crate::server::{Server, free_addr, memory_of, reset_peak, url};

const CLIENTS: usize = 8;
const MESSAGES: usize = 1_200;
const SMALL_BYTES: usize = 50_000;
const RUNS: usize = 3;
/// RSS samples while the large message is in flight.
const SAMPLE_EVERY: Duration = Duration::from_millis(10);

pub async fn run(binary: &Path, portal_dir: &Path) -> Result<Vec<Figure>, String> {
    let mut figures = Vec::new();

    let (mut rates, mut cpu_per_message) = (Vec::new(), Vec::new());
    for run in 0..RUNS {
        let dir = scratch("small")?;
        let (server, smtp) = start(binary, dir.path(), portal_dir).await?;
        let messages: Vec<Vec<u8>> = (0..MESSAGES)
            .map(|i| message(&format!("r{run}-{i}"), SMALL_BYTES, 36_000))
            .collect();
        let ticks = crate::mail::cpu_ticks(server.pid())?;
        let started = Instant::now();
        send_all(smtp, messages).await?;
        let secs = started.elapsed().as_secs_f64();
        // Clock ticks are 1/100 s: the server's CPU per message tells its
        // own work from waiting (fsyncs, the one SQLite writer, a busy machine).
        let cpu_ms = (crate::mail::cpu_ticks(server.pid())? - ticks) as f64 * 10.0;
        rates.push(MESSAGES as f64 / secs);
        cpu_per_message.push(cpu_ms / MESSAGES as f64);
        println!(
            "run {}: {MESSAGES} messages in {secs:.2} s ({:.0}/s), server CPU {:.2} ms a message",
            run + 1,
            MESSAGES as f64 / secs,
            cpu_ms / MESSAGES as f64
        );
        drop(server);
    }
    figures.push(
        Figure::median_of(
            format!("ingest: 50 KB messages over SMTP, {CLIENTS} clients, protected and stored"),
            &rates,
            "msgs/s",
        )
        .goal(Goal::AtLeast(200.0))
        .detail(json!({
            "messages": MESSAGES,
            "clients": CLIENTS,
            "runs": rates,
            "server_cpu_ms_per_message": cpu_per_message,
        })),
    );

    // "A 25 MB message with a 24 MB attachment": as SMTP counts it (SIZE,
    // --max-message-mib), the message on the wire is 25 MB, 24 MB of it the
    // attachment's base64; a 24 MB file attached makes a 32.4 MB message,
    // measured too, under the same goal.
    for (name, total, attachment) in [
        (
            "ingest: peak RSS growth, one 25 MB message (24 MB of it the attachment, base64)",
            25_000_000,
            24_000_000 / 4 * 3,
        ),
        (
            "ingest: peak RSS growth, one message with a 24 MB file attached (32.4 MB on the wire)",
            0,
            24_000_000,
        ),
    ] {
        let big = message("large", total, attachment);
        // The peak moves with where the allocator finds room (threads,
        // arenas) from run to run: a median of fresh servers.
        let (mut growths, mut runs) = (Vec::new(), Vec::new());
        for _ in 0..RUNS {
            let run = large_once(binary, portal_dir, big.clone()).await?;
            growths.push(
                run["rss_peak_mb"].as_f64().unwrap_or_default()
                    - run["rss_before_mb"].as_f64().unwrap_or_default(),
            );
            runs.push(run);
        }
        figures.push(
            Figure::median_of(name, &growths, "MB")
                .goal(Goal::AtMost(32.0))
                .detail(json!({
                    "message_bytes": big.len(),
                    "attachment_bytes": attachment,
                    "runs": runs,
                })),
        );
    }
    Ok(figures)
}

/// One large message sent to a fresh server; its RSS before, at the peak
/// (`VmHWM`, reset just before) and after, and what the sampling saw.
async fn large_once(
    binary: &Path,
    portal_dir: &Path,
    big: Vec<u8>,
) -> Result<serde_json::Value, String> {
    let dir = scratch("large")?;
    let (server, smtp) = start(binary, dir.path(), portal_dir).await?;
    let wire = big.len();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let pid = server.pid();
    // The peak so far is the start's (an Argon2 hash of 19 MiB, computed
    // up front so the first AUTH is not slower): from here on it is the mail's.
    reset_peak(pid);
    let (before, _) = server.memory()?;
    let sampler = tokio::spawn(async move {
        let mut samples = Vec::new();
        while let Ok((rss, _)) = memory_of(pid) {
            samples.push(rss);
            tokio::time::sleep(SAMPLE_EVERY).await;
        }
        samples
    });
    let started = Instant::now();
    send_all(smtp, vec![big]).await?;
    let secs = started.elapsed().as_secs_f64();
    // The notification is queued with the message; let its write settle.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (after, peak) = server.memory()?;
    drop(server);
    let samples = sampler.await.map_err(|e| e.to_string())?;
    println!(
        "{wire} bytes in {secs:.2} s: RSS {before:.1} MB before, {peak:.1} MB at the peak, {after:.1} MB after"
    );
    Ok(json!({
        "rss_before_mb": before,
        "rss_peak_mb": peak,
        "rss_after_mb": after,
        "sampled_peak_mb": max(&samples),
        "sampled_median_mb": median(&samples),
        "secs": secs,
    }))
}

fn scratch(what: &str) -> Result<tempfile::TempDir, String> {
    tempfile::Builder::new()
        .prefix(&format!("sealmail-bench-ingest-{what}-"))
        .tempdir_in(seed::scratch_dir())
        .map_err(|e| e.to_string())
}

/// A data dir with the sender's account, served with the SMTP listener on;
/// the listener's address.
async fn start(
    binary: &Path,
    data_dir: &Path,
    portal_dir: &Path,
) -> Result<(Server, SocketAddr), String> {
    let addr = free_addr();
    let (state, _mailer) = seed::open_state(data_dir, &url(addr)).await?;
    seed::sender(&state).await?;
    state.db.close().await;
    let smtp = free_addr();
    let server = Server::start(
        binary,
        data_dir,
        addr,
        portal_dir,
        &[
            "--smtp-listen",
            &smtp.to_string(),
            "--smtp-trusted-networks",
            "127.0.0.1/32",
            "--org-domains",
            "sealmail.test",
            "--max-message-mib",
            "40",
        ],
    )
    .await?;
    Ok((server, smtp))
}

/// Sends `messages` over `CLIENTS` connections (or fewer), each reused for
/// its share; every message must be answered 250.
async fn send_all(smtp: SocketAddr, messages: Vec<Vec<u8>>) -> Result<(), String> {
    let clients = CLIENTS.min(messages.len());
    let mut shares: Vec<Vec<Vec<u8>>> = (0..clients).map(|_| Vec::new()).collect();
    for (i, m) in messages.into_iter().enumerate() {
        shares[i % clients].push(m);
    }
    let tasks: Vec<_> = shares
        .into_iter()
        .map(|share| {
            tokio::spawn(async move {
                let hello = ClientId::Domain("bench.sealmail.test".to_owned());
                let mut conn = AsyncSmtpConnection::connect_tokio1(
                    smtp,
                    Some(Duration::from_secs(120)),
                    &hello,
                    None,
                    None,
                )
                .await
                .map_err(|e| format!("connecting: {e}"))?;
                let envelope = Envelope::new(
                    Some(seed::SENDER.parse().map_err(|e| format!("{e}"))?),
                    vec![RECIPIENT.parse().map_err(|e| format!("{e}"))?],
                )
                .map_err(|e| e.to_string())?;
                for m in &share {
                    let answer = conn
                        .send(&envelope, m)
                        .await
                        .map_err(|e| format!("sending: {e}"))?;
                    if !answer.is_positive() {
                        return Err(format!("answered {answer:?}"));
                    }
                }
                let _ = conn.quit().await;
                Ok::<_, String>(())
            })
        })
        .collect();
    for task in tasks {
        task.await.map_err(|e| e.to_string())??;
    }
    Ok(())
}

const RECIPIENT: &str = "bob@example.net";

/// A `[secure]` mail from the sender to an outside recipient: a short text
/// and one attachment of `attachment` bytes; padded with text to `total`
/// bytes on the wire when that is more.
fn message(id: &str, total: usize, attachment: usize) -> Vec<u8> {
    let file = seed::pattern(attachment);
    let encoded = base64::engine::general_purpose::STANDARD.encode(&file);
    // 76-character lines (RFC 2045 §6.8).
    let mut lines = String::with_capacity(encoded.len() + encoded.len() / 76 * 2 + 2);
    for line in encoded.as_bytes().chunks(76) {
        lines.push_str(std::str::from_utf8(line).expect("base64 is ASCII"));
        lines.push_str("\r\n");
    }
    let head = format!(
        "From: Alice Bench <{sender}>\r\nTo: Bob <{RECIPIENT}>\r\nSubject: [secure] Contract {id}\r\n\
         Message-ID: <{id}@bench.sealmail.test>\r\nDate: Thu, 03 Dec 2026 10:00:00 +0000\r\n\
         MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n\
         --b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n",
        sender = seed::SENDER
    );
    let tail = format!(
        "\r\n--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"contract.pdf\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{lines}--b--\r\n"
    );
    let mut text = String::from("Please find the contract attached.\r\n");
    let line = "The parties agree to the terms set out in the attached document.\r\n";
    while head.len() + text.len() + tail.len() + line.len() <= total {
        text.push_str(line);
    }
    format!("{head}{text}{tail}").into_bytes()
}
