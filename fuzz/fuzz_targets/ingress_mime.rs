//! A mail that came in over SMTP is read or refused, never a panic, and
//! never blown up far past its own size; read from its skeleton (every
//! encoded attachment body elided, as a large mail's are), it reads the same.
#![no_main]

use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

#[path = "../../server/tests/properties/checks.rs"]
#[allow(dead_code)]
mod checks;

/// mail-parser 0.11.9's one `debug_assert!(false, …)` (its multipart
/// parser, `parsers/message.rs`), which crafted mail reaches. cargo-fuzz
/// builds every crate with debug assertions; release builds, which Sealmail
/// ships, compile it out and parse on, so it is not a fault of ours.
const UPSTREAM_ASSERT: &str = "Invalid part ID, could not find multipart.";

fn is_upstream_assert(info: &panic::PanicHookInfo<'_>) -> bool {
    info.location().is_some_and(|l| l.file().contains("mail-parser-"))
        && info.payload_as_str() == Some(UPSTREAM_ASSERT)
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        // libFuzzer's hook aborts on any panic: let that one unwind instead.
        let abort = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !is_upstream_assert(info) {
                abort(info);
            }
        }));
    });
    let _ = panic::catch_unwind(AssertUnwindSafe(|| {
        checks::mails_parse_or_fail_cleanly(data);
        checks::outlined_mails_read_as_whole_ones(data, 1);
    }));
});
