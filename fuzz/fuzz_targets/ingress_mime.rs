//! A mail that came in over SMTP is read or refused, never a panic, and
//! never blown up far past its own size; read from its skeleton (every
//! encoded attachment body elided, as a large mail's are), it reads the same.
#![no_main]

#[path = "../../server/tests/properties/checks.rs"]
#[allow(dead_code)]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    checks::mails_parse_or_fail_cleanly(data);
    checks::outlined_mails_read_as_whole_ones(data, 1);
});
