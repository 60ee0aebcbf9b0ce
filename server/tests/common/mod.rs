//! Shared test helpers: a real app over a real SQLite file in a temp dir,
//! with a recording mailer, and the people who use it: `app.sender(ALICE)`,
//! `app.admin()`, `app.recipient(BOB)` (in `sender.rs`, `admin.rs`,
//! `recipient.rs`), whose actions are typed calls (`client.rs`). The mail
//! the server sent is read in `mail.rs` only.
#![allow(dead_code)]

pub mod admin;
pub mod blobs;
pub mod bounce;
pub mod cli;
pub mod client;
pub mod http;
pub mod ingress;
pub mod logs;
pub mod mail;
pub mod oidc;
pub mod pg;
pub mod prometheus;
pub mod recipient;
pub mod sender;
pub mod serve;
pub mod smtp_sink;
pub mod tls_proxy;
pub mod tokens;
pub mod wire;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use clap::Parser as _;
use http_body_util::BodyExt as _;
use sealmail::config::Cli;
use sealmail::mail::RecordingMailer;
use sealmail::messages::{Draft, Outgoing};
use sealmail::{AppState, app};
use sealmail_api::routes::RECIPIENT_SESSION_COOKIE;
use sealmail_api::{ErrorBody, ErrorCode, Mailbox, Protection};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tempfile::TempDir;

pub const ALICE: &str = "alice@sealmail.test";
pub const BOB: &str = "bob@example.net";
pub const CAROL: &str = "carol@example.org";
pub const SECRET_BODY: &str = "The launch code is TANGERINE-42";

/// Unix seconds of an RFC 3339 timestamp the API answered with.
pub fn unix_time(at: &sealmail_api::Timestamp) -> i64 {
    time::OffsetDateTime::parse(&at.0, &time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|e| panic!("{}: {e}", at.0))
        .unix_timestamp()
}

/// A running app (no socket) on its own data dir.
pub struct TestApp {
    pub dir: Arc<TestDir>,
    pub state: AppState,
    /// What was "sent" (unused by an app made with [`TestApp::with_relay`]).
    pub mailer: Arc<RecordingMailer>,
    pub router: Router,
    /// While set, requests leave queued mail in the queue.
    holding_mail: Arc<AtomicBool>,
}

/// A test's temp dir (the app's data dir is `data` in it), and on
/// PostgreSQL the test's database, which goes with it.
pub struct TestDir {
    temp: TempDir,
    _database: Option<pg::Database>,
}

impl TestDir {
    fn new() -> Self {
        let temp = tempfile::tempdir().unwrap();
        let _database = pg::Database::create(&temp.path().join("data"));
        TestDir { temp, _database }
    }
}

impl std::ops::Deref for TestDir {
    type Target = TempDir;
    fn deref(&self) -> &TempDir {
        &self.temp
    }
}

/// A response, fully read.
pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl TestResponse {
    pub fn json<T: DeserializeOwned>(&self) -> T {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "{e}: {} {}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    /// The error body, checking the status fits its code.
    pub fn error(&self) -> ErrorBody {
        let body: ErrorBody = self.json();
        assert_eq!(
            self.status.as_u16(),
            body.code.http_status(),
            "status for {:?}",
            body.code
        );
        body
    }

    pub fn code(&self) -> ErrorCode {
        self.error().code
    }

    pub fn header(&self, name: header::HeaderName) -> String {
        self.headers
            .get(&name)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    }

    /// The session cookie's `name=value`, if one was set.
    pub fn session_cookie(&self) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            // `sealmail_link`, or `__Secure-sealmail_link` over https.
            .find(|c| {
                c.split('=')
                    .next()
                    .is_some_and(|name| name.ends_with(RECIPIENT_SESSION_COOKIE))
            })
            .map(|c| c.split(';').next().unwrap().to_owned())
    }
}

/// Revokes a message straight through the code the API and `sealmail revoke`
/// use (no HTTP), as the command line would.
pub async fn revoke(
    state: &AppState,
    message_id: &str,
) -> sealmail::error::Result<sealmail::store::messages::MessageRow> {
    revoke_as_command(state, message_id, None).await
}

/// Revokes one recipient's access, as [`revoke`] does the whole message.
pub async fn revoke_recipient(
    state: &AppState,
    message_id: &str,
    address: &str,
) -> sealmail::error::Result<sealmail::store::messages::MessageRow> {
    revoke_as_command(state, message_id, Some(address)).await
}

async fn revoke_as_command(
    state: &AppState,
    message_id: &str,
    address: Option<&str>,
) -> sealmail::error::Result<sealmail::store::messages::MessageRow> {
    let message = sealmail::messages::find(state, message_id).await?;
    let actor = sealmail::audit::Actor::command_line("sealmail revoke");
    sealmail::messages::revoke_and_audit(state, &message, address, &actor).await
}

impl TestApp {
    pub async fn new() -> Self {
        Self::with_args(&[]).await
    }

    /// An app with extra command-line settings (e.g. `--public-url`).
    pub async fn with_args(extra: &[&str]) -> Self {
        Self::open(Arc::new(TestDir::new()), extra).await
    }

    /// Another app on the same data dir (as after a restart), with other settings.
    pub async fn reopen(&self, extra: &[&str]) -> Self {
        Self::open(self.dir.clone(), extra).await
    }

    /// An app whose mail goes to the SMTP relay at `url`, through the
    /// server's real SMTP transport.
    pub async fn with_relay(url: &str, extra: &[&str]) -> Self {
        let mut args = vec!["--smtp-url", url];
        args.extend(extra);
        Self::open_with(Arc::new(TestDir::new()), &args, true).await
    }

    fn config(dir: &std::path::Path, extra: &[&str]) -> sealmail::config::Config {
        let data = dir.join("data");
        let portal = dir.join("dist");
        let mut args = vec![
            "sealmail".to_owned(),
            "--data-dir".to_owned(),
            data.display().to_string(),
            "--portal-dir".to_owned(),
            portal.display().to_string(),
        ];
        args.extend(pg::args(&data));
        // A test with a store of its own names it.
        if !extra.contains(&"--blob-url") {
            args.extend(blobs::args(&data));
        }
        if !extra.contains(&"--public-url") {
            args.extend(["--public-url".to_owned(), "http://portal.test".to_owned()]);
        }
        args.extend(extra.iter().map(|s| s.to_string()));
        args.push("serve".to_owned());
        Cli::parse_from(args).config
    }

    async fn open(dir: Arc<TestDir>, extra: &[&str]) -> Self {
        Self::open_with(dir, extra, false).await
    }

    async fn open_with(dir: Arc<TestDir>, extra: &[&str], configured_mailer: bool) -> Self {
        if std::env::var_os("SEALMAIL_TEST_LOG").is_some() {
            // What the server logs, for a test being looked into.
            let _ = tracing_subscriber::fmt().with_test_writer().try_init();
        }
        let config = Self::config(dir.path(), extra);
        let mailer = Arc::new(RecordingMailer::default());
        let state = if configured_mailer {
            AppState::open_with_configured_mailer(&config).await
        } else {
            AppState::open(&config, mailer.clone()).await
        }
        .unwrap();
        let router = app(state.clone());
        TestApp {
            dir,
            state,
            mailer,
            router,
            holding_mail: Arc::new(AtomicBool::new(false)),
        }
    }

    /// From now on requests leave the mail they queue in the queue (until
    /// [`TestApp::deliver_mail`]), as when the worker has not got to it yet.
    pub fn hold_mail(&self) {
        self.holding_mail.store(true, Ordering::SeqCst);
    }

    /// Makes every waiting mail due now (time passing, for the back-off).
    pub async fn make_mail_due(&self) {
        self.sql("UPDATE mail_queue SET next_try_at = 0 WHERE state IN ('queued', 'deferred')")
            .await;
    }

    /// The queue's rows, oldest first: (kind, state, attempts, last error).
    pub async fn queued_mail(&self) -> Vec<(String, String, i64, Option<String>)> {
        sealmail::store::on_db!(&self.state.db, |c| sqlx::query_as(
            sqlx::AssertSqlSafe(format!("SELECT kind, state, attempts, last_error FROM mail_queue ORDER BY created_at, {rowid}", rowid = pg::rowid())),
        )
        .fetch_all(c)
        .await)
        .unwrap()
    }

    /// Rebuilds the router (e.g. after creating the portal dir).
    pub fn rebuild_router(&mut self) {
        self.router = app(self.state.clone());
    }

    pub fn data_dir(&self) -> std::path::PathBuf {
        self.dir.path().join("data")
    }

    /// The internal id of the message with Message-ID `message_id`.
    pub async fn internal_id(&self, message_id: &str) -> String {
        sealmail::store::on_db!(&self.state.db, |c| sqlx::query_scalar(
            "SELECT id FROM messages WHERE message_id = $1"
        )
        .bind(message_id)
        .fetch_one(c)
        .await)
        .unwrap()
    }

    /// Every sealed attachment in the app's blob store (folder or bucket).
    pub async fn stored_objects(&self) -> Vec<sealmail::blobs::StoredObject> {
        self.state.blobs.list().await.unwrap()
    }

    /// The sealed bytes of attachment `id`, from the blob store.
    pub async fn sealed_object(&self, id: &str) -> Vec<u8> {
        let message = self.message_of_object(id).await;
        self.state.blobs.read_all(&message, id).await.unwrap()
    }

    /// Replaces the sealed bytes of attachment `id` in the blob store.
    pub async fn replace_sealed_object(&self, id: &str, bytes: Vec<u8>) {
        let message = self.message_of_object(id).await;
        self.state.blobs.put(&message, id, bytes).await.unwrap()
    }

    async fn message_of_object(&self, id: &str) -> String {
        self.stored_objects()
            .await
            .into_iter()
            .find(|o| o.attachment == id)
            .unwrap_or_else(|| panic!("no stored attachment {id}"))
            .message
    }

    /// Sends a message from Alice with the given attachments; returns the Message-ID.
    pub async fn send(
        &self,
        to: &[&str],
        cc: &[&str],
        attachments: &[(&str, &str, &[u8])],
    ) -> String {
        self.send_draft(self.draft(to, cc), attachments).await
    }

    pub fn draft(&self, to: &[&str], cc: &[&str]) -> Draft {
        let mailbox = |a: &&str| Mailbox {
            name: None,
            address: a.to_string(),
        };
        Draft {
            from: Mailbox {
                name: Some("Alice Demo".into()),
                address: ALICE.into(),
            },
            sender_user_id: None,
            to: to.iter().map(mailbox).collect(),
            cc: cc.iter().map(mailbox).collect(),
            subject: "Quarterly numbers".into(),
            text: Some(SECRET_BODY.into()),
            html: None,
            protection: Protection::EncryptOnly,
            expires_at: None,
            in_reply_to: None,
            language: None,
            read_receipt: false,
        }
    }

    pub async fn send_draft(&self, draft: Draft, attachments: &[(&str, &str, &[u8])]) -> String {
        let mut outgoing = Outgoing::new(&self.state);
        for (name, content_type, bytes) in attachments {
            let mut writer = outgoing.attachment(name, content_type).await.unwrap();
            // Odd-sized writes, to cross chunk boundaries the hard way.
            for piece in bytes.chunks(10_007) {
                writer.write(piece).await.unwrap();
            }
            outgoing.finish_attachment(writer).await.unwrap();
        }
        let message_id = outgoing.send(draft).await.unwrap();
        if !self.holding_mail.load(Ordering::SeqCst) {
            self.deliver_mail().await;
        }
        message_id
    }

    /// Sends what the mail queue holds that is due, as the server's delivery
    /// worker would: every request (and [`TestApp::send_draft`]) ends with
    /// it, so a test reads `mailer` as if mail went out at once.
    pub async fn deliver_mail(&self) -> sealmail::mail::delivery::Tally {
        sealmail::mail::delivery::deliver_due(&self.state)
            .await
            .unwrap()
    }

    pub async fn request(&self, request: Request<Body>) -> TestResponse {
        use tower::ServiceExt as _;
        let response = self.router.clone().oneshot(request).await.unwrap();
        if !self.holding_mail.load(Ordering::SeqCst) {
            self.deliver_mail().await;
        }
        let status = response.status();
        let headers = response.headers().clone();
        let body = response
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec();
        TestResponse {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, path: &str, cookie: Option<&str>) -> TestResponse {
        let mut builder = Request::get(path);
        if let Some(cookie) = cookie {
            builder = builder.header(header::COOKIE, cookie);
        }
        self.request(builder.body(Body::empty()).unwrap()).await
    }

    /// Any method with the anti-forgery header, a cookie and this JSON body:
    /// for requests no actor would make (a body of the wrong shape).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: &impl Serialize,
        cookie: &str,
    ) -> TestResponse {
        client::Call::new(self, method, path, Some(cookie))
            .json(body)
            .response()
            .await
    }

    pub async fn raw(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: impl Into<Body>,
    ) -> TestResponse {
        let mut builder = Request::builder().method(method).uri(path);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        self.request(builder.body(body.into()).unwrap()).await
    }

    /// How many rows `table` holds.
    pub async fn rows_in(&self, table: &str) -> i64 {
        sealmail::store::on_db!(&self.state.db, |c| sqlx::query_scalar(sqlx::AssertSqlSafe(
            format!("SELECT COUNT(*) FROM {table}")
        ))
        .fetch_one(c)
        .await)
        .unwrap()
    }

    /// Runs SQL against the app's database (to make time pass, or to tamper).
    pub async fn sql(&self, sql: &str) {
        // Unprepared, so one call may hold several statements.
        sealmail::store::on_db!(&self.state.db, |c| sqlx::raw_sql(sqlx::AssertSqlSafe(
            sql.to_owned()
        ))
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
        .unwrap();
    }

    /// Runs `sqlite` or `postgres`, whichever the app's database speaks.
    pub async fn sql_of(&self, sqlite: &str, postgres: &str) {
        self.sql(if pg::on_postgres() { postgres } else { sqlite })
            .await;
    }
}
