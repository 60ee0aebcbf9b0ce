//! What a large mail costs the SMTP listener in memory, counted by a global
//! allocator in this test binary (the listener runs in-process): a few
//! buffers, never the mail or its decoded attachment whole (the mail is
//! spooled, sealed, and its attachment decoded from there in pieces).

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use base64::Engine as _;
use common::*;

/// Counts the bytes allocated now and the most at once since [`reset_peak`].
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call goes to the system allocator unchanged; only counts are added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(live, Ordering::Relaxed);
        // SAFETY: the caller's layout, as GlobalAlloc requires.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: `ptr` came from `alloc` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }

    // Counted as the size it changes by: the system allocator grows a large
    // block in place or remaps it, without a second copy.
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size >= layout.size() {
            let grown = new_size - layout.size();
            let live = LIVE.fetch_add(grown, Ordering::Relaxed) + grown;
            PEAK.fetch_max(live, Ordering::Relaxed);
        } else {
            LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
        }
        // SAFETY: the caller's block and layout, as GlobalAlloc requires.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn reset_peak() -> usize {
    let live = LIVE.load(Ordering::Relaxed);
    PEAK.store(live, Ordering::Relaxed);
    live
}

/// A `[secure]` mail to Bob with `file` attached in base64 (76-character
/// lines), dot-stuffing needless: no line starts with a dot.
fn mail(file: &[u8]) -> Vec<u8> {
    let encoded = base64::engine::general_purpose::STANDARD.encode(file);
    let mut raw = format!(
        "From: Alice <{ALICE}>\r\nTo: Bob <{BOB}>\r\nSubject: [secure] The scan\r\n\
         MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n\
         --b\r\nContent-Type: text/plain\r\n\r\nThe scan.\r\n\
         --b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"scan.pdf\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n"
    )
    .into_bytes();
    for line in encoded.as_bytes().chunks(76) {
        raw.extend_from_slice(line);
        raw.extend_from_slice(b"\r\n");
    }
    raw.extend_from_slice(b"--b--\r\n");
    raw
}

#[tokio::test]
async fn a_large_protected_mail_and_its_attachment_are_never_whole_in_memory() {
    let app = TestApp::new().await;
    app.add_user(ALICE, "Alice Demo", false).await;
    let listener = app
        .smtp_listener(&["--smtp-trusted-networks=127.0.0.0/8"])
        .await;
    let file = seed_bytes(5 << 20);
    let raw = mail(&file);
    let mut smtp = listener.raw().await;
    assert_eq!(smtp.command("EHLO client.test").await.code, 250);
    assert_eq!(
        smtp.command(&format!("MAIL FROM:<{ALICE}>")).await.code,
        250
    );
    assert_eq!(smtp.command(&format!("RCPT TO:<{BOB}>")).await.code, 250);

    let before = reset_peak();
    assert_eq!(smtp.command("DATA").await.code, 354);
    smtp.write(&raw).await;
    let stored = smtp.command(".").await;
    assert_eq!(stored.code, 250, "{stored:?}");
    let growth = PEAK.load(Ordering::Relaxed) - before;

    // The DATA buffer grows to 2 MiB (its capacity is counted, resident or
    // not) before the mail is spooled past 1 MiB; sealing the attachment
    // takes two 1 MiB write buffers; the scan, the spool's chunks and
    // storing take a few hundred KB (2.6 MB in all, measured). The mail
    // (7.2 MB) or its decoded attachment (5.2 MB), whole, does not fit.
    let limit = 4 << 20;
    assert!(
        growth < limit,
        "{growth} bytes at the peak, over {limit} (the mail is {} bytes)",
        raw.len()
    );
    assert_eq!(app.rows_in("attachments").await, 1);
    drop(listener);
}

/// `n` bytes that base64 does not shrink to a pattern.
fn seed_bytes(n: usize) -> Vec<u8> {
    (0..n as u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect()
}
