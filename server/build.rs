//! `sqlx::migrate!` embeds the migration files when the crate compiles; a
//! file added since the last build would otherwise be missed by an
//! incremental build (a binary without its newest migration).
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
