//! Bounces (RFC 3464) are read or refused with `invalid_request`, never a panic.
#![no_main]

#[path = "../../server/tests/properties/checks.rs"]
#[allow(dead_code)]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    checks::bounces_parse_or_fail_cleanly(data);
});
