//! The portal's time to interactive: headless Chromium, through the
//! end-to-end tests' own harness (`sealmail_e2e::Browser`), opens a recipient
//! link on the release server; the page itself reports, via
//! `performance.now()` (milliseconds since navigation started), when the
//! "send me a passcode" button is in the DOM and enabled. The page-load
//! strategy `eager` hands control back at DOMContentLoaded, before the wasm
//! has run, so the poll sees it appear.

use sealmail_e2e::{Browser, PageLoadStrategy};

use crate::report::Figure;

const LOADS: usize = 10;

const WAIT_FOR_BUTTON: &str = r#"
const done = arguments[arguments.length - 1];
const started = performance.now();
(function poll() {
  const b = document.querySelector('[data-testid="send-passcode"]');
  if (b && !b.disabled) { done(performance.now()); return; }
  if (performance.now() - started > 20000) { done(-1); return; }
  setTimeout(poll, 2);
})();
"#;

/// The first load (cold cache) and the median (min, max) of 10 more (warm
/// cache: a new session per load would cost seconds each; the figure says so).
pub async fn time_to_interactive(link_url: &str) -> Result<Vec<Figure>, String> {
    // The harness panics on a WebDriver failure (it is made for tests): run
    // it as a task, so a failure is this phase's error, not the whole bench's.
    let link_url = link_url.to_owned();
    tokio::spawn(async move { measure(&link_url).await })
        .await
        .map_err(|e| format!("the browser failed: {e}"))?
}

async fn measure(link_url: &str) -> Result<Vec<Figure>, String> {
    let browser = Browser::start_with("bench-portal", "en", PageLoadStrategy::Eager).await;
    let mut cold = None;
    let mut warm = Vec::new();
    for i in 0..=LOADS {
        browser.open("about:blank").await;
        browser.open(link_url).await;
        let ms = browser
            .script_async(WAIT_FOR_BUTTON)
            .await
            .as_f64()
            .ok_or("the wait script returned no number")?;
        if ms < 0.0 {
            browser.quit().await;
            return Err("the passcode button did not appear within 20 s".into());
        }
        if i == 0 {
            cold = Some(ms);
        } else {
            warm.push(ms);
        }
    }
    browser.quit().await;
    Ok(vec![
        Figure::new(
            "portal: navigation → passcode button interactive (first load, cold cache)",
            cold.unwrap_or(0.0),
            "ms",
        ),
        Figure::median_of(
            "portal: navigation → passcode button interactive (warm cache, median of 10)",
            &warm,
            "ms",
        ),
    ])
}
