//! What a large attachment costs the server in memory on an S3 store
//! (`--blob-url s3://…`, against `s3s-fs`), counted by a global allocator
//! in this test binary (the app runs in-process, alone: no other test here
//! allocates at the same time): going up, a part being filled and two in
//! flight; coming down, a few batches of chunks. Never the attachment whole.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use common::blobs::S3Server;
use common::*;
use http_body_util::BodyExt as _;

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

const MIB: usize = 1 << 20;

#[tokio::test]
async fn a_large_attachment_on_s3_is_never_whole_in_memory_going_up_or_coming_down() {
    let s3 = S3Server::start("sealed");
    let args = s3.args("sealed/memory");
    let app = TestApp::with_args(&args.iter().map(String::as_str).collect::<Vec<_>>()).await;
    let data: Vec<u8> = (0..48 * MIB as u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();

    let before = reset_peak();
    app.send(
        &[BOB],
        &[],
        &[("big.bin", "application/octet-stream", &data)],
    )
    .await;
    let up = PEAK.load(Ordering::Relaxed) - before;
    // A 5 MiB part filling and two in flight, and the sealer's 1 MiB
    // batches (14.3 MB measured); the attachment (48 MiB) does not fit.
    assert!(up < 20 * MIB, "{up} bytes at the peak going up");
    assert_eq!(s3.objects("sealed/memory").len(), 1);

    let bob = app.recipient(BOB).signed_in().await;
    let view = bob.read().await;
    let mut body = bob
        .download(&view.attachments[0].id)
        .stream()
        .await
        .into_body();
    let before = reset_peak();
    let mut at = 0;
    while let Some(frame) = body.frame().await {
        let frame = frame.unwrap();
        let bytes = frame.data_ref().unwrap();
        assert!(bytes[..] == data[at..at + bytes.len()], "differs at {at}");
        at += bytes.len();
    }
    let down = PEAK.load(Ordering::Relaxed) - before;
    assert_eq!(at, data.len());
    // Three 256 KiB batches and the ranged reads' responses (2.1 MB
    // measured).
    assert!(down < 4 * MIB, "{down} bytes at the peak coming down");
}
