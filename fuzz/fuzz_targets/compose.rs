//! Compose bodies (multipart: the message's JSON, then files) are stored or
//! refused with a JSON error, never a 500 or a panic.
#![no_main]

#[path = "../../server/tests/properties/checks.rs"]
#[allow(dead_code)]
mod checks;

use std::sync::LazyLock;

static TARGET: LazyLock<checks::ComposeTarget> = LazyLock::new(checks::ComposeTarget::new);

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    TARGET.check(data);
});
