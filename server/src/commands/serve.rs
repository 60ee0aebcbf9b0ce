//! `sealmail serve`

use std::time::Duration;

use crate::config::Config;
use crate::error::Result;
use crate::{AppState, app, mail, messages};

/// How often the background task purges expired messages (each access also
/// checks the expiry, so this only bounds how long dead ciphertext lingers).
const PURGE_EVERY: Duration = Duration::from_secs(60);

/// Serves the API and the portal until Ctrl-C or SIGTERM.
pub async fn run(config: &Config) -> Result<()> {
    let state = AppState::open_with_configured_mailer(config).await?;
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
    // The worker stops claiming mail when the server stops serving, and lets
    // what is in flight finish (its outcome recorded, nothing sent twice).
    let (stop_delivery, stopped) = tokio::sync::oneshot::channel::<()>();
    let delivery = tokio::spawn(mail::delivery::run_worker(state.clone(), async {
        let _ = stopped.await;
    }));
    let limits = crate::http::listen::Limits {
        header_timeout: config.header_timeout,
        max_connections: config.max_connections,
    };
    crate::http::listen::serve(listener, app(state.clone()), limits, shutdown_signal()).await;
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
