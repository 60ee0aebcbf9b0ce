//! Mounts the staff bundle: the sender's and administrator's pages, served
//! from `dist/staff/` (`staff.html`). The recipient bundle is `src/main.rs`.

use leptos::prelude::*;
use sealmail_portal::StaffApp;

fn main() {
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(|| view! { <StaffApp/> });
}
