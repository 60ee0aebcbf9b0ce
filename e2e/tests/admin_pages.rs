//! The admin pages in a real browser against the real server, with data in
//! them: message trace, the status page with one recipient's access removed,
//! the encryption report, the access audit, and branding (a template with an
//! organisation name and an uploaded logo, which the next message's link page
//! then shows). Every page is screenshotted and checked with axe-core and for
//! Content-Security-Policy violations.

use sealmail_e2e::{Browser, Sealmail};

const ALICE: &str = "alice@sealmail.test";
const BOB: &str = "bob@example.net";
const CAROL: &str = "carol@example.org";
const DAN: &str = "dan@fabrikam.example";
const ADMIN: &str = "admin@sealmail.test";
const ADMIN_PASSWORD: &str = "another long password";

/// A real 1×1 PNG (a transparent pixel): the server checks a logo's bytes.
const PIXEL_PNG: [u8; 67] = [
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
    0x42, 0x60, 0x82,
];

fn send(server: &Sealmail, to: &[&str], subject: &str) -> String {
    let mut args = vec!["send", "--from", ALICE, "--subject", subject];
    for address in to {
        args.extend(["--to", address]);
    }
    server.cli(&args).trim().to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_admin_pages_work_with_data_and_pass_axe() {
    let server = Sealmail::start();
    server.add_admin(ADMIN, "Admin Demo", ADMIN_PASSWORD);
    server.add_user(ALICE, "Alice Sender", "a long demo password");
    send(&server, &[BOB, CAROL], "Quarterly figures");
    send(&server, &[DAN], "Contract draft");

    let mut admin = Browser::start("admin-pages", "en").await;
    admin.open(&format!("{}/admin/trace", server.url)).await;
    admin.find("page-signin").await;
    admin.type_into("signin-email", ADMIN).await;
    admin.type_into("signin-password", ADMIN_PASSWORD).await;
    admin.click("signin-submit").await;

    // Message trace: by recipient, then open the status page from the result.
    admin.find("page-admin-trace").await;
    admin.type_into("trace-recipient", "example.org").await;
    admin.click("trace-search").await;
    admin.find("trace-row").await;
    admin
        .wait_for_text("trace-results", "Quarterly figures")
        .await;
    assert!(!admin.text("trace-results").await.contains("Contract draft"));
    admin.check_page("admin-trace").await;
    admin.click("trace-status-link").await;
    admin.find("admin-result").await;
    assert_eq!(admin.text("admin-subject").await, "Quarterly figures");

    // One recipient's access goes; the message stays active for the other.
    admin
        .find_css(&format!(
            "[data-testid='recipient'][data-address='{BOB}'] [data-testid='revoke-recipient']"
        ))
        .await
        .click()
        .await
        .expect("click Remove external access for bob");
    admin.find("confirm-dialog").await;
    admin.check_page("admin-recipient-confirm").await;
    admin.click("confirm-revoke").await;
    admin
        .wait_for_text("admin-status-notice", "External access was removed.")
        .await;
    assert_eq!(admin.text("admin-revoked").await, "No");
    admin.check_page("admin-recipient-revoked").await;
    let bob = server.plain_get(&server.link_for(BOB).replace("/m/", "/api/v1/links/"));
    assert!(bob.contains("message_revoked"), "{bob}");

    // The encryption report for the default period.
    admin.open(&format!("{}/admin/report", server.url)).await;
    admin.find("report-totals").await;
    admin.wait_for_text("total-sent", "2").await;
    admin.find("report-chart").await;
    admin.wait_for_text("report-domains", "example.org").await;
    admin.check_page("admin-report").await;

    // The access audit lists the revoke, by the administrator.
    admin.open(&format!("{}/admin/audit", server.url)).await;
    admin.find("audit-table").await;
    admin.wait_for_text("audit-table", ADMIN).await;
    admin.wait_for_text("audit-table", BOB).await;
    admin.check_page("admin-audit").await;

    // Branding: a new template with an organisation name, then its logo.
    admin.open(&format!("{}/admin/branding", server.url)).await;
    admin.find("page-admin-branding").await;
    admin.find("logo-save-first").await;
    admin.type_into("branding-name", "Contoso").await;
    admin
        .type_into("branding-organisation", "Contoso Legal")
        .await;
    admin
        .wait_for_text("preview-organisation", "Contoso Legal")
        .await;
    admin.click("branding-save").await;
    admin.wait_for_text("branding-saved", "Saved.").await;
    let files = tempfile::tempdir().unwrap();
    let logo = files.path().join("logo.png");
    std::fs::write(&logo, PIXEL_PNG).unwrap();
    admin
        .find("logo-file")
        .await
        .send_keys(logo.to_str().unwrap())
        .await
        .expect("pick the logo");
    admin
        .wait_for_text("logo-status", "The logo was saved.")
        .await;
    admin.find("preview-logo").await;
    let loaded = admin
        .script("return document.querySelector('[data-testid=preview-logo]').naturalWidth;")
        .await;
    assert_eq!(loaded, 1, "the logo loads from the server under the CSP");
    admin.check_page("admin-branding").await;
    admin.quit().await;

    // The first template is the default: the next message's link page shows
    // its organisation and logo.
    send(&server, &[CAROL], "With the new branding");
    let mut carol = Browser::start("branded-link", "en").await;
    carol.open(&server.link_for(CAROL)).await;
    carol.find("brand-logo").await;
    carol
        .wait_for_text("brand-organisation", "Contoso Legal")
        .await;
    let loaded = carol
        .script("return document.querySelector('[data-testid=brand-logo]').naturalWidth;")
        .await;
    assert_eq!(loaded, 1);
    carol.check_page("branded-link").await;
    carol.quit().await;
}
