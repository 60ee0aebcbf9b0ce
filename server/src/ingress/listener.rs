//! Accepting SMTP connections: at most `--smtp-max-connections` at once (a
//! client past the cap is told 421 and let go, so a flood cannot exhaust
//! memory or file descriptors), STARTTLS, and a graceful stop.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::AsyncWriteExt as _;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;

use super::Ingress;
use super::conn::Conn;
use super::reply;
use super::session::{Next, Session};

/// How long sessions in the middle of a mail may run on after the stop.
const DRAIN: Duration = Duration::from_secs(10);
/// How long a client turned away is given to read the 421.
const REFUSAL: Duration = Duration::from_secs(5);
/// Refusals being written at once; past them a connection is just closed,
/// so a flood costs no more than this many tasks and sockets.
const REFUSALS_AT_ONCE: usize = 64;

/// Serves SMTP on `listener` until `stop` completes; then idle sessions are
/// told 421 and a mail being received may finish (up to 10 s).
pub async fn serve(listener: TcpListener, ingress: Ingress, stop: impl Future<Output = ()>) {
    let room = Arc::new(Semaphore::new(ingress.settings.max_connections));
    let refusals = Arc::new(Semaphore::new(REFUSALS_AT_ONCE));
    let (stopping, stop_rx) = watch::channel(false);
    let mut sessions = JoinSet::new();
    tokio::pin!(stop);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    tracing::warn!(error = %e, "accepting an SMTP connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        while sessions.try_join_next().is_some() {}
        let Ok(permit) = room.clone().try_acquire_owned() else {
            tracing::warn!(%peer, "SMTP connection refused: too many at once");
            if let Ok(refusal) = refusals.clone().try_acquire_owned() {
                tokio::spawn(async move {
                    refuse(stream).await;
                    drop(refusal);
                });
            }
            continue;
        };
        let (ingress, stop_rx) = (ingress.clone(), stop_rx.clone());
        sessions.spawn(async move {
            connection(&ingress, stream, peer, stop_rx).await;
            drop(permit);
        });
    }
    drop(listener);
    let _ = stopping.send(true);
    let drained = tokio::time::timeout(DRAIN, async {
        while sessions.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tracing::warn!("SMTP sessions still running {DRAIN:?} after the stop: cut off");
        sessions.abort_all();
    }
}

/// One client, from the greeting to the end (through STARTTLS if asked).
async fn connection(
    ingress: &Ingress,
    mut stream: TcpStream,
    peer: SocketAddr,
    stop: watch::Receiver<bool>,
) {
    let _ = stream.set_nodelay(true);
    let next = {
        let mut conn = Conn::new(&mut stream, stop.clone());
        Session::new(ingress, peer, false).run(&mut conn).await
    };
    match (next, &ingress.tls) {
        (Next::StartTls, Some(acceptor)) => {
            let handshake = acceptor.accept(stream);
            let mut tls =
                match tokio::time::timeout(ingress.settings.command_timeout, handshake).await {
                    Ok(Ok(tls)) => tls,
                    Ok(Err(e)) => {
                        tracing::info!(%peer, error = %e, "STARTTLS handshake failed");
                        return;
                    }
                    Err(_) => return,
                };
            {
                let mut conn = Conn::new(&mut tls, stop);
                Session::new(ingress, peer, true).run(&mut conn).await;
            }
            let _ = tls.shutdown().await;
        }
        _ => {
            let _ = stream.shutdown().await;
        }
    }
}

/// Tells a client past the connection cap to come back later.
async fn refuse(mut stream: TcpStream) {
    let mut out = Vec::new();
    reply::TOO_MANY_CONNECTIONS.write(&mut out);
    let _ = tokio::time::timeout(REFUSAL, async {
        let _ = stream.write_all(&out).await;
        let _ = stream.shutdown().await;
    })
    .await;
}
