//! Single sign-on against a real OpenID Connect provider: the npm package
//! `oidc-provider` (`cargo xtask setup` installs it into `.tools/`), started
//! by `tests/oidc_provider.mjs` on a loopback port and stopped by its pid;
//! and a browser that follows the redirects between Sealmail (the app, in
//! this process) and the provider (over HTTP), keeping each one's cookies.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use axum::http::{Method, StatusCode, header};
use sealmail_api::routes;
use sealmail_api::sso::SsoStart;

use super::{TestApp, TestResponse};

/// The address and name of each person the provider knows (`?account=`).
pub const ANN: &str = "ann@contoso.example"; // in `sealmail-admins`
pub const SAM: &str = "sam@contoso.example"; // staff only
pub const EVE: &str = "eve@elsewhere.example"; // another domain
pub const UMA: &str = "uma@contoso.example"; // address not verified

/// What Sealmail's public URL is in these tests (`TestApp`'s default).
const PORTAL: &str = "http://portal.test";

/// A running provider (killed, by its own pid, when dropped).
pub struct OidcProvider {
    child: Child,
    pub port: u16,
}

impl OidcProvider {
    /// The provider, honest.
    pub fn start() -> Self {
        Self::spawn(&[])
    }

    /// The provider, its token endpoint handing out the ID token of an
    /// attack (`oidc_provider.mjs` lists them).
    pub fn tampering(attack: &str) -> Self {
        Self::spawn(&["--tamper", attack])
    }

    /// The provider, its ID tokens naming the subject alone: the address,
    /// name and groups are only in its UserInfo answer.
    pub fn with_claims_in_userinfo() -> Self {
        Self::spawn(&["--claims-in-userinfo"])
    }

    fn spawn(flags: &[&str]) -> Self {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let tools = root.join("../.tools");
        assert!(
            tools.join("node_modules/oidc-provider").is_dir(),
            "oidc-provider is not installed: run `cargo xtask setup`"
        );
        let mut command = Command::new("node");
        command
            .arg(root.join("tests/oidc_provider.mjs"))
            .arg(&tools)
            .arg(format!("{PORTAL}{}", routes::OIDC_CALLBACK));
        command.args(flags);
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("node runs");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let port = lines
            .find_map(|line| {
                line.ok()?
                    .strip_prefix("listening ")
                    .and_then(|p| p.parse().ok())
            })
            .expect("the provider says its port");
        // It writes notices later: keep reading, or its writes would fail
        // on a closed pipe and stop it.
        std::thread::spawn(move || lines.for_each(drop));
        OidcProvider { child, port }
    }

    pub fn issuer(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Sealmail's settings for this provider: `contoso.example` allowed, the
    /// `sealmail-admins` group makes an administrator.
    pub fn settings(&self) -> Vec<String> {
        [
            "--oidc-issuer",
            &self.issuer(),
            "--oidc-client-id",
            "sealmail",
            "--oidc-client-secret",
            "sealmail-test-secret",
            "--oidc-allowed-domains",
            "contoso.example",
            "--oidc-admin-claim",
            "groups",
            "--oidc-admin-value",
            "sealmail-admins",
            "--oidc-provider-name",
            "Contoso ID",
        ]
        .map(str::to_owned)
        .to_vec()
    }

    /// A Sealmail app signing staff in with this provider.
    pub async fn app(&self) -> TestApp {
        let settings = self.settings();
        let args: Vec<&str> = settings.iter().map(String::as_str).collect();
        TestApp::with_args(&args).await
    }
}

impl Drop for OidcProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A browser: Sealmail's cookies and the provider's, kept apart.
pub struct Browser<'a> {
    app: &'a TestApp,
    sealmail: BTreeMap<String, String>,
    provider: BTreeMap<String, String>,
    http: reqwest::Client,
}

impl<'a> Browser<'a> {
    pub fn new(app: &'a TestApp) -> Self {
        // Plain http to the provider; reqwest still wants a TLS provider.
        let _ = rustls::crypto::ring::default_provider().install_default();
        Browser {
            app,
            sealmail: BTreeMap::new(),
            provider: BTreeMap::new(),
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
        }
    }

    /// Signs in as `account` at the provider, from the sign-in page's
    /// button to Sealmail's answer to the callback.
    pub async fn sign_in(&mut self, account: &str) -> TestResponse {
        let at_provider = self.start(None).await;
        let callback = self.at_provider(&at_provider, account).await;
        self.open(&callback).await
    }

    /// Clicks "Sign in with …": where Sealmail sends the browser.
    pub async fn start(&mut self, next: Option<&str>) -> String {
        let path = routes::oidc_start(&SsoStart {
            next: next.map(str::to_owned),
        });
        let response = self.open(&path).await;
        assert_eq!(
            response.status,
            StatusCode::SEE_OTHER,
            "{}",
            response.text()
        );
        response.header(header::LOCATION)
    }

    /// Follows the provider's redirects (signing in as `account` on its
    /// login page) until it sends the browser back to Sealmail; gives that
    /// path and query.
    pub async fn at_provider(&mut self, url: &str, account: &str) -> String {
        let base = url.split('/').take(3).collect::<Vec<_>>().join("/");
        let mut url = url.to_owned();
        for _ in 0..10 {
            let cookies: Vec<String> = self
                .provider
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            let response = self
                .http
                .get(&url)
                .header(header::COOKIE, cookies.join("; "))
                .send()
                .await
                .unwrap();
            keep_cookies(
                &mut self.provider,
                response.headers().get_all(header::SET_COOKIE),
            );
            let status = response.status();
            let location = response
                .headers()
                .get(header::LOCATION)
                .map(|l| l.to_str().unwrap().to_owned())
                .unwrap_or_else(|| panic!("{status} from {url} without a Location"));
            if let Some(back) = location.strip_prefix(PORTAL) {
                return back.to_owned();
            }
            url = if location.starts_with('/') {
                format!("{base}{location}")
            } else {
                location
            };
            if url.contains("/interaction/") {
                url = format!("{url}?account={}", account.split('@').next().unwrap());
            }
        }
        panic!("the provider never sent the browser back");
    }

    /// Opens a Sealmail URL (path and query) as a browser navigation.
    pub async fn open(&mut self, path: &str) -> TestResponse {
        let cookies: Vec<String> = self
            .sealmail
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        let response = self
            .app
            .raw(
                Method::GET,
                path,
                &[
                    ("accept", "text/html,application/xhtml+xml"),
                    ("cookie", &cookies.join("; ")),
                ],
                axum::body::Body::empty(),
            )
            .await;
        keep_cookies(
            &mut self.sealmail,
            response.headers.get_all(header::SET_COOKIE),
        );
        response
    }

    /// The same navigation by a program (no `Accept: text/html`): JSON answers.
    pub async fn fetch(&mut self, path: &str) -> TestResponse {
        let cookies: Vec<String> = self
            .sealmail
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        self.app
            .raw(
                Method::GET,
                path,
                &[("cookie", &cookies.join("; "))],
                axum::body::Body::empty(),
            )
            .await
    }

    /// Sealmail's session cookie as `name=value`, if signed in.
    pub fn session_cookie(&self) -> Option<String> {
        let name = self.app.state.settings.sender_cookie();
        self.sealmail.get(name).map(|v| format!("{name}={v}"))
    }

    /// Sealmail's cookies, to plant in another browser.
    pub fn sealmail_cookies(&self) -> BTreeMap<String, String> {
        self.sealmail.clone()
    }

    /// Takes cookies, as if this browser had been given them.
    pub fn set_sealmail_cookies(&mut self, cookies: BTreeMap<String, String>) {
        self.sealmail = cookies;
    }
}

/// Keeps what `Set-Cookie` says: a value, or its removal.
fn keep_cookies<'h>(
    jar: &mut BTreeMap<String, String>,
    set: impl IntoIterator<Item = &'h axum::http::HeaderValue>,
) {
    for header in set {
        let text = header.to_str().unwrap();
        let pair = text.split(';').next().unwrap();
        let (name, value) = pair.split_once('=').unwrap();
        let expired = text.to_ascii_lowercase().contains("max-age=0");
        if value.is_empty() || expired {
            jar.remove(name.trim());
        } else {
            jar.insert(name.trim().to_owned(), value.to_owned());
        }
    }
}
