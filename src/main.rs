//! Mounts the portal; everything else lives in the library so tests can mount it too.

fn main() {
    // Panic messages in the console help while developing; a release build
    // leaves the formatting code out (the first load is budgeted).
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(sealmail_portal::App);
}
