//! The portal's time to interactive: headless Chromium (Debian's chromedriver,
//! spoken to in plain WebDriver JSON) opens a recipient link on the release
//! server; the page itself reports, via `performance.now()` (milliseconds since
//! navigation started), when the "send me a passcode" button is in the DOM and
//! enabled. The page-load strategy `eager` hands control back at
//! DOMContentLoaded, before the wasm has run, so the poll sees it appear.

use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::http::{Client, full, request};
use crate::report::Figure;
use crate::server::free_addr;

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
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

struct Driver {
    addr: SocketAddr,
    child: Child,
    session: String,
    _tmp: tempfile::TempDir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        // Chromium outlives a killed chromedriver: end the browsers that use
        // our own profile folder (found by its unique path), one by one.
        let marker = self._tmp.path().to_string_lossy().into_owned();
        for pid in processes_mentioning(&marker) {
            let _ = Command::new("kill").arg(pid.to_string()).status();
        }
    }
}

/// The ids of processes whose command line contains `text`.
fn processes_mentioning(text: &str) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline"))
                .is_ok_and(|c| String::from_utf8_lossy(&c).contains(text))
        })
        .collect()
}

async fn call(addr: SocketAddr, method: &str, path: &str, body: Value) -> Result<Value, String> {
    let mut client = Client::connect(addr).await?;
    let req = request(
        method,
        addr,
        path,
        &[("content-type", "application/json")],
        full(serde_json::to_vec(&body).expect("json")),
    );
    let (status, _, bytes) = client.send(req, 1 << 20).await?;
    let value: Value = serde_json::from_slice(&bytes).map_err(|e| format!("{path}: {e}"))?;
    if !status.is_success() {
        return Err(format!("WebDriver {method} {path}: {status} {value}"));
    }
    Ok(value["value"].clone())
}

impl Driver {
    async fn start() -> Result<Driver, String> {
        let tmp = tempfile::Builder::new()
            .prefix("sealmail-bench-chrome-")
            .tempdir()
            .map_err(|e| e.to_string())?;
        let addr = free_addr();
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={}", addr.port()))
            .env("TMPDIR", tmp.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start {CHROMEDRIVER}: {e}"))?;
        let deadline = Instant::now() + Duration::from_secs(20);
        while Client::connect(addr).await.is_err() {
            if Instant::now() > deadline {
                return Err("chromedriver did not start".into());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "pageLoadStrategy": "eager",
            "goog:chromeOptions": {"args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--window-size=1280,900"
            ]}
        }}});
        let mut driver = Driver {
            addr,
            child,
            session: String::new(),
            _tmp: tmp,
        };
        let session = call(addr, "POST", "/session", caps).await?;
        driver.session = session["sessionId"]
            .as_str()
            .ok_or("no WebDriver session id")?
            .to_owned();
        Ok(driver)
    }

    async fn post(&self, what: &str, body: Value) -> Result<Value, String> {
        call(
            self.addr,
            "POST",
            &format!("/session/{}/{what}", self.session),
            body,
        )
        .await
    }
}

/// Median (min, max) of 10 loads of `link_url`, each in a fresh tab state
/// (about:blank between, cache cleared by a new session would cost seconds
/// each; the figure is a warm-cache one and says so).
pub async fn time_to_interactive(link_url: &str) -> Result<Vec<Figure>, String> {
    let driver = Driver::start().await?;
    driver
        .post("timeouts", json!({"script": 30_000, "pageLoad": 30_000}))
        .await?;
    let mut cold = None;
    let mut warm = Vec::new();
    for i in 0..=LOADS {
        driver.post("url", json!({"url": "about:blank"})).await?;
        driver.post("url", json!({"url": link_url})).await?;
        let ms = driver
            .post(
                "execute/async",
                json!({"script": WAIT_FOR_BUTTON, "args": []}),
            )
            .await?
            .as_f64()
            .ok_or("the wait script returned no number")?;
        if ms < 0.0 {
            return Err("the passcode button did not appear within 20 s".into());
        }
        if i == 0 {
            cold = Some(ms);
        } else {
            warm.push(ms);
        }
    }
    if let Err(e) = call(
        driver.addr,
        "DELETE",
        &format!("/session/{}", driver.session),
        json!({}),
    )
    .await
    {
        eprintln!("warning: closing the browser: {e}");
    }
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
