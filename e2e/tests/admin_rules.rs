//! The mail-flow rules page in a real browser against the real server: an
//! administrator adds a rule through the form, moves it to the top of the
//! default rules, tries a pasted message against them (the verdict names
//! the rule and why it matched), and deletes it. The page, with its form open and with a
//! verdict shown, is screenshotted and checked with axe-core and for
//! Content-Security-Policy violations.

use sealmail_e2e::{Browser, Sealmail};

const ADMIN: &str = "admin@sealmail.test";
const ADMIN_PASSWORD: &str = "another long password";

const PASTED: &str = "From: alice@sealmail.test\nTo: bob@example.net\nSubject: [secure] Contract draft\n\nThe draft is attached.\n";

#[tokio::test(flavor = "multi_thread")]
async fn an_administrator_adds_a_rule_and_tests_a_message_against_it() {
    let server = Sealmail::start();
    server.add_admin(ADMIN, "Admin Demo", ADMIN_PASSWORD);

    let mut admin = Browser::start("admin-rules", "en").await;
    admin.open(&format!("{}/admin/rules", server.url)).await;
    admin.find("page-signin").await;
    admin.type_into("signin-email", ADMIN).await;
    admin.type_into("signin-password", ADMIN_PASSWORD).await;
    admin.click("signin-submit").await;

    admin.find("page-admin-rules").await;
    // The default set: protect outside mail tagged [secure], relay the rest.
    admin
        .wait_for_text("rules", "2. Relay everything else unprotected")
        .await;
    admin
        .type_into("rule-form-name", "Protect tagged mail")
        .await;
    admin.click("condition-add").await;
    admin
        .find_css("#rule-condition-1-kind option[value='subject_contains']")
        .await
        .click()
        .await
        .expect("choose the subject condition");
    admin.type_into("condition-text", "[secure]").await;
    admin.click("condition-flag").await;
    admin
        .find_css("#rule-protection option[value='do_not_forward']")
        .await
        .click()
        .await
        .expect("choose Do Not Forward");
    admin.check_page("admin-rules-form").await;
    admin.click("rule-save").await;
    admin
        .wait_for_text("rule-form-saved", "The rule was added.")
        .await;
    admin.wait_for_text("rules", "3. Protect tagged mail").await;
    admin
        .wait_for_text("rules", "Then: Protect it (Do Not Forward).")
        .await;
    // Added last; moved to the top, one place at a time.
    for (from, to) in [(3, "2. Protect tagged mail"), (2, "1. Protect tagged mail")] {
        admin
            .find_css(&format!(
                "li[data-testid='rule']:nth-child({from}) [data-testid='rule-up']"
            ))
            .await
            .click()
            .await
            .expect("click Move up");
        admin.wait_for_text("rules", to).await;
    }

    // The server's verdict for the pasted message names the rule.
    admin.type_into("rule-test-eml", PASTED).await;
    admin.click("rule-test-run").await;
    admin.find("verdicts").await;
    admin.wait_for_text("verdict", "bob@example.net").await;
    admin
        .wait_for_text("verdict-rule", "Rule “Protect tagged mail” matched.")
        .await;
    // And why, with what the server found in the mail.
    admin
        .wait_for_text("verdict-because", "The subject contains “[secure]”")
        .await;
    admin.check_page("admin-rules-verdict").await;

    // The delete dialog, checked while open.
    admin
        .find_css("li[data-testid='rule']:nth-child(1) [data-testid='rule-delete']")
        .await
        .click()
        .await
        .expect("click Delete rule");
    admin.find("confirm-dialog").await;
    admin.check_page("admin-rules-delete").await;
    admin.click("confirm-revoke").await;
    admin
        .wait_for_text("rules-status", "The rule was deleted.")
        .await;
    admin
        .wait_for_text("rules", "1. Protect mail to outside recipients")
        .await;
    assert!(!admin.text("rules").await.contains("Protect tagged mail"));
    admin.quit().await;
}
