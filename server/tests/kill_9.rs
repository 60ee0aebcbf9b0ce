//! Durability under `kill -9`: the real `sealmail serve` takes sends,
//! revokes, replies and downloads from several clients at once and is killed
//! with SIGKILL at a random moment, 20 times over. After each kill the data
//! dir must hold only whole messages (each stored one readable to its last
//! byte, or absent), every revoke that was answered must have held, the
//! database must pass `PRAGMA integrity_check`, and after the restart no
//! attachment file may lie about that no message points at. At the end every
//! notification of a message still active has gone out (at least once).
//!
//! `KILL9_SEED=N` replays one run's random choices (the seed is printed).

mod common;

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use clap::Parser as _;
use common::cli::{ok, user_add};
use common::serve::Serve;
use common::wire::{self, Answer};
use sealmail::AppState;
use sealmail::config::Cli;
use sealmail::crypto::{new_bearer_token, sha256};
use sealmail::store::messages::ContentRow;
use sealmail_api::recipient::{Body as MessageBody, MessageView, ReplyRequest};
use sealmail_api::routes::{self, COMPOSE_PART, RECIPIENT_SESSION_COOKIE, SENDER_SESSION_COOKIE};
use sealmail_api::sender::{ComposeRequest, Composed, Expiry, SignIn};
use sealmail_api::{Mailbox, Protection};

const ROUNDS: usize = 20;
const ALICE: &str = "alice@sealmail.test";
const BOB: &str = "bob@example.net";
const PASSWORD: &str = "a long enough password";
const CSRF: &str = "X-Sealmail: 1";
/// A mail claimed by the worker when the server died is sent again once its
/// lease runs out: short here, so the test need not wait minutes.
const SERVE_ARGS: [&str; 6] = [
    "--mail-lease",
    "2s",
    "--mail-retry-min",
    "1s",
    "--log",
    "error",
];

/// What the clients were told, to hold the data dir to after each kill.
#[derive(Default)]
struct Ledger {
    /// Messages whose compose was answered 201: internal id → Message-ID.
    sent: HashMap<String, String>,
    /// Messages whose revoke was answered 200.
    revoked: HashSet<String>,
    /// Answers no client should ever get (a 5xx, a wrong byte).
    wrong: Vec<String>,
    /// Requests answered, by kind.
    answered: HashMap<&'static str, u64>,
}

impl Ledger {
    fn count(&mut self, kind: &'static str) {
        *self.answered.entry(kind).or_default() += 1;
    }
}

/// A recipient with a session, for downloads and replies.
#[derive(Clone)]
struct Reader {
    token: String,
    cookie: String,
}

/// A small random generator (xorshift): the test's choices, replayable.
struct Dice(AtomicU64);

impl Dice {
    fn next(&self, below: u64) -> u64 {
        let mut x = self.0.load(Ordering::Relaxed);
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0.store(x, Ordering::Relaxed);
        x % below.max(1)
    }
}

/// An attachment's bytes, known from its name alone (`k9-SEED-LEN.bin`).
fn pattern(seed: u64, len: usize) -> Vec<u8> {
    (0..len as u64)
        .map(|i| (i.wrapping_mul(31).wrapping_add(seed.wrapping_mul(7)) % 251) as u8)
        .collect()
}

fn expected_content(name: &str) -> Option<Vec<u8>> {
    let rest = name.strip_prefix("k9-")?.strip_suffix(".bin")?;
    let (seed, len) = rest.split_once('-')?;
    Some(pattern(seed.parse().ok()?, len.parse().ok()?))
}

fn compose_body(seed: u64, len: usize) -> (String, Vec<u8>) {
    let boundary = "k9-boundary-5b1e";
    let message = ComposeRequest {
        to: vec![Mailbox {
            name: None,
            address: BOB.into(),
        }],
        cc: Vec::new(),
        subject: format!("kill -9 #{seed}"),
        body: MessageBody {
            text: Some(format!("body of #{seed}")),
            html: None,
        },
        protection: Protection::EncryptOnly,
        expiry: Expiry::Never,
        branding_template: None,
        language: None,
        read_receipt: None,
    };
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"{COMPOSE_PART}\"\r\n\
         Content-Type: application/json\r\n\r\n{}\r\n--{boundary}\r\n\
         Content-Disposition: form-data; name=\"file\"; filename=\"k9-{seed}-{len}.bin\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n",
        serde_json::to_string(&message).unwrap()
    )
    .into_bytes();
    body.extend(pattern(seed, len));
    body.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
    (
        format!("Content-Type: multipart/form-data; boundary={boundary}"),
        body,
    )
}

/// What one client does until the server stops answering.
struct Load<'a> {
    port: u16,
    sender_cookie: &'a str,
    readers: &'a [Reader],
    ledger: &'a Mutex<Ledger>,
    dice: &'a Dice,
    next_seed: &'a AtomicU64,
    stop: &'a AtomicBool,
}

impl Load<'_> {
    fn wrong(&self, what: &str, answer: &Answer) {
        self.ledger.lock().unwrap().wrong.push(format!(
            "{what}: {} {}",
            answer.status,
            String::from_utf8_lossy(&answer.body)
        ));
    }

    fn sender(&self) {
        let cookie = format!("Cookie: {}", self.sender_cookie);
        while !self.stop.load(Ordering::SeqCst) {
            let seed = self.next_seed.fetch_add(1, Ordering::SeqCst);
            let len = 1 + self.dice.next(60_000) as usize;
            let (content_type, body) = compose_body(seed, len);
            let headers = [CSRF, cookie.as_str(), content_type.as_str()];
            let Some(answer) = wire::request(self.port, "POST", routes::MESSAGES, &headers, &body)
            else {
                return;
            };
            if answer.status == 201 {
                let composed: Composed = answer.json();
                let mut ledger = self.ledger.lock().unwrap();
                ledger.sent.insert(composed.id, composed.message_id);
                ledger.count("send");
            } else {
                self.wrong("compose", &answer);
            }
        }
    }

    fn revoker(&self) {
        let cookie = format!("Cookie: {}", self.sender_cookie);
        while !self.stop.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(20 + self.dice.next(60)));
            let candidates: Vec<String> = {
                let ledger = self.ledger.lock().unwrap();
                ledger
                    .sent
                    .keys()
                    .filter(|id| !ledger.revoked.contains(*id))
                    .cloned()
                    .collect()
            };
            // About a third of the messages get revoked.
            if candidates.len() < 3 {
                continue;
            }
            let mut sorted = candidates;
            sorted.sort();
            let id = &sorted[self.dice.next(sorted.len() as u64) as usize];
            let Some(answer) = wire::request(
                self.port,
                "POST",
                &routes::message_revoke(id),
                &[CSRF, &cookie],
                b"",
            ) else {
                return;
            };
            match answer.status {
                200 => {
                    let mut ledger = self.ledger.lock().unwrap();
                    ledger.revoked.insert(id.clone());
                    ledger.count("revoke");
                }
                // Revoked by a revoke whose answer a kill cut off.
                409 => {}
                _ => self.wrong("revoke", &answer),
            }
        }
    }

    /// Reads messages, downloads their attachments and replies to them.
    fn reader(&self) {
        if self.readers.is_empty() {
            return;
        }
        let mut turn = 0u64;
        while !self.stop.load(Ordering::SeqCst) {
            turn += 1;
            let reader = &self.readers[self.dice.next(self.readers.len() as u64) as usize];
            let cookie = format!("Cookie: {}", reader.cookie);
            if turn.is_multiple_of(4) {
                let reply = serde_json::to_vec(&ReplyRequest {
                    text: format!("reply {turn}"),
                })
                .unwrap();
                let Some(answer) = wire::request(
                    self.port,
                    "POST",
                    &routes::link_reply(&reader.token),
                    &[CSRF, &cookie, "Content-Type: application/json"],
                    &reply,
                ) else {
                    return;
                };
                match answer.status {
                    200 | 201 => self.ledger.lock().unwrap().count("reply"),
                    // Revoked since, or ten replies this hour already.
                    401 | 410 | 429 => {}
                    _ => self.wrong("reply", &answer),
                }
                continue;
            }
            let Some(answer) = wire::request(
                self.port,
                "GET",
                &routes::link_message(&reader.token),
                &[&cookie],
                b"",
            ) else {
                return;
            };
            match answer.status {
                200 => {}
                401 | 410 => continue,
                _ => {
                    self.wrong("message view", &answer);
                    continue;
                }
            }
            let view: MessageView = answer.json();
            for attachment in &view.attachments {
                let Some(download) = wire::request(
                    self.port,
                    "GET",
                    &routes::link_attachment(&reader.token, &attachment.id),
                    &[&cookie],
                    b"",
                ) else {
                    return;
                };
                match download.status {
                    200 if Some(&download.body) == expected_content(&attachment.name).as_ref() => {
                        self.ledger.lock().unwrap().count("download")
                    }
                    200 => self.wrong(
                        &format!("download of {} (other bytes)", attachment.name),
                        &Answer {
                            body: Vec::new(),
                            ..download
                        },
                    ),
                    401 | 410 => {}
                    _ => self.wrong("download", &download),
                }
            }
        }
    }
}

/// The data dir opened in this process, as the server opens it.
async fn open(data: &Path) -> AppState {
    let mut args = vec![
        "sealmail".to_owned(),
        "--data-dir".to_owned(),
        data.display().to_string(),
        "--public-url".to_owned(),
        "http://127.0.0.1:1".to_owned(),
    ];
    args.extend(common::pg::args(data));
    args.extend(common::blobs::args(data));
    args.push("serve".to_owned());
    let config = Cli::parse_from(args).config;
    AppState::open(
        &config,
        std::sync::Arc::new(sealmail::mail::RecordingMailer::default()),
    )
    .await
    .unwrap()
}

/// With the server dead: the database whole, every stored message readable
/// to its last byte or gone entirely, every answered send and revoke held.
/// Returns how many notifications were still waiting to go out.
async fn check_after_kill(state: &AppState, ledger: &Ledger, round: usize) -> i64 {
    // SQLite's file whole (PostgreSQL keeps its own; what follows checks
    // the data on both).
    if let Some(pool) = state.db.as_sqlite() {
        let integrity: String = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_one(pool)
            .await
            .unwrap();
        assert_eq!(integrity, "ok", "round {round}");
        let broken: Vec<(String,)> = sqlx::query_as("PRAGMA foreign_key_check")
            .fetch_all(pool)
            .await
            .unwrap();
        assert!(broken.is_empty(), "round {round}: {broken:?}");
    }

    type Row = (
        String,
        String,
        Option<String>,
        Option<Vec<u8>>,
        Option<Vec<u8>>,
    );
    let rows: Vec<Row> = sealmail::store::on_db!(&state.db, |c| sqlx::query_as(
        "SELECT m.id, m.state, k.master_key_id, k.wrapped_key, b.ciphertext
         FROM messages m LEFT JOIN message_keys k ON k.message_id = m.id
                         LEFT JOIN message_bodies b ON b.message_id = m.id",
    )
    .fetch_all(c)
    .await)
    .unwrap();
    let mut states = HashMap::new();
    for (id, message_state, key_id, wrapped, ciphertext) in rows {
        let attachments = sealmail::store::messages::attachments(&state.db, &id)
            .await
            .unwrap();
        if message_state != "active" {
            assert!(
                key_id.is_none() && ciphertext.is_none() && attachments.is_empty(),
                "round {round}: ended message {id} keeps content"
            );
            states.insert(id, message_state);
            continue;
        }
        let (Some(master_key_id), Some(wrapped_key), Some(ciphertext)) =
            (key_id, wrapped, ciphertext)
        else {
            panic!("round {round}: active message {id} without its key or body");
        };
        let content = ContentRow {
            master_key_id,
            wrapped_key,
            ciphertext,
        };
        sealmail::messages::open_body(state, &id, content)
            .unwrap_or_else(|e| panic!("round {round}: body of {id}: {e}"));
        for attachment in &attachments {
            let mut stream = sealmail::messages::open_attachment(state, &id, attachment)
                .await
                .unwrap_or_else(|e| panic!("round {round}: {id}/{}: {e}", attachment.name));
            let mut bytes = Vec::new();
            while let Some(chunk) = stream.next_chunk().await.unwrap() {
                bytes.extend_from_slice(&chunk);
            }
            assert_eq!(bytes.len() as i64, attachment.size, "round {round}: {id}");
            if let Some(expected) = expected_content(&attachment.name) {
                assert!(
                    bytes == expected,
                    "round {round}: {id}/{}: other bytes",
                    attachment.name
                );
            }
        }
        states.insert(id, message_state);
    }
    for (id, message_id) in &ledger.sent {
        assert!(
            states.contains_key(id),
            "round {round}: {message_id} was answered 201 and is gone"
        );
    }
    for id in &ledger.revoked {
        assert_eq!(
            states.get(id).map(String::as_str),
            Some("revoked"),
            "round {round}: {id} was answered 200 to its revoke"
        );
    }
    sealmail::store::on_db!(&state.db, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM mail_queue WHERE state IN ('queued', 'deferred')"
    )
    .fetch_one(c)
    .await)
    .unwrap()
}

/// The links in the outbox's mails, with their recipient id, of messages
/// still active.
async fn links_in_outbox(state: &AppState, data: &Path) -> HashMap<String, i64> {
    let mut links = HashMap::new();
    for entry in std::fs::read_dir(data.join("outbox")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "eml") {
            continue;
        }
        let raw = std::fs::read(&path).unwrap();
        let mail = mail_parser::MessageParser::default().parse(&raw).unwrap();
        let text = mail.body_text(0).unwrap_or_default();
        let Some(start) = text.find("/m/") else {
            continue;
        };
        let token: String = text[start + 3..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect();
        let link = sealmail::store::links::by_token_hash(&state.db, &sha256(token.as_bytes()))
            .await
            .unwrap();
        if let Some(link) = link
            && link.message.state == "active"
            && link.revoked_at.is_none()
        {
            links.insert(token, link.recipient_id);
        }
    }
    links
}

/// Sessions for a few of the recipients whose links went out.
async fn readers(state: &AppState, data: &Path) -> Vec<Reader> {
    let mut tokens: Vec<(String, i64)> = links_in_outbox(state, data).await.into_iter().collect();
    tokens.sort();
    let now = sealmail::store::now();
    let mut readers = Vec::new();
    for (token, recipient_id) in tokens.into_iter().rev().take(12) {
        let session = new_bearer_token();
        let mut tx = state.db.write().await.unwrap();
        sealmail::store::sessions::create(
            &mut tx,
            &sha256(session.expose().as_bytes()),
            recipient_id,
            now,
            now + 3600,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        readers.push(Reader {
            token,
            cookie: format!("{RECIPIENT_SESSION_COOKIE}={}", session.expose()),
        });
    }
    readers
}

/// Attachment files (other than those of an active message's attachment
/// rows), after the server's start-up sweep has had `wait` to run. In a
/// bucket, the objects of a message that was never stored (a writer killed)
/// wait a day before the sweep takes them (messages/orphans.rs): there only
/// those of ended messages, and strays beside a stored message's, count.
async fn orphans(state: &AppState, data: &Path, wait: Duration) -> Vec<String> {
    if state.blobs.local_root().is_none() {
        return bucket_orphans(state, wait).await;
    }
    let deadline = Instant::now() + wait;
    loop {
        let kept: HashSet<(String, String)> =
            sealmail::store::on_db!(&state.db, |c| sqlx::query_as(
                "SELECT a.message_id, a.id FROM attachments a
             JOIN messages m ON m.id = a.message_id WHERE m.state = 'active'",
            )
            .fetch_all(c)
            .await)
            .unwrap()
            .into_iter()
            .collect();
        let mut found = Vec::new();
        for dir in std::fs::read_dir(data.join("attachments")).unwrap() {
            let dir = dir.unwrap();
            let message = dir.file_name().to_string_lossy().into_owned();
            let files: Vec<String> = std::fs::read_dir(dir.path())
                .map(|files| {
                    files
                        .map(|f| f.unwrap().file_name().to_string_lossy().into_owned())
                        .collect()
                })
                .unwrap_or_default();
            if files.is_empty() {
                found.push(format!("{message}/ (empty)"));
            }
            for file in files {
                if !kept.contains(&(message.clone(), file.clone())) {
                    found.push(format!("{message}/{file}"));
                }
            }
        }
        if found.is_empty() || Instant::now() > deadline {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn bucket_orphans(state: &AppState, wait: Duration) -> Vec<String> {
    let deadline = Instant::now() + wait;
    loop {
        let rows: Vec<(String, String, Option<String>)> =
            sealmail::store::on_db!(&state.db, |c| sqlx::query_as(
                "SELECT m.id, m.state, a.id FROM messages m
                 LEFT JOIN attachments a ON a.message_id = m.id",
            )
            .fetch_all(c)
            .await)
            .unwrap();
        let mut found = Vec::new();
        for object in state.blobs.list().await.unwrap() {
            let of_message: Vec<_> = rows.iter().filter(|r| r.0 == object.message).collect();
            let kept = of_message
                .iter()
                .any(|r| r.1 == "active" && r.2.as_deref() == Some(object.attachment.as_str()));
            if !of_message.is_empty() && !kept {
                found.push(format!("{}/{}", object.message, object.attachment));
            }
        }
        if found.is_empty() || Instant::now() > deadline {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn sign_in(port: u16) -> String {
    let body = serde_json::to_vec(&SignIn {
        email: ALICE.into(),
        password: PASSWORD.into(),
    })
    .unwrap();
    let answer = wire::request(
        port,
        "POST",
        routes::SESSION,
        &[CSRF, "Content-Type: application/json"],
        &body,
    )
    .expect("signed in");
    assert_eq!(
        answer.status,
        200,
        "{}",
        String::from_utf8_lossy(&answer.body)
    );
    answer
        .cookie(SENDER_SESSION_COOKIE)
        .expect("a session cookie")
}

#[test]
fn stored_data_stays_whole_through_twenty_kill_9s_under_load() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    ok(user_add(&data, ALICE, &[], PASSWORD));
    let seed = std::env::var("KILL9_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
                | 1
        });
    eprintln!("kill_9: KILL9_SEED={seed}");
    let dice = Dice(AtomicU64::new(seed));
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let ledger = Mutex::new(Ledger::default());
    let next_seed = AtomicU64::new(1);
    let mut readers: Vec<Reader> = Vec::new();
    let mut waiting_at_kills = 0;
    let started = Instant::now();

    let mut server = Serve::start(&data, &SERVE_ARGS);
    let sender_cookie = sign_in(server.port);
    for round in 1..=ROUNDS {
        let stop = AtomicBool::new(false);
        let load = Load {
            port: server.port,
            sender_cookie: &sender_cookie,
            readers: &readers,
            ledger: &ledger,
            dice: &dice,
            next_seed: &next_seed,
            stop: &stop,
        };
        std::thread::scope(|s| {
            s.spawn(|| load.sender());
            s.spawn(|| load.sender());
            s.spawn(|| load.revoker());
            s.spawn(|| load.reader());
            s.spawn(|| load.reader());
            // Anywhere from just after the start to well into the load.
            std::thread::sleep(Duration::from_millis(200 + dice.next(1800)));
            server.kill_9();
            stop.store(true, Ordering::SeqCst);
        });

        let ledger_now = ledger.lock().unwrap();
        assert!(
            ledger_now.wrong.is_empty(),
            "round {round}: {:#?}",
            ledger_now.wrong
        );
        runtime.block_on(async {
            let state = open(&data).await;
            waiting_at_kills += check_after_kill(&state, &ledger_now, round).await;
            readers = self::readers(&state, &data).await;
            state.db.close().await;
        });
        drop(ledger_now);

        server = Serve::start(&data, &SERVE_ARGS);
        runtime.block_on(async {
            let state = open(&data).await;
            let left = orphans(&state, &data, Duration::from_secs(5)).await;
            assert!(left.is_empty(), "round {round}: orphaned files {left:?}");
            state.db.close().await;
        });
    }

    // Every notification of a message still active goes out, at least once.
    runtime.block_on(async {
        let state = open(&data).await;
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let waiting: i64 = sealmail::store::on_db!(&state.db, |c| sqlx::query_scalar(
                "SELECT COUNT(*) FROM mail_queue WHERE state IN ('queued', 'deferred')",
            )
            .fetch_one(c)
            .await)
            .unwrap();
            if waiting == 0 {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "{waiting} mails still waiting 30 s after the last restart"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let mailed: HashSet<i64> = links_in_outbox(&state, &data).await.into_values().collect();
        let active: Vec<i64> = sealmail::store::on_db!(&state.db, |c| sqlx::query_scalar(
            "SELECT r.id FROM recipients r JOIN messages m ON m.id = r.message_id
             WHERE m.state = 'active' AND r.revoked_at IS NULL",
        )
        .fetch_all(c)
        .await)
        .unwrap();
        let unmailed: Vec<&i64> = active.iter().filter(|r| !mailed.contains(r)).collect();
        assert!(
            unmailed.is_empty(),
            "recipients of active messages with no link mailed: {unmailed:?}"
        );
        state.db.close().await;
    });
    drop(server);
    let ledger = ledger.into_inner().unwrap();
    eprintln!(
        "kill_9: {ROUNDS} rounds in {:?}; answered {:?}; {} messages stored, {} revoked; \
         {waiting_at_kills} notifications were waiting at the kills",
        started.elapsed(),
        ledger.answered,
        ledger.sent.len(),
        ledger.revoked.len()
    );
    assert!(
        ledger.sent.len() >= ROUNDS,
        "too little load to mean anything"
    );
    assert!(!ledger.revoked.is_empty() && ledger.answered.contains_key("download"));
}
