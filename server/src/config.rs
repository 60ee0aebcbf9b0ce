//! The command line: one struct for the configuration (every option a flag and
//! an environment variable), one enum for the commands. `sealmail --help` and
//! `sealmail <command> --help` are the manual.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;

use clap::{Args, Parser, Subcommand};
use sealmail_api::Language;

use crate::crypto::Secret;

/// Sealmail: send encrypted email anyone can read in a browser, and revoke it later.
#[derive(Debug, Parser)]
#[command(name = "sealmail", version)]
pub struct Cli {
    /// Settings shared by every command.
    #[command(flatten)]
    pub config: Config,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Settings shared by every command (flags may come before or after the command).
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Settings (every command; before or after it)")]
pub struct Config {
    /// Where Sealmail keeps its data: the SQLite database, the master key,
    /// the encrypted attachments and the local outbox.
    #[arg(
        long,
        env = "SEALMAIL_DATA_DIR",
        default_value = "./sealmail-data",
        global = true
    )]
    pub data_dir: PathBuf,

    /// The database: `sqlite://PATH` (default: `sealmail.db` in the data
    /// dir), or `postgres://USER:PASSWORD@HOST:PORT/DATABASE` for several
    /// servers sharing one database. Its password, if any, is never logged.
    #[arg(
        long,
        env = "SEALMAIL_DATABASE_URL",
        global = true,
        hide_env_values = true
    )]
    pub database_url: Option<String>,

    /// Connections each server keeps to PostgreSQL, at most.
    #[arg(
        long,
        env = "SEALMAIL_DATABASE_CONNECTIONS",
        default_value_t = 16,
        global = true
    )]
    pub database_connections: u32,

    /// The address and port the server listens on.
    #[arg(
        long,
        env = "SEALMAIL_LISTEN",
        default_value = "127.0.0.1:8080",
        global = true
    )]
    pub listen: SocketAddr,

    /// The URL recipients use to reach the portal; links in mail start with it
    /// (default: http://LISTEN). Session cookies are marked Secure unless it is
    /// plain http on a loopback address; with https their names take the
    /// `__Host-`/`__Secure-` prefixes and responses carry HSTS.
    #[arg(long, env = "SEALMAIL_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,

    /// Outgoing mail relay. `smtps://user:pass@host[:465]`: TLS from the first
    /// byte; `smtp://user:pass@host:587?tls=required`: STARTTLS, and no mail
    /// goes out if the relay does not offer it; `smtp://host:25?tls=opportunistic`:
    /// STARTTLS when offered, else in the clear; `smtp://host:25`: never TLS
    /// (a relay on the same machine). The user and password (URL-encoded)
    /// are for AUTH. When unset, every outgoing mail is written as an `.eml`
    /// file into DATA_DIR/outbox/. Either way mail goes out through the queue.
    #[arg(long, env = "SEALMAIL_SMTP_URL", global = true, hide_env_values = true)]
    pub smtp_url: Option<SmtpUrl>,

    /// The longest one mail's exchange with the SMTP relay may take, from
    /// connecting to its last answer; past it the try counts as failed (and
    /// is retried later), and the stuck connections are dropped.
    #[arg(long, env = "SEALMAIL_SMTP_TIMEOUT", default_value = "60s", value_parser = parse_duration, global = true)]
    pub smtp_timeout: std::time::Duration,

    /// The longest a client may take to send a request's headers; slower
    /// connections are closed (a slow-loris client holds nothing for long).
    /// An idle keep-alive connection is closed after as long.
    #[arg(long, env = "SEALMAIL_HEADER_TIMEOUT", default_value = "10s", value_parser = parse_duration, global = true)]
    pub header_timeout: std::time::Duration,

    /// The longest a request body may go without a byte arriving (an upload
    /// that stalls); the request then fails and its connection is closed.
    /// A slow upload that keeps moving is not cut off.
    #[arg(long, env = "SEALMAIL_BODY_TIMEOUT", default_value = "30s", value_parser = parse_duration, global = true)]
    pub body_timeout: std::time::Duration,

    /// The most connections served at once; further ones wait to be accepted
    /// until one ends, so a flood of connections cannot exhaust memory or
    /// file descriptors.
    #[arg(
        long,
        env = "SEALMAIL_MAX_CONNECTIONS",
        default_value_t = 1024,
        global = true
    )]
    pub max_connections: usize,

    /// The wait before a mail the relay did not take is tried again; it
    /// doubles with each failure up to --mail-retry-max, stretched by a
    /// random 0–25 % so mails deferred together do not return together.
    #[arg(long, env = "SEALMAIL_MAIL_RETRY_MIN", default_value = "60s", value_parser = parse_duration, global = true)]
    pub mail_retry_min: std::time::Duration,

    /// The longest wait between two tries of a mail.
    #[arg(long, env = "SEALMAIL_MAIL_RETRY_MAX", default_value = "1h", value_parser = parse_duration, global = true)]
    pub mail_retry_max: std::time::Duration,

    /// How long after it was queued a mail is given up (its state: gave up).
    #[arg(long, env = "SEALMAIL_MAIL_GIVE_UP", default_value = "2d", value_parser = parse_duration, global = true)]
    pub mail_give_up: std::time::Duration,

    /// How long a delivery worker's claim on a mail lasts. If the server
    /// dies mid-send, the mail is sent again once it runs out (with the same
    /// Message-ID); a send taking longer is cut off. Keep it above the SMTP timeout.
    #[arg(long, env = "SEALMAIL_MAIL_LEASE", default_value = "5m", value_parser = parse_duration, global = true)]
    pub mail_lease: std::time::Duration,

    /// Send Sealmail's mail with the envelope sender `bounce+ID@DOMAIN`
    /// (VERP), ID naming the one mail, so a bounce (RFC 3464) sent there can
    /// be matched to its recipient: `sealmail bounce --eml FILE` takes one.
    /// DOMAIN's mail must reach Sealmail, and the relay must accept that
    /// sender. Unset: the envelope sender is --mail-from's address.
    #[arg(long, env = "SEALMAIL_BOUNCE_DOMAIN", global = true)]
    pub bounce_domain: Option<String>,

    /// How many mails are sent at once (and SMTP connections kept open).
    #[arg(
        long,
        env = "SEALMAIL_MAIL_CONCURRENCY",
        default_value_t = 8,
        global = true
    )]
    pub mail_concurrency: usize,

    /// The sender address of Sealmail's own mail (notifications, passcodes).
    #[arg(
        long,
        env = "SEALMAIL_MAIL_FROM",
        default_value = "Sealmail <no-reply@sealmail.localhost>",
        global = true
    )]
    pub mail_from: String,

    /// The language of notification and passcode mail when neither the
    /// sender nor the branding template picks one: en, nl, da or ja.
    #[arg(
        long,
        env = "SEALMAIL_DEFAULT_LANGUAGE",
        default_value = "en",
        global = true
    )]
    pub default_language: Language,

    /// Sign Sealmail's own mail with DKIM, with this private key (PEM: RSA
    /// or Ed25519; `sealmail dkim generate` makes one). Needs --dkim-selector.
    #[arg(long, env = "SEALMAIL_DKIM_KEY", global = true)]
    pub dkim_key: Option<PathBuf>,

    /// The DKIM selector: receivers look the public key up at
    /// SELECTOR._domainkey.DOMAIN.
    #[arg(long, env = "SEALMAIL_DKIM_SELECTOR", global = true)]
    pub dkim_selector: Option<String>,

    /// The domain the DKIM signature vouches for (`d=`). Default: the domain
    /// of --mail-from, which DMARC needs it to match.
    #[arg(long, env = "SEALMAIL_DKIM_DOMAIN", global = true)]
    pub dkim_domain: Option<String>,

    /// The organisation's name, shown on the portal and in notification mail.
    #[arg(
        long,
        env = "SEALMAIL_ORGANISATION",
        default_value = "Sealmail",
        global = true
    )]
    pub organisation: String,

    /// The directory of the built portal (Trunk's output), served at `/`.
    #[arg(
        long,
        env = "SEALMAIL_PORTAL_DIR",
        default_value = "dist",
        global = true
    )]
    pub portal_dir: PathBuf,

    /// The master key as base64 (32 bytes), instead of DATA_DIR/master.key.
    /// Prefer the environment variable: a flag shows up in process listings.
    #[arg(
        long,
        env = "SEALMAIL_MASTER_KEY",
        global = true,
        hide_env_values = true
    )]
    pub master_key: Option<SecretArg>,

    /// Earlier master keys (base64, comma-separated) after a rotation: data
    /// keys they wrapped stay readable; new messages use the current key.
    #[arg(
        long,
        env = "SEALMAIL_PREVIOUS_MASTER_KEYS",
        global = true,
        hide_env_values = true
    )]
    pub previous_master_keys: Option<SecretArg>,

    /// The largest message a sender may send through the API, attachments
    /// included, in MiB; larger uploads are refused with `payload_too_large`.
    #[arg(
        long,
        env = "SEALMAIL_MAX_MESSAGE_MIB",
        default_value_t = 25,
        global = true
    )]
    pub max_message_mib: u64,

    /// Password checks (argon2id, 19 MiB of memory each) that may run at
    /// once; sign-ins beyond them are answered `rate_limited`, so a burst of
    /// sign-ins cannot exhaust the memory. Default: twice the CPU cores.
    #[arg(long, env = "SEALMAIL_PASSWORD_CHECKS", global = true)]
    pub password_checks: Option<usize>,

    /// Take the client address (audit log, sign-in rate limits) from the last
    /// `X-Forwarded-For` entry. Set it only behind a reverse proxy that appends
    /// that header; otherwise clients could claim any address.
    #[arg(long, env = "SEALMAIL_TRUST_FORWARDED_FOR", global = true)]
    pub trust_forwarded_for: bool,

    /// Keep the `X-Request-Id` a request comes with, if it is at most 64
    /// characters of letters, digits and `-_.:=+/@`, instead of giving it a
    /// new one. Set it only behind a reverse proxy that sets that header on
    /// every request; otherwise clients could pick the id their requests are
    /// logged under. Either way the id is in the response's `X-Request-Id`
    /// and on every log line of the request.
    #[arg(long, env = "SEALMAIL_TRUST_REQUEST_ID", global = true)]
    pub trust_request_id: bool,

    /// Serve Prometheus metrics at `/metrics` on this address and port (e.g.
    /// `127.0.0.1:9464`), apart from --listen, so they are never on the
    /// public port. Off unless set; anyone who reaches the address can read
    /// them (counts and timings, never a path, token or address).
    #[arg(long, env = "SEALMAIL_METRICS_LISTEN", global = true)]
    pub metrics_listen: Option<SocketAddr>,

    /// Let pages from this origin (`scheme://host[:port]`, exactly; repeat the
    /// flag or separate with commas) call the API with the reader's cookies
    /// (CORS with credentials). Only for a portal served from elsewhere, such
    /// as the browser tests' page; `*` is refused. Default: none, and the API
    /// sends no CORS headers at all.
    #[arg(
        long = "cors-allow-origin",
        env = "SEALMAIL_CORS_ALLOW_ORIGIN",
        value_delimiter = ',',
        value_parser = parse_origin,
        global = true
    )]
    pub cors_allow_origins: Vec<String>,

    /// The SMTP listener of `sealmail serve` (mail from the organisation's
    /// mail server and from people's mail clients).
    #[command(flatten)]
    pub ingress: IngressConfig,

    /// What to log (to stderr), as a tracing filter (`info`, `sealmail=debug`, …).
    /// Default: `info` for `serve`, `warn` for the other commands.
    #[arg(long, env = "SEALMAIL_LOG", global = true)]
    pub log: Option<String>,

    /// How log lines are written: `text` for people, `json` (one object per
    /// line, with the request's `request_id` among its spans) for a log
    /// collector.
    #[arg(
        long,
        env = "SEALMAIL_LOG_FORMAT",
        value_enum,
        default_value_t = crate::logging::LogFormat::Text,
        global = true
    )]
    pub log_format: crate::logging::LogFormat,

    /// Staff single sign-on with the organisation's identity provider (last:
    /// its help heading holds for what follows).
    #[command(flatten)]
    pub oidc: OidcConfig,

    #[command(flatten)]
    pub blobs: BlobConfig,
}

/// Where sealed attachments are kept. Bodies stay in the database (they are
/// small); attachments go to a folder or an S3-compatible bucket.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Attachment storage")]
pub struct BlobConfig {
    /// Where sealed attachments are stored: a local folder (default:
    /// DATA_DIR/attachments), or `s3://BUCKET/PREFIX` on AWS S3 or any
    /// S3-compatible store (MinIO, Garage, Ceph). Several servers sharing one
    /// database need a bucket (or a folder they all mount). Credentials come
    /// from --s3-access-key-id / --s3-secret-access-key, or else the usual
    /// AWS variables and roles (AWS_SESSION_TOKEN, web identity, instance
    /// metadata).
    #[arg(long, env = "SEALMAIL_BLOB_URL", global = true)]
    pub blob_url: Option<String>,

    /// The S3 endpoint, for a store that is not AWS (e.g.
    /// `https://minio.example.net:9000`). Plain http only with
    /// --s3-allow-http, or on a loopback address.
    #[arg(long, env = "AWS_ENDPOINT_URL", global = true)]
    pub s3_endpoint: Option<String>,

    /// The S3 region (default: us-east-1; most other stores ignore it).
    #[arg(long, env = "AWS_REGION", global = true)]
    pub s3_region: Option<String>,

    /// The S3 access key id.
    #[arg(long, env = "AWS_ACCESS_KEY_ID", global = true, hide_env_values = true)]
    pub s3_access_key_id: Option<String>,

    /// The S3 secret access key.
    #[arg(
        long,
        env = "AWS_SECRET_ACCESS_KEY",
        global = true,
        hide_env_values = true
    )]
    pub s3_secret_access_key: Option<SecretArg>,

    /// Speak plain http to a non-loopback S3 endpoint (a store on a private
    /// network). The ciphertext is sealed either way, but the credentials'
    /// signatures and the objects' names travel in the clear.
    #[arg(long, env = "SEALMAIL_S3_ALLOW_HTTP", global = true)]
    pub s3_allow_http: bool,

    /// A PEM file with the CA certificate(s) the S3 endpoint's https
    /// certificate chains to, trusted beside the system's: for a MinIO,
    /// Ceph or Garage behind an organisation's own CA. Read at start; a file
    /// that holds no usable certificate stops the server.
    #[arg(long, env = "SEALMAIL_S3_CA_FILE", global = true)]
    pub s3_ca_file: Option<PathBuf>,
}

/// SMTP ingress: `sealmail serve` also accepts mail over SMTP, applies the
/// mail-flow rules, protects what they say, relays the rest, and takes
/// bounces of its own mail.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "SMTP ingress (serve)")]
pub struct IngressConfig {
    /// Accept mail over SMTP on this address and port (e.g. `0.0.0.0:25`,
    /// `127.0.0.1:2525`). Off unless set.
    #[arg(long, env = "SEALMAIL_SMTP_LISTEN", global = true)]
    pub smtp_listen: Option<SocketAddr>,

    /// The certificate chain (PEM) offered with STARTTLS. With
    /// --smtp-tls-key, the listener offers STARTTLS and, only after it,
    /// AUTH PLAIN and LOGIN with a Sealmail account's password.
    #[arg(
        long,
        env = "SEALMAIL_SMTP_TLS_CERT",
        global = true,
        requires = "smtp_tls_key"
    )]
    pub smtp_tls_cert: Option<PathBuf>,

    /// The private key (PEM) of --smtp-tls-cert.
    #[arg(
        long,
        env = "SEALMAIL_SMTP_TLS_KEY",
        global = true,
        requires = "smtp_tls_cert"
    )]
    pub smtp_tls_key: Option<PathBuf>,

    /// Networks (CIDR, comma-separated: `10.0.0.0/8,192.0.2.25/32`) whose
    /// clients may send through Sealmail without AUTH: the organisation's own
    /// mail server as a smarthost. Their envelope sender (MAIL FROM) must be
    /// a Sealmail account, which becomes the protected message's sender.
    /// Everyone else must AUTH, except to deliver a bounce to a
    /// `bounce+ID@` address of Sealmail's own mail.
    #[arg(
        long,
        env = "SEALMAIL_SMTP_TRUSTED_NETWORKS",
        value_delimiter = ',',
        global = true
    )]
    pub smtp_trusted_networks: Vec<ipnet::IpNet>,

    /// The organisation's own mail domains (comma-separated). A recipient
    /// whose address is in one of them, or in a subdomain, is inside: the
    /// mail-flow rules relay their copy unchanged. Unset: every recipient
    /// counts as outside.
    #[arg(
        long,
        env = "SEALMAIL_ORG_DOMAINS",
        value_delimiter = ',',
        global = true
    )]
    pub org_domains: Vec<String>,

    /// Remove encryption from replies to internal senders: an encrypted
    /// reply a recipient writes in the portal to a sender inside the
    /// organisation (--org-domains; without them nobody is inside) reaches
    /// that sender's mailbox as a normal mail through the relay (the reply's
    /// text and attachments, threaded under the original), instead of a link
    /// to the portal. The reply is still stored and listed with the message;
    /// revoking it later cannot recall what was mailed.
    #[arg(long, env = "SEALMAIL_REMOVE_ENCRYPTION_FROM_REPLIES", global = true)]
    pub remove_encryption_from_replies: bool,

    /// The most SMTP connections served at once; past it a new client is
    /// told `421` (try later) and disconnected.
    #[arg(
        long,
        env = "SEALMAIL_SMTP_MAX_CONNECTIONS",
        default_value_t = 100,
        global = true
    )]
    pub smtp_max_connections: usize,

    /// The most memory (MiB) the messages being received may hold together.
    /// A message that would go past it is answered 452 (try later), so many
    /// large messages at once cannot exhaust the memory.
    #[arg(
        long,
        env = "SEALMAIL_SMTP_MEMORY_MIB",
        default_value_t = 512,
        global = true
    )]
    pub smtp_memory_mib: u64,

    /// How long the listener waits for a client's next command before it
    /// says `421` and hangs up (RFC 5321 §4.5.3.2: at least 5 minutes).
    #[arg(long, env = "SEALMAIL_SMTP_COMMAND_TIMEOUT", default_value = "5m", value_parser = parse_duration, global = true)]
    pub smtp_command_timeout: std::time::Duration,

    /// How long the listener waits for the next bytes of a message during
    /// DATA (RFC 5321 §4.5.3.2: the client's data block timeout is 3 minutes).
    #[arg(long, env = "SEALMAIL_SMTP_DATA_TIMEOUT", default_value = "3m", value_parser = parse_duration, global = true)]
    pub smtp_data_timeout: std::time::Duration,
}

/// Staff single sign-on with OpenID Connect (the authorization code flow
/// with PKCE): the sign-in page offers "Sign in with …" beside the password.
/// Off unless --oidc-issuer is set. The provider must send the browser back
/// to PUBLIC_URL/api/v1/oidc/callback (register that redirect URI), and give
/// `email` and `email_verified` (and the --oidc-admin-claim) in the ID token
/// or its UserInfo answer.
/// Someone signing in for the first time gets a sender account (just-in-time);
/// the provider decides who is an administrator at every sign-in.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Staff single sign-on (OpenID Connect)")]
pub struct OidcConfig {
    /// Turns single sign-on on: the identity provider's issuer URL, exactly
    /// as its discovery document (ISSUER/.well-known/openid-configuration)
    /// and its ID tokens name it. Register PUBLIC_URL/api/v1/oidc/callback as
    /// the redirect URI. `email`, `email_verified` (and the admin claim) are
    /// read from the ID token, or else from the provider's UserInfo endpoint.
    /// A first sign-in makes a sender account (just-in-time).
    #[arg(
        long,
        env = "SEALMAIL_OIDC_ISSUER",
        value_parser = parse_issuer,
        global = true,
        requires_all = ["oidc_client_id", "oidc_allowed_domains"]
    )]
    pub oidc_issuer: Option<String>,

    /// The client id Sealmail has at the provider.
    #[arg(long, env = "SEALMAIL_OIDC_CLIENT_ID", global = true)]
    pub oidc_client_id: Option<String>,

    /// The client secret (sent with HTTP Basic to the token endpoint).
    /// Prefer the environment variable: a flag shows up in process listings.
    #[arg(
        long,
        env = "SEALMAIL_OIDC_CLIENT_SECRET",
        global = true,
        hide_env_values = true
    )]
    pub oidc_client_secret: Option<SecretArg>,

    /// The e-mail domains (comma-separated) whose people may sign in with
    /// the provider, exactly (no subdomains): an address elsewhere, or one
    /// the provider does not say is verified, is refused.
    #[arg(
        long,
        env = "SEALMAIL_OIDC_ALLOWED_DOMAINS",
        value_delimiter = ',',
        global = true
    )]
    pub oidc_allowed_domains: Vec<String>,

    /// The ID token claim that makes an administrator (e.g. `groups` or
    /// `roles`), with --oidc-admin-value. Each sign-in sets the account's
    /// role from it. Unset: single sign-on never changes a role, and the
    /// accounts it makes are senders.
    #[arg(
        long,
        env = "SEALMAIL_OIDC_ADMIN_CLAIM",
        global = true,
        requires = "oidc_admin_value"
    )]
    pub oidc_admin_claim: Option<String>,

    /// The value of --oidc-admin-claim that makes an administrator: the
    /// claim equals it, or is a list holding it.
    #[arg(
        long,
        env = "SEALMAIL_OIDC_ADMIN_VALUE",
        global = true,
        requires = "oidc_admin_claim"
    )]
    pub oidc_admin_value: Option<String>,

    /// The scopes asked for beside `openid` (comma-separated): those that
    /// put the address and the --oidc-admin-claim in the ID token.
    #[arg(
        long,
        env = "SEALMAIL_OIDC_SCOPES",
        value_delimiter = ',',
        default_value = "email,profile",
        global = true
    )]
    pub oidc_scopes: Vec<String>,

    /// The provider's name on the sign-in button ("Sign in with NAME").
    /// Default: the issuer's host name.
    #[arg(long, env = "SEALMAIL_OIDC_PROVIDER_NAME", global = true)]
    pub oidc_provider_name: Option<String>,
}

impl Config {
    /// The public URL without a trailing slash.
    pub fn public_url(&self) -> String {
        match &self.public_url {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => format!("http://{}", self.listen),
        }
    }
}

/// An SMTP URL; it may hold a password, so `Debug` hides it.
#[derive(Clone)]
pub struct SmtpUrl(pub Secret<String>);

impl FromStr for SmtpUrl {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        if s.starts_with("smtp://") || s.starts_with("smtps://") {
            Ok(SmtpUrl(Secret::new(s.to_owned())))
        } else {
            Err("expected smtp://… or smtps://…".to_owned())
        }
    }
}

impl std::fmt::Debug for SmtpUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SmtpUrl(***)")
    }
}

/// A secret given on the command line or in the environment.
#[derive(Clone, Debug)]
pub struct SecretArg(pub Secret<String>);

impl FromStr for SecretArg {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(SecretArg(Secret::new(s.to_owned())))
    }
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server: the recipient, sender and admin API, and the portal.
    Serve,
    /// Manage sender accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Encrypt and store a message, and queue a mail to each recipient with a
    /// link of their own; then try to send those mails once. Prints the
    /// message's Message-ID; a mail the relay did not take stays queued (a
    /// warning says so) and `sealmail serve` keeps trying it.
    Send(SendArgs),
    /// Show a message's state, like Get-OMEMessageStatus.
    Status(StatusArgs),
    /// Revoke a message (or one recipient's access), like Set-OMEMessageRevocation.
    Revoke(RevokeArgs),
    /// Mail one recipient a new link to a message (their old link stops
    /// working): when the first notification never arrived or was lost.
    Resend(ResendArgs),
    /// Record a bounce: a delivery status notification (RFC 3464) that came
    /// back to a `bounce+ID@` envelope sender (see --bounce-domain) marks
    /// that recipient's mail bounced.
    Bounce(BounceArgs),
    /// Print the newest mails of the local outbox (DATA_DIR/outbox/).
    Outbox(OutboxArgs),
    /// Print the access audit (passcodes, opens, downloads, replies, revokes, sign-ins).
    Audit(AuditArgs),
    /// DKIM keys for signing Sealmail's own mail.
    #[command(subcommand)]
    Dkim(DkimCommand),
    /// The mail-flow rules applied to mail that comes in over SMTP (see
    /// --smtp-listen): tried in order, the first whose conditions all hold
    /// decides (protect, relay, reject).
    #[command(subcommand)]
    Rule(RuleCommand),
    /// API tokens for scripts: `Authorization: Bearer <token>` on the sender
    /// and admin API, within the token's scopes and the account's role.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Copy everything to another database (SQLite to PostgreSQL, say), then
    /// read every message back from it. Stop the servers first; the target
    /// must be new (no accounts, no messages). Then start them with
    /// --database-url set to the target.
    MigrateStorage(MigrateStorageArgs),
}

/// `sealmail migrate-storage`
#[derive(Debug, Clone, Args)]
#[group(required = true, multiple = true)]
pub struct MigrateStorageArgs {
    /// The database to copy into: `postgres://…` or `sqlite://PATH`.
    #[arg(long)]
    pub to_database: Option<String>,
    /// The attachment store to copy into: a folder or `s3://BUCKET/PREFIX`
    /// (with the --s3-* options). Every stored message's attachments are
    /// copied, then read back from there.
    #[arg(long)]
    pub to_blobs: Option<String>,
}

/// `sealmail token …`
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token for an account and print its secret — shown this once;
    /// only its SHA-256 is kept.
    Create(TokenCreateArgs),
    /// List tokens (never their secrets), newest first.
    List(TokenListArgs),
    /// Revoke a token: requests with it are refused from now on.
    Revoke(TokenRevokeArgs),
}

/// `sealmail token create`
#[derive(Debug, Args)]
pub struct TokenCreateArgs {
    /// The account the token acts for.
    #[arg(long)]
    pub user: String,
    /// What it may do, comma-separated: send (compose and send), status
    /// (the Sent list, a message's status), revoke (revoke, resend, change
    /// the expiry), admin (the admin API; administrators only).
    #[arg(long, required = true, value_delimiter = ',', value_parser = parse_scope)]
    pub scope: Vec<sealmail_api::tokens::TokenScope>,
    /// What it is for ("deploy script"), shown in lists and the audit.
    #[arg(long, default_value = "command line")]
    pub name: String,
    /// How long it lasts (`90s`, `30m`, `12h`, `90d`), or `never`.
    #[arg(long, default_value = "90d")]
    pub expires: TokenLifetime,
    /// Print JSON (`sealmail_api::tokens::CreatedApiToken`) instead of lines.
    #[arg(long)]
    pub json: bool,
}

/// `sealmail token list`
#[derive(Debug, Args)]
pub struct TokenListArgs {
    /// Only this account's tokens.
    #[arg(long)]
    pub user: Option<String>,
    /// Print JSON (`sealmail_api::tokens::ApiToken`s) instead of lines.
    #[arg(long)]
    pub json: bool,
}

/// `sealmail token revoke`
#[derive(Debug, Args)]
pub struct TokenRevokeArgs {
    /// The token's id (`sealmail token list`).
    #[arg(long)]
    pub id: i64,
}

/// How long a token lasts: a duration, or `never`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenLifetime {
    /// This long from its creation.
    For(std::time::Duration),
    /// Until it is revoked.
    Never,
}

impl FromStr for TokenLifetime {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        if s.trim().eq_ignore_ascii_case("never") {
            Ok(TokenLifetime::Never)
        } else {
            parse_duration(s).map(TokenLifetime::For)
        }
    }
}

fn parse_scope(text: &str) -> Result<sealmail_api::tokens::TokenScope, String> {
    sealmail_api::tokens::TokenScope::from_name(text.trim())
        .ok_or_else(|| format!("`{text}` is not a scope: send, status, revoke or admin"))
}

/// `sealmail rule …`
#[derive(Debug, Subcommand)]
pub enum RuleCommand {
    /// Print the rules in order (`--json`: `sealmail_api::admin::MailFlowRule`s).
    List {
        /// Print JSON instead of lines.
        #[arg(long)]
        json: bool,
    },
    /// Add a rule, given as JSON (`sealmail_api::admin::NewMailFlowRule`), e.g.
    /// `{"name":"Confidential","conditions":[{"kind":"header_matches","name":"Sensitivity","contains":"confidential"}],"action":{"kind":"protect","protection":"do_not_forward"},"position":1}`.
    /// Conditions: recipient_outside_org, recipient_inside_org,
    /// subject_contains {words, strip}, header_matches {name, contains},
    /// sender {is}, body_contains {words}, has_attachments {has},
    /// size_over {bytes}. Actions: protect {protection: encrypt_only |
    /// do_not_forward, branding_template (an id), expiry_days}, relay,
    /// reject {reason}.
    Add {
        /// The rule as JSON.
        #[arg(long)]
        json: String,
    },
    /// Replace a rule's name, conditions and action (JSON as for `add`); it
    /// keeps its id and place.
    Edit {
        /// The rule's id (`sealmail rule list`).
        #[arg(long)]
        id: i64,
        /// What the rule becomes, as JSON.
        #[arg(long)]
        json: String,
    },
    /// Remove a rule.
    Rm {
        /// The rule's id (`sealmail rule list`).
        #[arg(long)]
        id: i64,
    },
    /// Move a rule to another place in the order (1 = first).
    Move {
        /// The rule's id.
        #[arg(long)]
        id: i64,
        /// Its new place.
        #[arg(long)]
        to: i64,
    },
    /// Show which rule decides what for each recipient of a mail, without
    /// sending anything.
    Test(RuleTestArgs),
}

/// `sealmail rule test`
#[derive(Debug, Args)]
pub struct RuleTestArgs {
    /// The mail as an RFC 5322 file (`.eml`).
    #[arg(long)]
    pub eml: PathBuf,
    /// A recipient, as the envelope would name them (repeat for more).
    /// Default: the mail's To and Cc.
    #[arg(long)]
    pub to: Vec<String>,
    /// The sender. Default: the mail's From.
    #[arg(long)]
    pub from: Option<String>,
    /// Print JSON (`sealmail_api::admin::MailFlowVerdict`s).
    #[arg(long)]
    pub json: bool,
}

/// `sealmail dkim …`
#[derive(Debug, Subcommand)]
pub enum DkimCommand {
    /// Write a new private key (mode 0600) and print the DNS TXT record to publish.
    Generate(DkimGenerateArgs),
}

/// `sealmail dkim generate`
#[derive(Debug, Args)]
pub struct DkimGenerateArgs {
    /// The selector: the record goes at SELECTOR._domainkey.DOMAIN. A new
    /// selector per key lets the old key stay published while mail signed
    /// with it is still on its way.
    #[arg(long)]
    pub selector: String,
    /// The domain of --mail-from (DMARC needs the signature's domain to match it).
    #[arg(long)]
    pub domain: String,
    /// Where to write the private key; never over an existing file.
    /// Default: DATA_DIR/dkim-SELECTOR.key.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// The key's algorithm.
    #[arg(long, value_enum, default_value_t = crate::mail::dkim::Algorithm::Rsa)]
    pub algorithm: crate::mail::dkim::Algorithm,
}

/// `sealmail user …`
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a sender account.
    Add(UserAddArgs),
    /// Make an app password for a mail client (SMTP AUTH only; the web
    /// sign-in does not take it), printed once; or remove one (--remove).
    AppPassword(AppPasswordArgs),
}

/// `sealmail user app-password`
#[derive(Debug, Args)]
pub struct AppPasswordArgs {
    /// The account's address.
    #[arg(long)]
    pub email: String,
    /// What it is for ("Thunderbird on the laptop"); unique per account.
    #[arg(long)]
    pub name: String,
    /// Remove the app password of this name instead.
    #[arg(long)]
    pub remove: bool,
}

/// `sealmail user add`
#[derive(Debug, Args)]
pub struct UserAddArgs {
    /// The sender's email address (their sign-in name).
    #[arg(long)]
    pub email: String,
    /// The sender's display name.
    #[arg(long)]
    pub name: Option<String>,
    /// Make the account an administrator.
    #[arg(long)]
    pub admin: bool,
    /// Ask for read receipts on this sender's messages by default ("… opened
    /// …", mailed to them when each recipient first opens a message).
    #[arg(long)]
    pub read_receipts: bool,
    /// Read the password from standard input (the only way: never as an argument).
    #[arg(long, required = true)]
    pub password_stdin: bool,
}

/// `sealmail send`
#[derive(Debug, Args)]
pub struct SendArgs {
    /// The sender: an account made with `sealmail user add`.
    #[arg(long)]
    pub from: String,
    /// A recipient (repeat for more).
    #[arg(long, required = true)]
    pub to: Vec<String>,
    /// A Cc recipient (repeat for more).
    #[arg(long)]
    pub cc: Vec<String>,
    /// The subject line.
    #[arg(long)]
    pub subject: String,
    /// A file holding the plain-text body.
    #[arg(long)]
    pub body_file: Option<PathBuf>,
    /// A file holding an HTML body (sanitised when shown).
    #[arg(long)]
    pub html_file: Option<PathBuf>,
    /// A file to attach (repeat for more).
    #[arg(long)]
    pub attach: Vec<PathBuf>,
    /// Protect with Do-not-forward instead of Encrypt-only.
    #[arg(long)]
    pub do_not_forward: bool,
    /// Let the message expire after this long: `90s`, `30m`, `12h`, `7d`.
    #[arg(long, value_parser = parse_duration)]
    pub expires_in: Option<std::time::Duration>,
    /// The language of the recipients' mail: en, nl, da or ja (default: the
    /// branding template's, else --default-language).
    #[arg(long)]
    pub language: Option<Language>,
    /// Mail the sender a read receipt when each recipient first opens it
    /// (default: the sender's own setting, see `user add --read-receipts`).
    #[arg(long)]
    pub read_receipt: bool,
}

/// `sealmail status`
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// The message's Message-ID, with or without the angle brackets.
    #[arg(long)]
    pub message_id: String,
    /// Print JSON (`sealmail_api::admin::MessageStatus`) instead of `Name : Value` lines.
    #[arg(long)]
    pub json: bool,
}

/// `sealmail revoke`
#[derive(Debug, Args)]
pub struct RevokeArgs {
    /// The message's Message-ID, with or without the angle brackets.
    #[arg(long)]
    pub message_id: String,
    /// Revoke only this recipient's access; the others keep theirs.
    #[arg(long)]
    pub recipient: Option<String>,
}

/// `sealmail resend`
#[derive(Debug, Args)]
pub struct ResendArgs {
    /// The message's Message-ID, with or without the angle brackets.
    #[arg(long)]
    pub message_id: String,
    /// The recipient who gets a new link.
    #[arg(long)]
    pub recipient: String,
}

/// `sealmail audit`
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Only events at or after this: `24h` or `7d` (that long ago), `2026-11-23`,
    /// or `2026-11-23T09:30:00Z`.
    #[arg(long)]
    pub since: Option<String>,
    /// Only events before this (same forms as --since).
    #[arg(long)]
    pub until: Option<String>,
    /// Only this kind of event (`message_opened`, `passcode_entered`, …).
    #[arg(long, value_parser = parse_audit_kind)]
    pub kind: Option<sealmail_api::admin::AuditKind>,
    /// Only events of this message (its Message-ID).
    #[arg(long)]
    pub message_id: Option<String>,
    /// Only events whose recipient address contains this.
    #[arg(long)]
    pub recipient: Option<String>,
    /// Print CSV (the columns of the admin API's CSV export) instead of lines.
    #[arg(long)]
    pub csv: bool,
}

fn parse_audit_kind(text: &str) -> Result<sealmail_api::admin::AuditKind, String> {
    use sealmail_api::admin::AuditKind;
    AuditKind::ALL
        .into_iter()
        .find(|k| k.as_str() == text)
        .ok_or_else(|| {
            let names: Vec<&str> = AuditKind::ALL.iter().map(|k| k.as_str()).collect();
            format!("one of {}", names.join(", "))
        })
}

/// `sealmail bounce`
#[derive(Debug, Args)]
pub struct BounceArgs {
    /// The bounce as an RFC 5322 file (`.eml`), its headers included.
    #[arg(long)]
    pub eml: PathBuf,
}

/// `sealmail outbox`
#[derive(Debug, Args)]
pub struct OutboxArgs {
    /// How many of the newest mails to print (oldest first).
    #[arg(long, default_value_t = 1)]
    pub last: usize,
}

/// An OpenID Connect issuer: an http(s) URL, kept exactly as written (a
/// trailing slash too): discovery and the ID token compare it as a string.
pub fn parse_issuer(text: &str) -> Result<String, String> {
    match url::Url::parse(text) {
        Ok(url) if matches!(url.scheme(), "https" | "http") && url.host().is_some() => {
            Ok(text.to_owned())
        }
        _ => Err(format!(
            "`{text}` is not an issuer URL like https://login.example.com/realms/staff"
        )),
    }
}

/// An origin as browsers send it: `http://` or `https://`, a host, an optional
/// port, nothing after (no path, no trailing slash, no wildcard).
pub fn parse_origin(text: &str) -> Result<String, String> {
    let text = text.trim();
    let host = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"))
        .ok_or_else(|| format!("`{text}`: an origin starts with http:// or https://"))?;
    let valid = |c: char| c.is_ascii_alphanumeric() || "-.:[]".contains(c);
    if host.is_empty() || !host.chars().all(valid) {
        return Err(format!(
            "`{text}` is not an origin like https://portal.example or http://127.0.0.1:8000 \
             (no path, no trailing slash, no wildcard)"
        ));
    }
    Ok(text.to_ascii_lowercase())
}

/// Parses `90s`, `30m`, `12h`, `7d` (a bare number is seconds).
pub fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    let text = text.trim();
    let (number, unit) = match text.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => text.split_at(i),
        None => (text, "s"),
    };
    let n: u64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration like 90s, 30m, 12h or 7d"))?;
    let secs = match unit {
        "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        "d" => n * 86_400,
        _ => return Err(format!("`{text}`: the unit must be s, m, h or d")),
    };
    if secs == 0 {
        return Err("the duration must be more than zero".to_owned());
    }
    Ok(std::time::Duration::from_secs(secs))
}
