//! A real OpenID Connect provider: the npm package `oidc-provider` (`cargo
//! xtask setup` installs it into `.tools/`), run by the server tests' script
//! `server/tests/oidc_provider.mjs` on a loopback port, stopped by its pid.
//! Its login page signs in `ann@contoso.example` (in the `sealmail-admins`
//! group) at once.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use crate::root;

/// A running provider (killed, by its own pid, when dropped).
pub struct OidcProvider {
    child: Child,
    /// Its issuer URL.
    pub issuer: String,
}

impl OidcProvider {
    /// A provider whose client `sealmail` may come back to these callback URLs.
    pub fn start(redirect_uris: &[String]) -> OidcProvider {
        let tools = root().join(".tools");
        assert!(
            tools.join("node_modules/oidc-provider").is_dir(),
            "oidc-provider is not installed: run `cargo xtask setup`"
        );
        let mut child = Command::new("node")
            .arg(root().join("server/tests/oidc_provider.mjs"))
            .arg(&tools)
            .arg(redirect_uris.join(","))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("node runs");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let port: u16 = lines
            .find_map(|line| line.ok()?.strip_prefix("listening ")?.parse().ok())
            .expect("the provider says its port");
        // Keep reading: its later notices must not hit a closed pipe.
        std::thread::spawn(move || lines.for_each(drop));
        OidcProvider {
            child,
            issuer: format!("http://127.0.0.1:{port}"),
        }
    }

    /// Sealmail's settings for it: `allowed` domains, and the
    /// `sealmail-admins` group makes an administrator.
    pub fn settings(&self, allowed: &str) -> Vec<String> {
        [
            "--oidc-issuer",
            &self.issuer,
            "--oidc-client-id",
            "sealmail",
            "--oidc-client-secret",
            "sealmail-test-secret",
            "--oidc-allowed-domains",
            allowed,
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
}

impl Drop for OidcProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
