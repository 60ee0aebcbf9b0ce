//! API tokens (issue 20 item 4): made on the command line or on the API
//! with a browser session, used by a script with `Authorization: Bearer`
//! and no anti-forgery header, within the token's scopes and the account's
//! role now; refused with the contract's JSON error when malformed, unknown,
//! expired, revoked or out of scope — every use and refusal audited, the
//! secret stored only as its hash.

mod common;

use axum::http::{Method, StatusCode};
use common::cli::{fails, ok, run_sealmail};
use common::sender::{DAVE, message_to};
use common::tokens::{new_token, token_create};
use common::{ALICE, BOB, TestApp};
use sealmail_api::ErrorCode;
use sealmail_api::admin::{AuditEvent, AuditKind, AuditOutcome, AuditQuery};
use sealmail_api::routes::{self, TOKEN_ROUTES};
use sealmail_api::tokens::{NewApiToken, TokenExpiry, TokenNeeds, TokenScope, TokenState};

use TokenScope::{Admin, Revoke, Send, Status};

/// The audit's `api_token_used` events, oldest first.
async fn token_uses(app: &TestApp) -> Vec<AuditEvent> {
    let mut events = app
        .admin()
        .await
        .audit(&AuditQuery {
            kind: Some(AuditKind::ApiTokenUsed),
            limit: Some(1000),
            ..Default::default()
        })
        .await
        .events;
    events.reverse();
    events
}

#[tokio::test]
async fn a_token_made_on_the_command_line_sends_reads_and_revokes_without_the_anti_forgery_header()
{
    let app = TestApp::new().await;
    app.add_user(ALICE, "Alice", false).await;
    let secret = token_create(
        &app.data_dir(),
        ALICE,
        &["--scope", "send,status,revoke", "--name", "deploy script"],
    );
    assert!(secret.starts_with("smt_") && secret.len() == 47, "{secret}");

    // Every call below carries the token and no `X-Sealmail` header.
    let script = app.script(&secret);
    assert_eq!(script.me().await.address, ALICE);
    let composed = script.send(&message_to(&[BOB])).await;
    let sent = script.sent().await;
    assert_eq!(sent.messages.len(), 1);
    assert_eq!(sent.messages[0].id, composed.id);
    assert_eq!(script.message(&composed.id).await.id, composed.id);
    let revoked = script.revoke(&composed.id).await;
    assert_eq!(revoked.state, sealmail_api::admin::MessageState::Revoked);
    assert_eq!(
        app.recipient(BOB).open_link().code().await,
        ErrorCode::MessageRevoked
    );

    // The revoke names the token that did it; each use names its route.
    let admin = app.admin().await;
    let revokes = admin
        .audit(&AuditQuery {
            kind: Some(AuditKind::Revoked),
            ..Default::default()
        })
        .await
        .events;
    assert_eq!(
        revokes[0].actor.as_deref(),
        Some("alice@sealmail.test via API token 1 (deploy script)")
    );
    let uses: Vec<String> = token_uses(&app)
        .await
        .into_iter()
        .map(|e| {
            assert_eq!(e.outcome, AuditOutcome::Success);
            assert_eq!(
                e.actor.as_deref(),
                Some("alice@sealmail.test via API token 1 (deploy script)")
            );
            e.detail.unwrap()
        })
        .collect();
    assert_eq!(
        uses,
        [
            "GET /api/v1/me",
            "POST /api/v1/messages",
            "GET /api/v1/sent",
            "GET /api/v1/messages/{id}",
            "POST /api/v1/messages/{id}/revoke",
        ]
    );
}

#[tokio::test]
async fn a_token_made_on_the_api_is_shown_once_listed_without_its_secret_and_revoked() {
    let app = TestApp::new().await;
    let alice = app.sender(ALICE).await;
    let created = alice
        .create_token(&NewApiToken {
            name: "  nightly report ".into(),
            scopes: vec![Status, Send, Status],
            expires: TokenExpiry::Days(30),
        })
        .await;
    let secret = created.secret.clone();
    assert!(secret.starts_with("smt_") && secret.len() == 47, "{secret}");
    let token = created.token;
    assert_eq!(token.name, "nightly report");
    assert_eq!(token.scopes, [Send, Status]);
    assert_eq!(token.state, TokenState::Active);
    assert_eq!(token.hint, secret[..8]);
    assert_eq!(token.last_used_at, None);
    let lifetime = common::unix_time(token.expires_at.as_ref().unwrap())
        - common::unix_time(&token.created_at);
    assert_eq!(lifetime, 30 * 86_400);

    // The list never carries the secret again.
    let listed = alice.get(routes::TOKENS).await;
    assert!(!listed.text().contains(&secret[8..]), "{}", listed.text());
    assert_eq!(alice.tokens().await, std::slice::from_ref(&token));

    // Its use is noted, at most once a minute.
    app.script(&secret).sent().await;
    assert!(alice.tokens().await[0].last_used_at.is_some());
    app.sql(&format!(
        "UPDATE api_tokens SET last_used_at = {}",
        sealmail::store::now() - 30
    ))
    .await;
    let half_a_minute_ago = alice.tokens().await[0].last_used_at.clone();
    app.script(&secret).sent().await;
    assert_eq!(alice.tokens().await[0].last_used_at, half_a_minute_ago);
    app.sql("UPDATE api_tokens SET last_used_at = 1000").await;
    app.script(&secret).sent().await;
    let noted = alice.tokens().await[0].last_used_at.clone().unwrap();
    assert!(common::unix_time(&noted) > 1000);

    // Revoked: refused from now on, and listed as revoked.
    let revoked = alice.revoke_token(token.id).await;
    assert_eq!(revoked.state, TokenState::Revoked);
    assert!(revoked.revoked_at.is_some());
    let refused = app.script(&secret).sent().response().await;
    assert_eq!(refused.code(), ErrorCode::TokenInvalid);
    assert_eq!(alice.tokens().await[0].state, TokenState::Revoked);
    assert_eq!(
        alice.revoke_token(token.id).code().await,
        ErrorCode::AlreadyRevoked
    );

    // Another account's token is not there for Alice.
    let dave = app.sender(DAVE).await;
    let daves = dave.create_token(&new_token("dave's", &[Send])).await;
    assert_eq!(
        alice.revoke_token(daves.token.id).code().await,
        ErrorCode::NotFound
    );
    assert_eq!(alice.tokens().await.len(), 1);
    assert_eq!(
        app.script(&daves.secret).me().await.address,
        "dave@sealmail.test"
    );
}

/// `route` with every `{param}` filled in.
fn path_of(route: &str) -> String {
    let mut path = String::new();
    let mut rest = route;
    while let Some(start) = rest.find('{') {
        path.push_str(&rest[..start]);
        path.push_str("999999");
        rest = &rest[rest[start..].find('}').unwrap() + start + 1..];
    }
    path.push_str(rest);
    path
}

#[tokio::test]
async fn every_sender_and_admin_route_refuses_a_token_without_its_scope_and_takes_one_with_it() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let mut secrets = std::collections::HashMap::new();
    for scope in TokenScope::ALL {
        let all_but: Vec<TokenScope> = TokenScope::ALL
            .into_iter()
            .filter(|s| *s != scope)
            .collect();
        let without = admin.create_token(&new_token("without", &all_but)).await;
        let only = admin.create_token(&new_token("only", &[scope])).await;
        secrets.insert(scope, (without.secret, only.secret));
    }
    for route in TOKEN_ROUTES {
        let TokenNeeds::Scope(scope) = route.needs else {
            continue;
        };
        let what = format!("{} {}", route.method.as_str(), route.route);
        let method = Method::from_bytes(route.method.as_str().as_bytes()).unwrap();
        let (without, only) = &secrets[&scope];
        let refused = app
            .script(without)
            .request(method.clone(), path_of(route.route))
            .json(&serde_json::json!({}))
            .response()
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{what}");
        assert_eq!(refused.code(), ErrorCode::TokenScope, "{what}");
        // The line matches a real route: the right scope gets to its handler.
        let taken = app
            .script(only)
            .request(method, path_of(route.route))
            .json(&serde_json::json!({}))
            .response()
            .await;
        if !taken.status.is_success() {
            let code = taken.code();
            assert!(
                !matches!(
                    code,
                    ErrorCode::TokenScope
                        | ErrorCode::TokenInvalid
                        | ErrorCode::Forbidden
                        | ErrorCode::NotSignedIn
                ),
                "{what}: {code}"
            );
        }
    }
    // Each refusal is audited: whose token, which scope it lacked, where.
    let refusals: Vec<AuditEvent> = token_uses(&app)
        .await
        .into_iter()
        .filter(|e| e.outcome == AuditOutcome::Failure)
        .collect();
    let scoped = TOKEN_ROUTES
        .iter()
        .filter(|r| r.needs != TokenNeeds::AnyScope)
        .count();
    assert_eq!(refusals.len(), scoped);
    assert!(
        refusals
            .iter()
            .any(|e| e.detail.as_deref()
                == Some("token_scope (lacks scope send) POST /api/v1/messages")),
        "{refusals:#?}"
    );
    assert!(refusals.iter().all(|e| {
        e.actor
            .as_deref()
            .is_some_and(|a| a.starts_with("admin@sealmail.test via API token "))
    }));
}

#[tokio::test]
async fn any_working_token_may_ask_who_it_is() {
    let app = TestApp::new().await;
    let alice = app.sender(ALICE).await;
    for scope in [Send, Status, Revoke] {
        let created = alice.create_token(&new_token("who", &[scope])).await;
        let me = app.script(&created.secret).me().await;
        assert_eq!(me.address, ALICE);
        assert!(!me.is_admin);
    }
}

#[tokio::test]
async fn a_token_cannot_sign_in_out_or_manage_tokens_nor_act_on_a_recipients_routes() {
    let app = TestApp::new().await;
    let alice = app.sender(ALICE).await;
    let created = alice
        .create_token(&new_token("everything", &[Send, Status, Revoke]))
        .await;
    let script = app.script(&created.secret);
    let refused = [
        script.tokens().response().await,
        script
            .create_token(&new_token("minted", &[Send]))
            .response()
            .await,
        script.revoke_token(created.token.id).response().await,
        script.sign_out().response().await,
        script
            .request(Method::GET, routes::link("some-link-token"))
            .response()
            .await,
        script.request(Method::GET, routes::HEALTH).response().await,
        script
            .request(Method::GET, "/api/v1/no-such-route")
            .response()
            .await,
    ];
    for response in refused {
        assert_eq!(
            response.code(),
            ErrorCode::TokenScope,
            "{}",
            response.text()
        );
    }
    // The session beside it does not count: the token decides alone.
    let both = alice.with_token(&created.secret);
    assert_eq!(both.tokens().response().await.code(), ErrorCode::TokenScope);
    assert_eq!(alice.tokens().await.len(), 1);
    assert_eq!(alice.tokens().await[0].state, TokenState::Active);
    // Dave's token with Alice's cookie is Dave.
    let dave = app.sender(DAVE).await;
    let daves = dave.create_token(&new_token("dave", &[Status])).await;
    assert_eq!(
        alice.with_token(&daves.secret).me().await.address,
        "dave@sealmail.test"
    );
}

#[tokio::test]
async fn only_an_administrator_may_give_a_token_the_admin_scope() {
    let app = TestApp::new().await;
    let alice = app.sender(ALICE).await;
    let refused = alice
        .create_token(&new_token("admin please", &[Status, Admin]))
        .response()
        .await;
    assert_eq!(refused.code(), ErrorCode::Forbidden);
    assert!(alice.tokens().await.is_empty());
    let line = fails(run_sealmail(
        &app.data_dir(),
        &["token", "create", "--user", ALICE, "--scope", "admin"],
        "",
    ));
    assert!(line.contains("administrator"), "{line}");
    assert_eq!(app.rows_in("api_tokens").await, 0);
}

#[tokio::test]
async fn a_demoted_administrators_token_loses_the_admin_api_at_once() {
    let app = TestApp::new().await;
    let ops = "ops@sealmail.test";
    app.add_user(ops, "Ops", true).await;
    let message_id = app.send(&[BOB], &[], &[]).await;
    let created = app
        .sender(ops)
        .await
        .create_token(&new_token("ops", &[Status, Admin]))
        .await;
    let script = app.script(&created.secret);
    assert_eq!(
        script.as_admin().status(&message_id).await.message_id,
        message_id
    );

    app.sql("UPDATE users SET is_admin = FALSE WHERE email = 'ops@sealmail.test'")
        .await;
    let refused = script.as_admin().status(&message_id).response().await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(refused.code(), ErrorCode::Forbidden);
    assert!(!script.me().await.is_admin);
    // Its other scope still works.
    script.sent().await;

    let last = token_uses(&app).await;
    let refusal = last
        .iter()
        .find(|e| e.outcome == AuditOutcome::Failure)
        .unwrap();
    assert_eq!(
        refusal.detail.as_deref(),
        Some("forbidden (not an administrator) GET /api/v1/admin/messages/{message_id}")
    );
    assert_eq!(
        refusal.actor.as_deref(),
        Some("ops@sealmail.test via API token 1 (ops)")
    );
}

#[tokio::test]
async fn an_expired_token_is_refused_and_the_audit_says_so() {
    let app = TestApp::new().await;
    let alice = app.sender(ALICE).await;
    let created = alice
        .create_token(&NewApiToken {
            expires: TokenExpiry::Days(1),
            ..new_token("short", &[Status])
        })
        .await;
    app.script(&created.secret).sent().await;
    app.sql("UPDATE api_tokens SET expires_at = 1000").await;

    let refused = app.script(&created.secret).sent().response().await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert_eq!(refused.code(), ErrorCode::TokenInvalid);
    assert_eq!(alice.tokens().await[0].state, TokenState::Expired);
    let uses = token_uses(&app).await;
    let refusal = uses.last().unwrap();
    assert_eq!(refusal.outcome, AuditOutcome::Failure);
    assert_eq!(
        refusal.detail.as_deref(),
        Some("token_invalid (expired) GET /api/v1/sent")
    );
    assert_eq!(
        refusal.actor.as_deref(),
        Some("alice@sealmail.test via API token 1 (short)")
    );
}

#[tokio::test]
async fn a_token_can_be_made_to_last_forever_but_not_for_zero_days_or_without_a_scope() {
    let app = TestApp::new().await;
    let alice = app.sender(ALICE).await;
    let forever = alice
        .create_token(&NewApiToken {
            expires: TokenExpiry::Never,
            ..new_token("forever", &[Status])
        })
        .await;
    assert_eq!(forever.token.expires_at, None);
    for bad in [
        NewApiToken {
            expires: TokenExpiry::Days(0),
            ..new_token("zero", &[Status])
        },
        NewApiToken {
            expires: TokenExpiry::Days(3651),
            ..new_token("ten years and a day", &[Status])
        },
        new_token("nothing", &[]),
        new_token("   ", &[Status]),
        new_token(&"x".repeat(101), &[Status]),
        new_token("line\nbreak", &[Status]),
    ] {
        let refused = alice.create_token(&bad).response().await;
        assert_eq!(refused.code(), ErrorCode::InvalidRequest, "{}", bad.name);
    }
    let unknown_scope = alice
        .call::<serde_json::Value>(Method::POST, routes::TOKENS)
        .json(&serde_json::json!({"name": "x", "scopes": ["everything"]}))
        .response()
        .await;
    assert_eq!(unknown_scope.code(), ErrorCode::InvalidRequest);
    assert_eq!(alice.tokens().await.len(), 1);
}

#[tokio::test]
async fn an_account_has_at_most_fifty_working_tokens() {
    let app = TestApp::new().await;
    let alice = app.sender(ALICE).await;
    let mut first = None;
    for n in 0..50 {
        let created = alice
            .create_token(&new_token(&format!("t{n}"), &[Status]))
            .await;
        first.get_or_insert(created.token.id);
    }
    let refused = alice
        .create_token(&new_token("one too many", &[Status]))
        .response()
        .await;
    assert_eq!(refused.code(), ErrorCode::InvalidRequest);
    // A revoked one makes room.
    alice.revoke_token(first.unwrap()).await;
    alice
        .create_token(&new_token("in its place", &[Status]))
        .await;
}

#[tokio::test]
async fn malformed_and_unknown_tokens_are_refused_with_the_contracts_json_error_and_audited() {
    let app = TestApp::new().await;
    let alice = app.sender(ALICE).await;
    let good = alice
        .create_token(&new_token("good", &[Status]))
        .await
        .secret;
    let unknown = format!("smt_{}", "A".repeat(43));
    let wrong_prefix = format!("ghp_{}", &good[4..]);
    let huge = format!("Bearer smt_{}", "a".repeat(10 * 1024));
    let headers = [
        "Bearer".to_owned(),
        "Bearer ".to_owned(),
        "Bearer x".to_owned(),
        format!("Bearer {wrong_prefix}"),
        format!("Bearer {good}x"),
        huge,
        format!("Bearer {unknown}"),
    ];
    for header in &headers {
        let response = app
            .session("")
            .request(Method::POST, routes::MESSAGES)
            .authorization(header)
            .json(&serde_json::json!({}))
            .response()
            .await;
        assert_eq!(response.status, StatusCode::UNAUTHORIZED, "{header:.40}");
        let body = response.error();
        assert_eq!(body.code, ErrorCode::TokenInvalid);
        assert_eq!(
            body.message,
            "the API token is malformed, unknown, expired or revoked"
        );
    }
    let refusals = token_uses(&app).await;
    assert_eq!(refusals.len(), headers.len());
    let details: Vec<&str> = refusals
        .iter()
        .map(|e| e.detail.as_deref().unwrap())
        .collect();
    assert_eq!(
        details[..6],
        ["token_invalid (malformed) POST /api/v1/messages"; 6]
    );
    assert_eq!(details[6], "token_invalid (unknown) POST /api/v1/messages");
    for event in &refusals {
        assert_eq!(event.outcome, AuditOutcome::Failure);
        assert_eq!(event.actor, None);
    }
    // Nothing of a presented token is kept.
    let csv = app.admin().await.audit_csv(&AuditQuery::default()).await;
    for secret in [&good[4..], &unknown[4..], &wrong_prefix[4..]] {
        assert!(!csv.contains(secret), "{csv}");
    }

    // Another scheme is not a token: a proxy's Basic is let be.
    let basic = app
        .session("")
        .request(Method::GET, routes::ME)
        .authorization("Basic dXNlcjpwYXNz")
        .response()
        .await;
    assert_eq!(basic.code(), ErrorCode::NotSignedIn);
    // And without a token, the anti-forgery header is still needed.
    let forged = app
        .session(alice.cookie())
        .request(Method::POST, routes::TOKENS)
        .authorization("Basic dXNlcjpwYXNz")
        .json(&new_token("forged", &[Send]))
        .response()
        .await;
    assert_eq!(forged.code(), ErrorCode::Forbidden);
    assert_eq!(alice.tokens().await.len(), 1);
}

#[tokio::test]
async fn a_token_is_stored_only_as_its_hash() {
    let app = TestApp::new().await;
    let alice = app.sender(ALICE).await;
    let secret = alice
        .create_token(&new_token("hashed", &[Status]))
        .await
        .secret;
    let from_cli = token_create(&app.data_dir(), ALICE, &["--scope", "send"]);
    app.script(&secret).sent().await;
    app.script(&from_cli).me().await;

    sealmail::store::checkpoint(&app.state.db).await.unwrap();
    let mut stored = Vec::new();
    for file in ["sealmail.db", "sealmail.db-wal"] {
        if let Ok(bytes) = std::fs::read(app.data_dir().join(file)) {
            stored.extend(bytes);
        }
    }
    let contains = |needle: &[u8]| stored.windows(needle.len()).any(|w| w == needle);
    for secret in [&secret, &from_cli] {
        // Neither the secret nor its random part; its SHA-256 is what is kept.
        assert!(!contains(secret.as_bytes()));
        assert!(!contains(&secret.as_bytes()[8..]));
        assert!(contains(&sealmail::crypto::sha256(secret.as_bytes())));
    }
}

#[tokio::test]
async fn sealmail_token_lists_and_revokes_and_never_prints_a_secret_again() {
    let app = TestApp::new().await;
    app.add_user(ALICE, "Alice", false).await;
    let data = app.data_dir();
    let secret = token_create(
        &data,
        ALICE,
        &["--scope", "status", "--name", "ci", "--expires", "never"],
    );
    let listed = ok(run_sealmail(&data, &["token", "list", "--user", ALICE], ""));
    assert!(listed.starts_with(
        "1\talice@sealmail.test\tci\tstatus\tactive\tnever expires\tnever used\tsmt_"
    ));
    assert!(!listed.contains(&secret[8..]), "{listed}");
    let json = ok(run_sealmail(&data, &["token", "list", "--json"], ""));
    let tokens: Vec<sealmail_api::tokens::ApiToken> = serde_json::from_str(&json).unwrap();
    assert_eq!(tokens[0].hint, secret[..8]);

    app.script(&secret).sent().await;
    let revoked = ok(run_sealmail(&data, &["token", "revoke", "--id", "1"], ""));
    assert_eq!(revoked.trim(), "revoked API token 1 (ci)");
    assert_eq!(
        app.script(&secret).sent().code().await,
        ErrorCode::TokenInvalid
    );
    let again = fails(run_sealmail(&data, &["token", "revoke", "--id", "1"], ""));
    assert!(again.contains("already revoked"), "{again}");
    let bad_scope = run_sealmail(
        &data,
        &[
            "token",
            "create",
            "--user",
            ALICE,
            "--scope",
            "send,everything",
        ],
        "",
    );
    assert!(!bad_scope.status.success());
    let said = String::from_utf8_lossy(&bad_scope.stderr);
    assert!(said.contains("`everything` is not a scope"), "{said}");

    // Both are in the audit, as the command line's.
    let admin = app.admin().await;
    let events = admin.audit(&AuditQuery::default()).await.events;
    let created = events
        .iter()
        .find(|e| e.kind == AuditKind::ApiTokenCreated)
        .unwrap();
    assert_eq!(
        created.actor.as_deref(),
        Some("sealmail token create (command line)")
    );
    assert_eq!(
        created.detail.as_deref(),
        Some("token 1 (ci) of alice@sealmail.test: status; never expires")
    );
    assert!(events.iter().any(
        |e| e.kind == AuditKind::ApiTokenRevoked && e.detail.as_deref() == Some("token 1 (ci)")
    ));
}
