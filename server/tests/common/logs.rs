//! Captures everything the server logs, in both formats an operator can pick
//! (`--log-format text|json`, through the server's own formatting layers),
//! so a test can assert what never appears in either.

use std::io::Write;
use std::sync::{Arc, Mutex};

use sealmail::logging::{LogFormat, layer};
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;

/// Where the captured log lines go: one buffer per format.
#[derive(Clone, Default)]
pub struct LogCapture {
    text: Buffer,
    json: Buffer,
}

/// One format's lines.
#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl LogCapture {
    /// Installs a TRACE-level subscriber writing here, for the whole test binary
    /// (call it once, at the start of the binary's only test).
    pub fn install() -> LogCapture {
        let capture = LogCapture::default();
        let (text, json) = (capture.text.clone(), capture.json.clone());
        tracing_subscriber::registry()
            .with(LevelFilter::TRACE)
            .with(layer(LogFormat::Text, move || text.clone(), false))
            .with(layer(LogFormat::Json, move || json.clone(), false))
            .init();
        capture
    }

    /// Everything logged so far, as `--log-format text` writes it.
    pub fn text(&self) -> String {
        self.text.contents()
    }

    /// Everything logged so far, as `--log-format json` writes it; every
    /// line is checked to be one JSON object.
    pub fn json(&self) -> String {
        let logs = self.json.contents();
        for line in logs.lines() {
            let value: serde_json::Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("a JSON log line does not parse ({e}): {line}"));
            assert!(
                value.is_object(),
                "a JSON log line is not an object: {line}"
            );
        }
        logs
    }

    /// Both formats' logs, named, for a test to scan each.
    pub fn every_format(&self) -> [(&'static str, String); 2] {
        [("text", self.text()), ("json", self.json())]
    }
}

impl Buffer {
    fn contents(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).expect("logs are UTF-8")
    }
}

impl Write for Buffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
