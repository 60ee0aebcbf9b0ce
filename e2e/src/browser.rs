//! A real headless Chromium, driven through Debian's chromedriver.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use thirtyfour::PageLoadStrategy;
use thirtyfour::cdp::domains::emulation::{MediaFeature, SetEmulatedMedia};
use thirtyfour::prelude::*;

use crate::{artifacts_dir, free_port, root};

/// The two widths every checked page is seen at.
#[derive(Clone, Copy, Debug)]
pub enum Width {
    /// 1280 × 900.
    Desktop,
    /// 375 × 812, a phone.
    Phone,
}

impl Width {
    fn size(self) -> (u32, u32) {
        match self {
            Width::Desktop => (1280, 900),
            Width::Phone => (375, 812),
        }
    }
    fn name(self) -> &'static str {
        match self {
            Width::Desktop => "desktop",
            Width::Phone => "phone",
        }
    }
}

/// The colour scheme the page is told the system prefers
/// (`prefers-color-scheme`); every checked page is seen in both.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    Light,
    Dark,
}

impl Scheme {
    fn name(self) -> &'static str {
        match self {
            Scheme::Light => "light",
            Scheme::Dark => "dark",
        }
    }
}

/// One browser with its own profile and chromedriver, preferring one language.
pub struct Browser {
    pub driver: WebDriver,
    chromedriver: Child,
    port: u16,
    /// Chrome leaves `org.chromium.Chromium.*` folders in TMPDIR: keep them here.
    _tmp: tempfile::TempDir,
    /// Screenshots are named `<name>-<step>-<page>-<width>.png`.
    name: String,
    step: usize,
    /// Everything the console said so far (reading the driver's log drains it).
    console: Vec<(String, String)>,
}

impl Browser {
    /// Starts chromedriver on a free port and a headless Chromium whose
    /// preferred language (navigator.language and Accept-Language) is `language`.
    pub async fn start(name: &str, language: &str) -> Browser {
        Self::start_with(name, language, PageLoadStrategy::Normal).await
    }

    /// As [`Browser::start`], with navigation returning as `strategy` says:
    /// `Eager` returns at DOMContentLoaded, before the wasm runs (the
    /// benchmarks time what follows from inside the page).
    pub async fn start_with(name: &str, language: &str, strategy: PageLoadStrategy) -> Browser {
        let tmp = tempfile::Builder::new()
            .prefix("sealmail-e2e-chrome-")
            .tempdir()
            .unwrap();
        let port = free_port();
        let chromedriver = Command::new(chromedriver())
            .arg(format!("--port={port}"))
            .env("TMPDIR", tmp.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", chromedriver()));
        wait_for_chromedriver(port);

        let mut caps = DesiredCapabilities::chrome();
        let (w, h) = Width::Desktop.size();
        caps.set_browser_option(
            "args",
            [
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                &format!("--window-size={w},{h}"),
            ],
        )
        .unwrap();
        // The pref, not --lang, sets navigator.language and Accept-Language (toolchain.md).
        caps.set_browser_option("prefs", json!({"intl.accept_languages": language}))
            .unwrap();
        caps.set("goog:loggingPrefs", json!({"browser": "ALL"}))
            .unwrap();
        caps.set_page_load_strategy(strategy).unwrap();
        let driver = WebDriver::new(format!("http://127.0.0.1:{port}"), caps)
            .await
            .expect("chromedriver opens a Chromium session");
        Browser {
            driver,
            chromedriver,
            port,
            _tmp: tmp,
            name: name.to_owned(),
            step: 0,
            console: Vec::new(),
        }
    }

    /// Navigates to `url`.
    pub async fn open(&self, url: &str) {
        self.driver
            .goto(url)
            .await
            .unwrap_or_else(|e| panic!("cannot open {url}: {e}"));
    }

    /// Reloads the page.
    pub async fn reload(&self) {
        self.driver.refresh().await.expect("reload");
    }

    /// Waits (up to 20 s) for the element with `data-testid=testid` to be shown.
    pub async fn find(&self, testid: &str) -> WebElement {
        self.driver
            .query(By::Css(format!("[data-testid='{testid}']")))
            .wait(Duration::from_secs(20), Duration::from_millis(100))
            .and_displayed()
            .first()
            .await
            .unwrap_or_else(|e| panic!("[data-testid={testid}] never showed: {e}"))
    }

    /// Waits (up to 20 s) for an element matching the CSS `selector` to be shown.
    pub async fn find_css(&self, selector: &str) -> WebElement {
        self.driver
            .query(By::Css(selector.to_owned()))
            .wait(Duration::from_secs(20), Duration::from_millis(100))
            .and_displayed()
            .first()
            .await
            .unwrap_or_else(|e| panic!("{selector} never showed: {e}"))
    }

    /// Waits (up to 20 s) for the element with `data-testid=testid` to exist,
    /// shown or not (a file input hidden behind its drop zone, say).
    pub async fn find_present(&self, testid: &str) -> WebElement {
        self.driver
            .query(By::Css(format!("[data-testid='{testid}']")))
            .wait(Duration::from_secs(20), Duration::from_millis(100))
            .first()
            .await
            .unwrap_or_else(|e| panic!("[data-testid={testid}] never existed: {e}"))
    }

    /// Waits until the text of the element matching `selector` contains `expected`.
    pub async fn wait_for_css_text(&self, selector: &str, expected: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut last = String::new();
        while Instant::now() < deadline {
            if let Ok(element) = self.driver.find(By::Css(selector.to_owned())).await {
                last = element.text().await.unwrap_or_default();
                if last.contains(expected) {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{selector} never said {expected:?}; last it said {last:?}");
    }

    /// Whether an element with `data-testid=testid` exists right now.
    pub async fn has(&self, testid: &str) -> bool {
        !self
            .driver
            .find_all(By::Css(format!("[data-testid='{testid}']")))
            .await
            .unwrap_or_default()
            .is_empty()
    }

    /// The text of the element with `data-testid=testid`, once shown.
    pub async fn text(&self, testid: &str) -> String {
        self.find(testid).await.text().await.expect("element text")
    }

    /// Clicks the element with `data-testid=testid`.
    pub async fn click(&self, testid: &str) {
        self.find(testid)
            .await
            .click()
            .await
            .unwrap_or_else(|e| panic!("click {testid}: {e}"));
    }

    /// Types `text` into the input with `data-testid=testid`, replacing what is there.
    pub async fn type_into(&self, testid: &str, text: &str) {
        let input = self.find(testid).await;
        input.clear().await.expect("clear input");
        input
            .send_keys(text)
            .await
            .unwrap_or_else(|e| panic!("type into {testid}: {e}"));
    }

    /// Waits until the text of `testid` contains `expected`; panics with what it was.
    pub async fn wait_for_text(&self, testid: &str, expected: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut last = String::new();
        while Instant::now() < deadline {
            if self.has(testid).await {
                last = self.text(testid).await;
                if last.contains(expected) {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("[data-testid={testid}] never said {expected:?}; last it said {last:?}");
    }

    /// Waits until `condition` (a script returning a boolean) holds; panics with `what`.
    pub async fn wait_until(&self, condition: &str, what: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if self.script(condition).await == Value::Bool(true) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("timed out waiting for {what}");
    }

    /// Runs a script in the page and returns its JSON result.
    pub async fn script(&self, source: &str) -> Value {
        self.driver
            .execute(source, Vec::new())
            .await
            .expect("script runs")
            .json()
            .clone()
    }

    /// Runs an async script (its last argument is the callback) and returns its result.
    pub async fn script_async(&self, source: &str) -> Value {
        self.driver
            .execute_async(source, Vec::new())
            .await
            .expect("script runs")
            .json()
            .clone()
    }

    /// Screenshots the page at desktop and phone width, in the light and the
    /// dark colour scheme, under `target/e2e/`, and runs axe-core at each (no
    /// violation of impact serious or critical may remain). Leaves the page
    /// at desktop width in the light scheme.
    pub async fn check_page(&mut self, page: &str) {
        self.step += 1;
        for width in [Width::Phone, Width::Desktop] {
            self.resize(width).await;
            for scheme in [Scheme::Light, Scheme::Dark] {
                self.set_scheme(scheme).await;
                tokio::time::sleep(Duration::from_millis(150)).await;
                let suffix = match scheme {
                    Scheme::Light => String::new(),
                    Scheme::Dark => "-dark".to_owned(),
                };
                self.screenshot(&format!("{:02}-{page}-{}{suffix}", self.step, width.name()))
                    .await;
                self.assert_accessible(&format!("{page} ({}, {})", width.name(), scheme.name()))
                    .await;
            }
            self.assert_header_labels_on_one_line(&format!("{page} ({})", width.name()))
                .await;
        }
        self.set_scheme(Scheme::Light).await;
    }

    /// Panics if a label in the page's header (the language switch's) breaks
    /// over lines: Japanese may break between any two characters, so a
    /// squeezed "言語" stands one character per line.
    pub async fn assert_header_labels_on_one_line(&self, context: &str) {
        let broken = self
            .script(
                "return [...document.querySelectorAll('header label')]
                   .filter(l => l.getBoundingClientRect().height
                                > 2 * parseFloat(getComputedStyle(l).fontSize))
                   .map(l => l.textContent);",
            )
            .await;
        assert_eq!(
            broken,
            Value::Array(Vec::new()),
            "header labels broken over lines on {context}"
        );
    }

    /// Sets the window to `width`'s size and gives the page a moment to lay out.
    pub async fn resize(&self, width: Width) {
        let (w, h) = width.size();
        self.driver
            .set_window_rect(0, 0, w, h)
            .await
            .expect("resize window");
        tokio::time::sleep(Duration::from_millis(150)).await;
    }

    /// Tells the page the system prefers `scheme`, as a system set to dark
    /// mode does (DevTools' `Emulation.setEmulatedMedia`; the page's media
    /// queries and `matchMedia` see it, nothing else changes).
    pub async fn set_scheme(&self, scheme: Scheme) {
        let media = SetEmulatedMedia {
            media: None,
            features: Some(vec![MediaFeature {
                name: "prefers-color-scheme".into(),
                value: scheme.name().into(),
            }]),
        };
        self.driver
            .cdp()
            .send(media)
            .await
            .expect("chromedriver emulates the colour scheme");
    }

    /// Slows this browser to a phone on a fair mobile network, as DevTools'
    /// throttling does: 9 Mbit/s down, 1.5 Mbit/s up, 60 ms round trip
    /// ("Fast 4G"), and the CPU 4 times slower. Lasts for the session.
    pub async fn throttle_like_a_phone(&self) {
        let cdp = self.driver.cdp();
        cdp.send_raw("Network.enable", json!({}))
            .await
            .expect("chromedriver enables the network domain");
        cdp.send_raw(
            "Network.emulateNetworkConditions",
            json!({
                "offline": false,
                "latency": 60,
                "downloadThroughput": 9_000_000 / 8,
                "uploadThroughput": 1_500_000 / 8,
            }),
        )
        .await
        .expect("chromedriver emulates the network");
        cdp.send_raw("Emulation.setCPUThrottlingRate", json!({ "rate": 4 }))
            .await
            .expect("chromedriver slows the CPU");
    }

    /// Saves a screenshot of the window as `target/e2e/<browser>-<label>.png`.
    pub async fn screenshot(&self, label: &str) {
        let file = artifacts_dir().join(format!("{}-{label}.png", self.name));
        self.driver.screenshot(&file).await.expect("screenshot");
    }

    /// Runs axe-core in the page; panics naming each serious or critical
    /// violation's rule and elements.
    pub async fn assert_accessible(&self, page: &str) {
        let axe = root().join(".tools/node_modules/axe-core/axe.min.js");
        let source = std::fs::read_to_string(&axe).unwrap_or_else(|e| {
            panic!(
                "cannot read {} ({e}): `cargo xtask test` installs axe-core",
                axe.display()
            )
        });
        self.driver
            .execute(source, Vec::new())
            .await
            .expect("axe-core loads");
        let violations = self
            .script_async(
                "const done = arguments[arguments.length - 1];
                 axe.run().then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact,
                   help: v.help, nodes: v.nodes.map(n => n.target.join(' '))}))),
                   e => done('error: ' + e));",
            )
            .await;
        let list = violations
            .as_array()
            .unwrap_or_else(|| panic!("axe failed on {page}: {violations}"));
        let serious: Vec<&Value> = list
            .iter()
            .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
            .collect();
        assert!(
            serious.is_empty(),
            "axe-core finds serious or critical violations on {page}:\n{}",
            serious
                .iter()
                .map(|v| format!(
                    "  {} ({}): {} — {}",
                    v["id"], v["impact"], v["help"], v["nodes"]
                ))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }

    /// Everything the console has said in this session: `(level, message)`.
    pub async fn console(&mut self) -> Vec<(String, String)> {
        let new = self.driver.browser_log().await.expect("browser log");
        self.console
            .extend(new.into_iter().map(|e| (e.level, e.message)));
        self.console.clone()
    }

    /// Fails if the page broke its Content-Security-Policy at any point so far.
    pub async fn assert_no_csp_violation(&mut self, page: &str) {
        let violations: Vec<_> = self
            .console()
            .await
            .into_iter()
            .filter(|(_, message)| message.contains("Content Security Policy"))
            .collect();
        assert!(
            violations.is_empty(),
            "CSP violated by {page}: {violations:#?}"
        );
    }

    /// Ends the session (closes Chromium).
    pub async fn quit(self) {
        let _ = self.driver.clone().quit().await;
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Whether or not the test got to `quit` (a failed assertion unwinds
        // through here), end the session so chromedriver closes Chromium, then
        // stop chromedriver. Plain blocking HTTP: Drop cannot await.
        let session = self.driver.session_id().to_string();
        if let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", self.port)) {
            use std::io::{Read, Write};
            let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
            let _ = write!(
                stream,
                "DELETE /session/{session} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n"
            );
            let _ = stream.read(&mut [0u8; 1024]);
        }
        let _ = self.chromedriver.kill();
        let _ = self.chromedriver.wait();
        // A Chromium whose session could not be ended outlives chromedriver:
        // end those using our own profile folder (a unique path), one by one.
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

fn chromedriver() -> String {
    std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into())
}

fn wait_for_chromedriver(port: u16) {
    use std::io::{Read, Write};
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            // chromedriver keeps the connection open whatever we ask: read what
            // arrives within a moment instead of waiting for the end.
            let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
            let _ = write!(stream, "GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            let mut buffer = [0u8; 4096];
            let mut response = Vec::new();
            while let Ok(n @ 1..) = stream.read(&mut buffer) {
                response.extend_from_slice(&buffer[..n]);
                if String::from_utf8_lossy(&response).contains("\"ready\":true") {
                    return;
                }
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("chromedriver did not become ready on port {port}");
}
