//! Mounts the recipient's first bundle ([`sealmail_portal::RecipientApp`]): a
//! link's first pages and the landing page. The reader bundle
//! (`src/bin/reader.rs`) takes over once a session is open; the staff bundle
//! is `src/bin/staff.rs`.

use std::sync::Arc;

use leptos::prelude::*;
use sealmail_portal::RecipientApp;
use sealmail_portal::api::HttpApi;

fn main() {
    // Panic messages in the console help while developing; a release build
    // leaves the formatting code out (the first load is budgeted).
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(|| view! { <RecipientApp api=Arc::new(HttpApi::same_origin())/> });
}

// A free-list allocator some 4 KB of wasm smaller than the standard one
// (dlmalloc): the recipient's first load is budgeted. Only this bundle uses
// it; the reader and staff bundles keep the standard allocator.
// SAFETY: the recipient bundle is built without wasm threads, so every
// allocation happens on the page's one thread.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };
