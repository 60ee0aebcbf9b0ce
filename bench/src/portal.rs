//! The portal's time to interactive: headless Chromium, through the
//! end-to-end tests' own harness (`sealmail_e2e::Browser`), opens a recipient
//! link on the release server; the page itself reports, via
//! `performance.now()` (milliseconds since navigation started), when the
//! "send me a passcode" button is in the DOM and enabled. The page-load
//! strategy `eager` hands control back at DOMContentLoaded, before the wasm
//! has run, so the poll sees it appear.

use sealmail_e2e::{Browser, PageLoadStrategy};

use crate::report::{Figure, Goal};

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
/// cache: a new session per load would cost seconds each; the figure says so),
/// first as this machine serves them, then slowed to a phone on a mobile
/// network, where the goals are: 1 s cold, 300 ms warm.
pub async fn time_to_interactive(link_url: &str) -> Result<Vec<Figure>, String> {
    let mut figures = Vec::new();
    for throttled in [false, true] {
        // The harness panics on a WebDriver failure (it is made for tests): run
        // it as a task, so a failure is this phase's error, not the whole bench's.
        let link_url = link_url.to_owned();
        let (cold, warm) = tokio::spawn(async move { measure(&link_url, throttled).await })
            .await
            .map_err(|e| format!("the browser failed: {e}"))??;
        let (how, cold_goal, warm_goal) = if throttled {
            (
                ", phone: Fast 4G, CPU ×4",
                Goal::AtMost(1000.0),
                Goal::AtMost(300.0),
            )
        } else {
            ("", Goal::None, Goal::None)
        };
        figures.push(
            Figure::new(
                format!(
                    "portal: navigation → passcode button interactive (first load, cold cache{how})"
                ),
                cold,
                "ms",
            )
            .goal(cold_goal),
        );
        figures.push(
            Figure::median_of(
                format!("portal: navigation → passcode button interactive (warm cache, median of 10{how})"),
                &warm,
                "ms",
            )
            .goal(warm_goal),
        );
    }
    Ok(figures)
}

/// The first load's time and the next loads' times, in milliseconds.
async fn measure(link_url: &str, throttled: bool) -> Result<(f64, Vec<f64>), String> {
    let browser = Browser::start_with("bench-portal", "en", PageLoadStrategy::Eager).await;
    if throttled {
        browser.throttle_like_a_phone().await;
    }
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
    Ok((cold.unwrap_or(0.0), warm))
}
