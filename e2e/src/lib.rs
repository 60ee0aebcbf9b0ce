//! The harness for Sealmail's end-to-end tests: a real `sealmail serve` on a free
//! loopback port with a fresh data dir and the release portal, a real Chromium
//! driven through Debian's chromedriver, the outbox read as a person would, and
//! axe-core run in every page.
//!
//! Nothing is stubbed: what these tests pass, a person with a browser can do.

mod browser;
mod oidc;
mod relay;
mod server;

pub use browser::{Browser, Scheme, Width};
pub use oidc::OidcProvider;
pub use relay::Relay;
pub use server::{Mail, Sealmail};
pub use thirtyfour::PageLoadStrategy;

use std::path::PathBuf;

/// The workspace root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("e2e/ lives in the workspace")
        .to_path_buf()
}

/// `target/e2e/`: screenshots of every step, to look at when a run fails.
pub fn artifacts_dir() -> PathBuf {
    let dir = root().join("target/e2e");
    std::fs::create_dir_all(&dir).expect("can create target/e2e");
    dir
}

/// A free loopback port (bound, read, released: the window for a clash is tiny).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port()
}
