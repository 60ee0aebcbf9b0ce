//! The log: to stderr, as text for people (the default) or as one JSON
//! object per line for a log collector (`--log-format json`). Either way a
//! request's lines carry its `request_id` (`http::layers::request_id`).

use tracing::Subscriber;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt as _;
use tracing_subscriber::{EnvFilter, Layer, layer::SubscriberExt as _};

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// One line of text per event, its spans' fields before the message.
    Text,
    /// One JSON object per line: `timestamp`, `level`, `target`, the
    /// event's fields (`message` among them) at the top, and the spans it
    /// happened in under `span` (the innermost) and `spans`.
    Json,
}

/// Sends the process's log to stderr in `format`, filtered by `filter`.
pub fn init(format: LogFormat, filter: EnvFilter) {
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    tracing_subscriber::registry()
        .with(filter)
        .with(layer(format, std::io::stderr, ansi))
        .init();
}

/// The layer that writes events in `format` to `writer`; the tests' log
/// capture is made of the same layers, so it sees what an operator sees.
pub fn layer<S, W>(format: LogFormat, writer: W, ansi: bool) -> Box<dyn Layer<S> + Send + Sync>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let layer = tracing_subscriber::fmt::layer().with_writer(writer);
    match format {
        LogFormat::Text => layer.with_ansi(ansi).boxed(),
        LogFormat::Json => layer.json().flatten_event(true).boxed(),
    }
}
