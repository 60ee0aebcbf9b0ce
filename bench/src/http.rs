//! A small HTTP/1.1 load generator on hyper: each client is one keep-alive
//! connection sending requests one after another (a closed loop), until a
//! request count or a time limit is reached. Loopback only.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt as _, Full};
use hyper::client::conn::http1::SendRequest;
use hyper::{HeaderMap, Request, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use crate::report::percentile;

pub type Body = BoxBody<Bytes, std::io::Error>;

/// A request body held in memory.
pub fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into())
        .map_err(|never| match never {})
        .boxed()
}

pub fn empty() -> Body {
    full(Bytes::new())
}

/// One keep-alive connection, opened again when the server closes it (a
/// server without keep-alive, such as gunicorn's sync workers, answers with
/// `Connection: close`): the new connection's cost counts in that request's latency.
pub struct Client {
    addr: SocketAddr,
    sender: SendRequest<Body>,
}

impl Client {
    pub async fn connect(addr: SocketAddr) -> Result<Client, String> {
        assert!(addr.ip().is_loopback(), "load goes to loopback only");
        let stream = TcpStream::connect(addr)
            .await
            .map_err(|e| format!("connect {addr}: {e}"))?;
        stream.set_nodelay(true).map_err(|e| e.to_string())?;
        let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| e.to_string())?;
        tokio::spawn(connection);
        Ok(Client { addr, sender })
    }

    /// Sends `request` and reads the whole answer, keeping at most
    /// `keep` bytes of it; returns the status, the byte count and what was kept.
    pub async fn send(
        &mut self,
        request: Request<Body>,
        keep: usize,
    ) -> Result<(StatusCode, u64, Vec<u8>), String> {
        let mut kept = Vec::new();
        let (status, _, total) = self
            .fetch(request, |data| {
                if kept.len() < keep {
                    let take = (keep - kept.len()).min(data.len());
                    kept.extend_from_slice(&data[..take]);
                }
            })
            .await?;
        Ok((status, total, kept))
    }

    /// Sends `request` and hands each piece of the answer to `each` as it
    /// arrives (nothing is held); returns the status, the headers and the
    /// byte count.
    pub async fn fetch(
        &mut self,
        request: Request<Body>,
        mut each: impl FnMut(&[u8]),
    ) -> Result<(StatusCode, HeaderMap, u64), String> {
        if self.sender.ready().await.is_err() {
            *self = Client::connect(self.addr).await?;
            self.sender.ready().await.map_err(|e| e.to_string())?;
        }
        let response = self
            .sender
            .send_request(request)
            .await
            .map_err(|e| e.to_string())?;
        let (head, mut body) = response.into_parts();
        let mut total = 0u64;
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|e| e.to_string())?;
            if let Some(data) = frame.data_ref() {
                total += data.len() as u64;
                each(data);
            }
        }
        Ok((head.status, head.headers, total))
    }
}

/// A request for the `index`-th call.
pub type MakeRequest = Arc<dyn Fn(u64) -> Request<Body> + Send + Sync>;

/// A GET of `path` with extra headers.
pub fn get(addr: SocketAddr, path: &str, headers: &[(&str, &str)]) -> Request<Body> {
    request("GET", addr, path, headers, empty())
}

pub fn request(
    method: &str,
    addr: SocketAddr,
    path: &str,
    headers: &[(&str, &str)],
    body: Body,
) -> Request<Body> {
    let mut builder = Request::builder()
        .method(method)
        .uri(path)
        .header("host", addr.to_string());
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(body).expect("a valid request")
}

/// How a load run went.
#[derive(Debug, Clone)]
pub struct LoadRun {
    pub requests: u64,
    pub errors: u64,
    pub first_error: Option<String>,
    pub seconds: f64,
    pub bytes: u64,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

impl LoadRun {
    pub fn per_second(&self) -> f64 {
        self.requests as f64 / self.seconds
    }
}

/// Runs `clients` connections until `max_requests` have been started or
/// `max_time` has passed (requests under way then finish), and measures.
pub async fn load(
    addr: SocketAddr,
    clients: usize,
    max_requests: u64,
    max_time: Duration,
    make: MakeRequest,
) -> Result<LoadRun, String> {
    load_spread(&[addr], clients, max_requests, max_time, make).await
}

/// [`load`] over several replicas of one server: client `i` keeps its
/// connection to `addrs[i % addrs.len()]`, so the load is split evenly.
pub async fn load_spread(
    addrs: &[SocketAddr],
    clients: usize,
    max_requests: u64,
    max_time: Duration,
    make: MakeRequest,
) -> Result<LoadRun, String> {
    let next = Arc::new(AtomicU64::new(0));
    let mut connections = Vec::with_capacity(clients);
    for addr in addrs.iter().cycle().take(clients) {
        connections.push(Client::connect(*addr).await?);
    }
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(clients);
    for mut client in connections {
        let (next, make) = (next.clone(), make.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let (mut errors, mut bytes, mut first_error) = (0u64, 0u64, None);
            loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                if index >= max_requests || started.elapsed() >= max_time {
                    break;
                }
                let t0 = Instant::now();
                match client.send(make(index), 300).await {
                    Ok((status, n, _)) if status.is_success() => {
                        bytes += n;
                        latencies.push(t0.elapsed().as_secs_f64() * 1000.0);
                    }
                    Ok((status, _, kept)) => {
                        errors += 1;
                        first_error.get_or_insert_with(|| {
                            format!("{status}: {}", String::from_utf8_lossy(&kept))
                        });
                    }
                    Err(e) => {
                        errors += 1;
                        first_error.get_or_insert(e);
                        break;
                    }
                }
            }
            (latencies, errors, bytes, first_error)
        }));
    }
    let mut latencies = Vec::new();
    let (mut errors, mut bytes, mut first_error) = (0, 0, None);
    for task in tasks {
        let (l, e, b, f) = task.await.map_err(|e| e.to_string())?;
        latencies.extend(l);
        errors += e;
        bytes += b;
        if first_error.is_none() {
            first_error = f;
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    Ok(LoadRun {
        requests: latencies.len() as u64,
        errors,
        first_error,
        seconds,
        bytes,
        p50_ms: percentile(&latencies, 50.0),
        p99_ms: percentile(&latencies, 99.0),
    })
}
