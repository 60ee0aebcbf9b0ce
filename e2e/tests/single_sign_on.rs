//! Staff single sign-on in a real browser: the sign-in page's button takes
//! Chromium to a real OpenID Connect provider (npm `oidc-provider`) and back,
//! signed in with the session cookie the rest of the portal uses (SameSite
//! Strict, set at the end of a redirect chain that began on another site);
//! a refused sign-in comes back to the sign-in page, which says why in the
//! reader's language. Both pages are screenshotted and checked with axe-core.

use sealmail_e2e::{Browser, OidcProvider, Sealmail, free_port};

#[tokio::test(flavor = "multi_thread")]
async fn staff_sign_in_with_the_identity_provider_and_a_refusal_is_explained() {
    let (allowing, refusing) = (free_port(), free_port());
    let callback = |port: u16| format!("http://127.0.0.1:{port}/api/v1/oidc/callback");
    let provider = OidcProvider::start(&[callback(allowing), callback(refusing)]);

    // Ann is headed for the audit; the sign-in page offers the provider.
    let server = Sealmail::start_on(allowing, &provider.settings("contoso.example"));
    let mut ann = Browser::start("sso", "en").await;
    ann.open(&format!("{}/admin/audit", server.url)).await;
    ann.find("page-signin").await;
    ann.wait_for_text("signin-sso", "Sign in with Contoso ID")
        .await;
    ann.check_page("signin-with-sso").await;
    ann.click("signin-sso").await;

    // The provider signs her in and sends her back, to where she was headed:
    // an administrator by her group, her sign-in in the audit.
    ann.find("page-admin-audit").await;
    ann.wait_for_text("nav-who", "Ann Admin").await;
    assert!(ann.has("nav-admin").await);
    ann.wait_for_text("audit-table", "oidc, account created, administrator")
        .await;
    ann.quit().await;

    // A server that allows only another domain refuses her.
    let strict = Sealmail::start_on(refusing, &provider.settings("fabrikam.example"));
    let mut refused = Browser::start("sso-refused", "nl").await;
    refused.open(&format!("{}/signin", strict.url)).await;
    refused.click("signin-sso").await;
    refused
        .wait_for_text(
            "signin-sso-error",
            "Uw account bij de identiteitsprovider mag zich niet aanmelden bij Sealmail.",
        )
        .await;
    assert!(refused.has("signin-email").await, "the password form stays");
    refused.check_page("signin-sso-refused").await;
    refused.quit().await;
}
