//! The tools Sealmail builds and tests with, installed when missing.
//!
//! Versions are pinned and checked before anything is installed, so a second run
//! installs nothing. Why these versions and sources: `shared/toolchain.md`
//! (trunk 0.22 needs a newer rustc; Debian's binaryen 108 makes a wasm that fails
//! at run time; wasm-bindgen must equal Cargo.lock's version exactly).

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::shell::{self, Result, heading};

const TRUNK_VERSION: &str = "0.21.14";
const BINARYEN_VERSION: &str = "132.0.0";
/// What `wasm-opt --version` prints for [`BINARYEN_VERSION`].
const WASM_OPT_VERSION: &str = "version 132";
/// axe-core, which the end-to-end tests load into every page they check.
const AXE_CORE_VERSION: &str = "4.14.1";
/// esbuild, which minifies wasm-bindgen's JS glue in release builds (Trunk's
/// post-build hook `xtask/hooks/minify-glue.mjs`; Trunk's own JS minifier
/// fails on that glue and ships it unminified).
const ESBUILD_VERSION: &str = "0.28.2";
/// oidc-provider, the real OpenID Connect provider the single sign-on tests
/// start (server/tests/oidc_provider.mjs). 8.x: 9.x asks for Node 22, and
/// these machines have Debian's Node 20.
const OIDC_PROVIDER_VERSION: &str = "8.8.1";
/// Python packages the host tests run, from PyPI into `.tools/python`:
/// dkimpy, an independent DKIM verifier (server/tests/dkim.rs), the DNS
/// library it imports, and PyNaCl (with cffi and pycparser) for its Ed25519
/// signatures; aiosmtpd (with atpublic and attrs), the real SMTP server the
/// delivery tests start; openapi-spec-validator, an independent check of
/// the API's OpenAPI document (server/tests/openapi.rs), and what it imports
/// (jsonschema and openapi-schema-validator check live answers against the
/// document's schemas). Pinned together, installed with `--no-deps`, so
/// nothing unpinned comes along.
const PYTHON_PACKAGES: [&str; 27] = [
    "dkimpy==1.1.8",
    "dnspython==2.7.0",
    "PyNaCl==1.5.0",
    "cffi==1.17.1",
    "pycparser==2.22",
    "aiosmtpd==1.4.6",
    "atpublic==9.0.0",
    "attrs==26.1.0",
    "openapi-spec-validator==0.9.0",
    "openapi-schema-validator==0.9.0",
    "jsonschema==4.26.0",
    "jsonschema-specifications==2025.9.1",
    "jsonschema-path==0.5.0",
    "referencing==0.37.0",
    "rpds-py==2026.9.1",
    "rfc3339-validator==0.1.4",
    "six==1.17.0",
    "pathable==0.6.0",
    "PyYAML==6.0.4",
    "lazy-object-proxy==1.13.0",
    "pydantic==2.14.4",
    "pydantic-core==2.50.5",
    "pydantic-settings==2.16.3",
    "python-dotenv==1.2.4",
    "annotated-types==0.8.0",
    "typing-inspection==0.4.5",
    "typing-extensions==4.16.0",
];
const CHROMIUM: &str = "/usr/bin/chromium";
/// Debian's `fonts-noto-cjk` (Noto Sans CJK, Japanese included).
const CJK_FONT: &str = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// What a command needs installed.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    /// Building the portal: the wasm target, trunk, wasm-bindgen, wasm-opt (and axe-core).
    Build,
    /// Building and testing: the above plus Chromium and chromedriver.
    Everything,
}

/// The installed tools, and the `PATH` under which child processes find them.
pub struct Tools {
    path: OsString,
}

impl Tools {
    /// Installs whatever `needs` asks for that is missing.
    pub fn setup(needs: Needs) -> Result<Tools> {
        heading("Checking tools (installing only what is missing)");
        let tools = Tools {
            path: search_path(),
        };
        tools.wasm_target()?;
        tools.trunk()?;
        tools.wasm_bindgen()?;
        tools.npm_tools()?;
        if needs == Needs::Everything {
            tools.chromium()?;
            python_packages(&python_dir(), &PYTHON_PACKAGES)?;
            Tools::s3_server()?;
        }
        Ok(tools)
    }

    /// A command that finds our tools on its `PATH`.
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut command = Command::new(program);
        command.env("PATH", &self.path);
        command
    }

    /// `cargo`, finding our tools on its `PATH` (trunk, the wasm test runner).
    pub fn cargo(&self) -> Command {
        let mut command = shell::cargo();
        command.env("PATH", &self.path);
        command
    }

    /// Where chromedriver is, for the wasm test runner and the end-to-end tests.
    pub fn chromedriver(&self) -> &'static str {
        CHROMEDRIVER
    }

    /// The S3-compatible server the tests, `run --scale` and the bench
    /// store attachments in: `tools/s3s-serve` (s3s-fs's file system with
    /// TCP_NODELAY; see its Cargo.toml), built with its own lock file into
    /// `target/s3s-serve` (cargo only checks it is fresh after the first
    /// time); returns the program's path.
    pub fn s3_server() -> Result<PathBuf> {
        let target = shell::target_dir().join("s3s-serve");
        let manifest = shell::root().join("tools/s3s-serve/Cargo.toml");
        let program = target.join("release/s3s-serve");
        if !program.exists() {
            println!("building s3s-serve (s3s-fs 0.14.1; about 3 minutes the first time)");
        }
        shell::run(
            shell::cargo()
                .args(["build", "--release", "--locked", "--quiet"])
                .arg("--manifest-path")
                .arg(&manifest)
                .arg("--target-dir")
                .arg(&target),
        )?;
        println!("ok  s3s-serve (s3s-fs 0.14.1)");
        Ok(program)
    }

    fn version_of(&self, program: &str, arg: &str) -> Option<String> {
        shell::output(self.command(program).arg(arg))
    }

    fn wasm_target(&self) -> Result {
        let installed =
            shell::output(Command::new("rustup").args(["target", "list", "--installed"]));
        if installed.is_some_and(|list| list.lines().any(|t| t.trim() == "wasm32-unknown-unknown"))
        {
            println!("ok  wasm32-unknown-unknown target");
            return Ok(());
        }
        shell::run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))
    }

    fn trunk(&self) -> Result {
        let want = format!("trunk {TRUNK_VERSION}");
        if self
            .version_of("trunk", "--version")
            .is_some_and(|v| v.trim() == want)
        {
            println!("ok  {want}");
            return Ok(());
        }
        println!("installing {want} (about 8 minutes the first time)");
        shell::run(
            self.cargo()
                .args(["install", "--locked", "trunk", "--version", TRUNK_VERSION]),
        )
    }

    fn wasm_bindgen(&self) -> Result {
        let version = wasm_bindgen_version_in_lockfile()?;
        let want = format!("wasm-bindgen {version}");
        let have = self.version_of("wasm-bindgen", "--version");
        let runner = self.version_of("wasm-bindgen-test-runner", "--version");
        if have.is_some_and(|v| v.trim() == want) && runner.is_some() {
            println!("ok  {want}");
            return Ok(());
        }
        println!("installing wasm-bindgen-cli {version} (about 2 minutes the first time)");
        // Not --locked: a version of webpki-roots in its lock file is not on the registry here.
        shell::run(self.cargo().args([
            "install",
            "wasm-bindgen-cli",
            "--force",
            "--version",
            &version,
        ]))
    }

    /// wasm-opt (binaryen), axe-core, esbuild and oidc-provider, from npm
    /// into `.tools/`, at pinned versions.
    fn npm_tools(&self) -> Result {
        let wasm_opt_ok = self
            .version_of("wasm-opt", "--version")
            .is_some_and(|v| v.contains(WASM_OPT_VERSION));
        let axe_ok = npm_package_version("axe-core").is_some_and(|v| v == AXE_CORE_VERSION);
        let esbuild_ok = npm_package_version("esbuild").is_some_and(|v| v == ESBUILD_VERSION);
        let oidc_ok =
            npm_package_version("oidc-provider").is_some_and(|v| v == OIDC_PROVIDER_VERSION);
        if wasm_opt_ok && axe_ok && esbuild_ok && oidc_ok {
            println!(
                "ok  wasm-opt {WASM_OPT_VERSION} (binaryen {BINARYEN_VERSION}), axe-core {AXE_CORE_VERSION}, esbuild {ESBUILD_VERSION}, oidc-provider {OIDC_PROVIDER_VERSION}"
            );
            return Ok(());
        }
        if shell::output(Command::new("npm").arg("--version")).is_none() {
            apt_install(&["nodejs", "npm"])?;
        }
        let dir = tools_dir();
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        // A manifest naming them all, so installing one never prunes another.
        let manifest = format!(
            "{{\"private\": true, \"dependencies\": {{\"binaryen\": \"{BINARYEN_VERSION}\", \"axe-core\": \"{AXE_CORE_VERSION}\", \"esbuild\": \"{ESBUILD_VERSION}\", \"oidc-provider\": \"{OIDC_PROVIDER_VERSION}\"}}}}\n"
        );
        std::fs::write(dir.join("package.json"), manifest).map_err(|e| e.to_string())?;
        shell::run(
            Command::new("npm")
                .args(["install", "--no-audit", "--no-fund", "--prefix"])
                .arg(&dir),
        )
    }

    fn chromium(&self) -> Result {
        let mut missing = Vec::new();
        if !(Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists()) {
            missing.extend(["chromium", "chromium-driver"]);
        }
        // Without a CJK font the Japanese pages render as empty boxes in the
        // screenshots, and text measurements (wrapping) are not what a reader sees.
        if !Path::new(CJK_FONT).exists() {
            missing.push("fonts-noto-cjk");
        }
        if missing.is_empty() {
            println!("ok  Chromium, chromedriver and a CJK font");
            return Ok(());
        }
        apt_install(&missing)
    }
}

/// `.tools/`: project-local tools from npm (wasm-opt) and PyPI (`python/`).
pub fn tools_dir() -> PathBuf {
    shell::root().join(".tools")
}

/// `.tools/python`: the tests put it on `PYTHONPATH`.
pub fn python_dir() -> PathBuf {
    tools_dir().join("python")
}

/// Installs pinned PyPI packages (`name==version`) into `dir` (under
/// [`tools_dir`]), unless every one is there at its version already.
pub fn python_packages(dir: &Path, packages: &[&str]) -> Result {
    let missing: Vec<&str> = packages
        .iter()
        .copied()
        .filter(|p| !python_package_installed(dir, p))
        .collect();
    let shown = dir.strip_prefix(shell::root()).unwrap_or(dir).display();
    if missing.is_empty() {
        println!("ok  {} (Python, {shown})", packages.join(", "));
        return Ok(());
    }
    if shell::output(Command::new("python3").args(["-m", "pip", "--version"])).is_none() {
        apt_install(&["python3", "python3-pip"])?;
    }
    println!("installing {} from PyPI into {shown}", missing.join(", "));
    // --upgrade: replaces an older version in the folder instead of warning.
    shell::run(
        Command::new("python3")
            .args([
                "-m",
                "pip",
                "install",
                "--disable-pip-version-check",
                "--no-input",
            ])
            .arg("--root-user-action=ignore")
            .args(["--no-deps", "--upgrade", "--target"])
            .arg(dir)
            .args(packages),
    )
}

/// Whether pip left `name-version.dist-info` in `dir`. Compared as wheels
/// name them (case-insensitive, `-` and `.` in the name read as `_`): pip
/// keeps the project's own spelling (`PyNaCl-1.5.0.dist-info`).
fn python_package_installed(dir: &Path, pinned: &str) -> bool {
    let normalise = |name: &str| name.to_ascii_lowercase().replace(['-', '.'], "_");
    let Some((name, version)) = pinned.split_once("==") else {
        return false;
    };
    let want = format!("{}-{version}.dist-info", normalise(name));
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    entries.filter_map(|e| e.ok()).any(|entry| {
        let file = entry.file_name().to_string_lossy().into_owned();
        let normalised = match file.split_once('-') {
            Some((name, rest)) => format!("{}-{}", normalise(name), rest.to_ascii_lowercase()),
            None => file,
        };
        normalised == want && entry.path().is_dir()
    })
}

/// The version of an npm package installed under `.tools/`, if any.
fn npm_package_version(package: &str) -> Option<String> {
    let manifest = tools_dir()
        .join("node_modules")
        .join(package)
        .join("package.json");
    let text = std::fs::read_to_string(manifest).ok()?;
    let start = text.find("\"version\"")?;
    let rest = &text[start + "\"version\"".len()..];
    let value = rest.split('"').nth(1)?;
    Some(value.to_owned())
}

/// `PATH` with cargo's bin folder and `.tools/node_modules/.bin` in front.
fn search_path() -> OsString {
    let mut dirs: Vec<PathBuf> = vec![tools_dir().join("node_modules/.bin")];
    dirs.extend(cargo_bin_dir());
    if let Some(path) = std::env::var_os("PATH") {
        dirs.extend(std::env::split_paths(&path));
    }
    std::env::join_paths(dirs).expect("PATH entries contain no separator")
}

/// Where `cargo install` puts programs.
fn cargo_bin_dir() -> Option<PathBuf> {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .map(|h| h.join("bin"))
}

/// The exact wasm-bindgen version Cargo.lock pins (the CLI must equal it).
fn wasm_bindgen_version_in_lockfile() -> Result<String> {
    let lock = std::fs::read_to_string(shell::root().join("Cargo.lock"))
        .map_err(|e| format!("cannot read Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "name = \"wasm-bindgen\""
            && let Some(version) = lines
                .next()
                .and_then(|l| l.trim().strip_prefix("version = "))
        {
            return Ok(version.trim_matches('"').to_owned());
        }
    }
    Err("Cargo.lock names no wasm-bindgen version".into())
}

pub fn apt_install(packages: &[&str]) -> Result {
    println!("installing {} from Debian's packages", packages.join(", "));
    let sudo = !is_root();
    let apt = |args: &[&str]| {
        let mut command = if sudo {
            Command::new("sudo")
        } else {
            Command::new("apt-get")
        };
        if sudo {
            command.arg("apt-get");
        }
        command.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        command
    };
    shell::run(&mut apt(&["update", "-q"]))?;
    let mut install = apt(&["install", "-y", "-q", "--no-install-recommends"]);
    shell::run(install.args(packages))
}

fn is_root() -> bool {
    shell::output(Command::new("id").arg("-u")).is_some_and(|id| id.trim() == "0")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_python_package_counts_as_installed_only_at_its_pinned_version() {
        let dir = std::env::temp_dir().join(format!("xtask-python-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("dkimpy-1.1.8.dist-info")).unwrap();
        std::fs::create_dir_all(dir.join("PyNaCl-1.5.0.dist-info")).unwrap();
        assert!(python_package_installed(&dir, "dkimpy==1.1.8"));
        assert!(python_package_installed(&dir, "PyNaCl==1.5.0"));
        assert!(python_package_installed(&dir, "pynacl==1.5.0"));
        assert!(!python_package_installed(&dir, "PyNaCl==1.4.0"));
        assert!(!python_package_installed(&dir, "dkimpy==1.1.9"));
        assert!(!python_package_installed(&dir, "dnspython==2.7.0"));
        assert!(!python_package_installed(&dir, "dkimpy"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn reads_the_locked_wasm_bindgen_version() {
        let version = wasm_bindgen_version_in_lockfile().unwrap();
        let parts: Vec<&str> = version.split('.').collect();
        assert_eq!(parts.len(), 3, "{version}");
        assert!(parts.iter().all(|p| p.parse::<u32>().is_ok()), "{version}");
    }
}
