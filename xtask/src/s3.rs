//! A throwaway S3-compatible store for the tests and `run --scale`: s3s-fs's
//! file system (`tools/s3s-serve`, built by `cargo xtask setup`) serving a
//! temp folder on loopback, where a bucket is a folder; stopped and deleted
//! when the guard is dropped.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::shell::Result;
use crate::tools::Tools;

/// The bucket the tests use (each test's data dir gets a prefix in it).
pub const BUCKET: &str = "sealmail-tests";
/// Test-only credentials: the store listens on loopback and lives a run.
pub const ACCESS_KEY: &str = "sealmail";
pub const SECRET_KEY: &str = "sealmail-test-secret";

/// A running store; stopped and its folder deleted when dropped.
pub struct Store {
    child: Child,
    dir: PathBuf,
    bucket: &'static str,
    /// Its port on 127.0.0.1.
    pub port: u16,
}

impl Store {
    /// Builds `s3s-serve` if missing and starts it on a free port with one
    /// (empty) bucket, `bucket`.
    pub fn start(name: &str, bucket: &'static str) -> Result<Store> {
        let program = Tools::s3_server()?;
        let dir = std::env::temp_dir().join(format!("sealmail-{name}-s3-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join(bucket)).map_err(|e| format!("{}: {e}", dir.display()))?;
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .map_err(|e| format!("no free port: {e}"))?;
        let child = Command::new(&program)
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .args(["--access-key", ACCESS_KEY, "--secret-key", SECRET_KEY])
            .arg(&dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", program.display()))?;
        let store = Store {
            child,
            dir,
            bucket,
            port,
        };
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if started.elapsed() > Duration::from_secs(30) {
                return Err(format!("s3s-serve did not listen on port {port}"));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(store)
    }

    /// Its endpoint.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The bucket's URL, `s3://BUCKET`.
    pub fn bucket_url(&self) -> String {
        format!("s3://{}", self.bucket)
    }

    /// The folder that holds the bucket's objects, one file each.
    pub fn bucket_dir(&self) -> PathBuf {
        self.dir.join(self.bucket)
    }

    /// The variables that point `sealmail` at the bucket (its options'
    /// environment names: kept off the command line, like the database's URL).
    pub fn server_env(&self) -> [(&'static str, String); 4] {
        [
            ("SEALMAIL_BLOB_URL", self.bucket_url()),
            ("AWS_ENDPOINT_URL", self.endpoint()),
            ("AWS_ACCESS_KEY_ID", ACCESS_KEY.to_owned()),
            ("AWS_SECRET_ACCESS_KEY", SECRET_KEY.to_owned()),
        ]
    }

    /// The variables server/tests/common/blobs.rs reads.
    pub fn test_env(&self) -> [(&'static str, String); 4] {
        [
            ("SEALMAIL_TEST_BLOB_URL", self.bucket_url()),
            ("SEALMAIL_TEST_S3_ENDPOINT", self.endpoint()),
            ("SEALMAIL_TEST_S3_ACCESS_KEY", ACCESS_KEY.to_owned()),
            ("SEALMAIL_TEST_S3_SECRET_KEY", SECRET_KEY.to_owned()),
        ]
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        // Our own child, by its pid.
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
