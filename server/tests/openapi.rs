//! The API's OpenAPI document against the real router. Every route of
//! `routes::ALL` (which the document describes exactly: api/tests/openapi.rs)
//! is served, and no other method on its path; the anti-forgery header is
//! asked of exactly the methods the document says. The served document
//! passes Python's openapi-spec-validator, and answers the server gives —
//! anonymous calls to every route, and live ones: health, link info, the
//! message, an error, the Sent list, report, rules, audit — match the
//! schemas the document gives them (openapi-schema-validator), while answers
//! broken on purpose do not.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use axum::http::{Method, StatusCode, header};
use common::sender::message_to;
use common::{ALICE, BOB, TestApp, TestResponse};
use sealmail_api::ErrorCode;
use sealmail_api::admin::{
    AuditQuery, MailFlowAction, MailFlowCondition, NewMailFlowRule, ReportQuery,
};
use sealmail_api::routes::{self, CSRF_HEADER, CSRF_VALUE};
use serde::Serialize;
use serde_json::{Value, json};

const INSTALL_HINT: &str = "openapi-spec-validator is not installed: run `cargo xtask setup` \
     (it installs the pinned Python packages into .tools/python)";

/// An answer the server gave, as `tests/openapi_check.py` reads it.
#[derive(Serialize)]
struct Answer {
    method: &'static str,
    /// The route as the document names it (`/api/v1/links/{token}`).
    path: &'static str,
    status: u16,
    /// `None` for an answer without a body.
    content_type: Option<String>,
    body: Value,
    /// `false`: broken on purpose; its schema must refuse it.
    valid: bool,
}

impl Answer {
    fn of(method: routes::Method, path: &'static str, response: &TestResponse) -> Answer {
        let content_type = response.header(header::CONTENT_TYPE);
        let content_type = content_type.split(';').next().unwrap().trim().to_owned();
        let body = if content_type == "application/json" {
            response.json()
        } else {
            Value::String(response.text())
        };
        Answer {
            method: method.as_str(),
            path,
            status: response.status.as_u16(),
            content_type: (!content_type.is_empty()).then_some(content_type),
            body,
            valid: true,
        }
    }

    /// The same answer with its body changed so that it breaks the contract.
    fn broken(mut self, change: impl FnOnce(&mut Value)) -> Answer {
        change(&mut self.body);
        self.valid = false;
        self
    }
}

/// Runs the checker on `document` and `answers`: whether every check went as
/// expected, and what it printed.
fn check(document: &Value, answers: &[Answer]) -> (bool, String) {
    let dir = tempfile::tempdir().unwrap();
    let document_file = dir.path().join("openapi.json");
    let answers_file = dir.path().join("answers.json");
    std::fs::write(&document_file, serde_json::to_vec(document).unwrap()).unwrap();
    std::fs::write(&answers_file, serde_json::to_vec(answers).unwrap()).unwrap();
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let output = Command::new("python3")
        .env("PYTHONPATH", manifest.join("../.tools/python"))
        .arg(manifest.join("tests/openapi_check.py"))
        .args([&document_file, &answers_file])
        .output()
        .expect("python3 runs (install Python 3, then `cargo xtask setup`)");
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        !printed.contains("ModuleNotFoundError"),
        "{INSTALL_HINT}\n{printed}"
    );
    (output.status.success(), printed)
}

/// The document as the server serves it.
async fn served_document(app: &TestApp) -> Value {
    let response = app.get(routes::OPENAPI, None).await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.header(header::CONTENT_TYPE), "application/json");
    response.json()
}

/// `path` with each `{parameter}` made up.
fn made_up(path: &str) -> String {
    path.split('/')
        .map(|segment| {
            if segment.starts_with('{') {
                "1"
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// A call from someone who knows only the route: no session, made-up path
/// parameters, `{}` as the body of a state-changing request, and the
/// anti-forgery header or not.
async fn anonymous(
    app: &TestApp,
    method: routes::Method,
    path: &str,
    anti_forgery: bool,
) -> TestResponse {
    let http_method = Method::from_bytes(method.as_str().as_bytes()).unwrap();
    let mut headers = Vec::new();
    if anti_forgery {
        headers.push((CSRF_HEADER, CSRF_VALUE));
    }
    let body = if method.is_state_changing() {
        headers.push(("content-type", "application/json"));
        "{}"
    } else {
        ""
    };
    app.raw(http_method, &made_up(path), &headers, body).await
}

#[tokio::test]
async fn every_route_in_the_contract_is_served_and_no_other_method_on_its_path() {
    let app = TestApp::new().await;
    let no_route = app.get("/api/v1/no-such-route", None).await;
    assert_eq!(no_route.code(), ErrorCode::NotFound);

    for (method, path) in routes::ALL {
        let response = anonymous(&app, *method, path, true).await;
        let what = format!("{} {path}: {}", method.as_str(), response.text());
        assert_ne!(response.status, StatusCode::METHOD_NOT_ALLOWED, "{what}");
        assert!(
            !(response.status == StatusCode::NOT_FOUND && response.body == no_route.body),
            "{what}: no handler answers it"
        );
    }

    let paths: BTreeSet<&str> = routes::ALL.iter().map(|(_, path)| *path).collect();
    for path in paths {
        let taken: Vec<routes::Method> = routes::ALL
            .iter()
            .filter(|(_, p)| *p == path)
            .map(|(m, _)| *m)
            .collect();
        for method in routes::Method::ALL.iter().filter(|m| !taken.contains(m)) {
            let response = anonymous(&app, *method, path, true).await;
            assert_eq!(
                response.code(),
                ErrorCode::MethodNotAllowed,
                "{} {path} is served but not in routes::ALL",
                method.as_str()
            );
        }
    }
}

#[tokio::test]
async fn exactly_the_state_changing_routes_ask_for_the_anti_forgery_header() {
    let app = TestApp::new().await;
    for (method, path) in routes::ALL {
        let response = anonymous(&app, *method, path, false).await;
        let refused =
            response.status == StatusCode::FORBIDDEN && response.code() == ErrorCode::Forbidden;
        assert_eq!(
            refused,
            method.is_state_changing(),
            "{} {path} without the header: {} {}",
            method.as_str(),
            response.status,
            response.text()
        );
    }
}

#[tokio::test]
async fn the_served_document_is_valid_and_describes_every_anonymous_answer() {
    let app = TestApp::new().await;
    let document = served_document(&app).await;
    assert_eq!(
        document,
        serde_json::to_value(sealmail_api::openapi::document()).unwrap(),
        "the server serves the api crate's document"
    );

    let mut answers = Vec::new();
    for (method, path) in routes::ALL {
        let response = anonymous(&app, *method, path, true).await;
        answers.push(Answer::of(*method, path, &response));
        if method.is_state_changing() {
            let refused = anonymous(&app, *method, path, false).await;
            answers.push(Answer::of(*method, path, &refused));
        }
    }
    let (ok, printed) = check(&document, &answers);
    assert!(ok, "{printed}");
    let checked = printed.lines().filter(|l| l.starts_with("ok ")).count();
    assert_eq!(checked, answers.len() + 1, "{printed}");
}

#[tokio::test]
async fn live_answers_match_their_schemas_and_broken_ones_do_not() {
    use routes::Method::{Get, Post};
    let app = TestApp::new().await;
    let document = served_document(&app).await;
    let mut answers = Vec::new();

    let health = app.get(routes::HEALTH, None).await;
    answers.push(Answer::of(Get, routes::HEALTH, &health));
    answers.push(Answer::of(Get, routes::HEALTH, &health).broken(|b| *b = json!("fine")));

    // A sender sends through the API; the Sent list shows it.
    let alice = app.sender(ALICE).await;
    alice.send(&message_to(&[BOB])).await;
    let sent = alice.sent().response().await;
    answers.push(Answer::of(Get, routes::SENT, &sent));
    answers.push(
        Answer::of(Get, routes::SENT, &sent)
            .broken(|b| b["messages"][0]["sent_at"] = json!("yesterday")),
    );

    // The recipient: the link page, a wrong passcode, the message.
    let bob = app.recipient(BOB);
    let info = bob.open_link().response().await;
    answers.push(Answer::of(Get, routes::LINK, &info));
    answers.push(Answer::of(Get, routes::LINK, &info).broken(|b| {
        b.as_object_mut().unwrap().remove("sender");
    }));
    bob.request_passcode().await;
    let wrong = bob.submit_passcode(&bob.wrong_passcode()).response().await;
    assert_eq!(wrong.code(), ErrorCode::PasscodeWrong);
    answers.push(Answer::of(Post, routes::LINK_SESSION, &wrong));
    answers.push(
        Answer::of(Post, routes::LINK_SESSION, &wrong).broken(|b| b["tries_left"] = json!(-1)),
    );
    let bob = bob.signed_in().await;
    answers.push(Answer::of(
        Get,
        routes::LINK_MESSAGE,
        &bob.read().response().await,
    ));

    // An error: an unknown link, and a code that route never answers.
    let unknown = app
        .recipient_with_link(BOB, "no-such-token")
        .open_link()
        .response()
        .await;
    assert_eq!(unknown.code(), ErrorCode::LinkUnknown);
    answers.push(Answer::of(Get, routes::LINK, &unknown));
    answers
        .push(Answer::of(Get, routes::LINK, &unknown).broken(|b| b["code"] = json!("not_found")));

    // An administrator's report, rules and audit (flattened and tagged types).
    let admin = app.admin().await;
    let rule = NewMailFlowRule {
        name: "Secure subjects".into(),
        conditions: vec![MailFlowCondition::SubjectContains {
            words: vec!["[secure]".into()],
            strip: true,
        }],
        action: MailFlowAction::Relay,
        position: None,
    };
    admin.add_mail_flow_rule(&rule).await;
    let rules = admin.mail_flow_rules().response().await;
    answers.push(Answer::of(Get, routes::ADMIN_MAIL_FLOW_RULES, &rules));
    answers.push(
        Answer::of(Get, routes::ADMIN_MAIL_FLOW_RULES, &rules)
            .broken(|b| b[0]["action"] = json!({"kind": "shred"})),
    );
    let report = admin.report(&ReportQuery::default()).response().await;
    answers.push(Answer::of(Get, routes::ADMIN_REPORT, &report));
    let audit = admin.audit(&AuditQuery::default()).response().await;
    answers.push(Answer::of(Get, routes::ADMIN_AUDIT, &audit));

    let (ok, printed) = check(&document, &answers);
    assert!(ok, "{printed}");
    let refused = printed.lines().filter(|l| l.contains(" refused: ")).count();
    assert_eq!(
        refused,
        answers.iter().filter(|a| !a.valid).count(),
        "{printed}"
    );
}

#[tokio::test]
async fn the_validator_refuses_a_document_with_a_dangling_reference() {
    let app = TestApp::new().await;
    let mut document = served_document(&app).await;
    document["components"]["schemas"]
        .as_object_mut()
        .unwrap()
        .remove("Mailbox");
    let (ok, printed) = check(&document, &[]);
    assert!(!ok, "{printed}");
    assert!(printed.contains("Mailbox"), "{printed}");
}

#[tokio::test]
async fn api_token_answers_match_their_schemas_and_broken_ones_do_not() {
    use common::tokens::new_token;
    use routes::Method::{Delete, Get, Post};
    use sealmail_api::tokens::TokenScope;
    let app = TestApp::new().await;
    let document = served_document(&app).await;
    let alice = app.sender(ALICE).await;
    let mut answers = Vec::new();

    let created = alice
        .create_token(&new_token("ci", &[TokenScope::Status]))
        .response()
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    answers.push(Answer::of(Post, routes::TOKENS, &created));
    answers.push(Answer::of(Post, routes::TOKENS, &created).broken(|b| {
        b.as_object_mut().unwrap().remove("secret");
    }));
    let secret: sealmail_api::tokens::CreatedApiToken = created.json();

    // A script with it: its Sent list, and a refusal for a scope it lacks.
    let script = app.script(&secret.secret);
    answers.push(Answer::of(
        Get,
        routes::SENT,
        &script.sent().response().await,
    ));
    let refused = script.send(&message_to(&[BOB])).response().await;
    assert_eq!(refused.code(), ErrorCode::TokenScope);
    answers.push(Answer::of(Post, routes::MESSAGES, &refused));

    let listed = alice.tokens().response().await;
    answers.push(Answer::of(Get, routes::TOKENS, &listed));
    answers.push(
        Answer::of(Get, routes::TOKENS, &listed).broken(|b| b[0]["scopes"] = json!(["root"])),
    );
    let revoked = alice.revoke_token(secret.token.id).response().await;
    answers.push(Answer::of(Delete, routes::TOKEN, &revoked));
    answers
        .push(Answer::of(Delete, routes::TOKEN, &revoked).broken(|b| b["state"] = json!("paused")));
    let again = alice.revoke_token(secret.token.id).response().await;
    assert_eq!(again.code(), ErrorCode::AlreadyRevoked);
    answers.push(Answer::of(Delete, routes::TOKEN, &again));
    let bad = script.sent().response().await;
    assert_eq!(bad.code(), ErrorCode::TokenInvalid);
    answers.push(Answer::of(Get, routes::SENT, &bad));

    let (ok, printed) = check(&document, &answers);
    assert!(ok, "{printed}");
    let refused = printed.lines().filter(|l| l.contains(" refused: ")).count();
    assert_eq!(
        refused,
        answers.iter().filter(|a| !a.valid).count(),
        "{printed}"
    );
}

#[tokio::test]
async fn single_sign_on_answers_match_their_schemas() {
    use common::oidc::{Browser, EVE, OidcProvider, SAM};
    use routes::Method::Get;
    let provider = OidcProvider::start();
    let app = provider.app().await;
    let document = served_document(&app).await;
    let mut answers = Vec::new();

    let options = app.get(routes::SIGN_IN_OPTIONS, None).await;
    answers.push(Answer::of(Get, routes::SIGN_IN_OPTIONS, &options));
    answers.push(
        Answer::of(Get, routes::SIGN_IN_OPTIONS, &options)
            .broken(|b| b["single_sign_on"] = json!("Contoso ID")),
    );

    // A browser begins (303), a program finishes (JSON), then is refused.
    let mut browser = Browser::new(&app);
    let start = browser.open(routes::OIDC_START).await;
    assert_eq!(start.status, StatusCode::SEE_OTHER);
    answers.push(Answer::of(Get, routes::OIDC_START, &start));
    let to_provider = start.header(header::LOCATION);
    let callback = browser.at_provider(&to_provider, SAM).await;
    let signed_in = browser.fetch(&callback).await;
    answers.push(Answer::of(Get, routes::OIDC_CALLBACK, &signed_in));
    let replayed = browser.fetch(&callback).await;
    assert_eq!(replayed.code(), ErrorCode::SsoStateInvalid);
    answers.push(Answer::of(Get, routes::OIDC_CALLBACK, &replayed));
    answers.push(
        Answer::of(Get, routes::OIDC_CALLBACK, &replayed)
            .broken(|b| b["code"] = json!("credentials_wrong")),
    );
    // Someone else, in a browser of their own (the provider remembers Sam).
    let mut browser = Browser::new(&app);
    let to_provider = browser.start(None).await;
    let callback = browser.at_provider(&to_provider, EVE).await;
    let refused = browser.fetch(&callback).await;
    assert_eq!(refused.code(), ErrorCode::SsoAccountRefused);
    answers.push(Answer::of(Get, routes::OIDC_CALLBACK, &refused));
    // A browser's refusal: a 303 to the sign-in page.
    let to_provider = browser.start(None).await;
    let callback = browser.at_provider(&to_provider, EVE).await;
    let refused = browser.open(&callback).await;
    assert_eq!(refused.status, StatusCode::SEE_OTHER);
    answers.push(Answer::of(Get, routes::OIDC_CALLBACK, &refused));

    let (ok, printed) = check(&document, &answers);
    assert!(ok, "{printed}");
    let refused = printed.lines().filter(|l| l.contains(" refused: ")).count();
    assert_eq!(
        refused,
        answers.iter().filter(|a| !a.valid).count(),
        "{printed}"
    );
}
