//! Mounts the portal; everything else lives in the library so tests can mount it too.

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(sealmail_portal::App);
}
