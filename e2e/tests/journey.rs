//! The whole journey, in real browsers against the real server, as people do it:
//! the sender signs in and sends to two recipients with an attachment; the first
//! recipient opens the link from the outbox, gets past a wrong passcode with the
//! right one, reads, downloads, replies; the sender sees that in the Sent view and
//! removes that recipient's access, and mails the second a new link (the old one
//! stops working); the revoked page shows in four languages; the second
//! recipient reads through the new link until an administrator, in the admin pages, looks
//! the message up by Message-ID and revokes the rest. Every page is screenshotted and checked with axe-core.

use sealmail_e2e::{Browser, Sealmail};
use serde_json::Value;

const ALICE: &str = "alice@sealmail.test";
const BOB: &str = "bob@example.net";
const CAROL: &str = "carol@example.org";
const SUBJECT: &str = "Quarterly figures (confidential)";
const ALICE_PASSWORD: &str = "a long demo password";
const ADMIN: &str = "admin@sealmail.test";
const ADMIN_PASSWORD: &str = "another long password";

/// The status of a message as `sealmail status --json` reports it.
fn status(server: &Sealmail, message_id: &str) -> Value {
    serde_json::from_str(&server.cli(&["status", "--message-id", message_id, "--json"]))
        .expect("status --json prints JSON")
}

fn recipient_state(status: &Value, address: &str) -> String {
    status["recipients"]
        .as_array()
        .expect("recipients")
        .iter()
        .find(|r| r["recipient"]["address"] == address)
        .unwrap_or_else(|| panic!("{address} is not a recipient: {status}"))["state"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// 200 KB of bytes that are not text, so the download spans several chunks.
fn attachment_bytes() -> Vec<u8> {
    let mut state: u32 = 0x9e37_79b9;
    (0..200 * 1024)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            (state >> 24) as u8
        })
        .collect()
}

/// The selector of one recipient's element in a Sent row.
fn recipient_in_sent(address: &str, inner: &str) -> String {
    format!("[data-testid='recipient'][data-address='{address}'] [data-testid='{inner}']")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sent_message_is_read_replied_to_and_revoked_in_real_browsers() {
    let server = Sealmail::start();
    server.add_user(ALICE, "Alice Sender", ALICE_PASSWORD);
    let files = tempfile::tempdir().unwrap();
    let attachment = files.path().join("figures.bin");
    let bytes = attachment_bytes();
    std::fs::write(&attachment, &bytes).unwrap();

    // The landing page is the recipient bundle; its sign-in link loads the
    // staff bundle (the server serves /signin from dist/staff/).
    let mut alice = Browser::start("alice", "en").await;
    alice.open(&format!("{}/", server.url)).await;
    alice.find("home-signin").await;
    alice.check_page("home").await;
    alice.click("home-signin").await;
    alice.find("page-signin").await;

    // The sender signs in; the compose page sends her back to it afterwards.
    alice.open(&format!("{}/compose", server.url)).await;
    alice.find("page-signin").await;
    alice.check_page("signin").await;
    alice.type_into("signin-email", ALICE).await;
    alice.type_into("signin-password", ALICE_PASSWORD).await;
    alice.click("signin-submit").await;

    // She writes to both recipients, attaches the file and sends.
    alice.find("page-compose").await;
    alice
        .type_into("compose-to", &format!("{BOB}, {CAROL}"))
        .await;
    alice.type_into("compose-subject", SUBJECT).await;
    alice
        .type_into(
            "compose-body",
            "Hello both,\nthe quarterly figures are attached.\nAlice",
        )
        .await;
    alice
        .find_present("compose-files")
        .await
        .send_keys(attachment.to_str().unwrap())
        .await
        .expect("the file input takes the file");
    alice
        .wait_for_text("compose-file-list", "figures.bin")
        .await;
    alice.check_page("compose").await;
    alice.click("compose-send").await;
    alice.find("compose-sent").await;
    let message_id = alice.text("compose-message-id").await.trim().to_owned();
    assert!(
        message_id.starts_with('<') && message_id.ends_with('>'),
        "{message_id}"
    );
    alice.check_page("compose-sent").await;

    // Both are listed as sent.
    alice.open(&format!("{}/sent", server.url)).await;
    alice.find("sent-row").await;
    assert_eq!(alice.text("sent-subject").await, SUBJECT);
    alice
        .wait_for_css_text(&recipient_in_sent(BOB, "recipient-state"), "Sent")
        .await;
    alice
        .wait_for_css_text(&recipient_in_sent(CAROL, "recipient-state"), "Sent")
        .await;
    alice.check_page("sent").await;

    // A mail scanner fetches the link before the person does: not an open.
    let bob_link = server.link_for(BOB);
    let scanned = server.plain_get(&bob_link);
    assert!(scanned.starts_with("HTTP/1.1 200"), "{scanned}");
    assert_eq!(recipient_state(&status(&server, &message_id), BOB), "sent");

    // Bob opens the link.
    let mut bob = Browser::start("bob", "en").await;
    bob.open(&bob_link).await;
    bob.find("page-link").await;
    assert!(bob.text("sender").await.contains("Alice Sender"));
    bob.check_page("link").await;
    // The link's info came once: the page preloaded it (server/src/http/
    // prefetch.rs) and the gate's request was answered from that preload.
    let token = bob_link.rsplit('/').next().unwrap();
    let info_fetches = format!(
        "return performance.getEntriesByType('resource')
            .filter(e => e.name.endsWith('/api/v1/links/{token}'))
            .map(e => e.initiatorType).join()"
    );
    assert_eq!(bob.script(&info_fetches).await, Value::from("link"));
    assert_eq!(
        recipient_state(&status(&server, &message_id), BOB),
        "sent",
        "showing the link page is not an open"
    );

    // He asks for a passcode; it goes to his address, shown masked.
    bob.click("send-passcode").await;
    bob.find("passcode").await;
    let sent_to = bob.text("sent-to").await;
    assert!(
        sent_to.contains("@example.net") && !sent_to.contains("bob@"),
        "{sent_to}"
    );
    bob.check_page("passcode").await;

    // A wrong passcode says so, with the tries left.
    let passcode = server.passcode_for(BOB);
    let wrong = if passcode == "00000000" {
        "11111111"
    } else {
        "00000000"
    };
    bob.type_into("passcode", wrong).await;
    bob.click("submit-passcode").await;
    bob.wait_for_text("passcode-error", "4").await;
    bob.check_page("passcode-wrong").await;

    // Meanwhile the gate has had the browser fetch the reader bundle
    // (the link page lists its files: server/src/http/prefetch.rs) ...
    bob.wait_until(READER_WASM_FETCHED, "the reader bundle's prefetch")
        .await;

    // The right one opens the message, in the reader bundle.
    bob.type_into("passcode", &passcode).await;
    bob.click("submit-passcode").await;
    bob.find("page-message").await;
    let url = bob.script("return location.href").await;
    assert_eq!(url, Value::String(format!("{bob_link}/read")));
    // ... so the reader's wasm came from the browser's cache, not the network.
    assert_eq!(
        bob.script(READER_WASM_FROM_CACHE).await,
        Value::Bool(true),
        "the reader's wasm was downloaded again"
    );
    assert_eq!(bob.text("subject").await, SUBJECT);
    assert!(
        bob.text("body-text")
            .await
            .contains("quarterly figures are attached")
    );
    assert!(bob.text("from").await.contains(ALICE));
    bob.check_page("message").await;
    assert_eq!(
        recipient_state(&status(&server, &message_id), BOB),
        "opened"
    );

    // The attachment downloads, byte for byte.
    let href = bob
        .find("attachment-link")
        .await
        .attr("href")
        .await
        .unwrap()
        .expect("a download link");
    let downloaded = bob
        .script_async(&format!(
            "const done = arguments[arguments.length - 1];
             fetch({href:?}).then(r => r.arrayBuffer())
               .then(b => done(Array.from(new Uint8Array(b))), e => done('error: ' + e));"
        ))
        .await;
    let downloaded: Vec<u8> = serde_json::from_value(downloaded).expect("the download's bytes");
    assert_eq!(downloaded.len(), bytes.len());
    assert!(
        downloaded == bytes,
        "the downloaded attachment differs from what was sent"
    );

    // He replies; Alice is notified.
    let mails_before = server.outbox().len();
    bob.type_into("reply-text", "Thanks Alice, received.").await;
    bob.click("reply-send").await;
    bob.find("reply-sent").await;
    bob.check_page("reply-sent").await;
    let notification = server.latest_mail_to(ALICE);
    assert!(
        server.outbox().len() > mails_before && notification.text.contains("/m/"),
        "{notification:?}"
    );

    // The sender's Sent view shows Bob's open and his reply.
    alice.reload().await;
    alice
        .wait_for_css_text(&recipient_in_sent(BOB, "recipient-state"), "Opened")
        .await;
    // And that the relay (here the outbox) took each notification.
    for address in [BOB, CAROL] {
        alice
            .wait_for_css_text(
                &recipient_in_sent(address, "recipient-delivery"),
                "Mail delivered",
            )
            .await;
    }
    alice
        .wait_for_css_text(&recipient_in_sent(CAROL, "recipient-state"), "Sent")
        .await;
    // The reply is listed by who sent it; its text is read through its own link.
    alice
        .wait_for_text("replies", &format!("Re: {SUBJECT}"))
        .await;
    alice.wait_for_text("replies", BOB).await;
    alice.check_page("sent-opened-replied").await;

    // She removes Bob's access, after a confirmation that says what will happen.
    alice
        .find_css(&recipient_in_sent(BOB, "revoke-recipient"))
        .await
        .click()
        .await
        .unwrap();
    alice.find("confirm-dialog").await;
    assert!(alice.text("confirm-body").await.contains(BOB));
    alice.check_page("sent-confirm").await;
    alice.click("confirm-revoke").await;
    alice
        .wait_for_css_text(&recipient_in_sent(BOB, "recipient-state"), "Revoked")
        .await;
    alice.reload().await;
    alice
        .wait_for_css_text(&recipient_in_sent(BOB, "recipient-state"), "Revoked")
        .await;
    alice
        .wait_for_css_text(&recipient_in_sent(CAROL, "recipient-state"), "Sent")
        .await;
    alice.check_page("sent-revoked-one").await;

    // Carol's notification may have gone astray: Alice mails her a new link,
    // after a confirmation, and the old one stops working.
    let carol_old_link = server.link_for(CAROL);
    alice
        .find_css(&recipient_in_sent(CAROL, "resend-recipient"))
        .await
        .click()
        .await
        .unwrap();
    alice.find("confirm-dialog").await;
    assert!(alice.text("confirm-body").await.contains(CAROL));
    alice.click("confirm-revoke").await;
    alice
        .wait_for_text("sent-status", &format!("A new link was mailed to {CAROL}."))
        .await;
    let carol_link = {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let link = server.link_for(CAROL);
            if link != carol_old_link {
                break link;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "no new link for Carol"
            );
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    };

    // Bob's next load shows the revoked page.
    bob.reload().await;
    bob.find("page-revoked").await;
    assert_eq!(
        bob.text("page-title").await,
        "The message has been revoked by the sender"
    );
    bob.check_page("revoked").await;
    bob.quit().await;

    // In the seeds' own words, in each of the portal's other languages.
    for (language, sentence) in [
        ("nl", "Het bericht is ingetrokken door de afzender"),
        ("da", "Meddelelsen er blevet tilbagekaldt af afsenderen"),
        ("ja", "メッセージは、送信者によって失効されています"),
    ] {
        let mut browser = Browser::start(&format!("bob-{language}"), language).await;
        browser.open(&bob_link).await;
        browser.find("page-revoked").await;
        assert_eq!(browser.text("page-title").await, sentence);
        let lang = browser.script("return document.documentElement.lang").await;
        assert_eq!(lang, language, "the document's lang follows the language");
        browser.check_page("revoked").await;
        browser.quit().await;
    }

    // Carol still reads, and her happy path logs nothing wrong to the console.
    let old = Browser::start("carol-old-link", "en").await;
    old.open(&carol_old_link).await;
    old.find("page-unknown-link").await;
    old.quit().await;
    let mut carol = Browser::start("carol", "en").await;
    carol.open(&carol_link).await;
    carol.click("send-passcode").await;
    carol.find("passcode").await;
    carol
        .type_into("passcode", &server.passcode_for(CAROL))
        .await;
    carol.click("submit-passcode").await;
    carol.find("page-message").await;
    assert_eq!(carol.text("subject").await, SUBJECT);
    carol.check_page("message").await;
    let problems: Vec<_> = carol
        .console()
        .await
        .into_iter()
        .filter(|(level, message)| level == "SEVERE" || message.contains("Content Security Policy"))
        .collect();
    assert!(
        problems.is_empty(),
        "the happy path logged errors to the console: {problems:#?}"
    );

    // An administrator looks the message up by its Message-ID and revokes the rest.
    server.add_admin(ADMIN, "Admin Demo", ADMIN_PASSWORD);
    let mut admin = Browser::start("admin", "en").await;
    admin.open(&format!("{}/admin", server.url)).await;
    admin.find("page-signin").await;
    admin.type_into("signin-email", ADMIN).await;
    admin.type_into("signin-password", ADMIN_PASSWORD).await;
    admin.click("signin-submit").await;
    admin.find("page-admin-status").await;
    admin.type_into("admin-message-id", &message_id).await;
    admin.click("admin-lookup").await;
    admin.find("admin-result").await;
    assert_eq!(admin.text("admin-subject").await, SUBJECT);
    assert_eq!(admin.text("admin-revocable").await, "Yes");
    assert_eq!(admin.text("admin-revoked").await, "No");
    admin.check_page("admin-status").await;
    admin.click("admin-revoke").await;
    admin.find("confirm-dialog").await;
    admin.check_page("admin-confirm").await;
    admin.click("confirm-revoke").await;
    admin.wait_for_text("admin-revoked", "Yes").await;
    assert_eq!(admin.text("admin-revocable").await, "No");
    admin.check_page("admin-revoked").await;
    admin.quit().await;
    carol.reload().await;
    carol.find("page-revoked").await;
    carol.check_page("revoked").await;
    carol.quit().await;
    let printed = server.cli(&["status", "--message-id", &message_id]);
    assert!(printed.contains("Revoked : True"), "{printed}");
    assert!(printed.contains("IsRevocable : False"), "{printed}");

    // The Sent view shows the whole message revoked, with nothing left to revoke.
    alice.reload().await;
    alice
        .wait_for_css_text(&recipient_in_sent(CAROL, "recipient-state"), "Revoked")
        .await;
    assert!(
        !alice.has("revoke-message").await,
        "a revoked message offers no revoke"
    );
    alice.check_page("sent-all-revoked").await;
    alice.quit().await;

    // Revoking it again is an error, and says why.
    let again = server.cli_output(&["revoke", "--message-id", &message_id], None);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already revoked"));
}

/// The reader bundle's wasm has been fetched into this page's cache.
const READER_WASM_FETCHED: &str = "return performance.getEntriesByType('resource')
    .some(e => e.name.includes('/reader/') && e.name.endsWith('_bg.wasm') && e.responseEnd > 0)";

/// Every fetch of the reader's wasm on this page came from the cache.
const READER_WASM_FROM_CACHE: &str = "const wasm = performance.getEntriesByType('resource')
    .filter(e => e.name.includes('/reader/') && e.name.endsWith('_bg.wasm'));
    return wasm.length > 0 && wasm.every(e => e.transferSize === 0);";
