//! A real `sealmail serve` on a socket, and plain HTTP/1.1 requests to it
//! (for acceptance tests that check what only a real connection has: the
//! client address, cookies over the wire).

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A running server, killed when dropped.
pub struct Server {
    child: Child,
    pub port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Starts `sealmail serve` on a free port on `data`, and waits until it answers.
    pub fn start(data: &Path, extra: &[&str]) -> Server {
        Self::start_with_log(data, extra, Stdio::null())
    }

    /// As [`Server::start`], its log (stderr) going to `log`.
    pub fn start_logging_to(data: &Path, extra: &[&str], log: &Path) -> Server {
        Self::start_with_log(data, extra, std::fs::File::create(log).unwrap().into())
    }

    fn start_with_log(data: &Path, extra: &[&str], log: Stdio) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut command = Command::new(env!("CARGO_BIN_EXE_sealmail"));
        for (var, _) in std::env::vars() {
            if var.starts_with("SEALMAIL_") {
                command.env_remove(var);
            }
        }
        let child = command
            .arg("--data-dir")
            .arg(data)
            .args(super::pg::args(data))
            .args(super::blobs::args(data))
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .args(["--public-url", &format!("http://127.0.0.1:{port}")])
            .arg("--portal-dir")
            .arg(data.join("no-portal"))
            .args(extra)
            .arg("serve")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        let server = Server { child, port };
        for _ in 0..100 {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return server;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("the server did not start");
    }

    /// A recipient reading the message of the link `token` with their
    /// session cookie (`name=value`).
    pub fn read_message(&self, token: &str, cookie: &str) -> Reply {
        self.request(
            "GET",
            &sealmail_api::routes::link_message(token),
            &[&format!("Cookie: {cookie}")],
            b"",
        )
    }

    /// One request over a fresh connection.
    pub fn request(&self, method: &str, path: &str, headers: &[&str], body: &[u8]) -> Reply {
        request_to(self.port, method, path, headers, body)
    }
}

/// One request over a fresh connection to a loopback port (another listener
/// of the server: its metrics, say).
pub fn request_to(port: u16, method: &str, path: &str, headers: &[&str], body: &[u8]) -> Reply {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
    for h in headers {
        head.push_str(h);
        head.push_str("\r\n");
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let raw = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    Reply {
        status: head.split(' ').nth(1).unwrap().parse().unwrap(),
        head: head.to_owned(),
        body: body.to_owned(),
    }
}

/// A response.
pub struct Reply {
    pub status: u16,
    pub head: String,
    pub body: String,
}

impl Reply {
    /// The value of a response header (the first, if it came more than once).
    pub fn header(&self, name: &str) -> Option<String> {
        self.head.lines().skip(1).find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.trim()
                .eq_ignore_ascii_case(name)
                .then(|| value.trim().to_owned())
        })
    }

    /// `name=value` of the first cookie set.
    pub fn cookie(&self) -> String {
        self.head
            .lines()
            .find_map(|l| {
                l.to_ascii_lowercase()
                    .starts_with("set-cookie: ")
                    .then(|| &l[12..])
            })
            .and_then(|c| c.split(';').next())
            .expect("a cookie")
            .to_owned()
    }

    pub fn json<T: serde::de::DeserializeOwned>(&self) -> T {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("{e}: {} {}", self.status, self.body))
    }
}
