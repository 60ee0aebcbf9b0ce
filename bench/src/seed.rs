//! Test data made directly through the server's own code (`Outgoing`, the store),
//! on a data dir the release server then opens: links, passcodes and sessions
//! in the thousands, without mail round trips or argon2 sign-ins.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use sealmail::AppState;
use sealmail::config::Cli;
use sealmail::crypto::{new_bearer_token, sha256};
use sealmail::mail::RecordingMailer;
use sealmail::messages::{Draft, Outgoing};
use sealmail::store;
use sealmail_api::routes::{RECIPIENT_SESSION_COOKIE, SENDER_SESSION_COOKIE};
use sealmail_api::{Mailbox, Protection};

pub const SENDER: &str = "alice@sealmail.test";
/// Recipients per message of the passcode-verify links.
const LINKS_PER_MESSAGE: usize = 200;
/// The message view's body: 10 KB of text.
pub const VIEW_BODY_BYTES: usize = 10 * 1024;
/// The attachment the download figure fetches.
pub const ATTACHMENT_BYTES: usize = 10 * 1024 * 1024;
/// Recipients of the viewed message, each with a session (clients share them).
const VIEWERS: usize = 8;
/// Messages in the sender's Sent list (a page is 50).
const SENT_MESSAGES: usize = 60;

/// Where scratch data dirs go (`SEALMAIL_BENCH_SCRATCH`, else the temp dir).
pub fn scratch_dir() -> PathBuf {
    let dir = std::env::var_os("SEALMAIL_BENCH_SCRATCH")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    let _ = std::fs::create_dir_all(&dir);
    dir
}

/// `n` bytes of a repeating, non-zero pattern.
pub fn pattern(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i % 251) as u8 + 1).collect()
}

/// Sends the queued mail (to the recording mailer), as the server's delivery
/// worker would.
pub async fn deliver_mail(state: &AppState) -> Result<(), String> {
    sealmail::mail::delivery::deliver_due(state)
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// Opens `data_dir` as the server would, with a mailer that records in memory.
pub async fn open_state(
    data_dir: &Path,
    public_url: &str,
) -> Result<(AppState, Arc<RecordingMailer>), String> {
    open_state_on(data_dir, public_url, None).await
}

/// [`open_state`] on the database `database_url` names (SQLite in the data dir if none).
pub async fn open_state_on(
    data_dir: &Path,
    public_url: &str,
    database_url: Option<&str>,
) -> Result<(AppState, Arc<RecordingMailer>), String> {
    use clap::Parser as _;
    let mut args = vec![
        "sealmail".to_owned(),
        "--data-dir".to_owned(),
        data_dir.display().to_string(),
        "--public-url".to_owned(),
        public_url.to_owned(),
    ];
    if let Some(url) = database_url {
        args.extend(["--database-url".to_owned(), url.to_owned()]);
    }
    args.push("serve".to_owned());
    let config = Cli::parse_from(args).config;
    let mailer = Arc::new(RecordingMailer::default());
    let state = AppState::open(&config, mailer.clone())
        .await
        .map_err(|e| format!("opening {}: {e}", data_dir.display()))?;
    Ok((state, mailer))
}

/// A text message from the benchmark's sender.
pub fn draft(to: &str, sender_user_id: Option<i64>, subject: &str, text: String) -> Draft {
    draft_to(&[to.to_owned()], sender_user_id, subject, text)
}

pub fn draft_to(to: &[String], sender_user_id: Option<i64>, subject: &str, text: String) -> Draft {
    Draft {
        from: Mailbox {
            name: Some("Alice Bench".into()),
            address: SENDER.into(),
        },
        sender_user_id,
        to: to
            .iter()
            .map(|a| Mailbox {
                name: None,
                address: a.clone(),
            })
            .collect(),
        cc: Vec::new(),
        subject: subject.into(),
        text: Some(text),
        html: None,
        protection: Protection::EncryptOnly,
        expires_at: None,
        in_reply_to: None,
        language: None,
        read_receipt: false,
    }
}

/// What the API load needs: tokens, fresh passcodes, sessions.
pub struct ApiFixture {
    /// Every link's token (link info accepts any).
    pub tokens: Vec<String>,
    /// Unused (token, passcode) pairs, one per link.
    pub passcodes: Vec<(String, String)>,
    /// (token, cookie) of the viewed message's recipients.
    pub viewers: Vec<(String, String)>,
    /// The viewed message's 10 MB attachment.
    pub attachment_id: String,
    /// The sender's session cookie.
    pub sender_cookie: String,
}

/// The sender account and a session for it (no password sign-in: argon2 is not what is measured).
pub async fn sender(state: &AppState) -> Result<(i64, String), String> {
    let now = store::now();
    let id = store::users::insert(
        &state.db,
        SENDER,
        Some("Alice Bench"),
        false,
        "$argon2id$v=19$m=19456,t=2,p=1$bm8tc2lnbi1pbg$bm8tc2lnbi1pbi1mb3ItdGhlLWJlbmNo",
        now,
    )
    .await
    .map_err(|e| e.to_string())?;
    let session = new_bearer_token();
    store::accounts::create_session(
        &state.db,
        &sha256(session.expose().as_bytes()),
        id,
        now,
        now + 8 * 3600,
    )
    .await
    .map_err(|e| e.to_string())?;
    Ok((id, format!("{SENDER_SESSION_COOKIE}={}", session.expose())))
}

/// Seeds `verify_links` links with a fresh passcode each, the viewed message
/// (10 KB body, 10 MB attachment) and a Sent list of 60 messages, on the
/// database `database_url` names (SQLite in the data dir if none).
pub async fn api(
    data_dir: &Path,
    public_url: &str,
    verify_links: usize,
    database_url: Option<&str>,
) -> Result<ApiFixture, String> {
    let (state, mailer) = open_state_on(data_dir, public_url, database_url).await?;
    let (sender_id, sender_cookie) = sender(&state).await?;
    let err = |e: sealmail::Error| e.to_string();

    // The viewed message, in the Sent list, with the attachment.
    let body: String = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. "
        .chars()
        .cycle()
        .take(VIEW_BODY_BYTES)
        .collect();
    let viewers: Vec<String> = (0..VIEWERS)
        .map(|i| format!("viewer{i}@example.net"))
        .collect();
    let mut outgoing = Outgoing::new(&state);
    let mut writer = outgoing
        .attachment("report.pdf", "application/pdf")
        .await
        .map_err(err)?;
    let piece = pattern(64 * 1024);
    for _ in 0..ATTACHMENT_BYTES / piece.len() {
        writer.write(&piece).await.map_err(err)?;
    }
    outgoing.finish_attachment(writer).await.map_err(err)?;
    let view_id = outgoing.id().to_owned();
    outgoing
        .send(draft_to(
            &viewers,
            Some(sender_id),
            "The viewed message",
            body.clone(),
        ))
        .await
        .map_err(err)?;
    let attachment_id = store::messages::attachments(&state.db, &view_id)
        .await
        .map_err(err)?
        .remove(0)
        .id;

    // The rest of the Sent list: two recipients each.
    for i in 1..SENT_MESSAGES {
        let to = [format!("r{i}a@example.net"), format!("r{i}b@example.org")];
        Outgoing::new(&state)
            .send(draft_to(
                &to,
                Some(sender_id),
                &format!("Sent message {i}"),
                body.clone(),
            ))
            .await
            .map_err(err)?;
    }

    // The passcode links: many recipients per message, no sender account.
    let mut made = 0;
    while made < verify_links {
        let n = LINKS_PER_MESSAGE.min(verify_links - made);
        let to: Vec<String> = (made..made + n)
            .map(|i| format!("v{i}@example.net"))
            .collect();
        Outgoing::new(&state)
            .send(draft_to(&to, None, "Passcode links", "Hello".into()))
            .await
            .map_err(err)?;
        made += n;
    }

    deliver_mail(&state).await?;
    let links: Vec<(String, String)> = mailer
        .sent()
        .iter()
        .filter_map(|m| Some((m.to.address.clone(), find_token(&m.text)?)))
        .collect();
    let token_of = |address: &str| {
        links
            .iter()
            .find(|(a, _)| a == address)
            .map(|(_, t)| t.clone())
            .ok_or_else(|| format!("no link mailed to {address}"))
    };

    // Sessions for the viewers, passcodes for the rest, written straight to the store.
    let now = store::now();
    let mut viewer_sessions = Vec::new();
    for address in &viewers {
        let token = token_of(address)?;
        let link = recipient_id(&state, &token).await?;
        let session = new_bearer_token();
        let mut tx = state.db.write().await.map_err(err)?;
        store::sessions::create(
            &mut tx,
            &sha256(session.expose().as_bytes()),
            link,
            now,
            now + 1800,
        )
        .await
        .map_err(err)?;
        tx.commit().await.map_err(err)?;
        viewer_sessions.push((
            token,
            format!("{RECIPIENT_SESSION_COOKIE}={}", session.expose()),
        ));
    }
    let mut passcodes = Vec::new();
    // One transaction, in the SQL both databases understand.
    let mut tx = state.db.write().await.map_err(err)?;
    for (address, token) in links.iter().filter(|(a, _)| a.starts_with('v')) {
        let _ = address;
        let recipient: i64 = sealmail::on_tx!(tx, |c| sqlx::query_scalar(
            "SELECT id FROM recipients WHERE token_hash = $1"
        )
        .bind(sha256(token.as_bytes()))
        .fetch_one(&mut *c)
        .await)
        .map_err(|e| e.to_string())?;
        let code = format!("{:08}", (recipient * 7_919_357) % 100_000_000);
        let mac = state.master_key.passcode_mac(recipient, &code);
        sealmail::on_tx!(tx, |c| sqlx::query(
            "INSERT INTO passcodes (recipient_id, code_mac, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(recipient)
        .bind(&mac)
        .bind(now)
        .bind(now + sealmail::recipient::PASSCODE_VALID_SECS)
        .execute(&mut *c)
        .await
        .map(|_| ()))
        .map_err(|e| e.to_string())?;
        passcodes.push((token.clone(), code));
    }
    tx.commit().await.map_err(err)?;
    state.db.close().await;

    Ok(ApiFixture {
        tokens: links.into_iter().map(|(_, t)| t).collect(),
        passcodes,
        viewers: viewer_sessions,
        attachment_id,
        sender_cookie,
    })
}

async fn recipient_id(state: &AppState, token: &str) -> Result<i64, String> {
    Ok(
        store::links::by_token_hash(&state.db, &sha256(token.as_bytes()))
            .await
            .map_err(|e| e.to_string())?
            .ok_or("a seeded link is unknown")?
            .recipient_id,
    )
}

/// The token of the first `/m/<token>` link in a notification.
pub fn find_token(text: &str) -> Option<String> {
    let unfolded = text.replace("=\r\n", "").replace("=\n", "");
    let start = unfolded.find("/m/")? + 3;
    let token: String = unfolded[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    (!token.is_empty()).then_some(token)
}
