//! `sealmail serve`

use std::time::Duration;

use crate::config::Config;
use crate::error::Result;
use crate::{AppState, app, ingress, mail, messages, metrics};

/// How often the background task purges expired messages (each access also
/// checks the expiry, so this only bounds how long dead ciphertext lingers).
const PURGE_EVERY: Duration = Duration::from_secs(60);

/// Serves the API and the portal (and SMTP, with `--smtp-listen`) until
/// Ctrl-C or SIGTERM.
pub async fn run(config: &Config) -> Result<()> {
    let state = AppState::open_with_configured_mailer(config).await?;
    // Bound before the HTTP port (a port in use fails the start; and once
    // HTTP answers, SMTP does too).
    let smtp = match config.ingress.smtp_listen {
        Some(address) => {
            let ingress = ingress::Ingress::new(
                state.clone(),
                &config.ingress,
                config.bounce_domain.clone(),
            )?;
            let smtp_listener = tokio::net::TcpListener::bind(address).await?;
            tracing::info!(
                smtp_listen = %address,
                starttls = config.ingress.smtp_tls_cert.is_some(),
                trusted_networks = ?config.ingress.smtp_trusted_networks,
                "accepting mail over SMTP"
            );
            if config.smtp_url.is_none() {
                tracing::warn!(
                    "no --smtp-url: mail the rules relay unprotected is written to the local \
                     outbox, not delivered"
                );
            }
            Some((ingress, smtp_listener))
        }
        None => None,
    };
    // Its own address, bound before the public port too: metrics are never
    // served where the portal is. Counting starts here, before any request.
    let metrics_listener = match config.metrics_listen {
        Some(address) => {
            let listener = tokio::net::TcpListener::bind(address).await?;
            tracing::info!(metrics_listen = %address, "serving Prometheus metrics at /metrics");
            Some((listener, metrics::router(state.clone())))
        }
        None => None,
    };
    let listener = tokio::net::TcpListener::bind(config.listen).await?;
    tracing::info!(
        listen = %config.listen,
        public_url = %state.settings.public_url,
        portal_dir = %state.settings.portal_dir.display(),
        mail = if config.smtp_url.is_some() { "smtp" } else { "outbox" },
        "sealmail is serving"
    );
    if state.settings.secure_cookies && !state.settings.https {
        tracing::warn!(
            public_url = %state.settings.public_url,
            "the public URL is plain http on another machine's name: session cookies are \
             marked Secure, so browsers will not send them back over http; serve the \
             portal over https (or use a loopback address to try it out)"
        );
    }
    if config.mail_lease <= config.smtp_timeout {
        // A send is cut off at 90 % of the lease, so the SMTP timeout never fires.
        tracing::warn!(
            lease_secs = config.mail_lease.as_secs(),
            smtp_timeout_secs = config.smtp_timeout.as_secs(),
            "--mail-lease is not above --smtp-timeout: slow relays are cut off by the lease"
        );
    }
    let purge = tokio::spawn(messages::run_purge_task(state.clone(), PURGE_EVERY));
    // Files a crash left behind (a message killed mid-upload, or ended with
    // its files not yet removed); in the background, so serving starts at once.
    let sweep_state = state.clone();
    tokio::spawn(async move {
        match messages::sweep_orphans(&sweep_state).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(files = n, "removed attachment files left by a crash"),
            Err(e) => tracing::warn!(error = %e, "sweeping orphaned attachment files failed"),
        }
    });
    // The worker stops claiming mail when the server stops serving, and lets
    // what is in flight finish (its outcome recorded, nothing sent twice).
    let (stop_delivery, stopped) = tokio::sync::oneshot::channel::<()>();
    let delivery = tokio::spawn(mail::delivery::run_worker(state.clone(), async {
        let _ = stopped.await;
    }));
    let limits = crate::http::listen::Limits {
        header_timeout: config.header_timeout,
        body_timeout: config.body_timeout,
        max_connections: config.max_connections,
    };
    // One stop for every listener: the signal ends HTTP, and HTTP's end
    // stops SMTP and metrics; each lets what is in flight finish.
    let (stop_smtp, smtp_stopped) = tokio::sync::oneshot::channel::<()>();
    let smtp = smtp.map(|(ingress, smtp_listener)| {
        tokio::spawn(ingress::serve(smtp_listener, ingress, async {
            let _ = smtp_stopped.await;
        }))
    });
    let (stop_metrics, metrics_stopped) = tokio::sync::oneshot::channel::<()>();
    let metrics = metrics_listener.map(|(metrics_listener, metrics_app)| {
        tokio::spawn(metrics::serve(
            metrics_listener,
            metrics_app,
            limits,
            async {
                let _ = metrics_stopped.await;
            },
        ))
    });
    crate::http::listen::serve(listener, app(state.clone()), limits, shutdown_signal()).await;
    let _ = stop_smtp.send(());
    let _ = stop_metrics.send(());
    if let Some(smtp) = smtp {
        let _ = smtp.await;
    }
    if let Some(metrics) = metrics {
        let _ = metrics.await;
    }
    purge.abort();
    let _ = stop_delivery.send(());
    let _ = delivery.await;
    state.db.close().await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
    tracing::info!("shutting down");
}
