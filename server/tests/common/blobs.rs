//! The server's tests on an S3-compatible store: with
//! `SEALMAIL_TEST_BLOB_URL` set (`cargo xtask test` sets it for its second
//! run, at an S3 server (s3s-fs's file system) it started, with `SEALMAIL_TEST_S3_ENDPOINT` and the
//! credentials), every data dir a test uses gets a prefix of its own in
//! that bucket, and the app, `sealmail serve` and the commands of that test
//! all use it. [`S3Server`] starts a store of a test's own.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The bucket's URL (`s3://BUCKET`).
pub const BLOB_URL: &str = "SEALMAIL_TEST_BLOB_URL";
/// The store's endpoint (`http://127.0.0.1:PORT`).
pub const ENDPOINT: &str = "SEALMAIL_TEST_S3_ENDPOINT";
/// Its access key id and secret.
pub const ACCESS_KEY: &str = "SEALMAIL_TEST_S3_ACCESS_KEY";
pub const SECRET_KEY: &str = "SEALMAIL_TEST_S3_SECRET_KEY";

/// Whether the tests run on an S3 store.
pub fn on_s3() -> bool {
    std::env::var_os(BLOB_URL).is_some()
}

/// `--blob-url s3://BUCKET/PREFIX` and the endpoint's options for data dir
/// `data`, when the tests run on an S3 store.
pub fn args(data: &Path) -> Vec<String> {
    let Ok(bucket) = std::env::var(BLOB_URL) else {
        return Vec::new();
    };
    let env = |name: &str| std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set"));
    S3Args {
        url: format!("{}/{}", bucket.trim_end_matches('/'), prefix_of(data)),
        endpoint: env(ENDPOINT),
        access_key: env(ACCESS_KEY),
        secret_key: env(SECRET_KEY),
    }
    .to_args()
}

/// A prefix of its own for each data dir: the same in every process of a test.
pub fn prefix_of(data: &Path) -> String {
    use std::hash::{DefaultHasher, Hash as _, Hasher as _};
    let mut h = DefaultHasher::new();
    data.hash(&mut h);
    format!("t{:016x}", h.finish())
}

/// The options that point the server at a bucket.
pub struct S3Args {
    pub url: String,
    pub endpoint: String,
    pub access_key: String,
    pub secret_key: String,
}

impl S3Args {
    pub fn to_args(&self) -> Vec<String> {
        [
            "--blob-url",
            &self.url,
            "--s3-endpoint",
            &self.endpoint,
            "--s3-access-key-id",
            &self.access_key,
            "--s3-secret-access-key",
            &self.secret_key,
        ]
        .map(str::to_owned)
        .to_vec()
    }
}

/// `sealmail … status` for a Message-ID no one has, in a fresh data dir on
/// SQLite, with `args` before the command: a command that opens the
/// attachment store, so it fails if the store cannot be reached.
pub fn status_with(args: &[String]) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    super::cli::run_on_sqlite(
        &dir.path().join("data"),
        &args
            .iter()
            .map(String::as_str)
            .chain(["status", "--message-id", "<nope@x>"])
            .collect::<Vec<_>>(),
        "",
    )
}

/// The S3 server program: `SEALMAIL_TEST_S3_SERVER`, else `s3s-serve`
/// (tools/s3s-serve, s3s-fs's file system with TCP_NODELAY) where
/// `cargo xtask setup` builds it, in this build's target folder.
fn program() -> PathBuf {
    if let Some(path) = std::env::var_os("SEALMAIL_TEST_S3_SERVER") {
        return path.into();
    }
    // This test is TARGET/debug/deps/NAME.
    let exe = std::env::current_exe().unwrap();
    let target = exe.ancestors().nth(3).unwrap();
    target.join("s3s-serve/release/s3s-serve")
}

/// An S3 server of a test's own (s3s-fs's file system), serving a temp folder (a bucket is a folder
/// in it) on loopback; stopped when dropped.
pub struct S3Server {
    child: Child,
    root: tempfile::TempDir,
    port: u16,
}

const KEY: &str = "sealmail-test";
const SECRET: &str = "sealmail-test-secret";

impl S3Server {
    /// Starts it with bucket `bucket`.
    pub fn start(bucket: &str) -> S3Server {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir(root.path().join(bucket)).unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(program())
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .args(["--access-key", KEY, "--secret-key", SECRET])
            .arg(root.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot start {} ({e}): `cargo xtask setup` builds it",
                    program().display()
                )
            });
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "the S3 server did not listen"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        S3Server { child, root, port }
    }

    /// Its port on 127.0.0.1 (plain http).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The options for the server, at `s3://BUCKET/PREFIX`.
    pub fn args(&self, bucket_and_prefix: &str) -> Vec<String> {
        self.args_via(
            &format!("http://127.0.0.1:{}", self.port),
            bucket_and_prefix,
        )
    }

    /// The same, reaching it through `endpoint` (a proxy in front of it).
    pub fn args_via(&self, endpoint: &str, bucket_and_prefix: &str) -> Vec<String> {
        S3Args {
            url: format!("s3://{bucket_and_prefix}"),
            endpoint: endpoint.to_owned(),
            access_key: KEY.to_owned(),
            secret_key: SECRET.to_owned(),
        }
        .to_args()
    }

    /// The folder it serves: object `B/K` is the file `B/K` in it.
    pub fn root(&self) -> &Path {
        self.root.path()
    }

    /// Every object's file under `bucket/prefix` (the store's own view, from
    /// the disk: independent of the server's client).
    pub fn objects(&self, bucket_and_prefix: &str) -> Vec<PathBuf> {
        fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
            let Ok(entries) = std::fs::read_dir(dir) else {
                return;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    walk(&path, out);
                } else if !entry.file_name().to_string_lossy().starts_with('.') {
                    out.push(path);
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.root.path().join(bucket_and_prefix), &mut out);
        out.sort();
        out
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
