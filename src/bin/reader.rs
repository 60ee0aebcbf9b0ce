//! Mounts the reader bundle: a link's reading page, served from
//! `dist/reader/` (`reader.html`), where the link page sends a recipient once
//! the passcode has opened a session. The link page is `src/main.rs`.

use leptos::prelude::*;
use sealmail_portal::ReaderApp;

fn main() {
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(|| view! { <ReaderApp/> });
}
