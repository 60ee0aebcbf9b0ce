//! Mounts the recipient bundle; everything else lives in the library so tests
//! can mount it too. The staff bundle is `src/bin/staff.rs`.

fn main() {
    // Panic messages in the console help while developing; a release build
    // leaves the formatting code out (the first load is budgeted).
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(sealmail_portal::RecipientApp);
}
