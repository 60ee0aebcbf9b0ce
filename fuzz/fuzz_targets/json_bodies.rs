//! Every JSON request body of the API parses and round-trips, or is refused.
#![no_main]

#[path = "../../server/tests/properties/checks.rs"]
#[allow(dead_code)]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    checks::json_bodies_parse_or_fail_cleanly(data);
});
