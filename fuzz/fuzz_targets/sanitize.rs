//! The HTML sanitiser's output, parsed as a browser parses it, is inert.
#![no_main]

#[path = "../../server/tests/properties/checks.rs"]
#[allow(dead_code)]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(html) = std::str::from_utf8(data) {
        checks::sanitized_html_is_inert(html);
    }
});
