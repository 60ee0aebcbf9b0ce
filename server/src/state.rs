//! What every request handler and command shares: the database, the keys,
//! the mailer, the audit writer and the settings derived from the configuration.

use std::path::PathBuf;
use std::sync::Arc;

use crate::store::Db;
use sealmail_api::common::Branding;

use crate::audit::AuditLog;
use crate::config::Config;
use crate::crypto::MasterKey;
use crate::error::{Error, Result};
use crate::mail::Mailer;

/// Everything a request handler or a command needs. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub db: Db,
    /// Where sealed attachments are stored (`--blob-url`).
    pub blobs: crate::blobs::Blobs,
    /// The master key (wraps data keys, keys the passcode MAC).
    pub master_key: Arc<MasterKey>,
    /// Earlier master keys, kept only to unwrap what they wrapped (rotation).
    pub previous_master_keys: Arc<Vec<MasterKey>>,
    /// The delivery worker's transport (SMTP, the outbox, or a test's recorder).
    pub mailer: Arc<dyn Mailer>,
    /// The mail queue's handle: every mail is queued, then sent by the worker.
    pub mail_queue: crate::mail::queue::MailQueue,
    /// Settings derived from the configuration.
    pub settings: Arc<Settings>,
    /// The access audit's writer (group commit).
    pub audit: AuditLog,
    /// Room for password checks running at once (see `--password-checks`).
    pub password_checks: Arc<tokio::sync::Semaphore>,
    /// Staff single sign-on, when configured (`--oidc-issuer`).
    pub sso: Option<Arc<crate::oidc::sso::Sso>>,
}

/// The settings the running code needs, derived once from [`Config`].
#[derive(Debug, Clone)]
pub struct Settings {
    /// The public URL, without a trailing slash.
    pub public_url: String,
    /// Mark cookies `Secure`: always, unless the public URL is plain http on
    /// a loopback address (a developer's machine).
    pub secure_cookies: bool,
    /// The public URL is https: prefixed cookie names and HSTS.
    pub https: bool,
    /// Host name used in Message-IDs.
    pub mail_domain: String,
    /// The branding shown on the portal.
    pub branding: Branding,
    /// DATA_DIR/attachments: the local attachment store's default folder,
    /// and where mail coming in over SMTP is spooled whatever the store.
    pub attachments_dir: PathBuf,
    /// Where the local outbox lives.
    pub outbox_dir: PathBuf,
    /// The built portal.
    pub portal_dir: PathBuf,
    /// The largest new message a sender may upload, attachments included (bytes).
    pub max_message_bytes: u64,
    /// Take the client address from `X-Forwarded-For` (behind a reverse proxy).
    pub trust_forwarded_for: bool,
    /// Keep a well-formed incoming `X-Request-Id` (behind a reverse proxy).
    pub trust_request_id: bool,
    /// Count requests and events for `/metrics` (`--metrics-listen` is set).
    pub metrics: bool,
    /// Origins allowed to call the API cross-origin with cookies (none: no CORS).
    pub cors_allow_origins: Vec<String>,
    /// The language of mail when neither the sender nor the template picks one.
    pub default_language: sealmail_api::Language,
    /// The organisation's own mail domains (`--org-domains`), lower case.
    pub org_domains: Vec<String>,
    /// Mail replies to senders inside the organisation in plain, not as a
    /// link (`--remove-encryption-from-replies`).
    pub remove_encryption_from_replies: bool,
}

impl Settings {
    /// Derives the settings from the configuration.
    pub fn from_config(config: &Config) -> Self {
        let public_url = config.public_url();
        let host = public_url
            .split_once("://")
            .map_or(public_url.as_str(), |(_, rest)| rest)
            .split('/')
            .next()
            .unwrap_or_default();
        let host = match host.rsplit_once(':') {
            Some((h, port)) if !h.is_empty() && port.chars().all(|c| c.is_ascii_digit()) => h,
            _ => host,
        };
        let mail_domain = if host.is_empty() {
            "sealmail.localhost"
        } else {
            host
        };
        Settings {
            secure_cookies: public_url.starts_with("https://") || !is_loopback(host),
            https: public_url.starts_with("https://"),
            mail_domain: mail_domain.trim_matches(['[', ']']).to_owned(),
            public_url,
            branding: Branding {
                organisation: config.organisation.clone(),
                background_color: "#1f4e79".to_owned(),
                logo_url: None,
                introduction_text: None,
                read_button_text: None,
                portal_text: None,
                disclaimer_text: None,
                privacy_statement_url: None,
            },
            attachments_dir: config.data_dir.join("attachments"),
            outbox_dir: config.data_dir.join("outbox"),
            portal_dir: config.portal_dir.clone(),
            max_message_bytes: config.max_message_mib.saturating_mul(1024 * 1024),
            trust_forwarded_for: config.trust_forwarded_for,
            trust_request_id: config.trust_request_id,
            metrics: config.metrics_listen.is_some(),
            cors_allow_origins: config.cors_allow_origins.clone(),
            default_language: config.default_language,
            org_domains: crate::mailflow::org_domains(&config.ingress.org_domains),
            remove_encryption_from_replies: config.ingress.remove_encryption_from_replies,
        }
    }
}

impl AppState {
    /// Opens the data dir (creating it, the database and the master key on
    /// first use) with the given mailer.
    pub async fn open(config: &Config, mailer: Arc<dyn Mailer>) -> Result<Self> {
        create_private_dir(&config.data_dir)?;
        let master_key = MasterKey::load_or_create(
            config.master_key.as_ref().map(|k| &k.0),
            &config.data_dir.join("master.key"),
        )?;
        let previous_master_keys = match &config.previous_master_keys {
            Some(list) => list
                .0
                .expose()
                .split(',')
                .filter(|k| !k.trim().is_empty())
                .map(|k| crate::crypto::master_key_from_base64(k).map_err(Error::InvalidRequest))
                .collect::<Result<Vec<_>>>()?,
            None => Vec::new(),
        };
        let db = match &config.database_url {
            Some(url) => crate::store::connect(url, config.database_connections).await?,
            None => crate::store::open(&config.data_dir.join("sealmail.db")).await?,
        };
        let mail_queue = crate::mail::queue::MailQueue::new(
            crate::mail::MailSender::from_config(config)?,
            config.bounce_domain.clone(),
            crate::mail::queue::RetryPolicy::from_config(config),
        );
        let settings = Settings::from_config(config);
        let sso =
            crate::oidc::sso::Sso::from_config(&config.oidc, &settings.public_url)?.map(Arc::new);
        std::fs::create_dir_all(&settings.attachments_dir)?;
        let blobs = crate::blobs::Blobs::from_config(config)?;
        blobs.prepare().await?;
        let password_checks = config.password_checks.unwrap_or_else(|| {
            2 * std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
        });
        Ok(AppState {
            audit: AuditLog::start(db.clone()),
            password_checks: Arc::new(tokio::sync::Semaphore::new(password_checks)),
            sso,
            db,
            blobs,
            master_key: Arc::new(master_key),
            previous_master_keys: Arc::new(previous_master_keys),
            mailer,
            mail_queue,
            settings: Arc::new(settings),
        })
    }

    /// The master key with this id: the current one or an earlier one.
    pub fn master_key_by_id(&self, id: &str) -> Option<&MasterKey> {
        std::iter::once(self.master_key.as_ref())
            .chain(self.previous_master_keys.iter())
            .find(|k| k.id() == id)
    }

    /// Opens the data dir with the mailer the configuration asks for: SMTP
    /// with `--smtp-url`, else the local outbox.
    pub async fn open_with_configured_mailer(config: &Config) -> Result<Self> {
        let mailer: Arc<dyn Mailer> = match &config.smtp_url {
            Some(url) => Arc::new(crate::mail::SmtpMailer::new(
                url.0.expose(),
                u32::try_from(config.mail_concurrency).unwrap_or(u32::MAX),
                config.smtp_timeout,
            )?),
            None => Arc::new(crate::mail::OutboxMailer::new(
                config.data_dir.join("outbox"),
            )?),
        };
        Self::open(config, mailer).await
    }
}

impl Settings {
    /// The sender's session cookie's name.
    pub fn sender_cookie(&self) -> &'static str {
        if self.https {
            sealmail_api::routes::SENDER_SESSION_COOKIE_HTTPS
        } else {
            sealmail_api::routes::SENDER_SESSION_COOKIE
        }
    }

    /// The recipient's session cookie's name.
    pub fn recipient_cookie(&self) -> &'static str {
        if self.https {
            sealmail_api::routes::RECIPIENT_SESSION_COOKIE_HTTPS
        } else {
            sealmail_api::routes::RECIPIENT_SESSION_COOKIE
        }
    }
}

/// Whether `host` (from the public URL) names this machine.
fn is_loopback(host: &str) -> bool {
    let host = host.trim_matches(['[', ']']);
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Creates `dir` if missing; it is readable by its owner only (it holds the
/// master key and the database).
pub(crate) fn create_private_dir(dir: &std::path::Path) -> std::io::Result<()> {
    if !dir.is_dir() {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(dir)?;
    }
    // Also a dir made by hand: it holds the keys and every sealed message.
    crate::files::make_private(dir, 0o700)
}
