//! The server's memory while one client uploads a 1 GB attachment (a streamed
//! multipart compose) and another downloads a 1 GB attachment, at once.
//! Neither side holds the gigabyte: the upload is generated as it is sent,
//! the download counted as it arrives. The data dir is removed afterwards.

use std::path::Path;
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::stream;
use http_body_util::{BodyExt as _, StreamBody};
use hyper::body::Frame;
use sealmail::crypto::{new_bearer_token, sha256};
use sealmail::messages::Outgoing;
use sealmail::store;
use sealmail_api::recipient::Body as MessageBody;
use sealmail_api::routes::{self, COMPOSE_PART, CSRF_HEADER, CSRF_VALUE, RECIPIENT_SESSION_COOKIE};
use sealmail_api::sender::{ComposeRequest, Expiry};
use sealmail_api::{Mailbox, Protection};
use serde_json::json;

use crate::http::{Client, get, request};
use crate::report::{Figure, Goal, max};
use crate::seed;
use crate::server::{Server, free_addr, url};

const GIGABYTE: u64 = 1 << 30;
const PIECE: usize = 64 * 1024;

pub async fn run(binary: &Path, portal_dir: &Path) -> Result<Vec<Figure>, String> {
    let data_dir = tempfile::Builder::new()
        .prefix("sealmail-bench-memory-")
        .tempdir_in(seed::scratch_dir())
        .map_err(|e| e.to_string())?;
    let addr = free_addr();
    println!("sealing a 1 GB attachment to download");
    let (token, cookie, attachment, sender_cookie) = seed_big(data_dir.path(), &url(addr)).await?;
    let server = Server::start(
        binary,
        data_dir.path(),
        addr,
        portal_dir,
        &["--max-message-mib", "1100"],
    )
    .await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (idle, _) = server.memory()?;

    let pid = server.pid();
    let sampler = tokio::spawn(async move {
        let mut samples = Vec::new();
        while let Ok((rss, _)) = crate::server::memory_of(pid) {
            samples.push(rss);
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        samples
    });
    let started = Instant::now();
    let upload = tokio::spawn(upload(addr, sender_cookie));
    let download = tokio::spawn(async move {
        let mut client = Client::connect(addr).await?;
        let t0 = Instant::now();
        let path = routes::link_attachment(&token, &attachment);
        let (status, bytes, _) = client
            .send(get(addr, &path, &[("cookie", &cookie)]), 0)
            .await?;
        if !status.is_success() || bytes != GIGABYTE {
            return Err(format!("download: {status}, {bytes} bytes"));
        }
        Ok::<_, String>(bytes as f64 / 1e6 / t0.elapsed().as_secs_f64())
    });
    let up = upload.await.map_err(|e| e.to_string())??;
    let down = download.await.map_err(|e| e.to_string())??;
    let seconds = started.elapsed().as_secs_f64();
    let (_, peak) = server.memory()?;
    drop(server);
    let samples = sampler.await.map_err(|e| e.to_string())?;
    drop(data_dir);

    Ok(vec![
        Figure::new("memory: idle RSS (fresh server)", idle, "MB"),
        Figure::new(
            "memory: peak RSS, 1 GB upload + 1 GB download at once",
            peak,
            "MB",
        )
        .goal(Goal::AtMost(64.0))
        .detail(json!({
            "rss_samples_MB_every_250ms": samples,
            "max_sampled_MB": max(&samples),
            "seconds": seconds,
        })),
        Figure::new("memory: 1 GB upload throughput (during it)", up, "MB/s"),
        Figure::new("memory: 1 GB download throughput (during it)", down, "MB/s"),
    ])
}

/// A sender, and a message with a 1 GB attachment and one recipient with a session.
async fn seed_big(
    dir: &Path,
    public_url: &str,
) -> Result<(String, String, String, String), String> {
    let (state, mailer) = seed::open_state(dir, public_url).await?;
    let (sender_id, sender_cookie) = seed::sender(&state).await?;
    let err = |e: sealmail::Error| e.to_string();
    let mut outgoing = Outgoing::new(&state);
    let mut writer = outgoing
        .attachment("big.bin", "application/octet-stream")
        .await
        .map_err(err)?;
    let piece = seed::pattern(PIECE);
    for _ in 0..GIGABYTE as usize / PIECE {
        writer.write(&piece).await.map_err(err)?;
    }
    outgoing.finish_attachment(writer).await.map_err(err)?;
    let id = outgoing.id().to_owned();
    outgoing
        .send(seed::draft(
            "bob@example.net",
            Some(sender_id),
            "1 GB",
            "big".into(),
        ))
        .await
        .map_err(err)?;
    let attachment = store::messages::attachments(&state.db, &id)
        .await
        .map_err(err)?
        .remove(0)
        .id;
    seed::deliver_mail(&state).await?;
    let token = mailer
        .last_to("bob@example.net")
        .and_then(|m| seed::find_token(&m.text))
        .ok_or("no link mailed")?;
    let link = store::links::by_token_hash(&state.db, &sha256(token.as_bytes()))
        .await
        .map_err(err)?
        .ok_or("unknown link")?;
    let session = new_bearer_token();
    let now = store::now();
    let mut tx = state.db.write().await.map_err(|e| e.to_string())?;
    store::sessions::create(
        &mut tx,
        &sha256(session.expose().as_bytes()),
        link.recipient_id,
        now,
        now + 1800,
    )
    .await
    .map_err(err)?;
    tx.commit().await.map_err(|e| e.to_string())?;
    state.db.close().await;
    let cookie = format!("{RECIPIENT_SESSION_COOKIE}={}", session.expose());
    Ok((token, cookie, attachment, sender_cookie))
}

/// Composes a message with a 1 GB attachment, generated while it is sent; MB/s.
async fn upload(addr: std::net::SocketAddr, sender_cookie: String) -> Result<f64, String> {
    let piece = Bytes::from(seed::pattern(PIECE));
    let pieces = std::iter::repeat_n(piece, GIGABYTE as usize / PIECE);
    let t0 = Instant::now();
    compose_streamed(
        addr,
        &sender_cookie,
        "carol@example.org",
        "up.bin",
        pieces,
        GIGABYTE,
    )
    .await?;
    Ok(GIGABYTE as f64 / 1e6 / t0.elapsed().as_secs_f64())
}

/// Composes a message to `to` through the API with one attachment, `name`,
/// of `len` bytes sent as `pieces` yields them (a streamed multipart body:
/// nothing here holds more than a piece).
pub async fn compose_streamed(
    addr: std::net::SocketAddr,
    sender_cookie: &str,
    to: &str,
    name: &str,
    pieces: impl Iterator<Item = Bytes> + Send + Sync + 'static,
    len: u64,
) -> Result<(), String> {
    let boundary = "sealmail-bench-boundary-7f3a9c";
    let message = ComposeRequest {
        to: vec![Mailbox {
            name: None,
            address: to.into(),
        }],
        cc: Vec::new(),
        subject: "a large attachment".into(),
        body: MessageBody {
            text: Some("big".into()),
            html: None,
        },
        protection: Protection::EncryptOnly,
        expiry: Expiry::TemplateDefault,
        branding_template: None,
        language: None,
        read_receipt: None,
    };
    let head = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"{COMPOSE_PART}\"\r\n\
         Content-Type: application/json\r\n\r\n{}\r\n--{boundary}\r\n\
         Content-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n",
        serde_json::to_string(&message).map_err(|e| e.to_string())?
    );
    let tail = format!("\r\n--{boundary}--\r\n");
    let length = head.len() as u64 + len + tail.len() as u64;
    let frames = std::iter::once(Bytes::from(head))
        .chain(pieces)
        .chain(std::iter::once(Bytes::from(tail)))
        .map(|b| Ok::<_, std::io::Error>(Frame::data(b)));
    let body = StreamBody::new(stream::iter(frames)).boxed();
    let content_type = format!("multipart/form-data; boundary={boundary}");
    let length = length.to_string();
    let req = request(
        "POST",
        addr,
        routes::MESSAGES,
        &[
            (CSRF_HEADER, CSRF_VALUE),
            ("cookie", sender_cookie),
            ("content-type", &content_type),
            ("content-length", &length),
        ],
        body,
    );
    let mut client = Client::connect(addr).await?;
    let (status, _, kept) = client.send(req, 500).await?;
    if !status.is_success() {
        return Err(format!(
            "upload: {status} {}",
            String::from_utf8_lossy(&kept)
        ));
    }
    Ok(())
}
