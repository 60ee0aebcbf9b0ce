//! The SMTP listener (`--smtp-listen`): what it offers, who may send, and a
//! clear reply for each thing a client may get wrong — driven by a real SMTP
//! client (lettre, with STARTTLS and AUTH) and by hand where lettre would not
//! say the wrong thing.

mod common;

use std::time::Duration;

use base64::Engine as _;
use common::ingress::*;
use common::sender::PASSWORD;
use common::*;

const TRUSTED: &str = "--smtp-trusted-networks=127.0.0.0/8";

fn refs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

#[tokio::test]
async fn ehlo_offers_size_8bitmime_smtputf8_pipelining_starttls_and_no_auth_in_the_clear() {
    let app = TestApp::new().await;
    let listener = app.smtp_listener(&refs(&tls_args())).await;
    let mut smtp = listener.raw().await;
    let ehlo = smtp.command("EHLO client.test").await;
    assert_eq!(ehlo.code, 250);
    for offer in [
        "SIZE 26214400",
        "8BITMIME",
        "SMTPUTF8",
        "PIPELINING",
        "STARTTLS",
    ] {
        assert!(ehlo.lines.iter().any(|l| l == offer), "{offer} in {ehlo:?}");
    }
    assert!(
        !ehlo.lines.iter().any(|l| l.starts_with("AUTH")),
        "{ehlo:?}"
    );

    let plain = base64::engine::general_purpose::STANDARD.encode(format!("\0{ALICE}\0{PASSWORD}"));
    let auth = smtp.command(&format!("AUTH PLAIN {plain}")).await;
    assert_eq!(auth.code, 538, "AUTH before STARTTLS: {auth:?}");
}

#[tokio::test]
async fn commands_pipelined_after_starttls_are_dropped_not_run_inside_tls() {
    let app = TestApp::new().await;
    app.add_user(ALICE, "Alice Demo", false).await;
    let listener = app.smtp_listener(&refs(&tls_args())).await;
    let mut smtp = listener.raw().await;
    smtp.command("EHLO client.test").await;
    // A man in the middle appends a command to the client's STARTTLS
    // (CVE-2011-0411): it must not be answered inside TLS.
    smtp.write(format!("STARTTLS\r\nMAIL FROM:<{ALICE}>\r\n").as_bytes())
        .await;
    assert_eq!(smtp.reply().await.code, 220);
    let (mut tls, in_the_clear) = smtp.start_tls().await;
    assert!(in_the_clear.is_empty(), "{in_the_clear:?}");
    let ehlo = tls.command("EHLO client.test").await;
    assert_eq!(
        ehlo.code, 250,
        "the first answer inside TLS is EHLO's: {ehlo:?}"
    );
    assert!(
        ehlo.lines.iter().any(|l| l == "AUTH PLAIN LOGIN"),
        "{ehlo:?}"
    );
    assert!(!ehlo.lines.iter().any(|l| l == "STARTTLS"), "{ehlo:?}");
    // And no MAIL was given: RCPT still needs one.
    assert_eq!(tls.command(&format!("RCPT TO:<{BOB}>")).await.code, 503);

    let plain = base64::engine::general_purpose::STANDARD.encode(format!("\0{ALICE}\0{PASSWORD}"));
    assert_eq!(tls.command(&format!("AUTH PLAIN {plain}")).await.code, 235);
    assert_eq!(tls.command("STARTTLS").await.code, 503, "TLS already on");
}

#[tokio::test]
async fn without_a_certificate_there_is_no_starttls() {
    let app = TestApp::new().await;
    let listener = app.smtp_listener(&[]).await;
    let mut smtp = listener.raw().await;
    let ehlo = smtp.command("EHLO client.test").await;
    assert!(!ehlo.lines.iter().any(|l| l == "STARTTLS"), "{ehlo:?}");
    assert_eq!(smtp.command("STARTTLS").await.code, 454);
}

#[tokio::test]
async fn after_starttls_a_wrong_password_is_535_and_the_right_one_sends() {
    let app = TestApp::new().await;
    app.add_user(ALICE, "Alice Demo", false).await;
    let listener = app.smtp_listener(&refs(&tls_args())).await;
    let raw = corpus("alternative.eml");

    let wrong = listener.client(Some((ALICE, "not the password")));
    let refused = submit(&wrong, ALICE, &[BOB], &raw).await.unwrap_err();
    assert_eq!(code_of(&refused), "535", "{refused}");
    let unknown = listener.client(Some(("nobody@sealmail.test", PASSWORD)));
    let refused = submit(&unknown, ALICE, &[BOB], &raw).await.unwrap_err();
    assert_eq!(code_of(&refused), "535", "an unknown account: {refused}");
    assert_eq!(app.rows_in("messages").await, 0);

    let right = listener.client(Some((ALICE, PASSWORD)));
    let reply = submit(&right, ALICE, &[BOB], &raw).await.unwrap();
    assert!(reply.starts_with("250"), "{reply}");
    assert_eq!(app.rows_in("messages").await, 1);
}

#[tokio::test]
async fn auth_login_works_too() {
    use lettre::transport::smtp::authentication::Mechanism;
    let app = TestApp::new().await;
    app.add_user(ALICE, "Alice Demo", false).await;
    let listener = app.smtp_listener(&refs(&tls_args())).await;
    let raw = corpus("alternative.eml");
    let wrong = listener.client_with(Some((ALICE, "nope")), Mechanism::Login);
    let refused = submit(&wrong, ALICE, &[BOB], &raw).await.unwrap_err();
    assert_eq!(code_of(&refused), "535", "{refused}");
    let right = listener.client_with(Some((ALICE, PASSWORD)), Mechanism::Login);
    let reply = submit(&right, ALICE, &[BOB], &raw).await.unwrap();
    assert!(reply.starts_with("250"), "{reply}");
}

#[tokio::test]
async fn auth_failures_are_rate_limited_like_the_web_sign_in() {
    let app = TestApp::new().await;
    app.add_user(ALICE, "Alice Demo", false).await;
    let listener = app.smtp_listener(&refs(&tls_args())).await;
    let raw = corpus("alternative.eml");
    let wrong = listener.client(Some((ALICE, "guess")));
    // The web's limit per client and address is 10 failures in 15 minutes.
    for _ in 0..10 {
        let refused = submit(&wrong, ALICE, &[BOB], &raw).await.unwrap_err();
        assert_eq!(code_of(&refused), "535");
    }
    let right = listener.client(Some((ALICE, PASSWORD)));
    let refused = submit(&right, ALICE, &[BOB], &raw).await.unwrap_err();
    assert_eq!(
        code_of(&refused),
        "454",
        "the 11th try, even right: {refused}"
    );
    // Counted per client: a stranger's guesses do not lock the owner out
    // of the web sign-in from elsewhere.
    assert_eq!(
        app.try_sign_in(ALICE, PASSWORD).await.status,
        axum::http::StatusCode::OK
    );
}

#[tokio::test]
async fn an_authenticated_client_may_not_use_another_accounts_address() {
    let app = TestApp::new().await;
    app.add_user(ALICE, "Alice Demo", false).await;
    let listener = app.smtp_listener(&refs(&tls_args())).await;
    let client = listener.client(Some((ALICE, PASSWORD)));
    let refused = submit(
        &client,
        "mallory@sealmail.test",
        &[BOB],
        &corpus("alternative.eml"),
    )
    .await
    .unwrap_err();
    assert_eq!(code_of(&refused), "550", "{refused}");
}

#[tokio::test]
async fn relaying_from_an_untrusted_address_without_auth_is_530_or_554() {
    let app = TestApp::new().await;
    app.add_user(ALICE, "Alice Demo", false).await;
    // AUTH is possible (after STARTTLS): 530, authentication required.
    let listener = app.smtp_listener(&refs(&tls_args())).await;
    let mut smtp = listener.raw().await;
    smtp.command("EHLO client.test").await;
    assert_eq!(
        smtp.command(&format!("MAIL FROM:<{ALICE}>")).await.code,
        250
    );
    assert_eq!(smtp.command(&format!("RCPT TO:<{BOB}>")).await.code, 530);

    // No TLS, so no AUTH: 554, relay denied.
    let listener = app.smtp_listener(&[]).await;
    let mut smtp = listener.raw().await;
    smtp.command("EHLO client.test").await;
    smtp.command(&format!("MAIL FROM:<{ALICE}>")).await;
    let denied = smtp.command(&format!("RCPT TO:<{BOB}>")).await;
    assert_eq!(denied.code, 554, "{denied:?}");
    assert_eq!(
        smtp.command("DATA").await.code,
        503,
        "no recipient was taken"
    );
}

#[tokio::test]
async fn a_trusted_network_sends_only_as_a_sealmail_account() {
    let app = TestApp::new().await;
    app.add_user(ALICE, "Alice Demo", false).await;
    let listener = app.smtp_listener(&[TRUSTED]).await;
    let mut smtp = listener.raw().await;
    smtp.command("EHLO mx.corp.test").await;
    let refused = smtp.command("MAIL FROM:<mallory@corp.test>").await;
    assert_eq!(refused.code, 550, "{refused:?}");
    assert!(
        refused.text().contains("not a Sealmail account"),
        "{refused:?}"
    );
    assert_eq!(
        smtp.command(&format!("MAIL FROM:<{ALICE}>")).await.code,
        250
    );
    assert_eq!(smtp.command(&format!("RCPT TO:<{BOB}>")).await.code, 250);

    let sent = submit(
        &listener.plain_client(),
        ALICE,
        &[BOB],
        &corpus("latin1.eml"),
    )
    .await
    .unwrap();
    assert!(sent.starts_with("250"), "{sent}");
}

#[tokio::test]
async fn a_message_over_the_size_limit_is_552_before_data_when_declared_and_after() {
    let app = TestApp::with_args(&["--max-message-mib", "1"]).await;
    app.add_user(ALICE, "Alice Demo", false).await;
    let listener = app.smtp_listener(&[TRUSTED]).await;
    let mut smtp = listener.raw().await;
    let ehlo = smtp.command("EHLO mx.corp.test").await;
    assert!(ehlo.lines.iter().any(|l| l == "SIZE 1048576"), "{ehlo:?}");

    let declared = smtp
        .command(&format!("MAIL FROM:<{ALICE}> SIZE=2000000"))
        .await;
    assert_eq!(declared.code, 552, "{declared:?}");

    assert_eq!(
        smtp.command(&format!("MAIL FROM:<{ALICE}>")).await.code,
        250
    );
    assert_eq!(smtp.command(&format!("RCPT TO:<{BOB}>")).await.code, 250);
    assert_eq!(smtp.command("DATA").await.code, 354);
    smtp.write(b"Subject: [secure] big\r\n\r\n").await;
    let line = format!("{}\r\n", "x".repeat(998));
    for _ in 0..1200 {
        smtp.write(line.as_bytes()).await;
    }
    smtp.write(b".\r\n").await;
    let too_big = smtp.reply().await;
    assert_eq!(too_big.code, 552, "{too_big:?}");
    assert_eq!(app.rows_in("messages").await, 0);
    assert_eq!(app.rows_in("mail_queue").await, 0);
    // The session goes on.
    assert_eq!(smtp.command("NOOP").await.code, 250);
}

#[tokio::test]
async fn more_recipients_than_the_limit_are_452_even_when_pipelined() {
    let app = TestApp::new().await;
    app.add_user(ALICE, "Alice Demo", false).await;
    let listener = app.smtp_listener(&[TRUSTED]).await;
    let mut smtp = listener.raw().await;
    smtp.command("EHLO mx.corp.test").await;
    let mut batch = format!("MAIL FROM:<{ALICE}>\r\n");
    for n in 0..501 {
        batch.push_str(&format!("RCPT TO:<r{n}@example.net>\r\n"));
    }
    smtp.write(batch.as_bytes()).await;
    assert_eq!(smtp.reply().await.code, 250);
    for n in 0..500 {
        assert_eq!(smtp.reply().await.code, 250, "recipient {n}");
    }
    let over = smtp.reply().await;
    assert_eq!(over.code, 452, "{over:?}");
}

#[tokio::test]
async fn a_client_that_stalls_is_told_421_and_nothing_half_sent_is_kept() {
    let app = TestApp::new().await;
    app.add_user(ALICE, "Alice Demo", false).await;
    let listener = app
        .smtp_listener(&[
            TRUSTED,
            "--smtp-command-timeout=1s",
            "--smtp-data-timeout=1s",
        ])
        .await;
    let mut smtp = listener.raw().await;
    smtp.command("EHLO mx.corp.test").await;
    let timed_out = smtp.reply().await;
    assert_eq!(timed_out.code, 421, "waiting for a command: {timed_out:?}");
    assert_eq!(smtp.reply().await.code, 0, "and hung up");

    let mut smtp = listener.raw().await;
    smtp.command("EHLO mx.corp.test").await;
    smtp.command(&format!("MAIL FROM:<{ALICE}>")).await;
    smtp.command(&format!("RCPT TO:<{BOB}>")).await;
    assert_eq!(smtp.command("DATA").await.code, 354);
    smtp.write(b"Subject: [secure] half\r\n\r\nThe first half")
        .await;
    let timed_out = smtp.reply().await;
    assert_eq!(
        timed_out.code, 421,
        "waiting for the message: {timed_out:?}"
    );
    assert_eq!(app.rows_in("messages").await, 0);
}

/// A client with Nagle's algorithm on (lettre's, many MTAs') writes the
/// final `.` only once the mail before it is acknowledged; had the listener
/// left that ACK to the delayed-ACK timer, each mail would wait ~40 ms for it.
#[cfg(target_os = "linux")]
#[tokio::test]
async fn a_client_with_nagle_on_is_not_kept_waiting_for_the_end_of_its_mail() {
    let app = TestApp::new().await;
    app.add_user(ALICE, "Alice Demo", false).await;
    let listener = app.smtp_listener(&[TRUSTED]).await;
    // The raw client's socket keeps Nagle on (no TCP_NODELAY).
    let mut smtp = listener.raw().await;
    smtp.command("EHLO mx.corp.test").await;
    const MAILS: u32 = 20;
    let started = std::time::Instant::now();
    for _ in 0..MAILS {
        assert_eq!(
            smtp.command(&format!("MAIL FROM:<{ALICE}>")).await.code,
            250
        );
        assert_eq!(smtp.command(&format!("RCPT TO:<{BOB}>")).await.code, 250);
        assert_eq!(smtp.command("DATA").await.code, 354);
        // The mail, then the end in a write of its own: the pattern Nagle holds.
        smtp.write(b"no header, so refused at once\r\n").await;
        assert_eq!(smtp.command(".").await.code, 554);
    }
    let each = started.elapsed() / MAILS;
    assert!(
        each < Duration::from_millis(20),
        "{each:?} a mail: the end of each waited for a delayed ACK"
    );
}

#[tokio::test]
async fn past_the_connection_cap_a_client_is_told_421_while_the_others_are_served() {
    let app = TestApp::new().await;
    let listener = app.smtp_listener(&["--smtp-max-connections=1"]).await;
    let mut first = listener.raw().await;
    let mut second = tokio::net::TcpStream::connect(("127.0.0.1", listener.port))
        .await
        .unwrap();
    let mut refusal = String::new();
    tokio::io::AsyncReadExt::read_to_string(&mut second, &mut refusal)
        .await
        .unwrap();
    assert!(refusal.starts_with("421 "), "{refusal:?}");
    assert_eq!(first.command("NOOP").await.code, 250);

    assert_eq!(first.command("QUIT").await.code, 221);
    drop(first);
    // Its place is free again once its session has ended.
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        let mut next = tokio::net::TcpStream::connect(("127.0.0.1", listener.port))
            .await
            .unwrap();
        let mut greeting = [0u8; 3];
        tokio::io::AsyncReadExt::read_exact(&mut next, &mut greeting)
            .await
            .unwrap();
        if &greeting == b"220" {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "no room again");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn stopping_the_server_tells_an_idle_client_421() {
    let app = TestApp::new().await;
    let listener = app.smtp_listener(&[]).await;
    let mut smtp = listener.raw().await;
    assert_eq!(smtp.command("EHLO client.test").await.code, 250);
    let stopping = tokio::spawn(listener.stop());
    assert_eq!(smtp.reply().await.code, 421);
    stopping.await.unwrap();
}

#[tokio::test]
async fn commands_out_of_order_or_unknown_get_5xx_and_the_session_goes_on() {
    let app = TestApp::new().await;
    let listener = app.smtp_listener(&[TRUSTED]).await;
    let mut smtp = listener.raw().await;
    assert_eq!(
        smtp.command(&format!("MAIL FROM:<{ALICE}>")).await.code,
        503
    );
    assert_eq!(smtp.command("EHLO client.test").await.code, 250);
    assert_eq!(smtp.command(&format!("RCPT TO:<{BOB}>")).await.code, 503);
    assert_eq!(smtp.command("DATA").await.code, 503);
    assert_eq!(smtp.command("FROBNICATE").await.code, 500);
    assert_eq!(smtp.command("BDAT 10 LAST").await.code, 502);
    // A 1 MB line: one 500 for all of it, then the next command is read.
    let long = format!("NOOP {}", "x".repeat(1 << 20));
    assert_eq!(smtp.command(&long).await.code, 500, "a 1 MB line");
    assert_eq!(smtp.command("NOOP").await.code, 250);
    assert_eq!(smtp.command("QUIT").await.code, 221);
}

#[test]
fn sealmail_help_documents_the_smtp_listener() {
    let help = common::cli::ok(common::cli::run_sealmail(
        std::path::Path::new("/nonexistent"),
        &["serve", "--help"],
        "",
    ));
    for flag in [
        "--smtp-listen",
        "SEALMAIL_SMTP_LISTEN",
        "--smtp-tls-cert",
        "--smtp-tls-key",
        "--smtp-trusted-networks",
        "--org-domains",
        "--smtp-max-connections",
        "--smtp-command-timeout",
        "--smtp-data-timeout",
        "--smtp-memory-mib",
    ] {
        assert!(help.contains(flag), "{flag} in:\n{help}");
    }
}

#[tokio::test]
async fn sealmail_serve_with_smtp_listen_takes_mail_and_queues_the_notification() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    common::cli::ok(common::cli::user_add(&data, ALICE, &[], PASSWORD));
    let port = common::smtp_sink::free_port();
    let listen = format!("127.0.0.1:{port}");
    let _serve = common::serve::Serve::start(
        &data,
        &[
            "--smtp-listen",
            &listen,
            "--smtp-trusted-networks",
            "127.0.0.1/32",
        ],
    );
    let client =
        lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::builder_dangerous("127.0.0.1")
            .port(port)
            .build();
    let sent = submit(&client, ALICE, &[BOB], &corpus("latin1.eml"))
        .await
        .unwrap();
    assert!(sent.starts_with("250"), "{sent}");
    // The notification names Bob as the mail's To header did.
    let notification =
        common::cli::outbox_mail_to(&data, &format!("Bob <{BOB}>"), |mail| mail.contains("/m/"));
    assert!(notification.contains("Subject: Menû"), "{notification}");
}

#[tokio::test]
async fn an_app_password_works_over_smtp_only_and_until_it_is_removed() {
    let app = TestApp::new().await;
    app.add_user(ALICE, "Alice Demo", false).await;
    let data = app.data_dir();
    let made = common::cli::ok(common::cli::run_sealmail(
        &data,
        &[
            "user",
            "app-password",
            "--email",
            ALICE,
            "--name",
            "Thunderbird",
        ],
        "",
    ));
    let app_password = made.lines().last().unwrap().trim().to_owned();
    assert_eq!(app_password.len(), 23, "five groups of 4… {made}");
    let listener = app.smtp_listener(&refs(&tls_args())).await;
    let raw = corpus("latin1.eml");

    let client = listener.client(Some((ALICE, &app_password)));
    let sent = submit(&client, ALICE, &[BOB], &raw).await.unwrap();
    assert!(sent.starts_with("250"), "{sent}");
    assert_eq!(
        app.try_sign_in(ALICE, &app_password).await.code(),
        sealmail_api::ErrorCode::CredentialsWrong,
        "not for the web"
    );
    let again = common::cli::fails(common::cli::run_sealmail(
        &data,
        &[
            "user",
            "app-password",
            "--email",
            ALICE,
            "--name",
            "Thunderbird",
        ],
        "",
    ));
    assert!(again.contains("already has an app password"), "{again}");

    common::cli::ok(common::cli::run_sealmail(
        &data,
        &[
            "user",
            "app-password",
            "--email",
            ALICE,
            "--name",
            "Thunderbird",
            "--remove",
        ],
        "",
    ));
    let refused = submit(&client, ALICE, &[BOB], &raw).await.unwrap_err();
    assert_eq!(code_of(&refused), "535", "{refused}");
}

#[tokio::test]
async fn past_the_memory_budget_a_message_is_told_452_and_taken_once_there_is_room() {
    let app = TestApp::new().await;
    app.add_user(ALICE, "Alice Demo", false).await;
    let listener = app.smtp_listener(&[TRUSTED, "--smtp-memory-mib=1"]).await;
    let line = format!("{}\r\n", "x".repeat(998));
    // The first holds 800 KB of the 1 MiB budget, and is not finished yet.
    let mut first = listener.raw().await;
    begin_big_mail(&mut first).await;
    for _ in 0..800 {
        first.write(line.as_bytes()).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    // The second would need 400 KB more.
    let mut second = listener.raw().await;
    begin_big_mail(&mut second).await;
    for _ in 0..400 {
        second.write(line.as_bytes()).await;
    }
    second.write(b".\r\n").await;
    let full = second.reply().await;
    assert_eq!(full.code, 452, "{full:?}");

    first.write(b".\r\n").await;
    assert_eq!(first.reply().await.code, 250);
    // Its memory is given back: the second mail, sent again, is taken.
    assert_eq!(
        second.command(&format!("MAIL FROM:<{ALICE}>")).await.code,
        250
    );
    second.command(&format!("RCPT TO:<{BOB}>")).await;
    assert_eq!(second.command("DATA").await.code, 354);
    second.write(b"Subject: [secure] big\r\n\r\n").await;
    for _ in 0..400 {
        second.write(line.as_bytes()).await;
    }
    second.write(b".\r\n").await;
    assert_eq!(second.reply().await.code, 250);
    assert_eq!(app.rows_in("messages").await, 2);
}

/// EHLO, MAIL FROM Alice, RCPT TO Bob, DATA, and the header of a big mail.
async fn begin_big_mail(smtp: &mut RawSmtp) {
    smtp.command("EHLO mx.corp.test").await;
    smtp.command(&format!("MAIL FROM:<{ALICE}>")).await;
    smtp.command(&format!("RCPT TO:<{BOB}>")).await;
    assert_eq!(smtp.command("DATA").await.code, 354);
    smtp.write(b"Subject: [secure] big\r\n\r\n").await;
}
