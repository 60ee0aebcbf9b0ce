//! Mounts the recipient's first bundle, the gate ([`sealmail_portal::gate`]):
//! a link's first pages, without Leptos, because its first load is budgeted.
//! The reader bundle (`src/bin/reader.rs`) takes over once a session is open;
//! the staff bundle is `src/bin/staff.rs`.

use std::sync::Arc;

use sealmail_portal::api::HttpApi;

fn main() {
    // Panic messages in the console help while developing; a release build
    // leaves the formatting code out (the first load is budgeted).
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    sealmail_portal::gate::start(Arc::new(HttpApi::same_origin()));
}
