//! The recipient's first pages (the gate) against the real server, with the real
//! client ([`HttpApi::at`]) talking to a `sealmail serve` that `cargo xtask
//! test` starts and seeds for this test (see `xtask/src/real_server.rs`, which
//! also sends the data asserted here).
//!
//! The server's URL and the link tokens come in at compile time: rustc tracks
//! `option_env!`, so a new server rebuilds this file. Under `cargo xtask test`
//! (`SEALMAIL_REQUIRE_REAL_SERVER=1`) a missing value fails the test; a plain
//! `cargo test --target wasm32-unknown-unknown` without them skips it and
//! says so.

mod common;

use std::sync::Arc;

use common::*;
use sealmail_portal::api::HttpApi;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// What `xtask/src/real_server.rs` sets up (keep the two in step).
mod seeded {
    pub const ORGANISATION: &str = "Fabrikam Real Server";
    pub const SENDER: &str = "Rita Real <rita@sealmail.test>";
    /// Where the passcodes go: `bob@example.net`, masked by the server.
    pub const RECIPIENT_MASKED: &str = "b•••@example.net";
}

/// The server and the tokens of the seeded links.
struct RealServer {
    url: &'static str,
    /// A Do-not-forward message to Bob, for reading the link page and one wrong passcode.
    link: &'static str,
    /// A message revoked with `sealmail revoke`.
    revoked_link: &'static str,
    /// A message of its own, locked by this test with five wrong passcodes.
    lock_link: &'static str,
}

const REQUIRE: Option<&str> = option_env!("SEALMAIL_REQUIRE_REAL_SERVER");

/// The real server, or `None` (after saying so) when this is not a run of
/// `cargo xtask test`.
fn real_server() -> Option<RealServer> {
    let vars = (
        option_env!("SEALMAIL_TEST_SERVER"),
        option_env!("SEALMAIL_TEST_LINK"),
        option_env!("SEALMAIL_TEST_REVOKED_LINK"),
        option_env!("SEALMAIL_TEST_LOCK_LINK"),
    );
    match vars {
        (Some(url), Some(link), Some(revoked_link), Some(lock_link)) => Some(RealServer {
            url,
            link,
            revoked_link,
            lock_link,
        }),
        _ if REQUIRE == Some("1") => panic!(
            "SEALMAIL_REQUIRE_REAL_SERVER=1 but SEALMAIL_TEST_SERVER, SEALMAIL_TEST_LINK, \
             SEALMAIL_TEST_REVOKED_LINK or SEALMAIL_TEST_LOCK_LINK was not set when this test \
             was compiled: run it through `cargo xtask test`"
        ),
        _ => {
            say(
                "real_server: SKIPPED — no real server (SEALMAIL_TEST_SERVER unset); \
                 `cargo xtask test` starts one and runs these tests against it",
            );
            None
        }
    }
}

/// A line in the runner's output even for a passing test: wasm-bindgen-test
/// shows a passing test's console only with `--nocapture`, while the runner
/// prints everything written to the page's `#output`.
fn say(line: &str) {
    console_log!("{line}");
    if let Some(output) = document().get_element_by_id("output") {
        let text = output.text_content().unwrap_or_default();
        output.set_text_content(Some(&format!("{text}{line}\n")));
    }
}

/// The gate at the link page of `token`, talking to the real server.
fn open_link(server: &RealServer, token: &str, lang: &str) -> Mounted {
    mount_gate(
        &Arc::new(HttpApi::at(server.url)),
        Some(token),
        None,
        Some(lang),
    )
}

#[wasm_bindgen_test]
async fn the_link_page_shows_the_real_sender_branding_and_protection() {
    let Some(server) = real_server() else { return };
    let _page = open_link(&server, server.link, "en");

    find("page-link").await;
    assert_eq!(text("brand-organisation"), seeded::ORGANISATION);
    assert_eq!(
        text("sender"),
        format!("{} sent you an encrypted message.", seeded::SENDER)
    );
    assert!(
        text("protection").contains("Do Not Forward"),
        "{}",
        text("protection")
    );
    assert!(testid("locked-until").is_none());
}

#[wasm_bindgen_test]
async fn a_passcode_goes_to_the_real_masked_address_and_a_wrong_one_counts_down() {
    let Some(server) = real_server() else { return };
    let _page = open_link(&server, server.link, "en");
    find("send-passcode").await;

    click("send-passcode");

    find("page-passcode").await;
    assert_eq!(
        text("sent-to"),
        format!(
            "A one-time passcode was sent to {}",
            seeded::RECIPIENT_MASKED
        )
    );
    // A wrong passcode (the real one is 8 random digits; all zeros is one
    // chance in 10^8): the server counts it and says how many tries are left.
    fill_in("passcode", "00000000");
    click("submit-passcode");
    wait_text("passcode-error", "The passcode is wrong. 4 tries left.").await;
}

#[wasm_bindgen_test]
async fn five_wrong_passcodes_lock_the_real_link_until_the_time_the_server_says() {
    let Some(server) = real_server() else { return };
    let _page = open_link(&server, server.lock_link, "ja");
    find("send-passcode").await;
    click("send-passcode");
    find("passcode").await;

    for tries_left in (1..=4).rev() {
        fill_in("passcode", "00000000");
        click("submit-passcode");
        wait_text(
            "passcode-error",
            &format!("パスコードが正しくありません。 残り {tries_left} 回です。"),
        )
        .await;
    }
    fill_in("passcode", "00000000");
    click("submit-passcode");

    find("page-locked").await;
    assert_eq!(text("page-title"), "試行回数が多すぎます");
    assert_eq!(text("locked-retry"), "15 分後にもう一度お試しください。");
    wait_text_contains("locked-until", "までロックされています。").await;
}

#[wasm_bindgen_test]
async fn a_revoked_message_shows_the_revoked_page_in_dutch() {
    let Some(server) = real_server() else { return };
    let _page = open_link(&server, server.revoked_link, "nl");

    find("page-revoked").await;
    assert_eq!(
        text("page-title"),
        "Het bericht is ingetrokken door de afzender"
    );
}

#[wasm_bindgen_test]
async fn an_unknown_token_shows_the_unknown_link_page() {
    let Some(server) = real_server() else { return };
    let _page = open_link(&server, "no-such-token-0000000000000000", "en");

    find("page-unknown-link").await;
    assert_eq!(text("page-title"), "This link is not valid");
}
