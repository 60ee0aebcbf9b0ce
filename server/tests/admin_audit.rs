//! The access audit: every recipient access, revoke and sign-in is recorded
//! with its outcome and client address, filterable, exportable as CSV (API
//! and `sealmail audit --csv`), and never holds a secret.

mod common;

use axum::http::{Method, StatusCode, header};
use common::cli::{ok, run_sealmail};
use common::sender::{PASSWORD, message_to};
use common::{ALICE, BOB, CAROL, SECRET_BODY, TestApp};
use sealmail_api::ErrorCode;
use sealmail_api::admin::{AuditKind, AuditOutcome, AuditQuery};
use sealmail_api::recipient::PasscodeSubmit;
use sealmail_api::routes;
use sealmail_api::sender::RevokeRequest;

/// A whole recipient flow; returns the secrets it involved.
async fn full_flow(app: &TestApp) -> (String, Vec<String>) {
    let alice = app.sender(ALICE).await;
    let composed = alice
        .send(&message_to(&[BOB, CAROL]))
        .file("plan.pdf", "application/pdf", b"%PDF secret plan")
        .await;
    let bob = app.recipient(BOB);
    bob.request_passcode().await;
    let passcode = bob.passcode_from_mail();
    assert_eq!(
        bob.submit_passcode(&bob.wrong_passcode())
            .response()
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let opened = bob.submit_passcode(&passcode).response().await;
    let bob = bob.with_session(&opened.session_cookie().unwrap());
    let view = bob.read().await;
    bob.download(&view.attachments[0].id).await;
    bob.reply("Thanks, received").await;
    alice.revoke(&composed.id).only(CAROL).await;
    let secrets = vec![
        bob.token().to_owned(),
        passcode,
        bob.session_id().to_owned(),
        alice.session_id().to_owned(),
        PASSWORD.to_owned(),
        SECRET_BODY.to_owned(),
        "secret plan".to_owned(),
        "Thanks, received".to_owned(),
    ];
    (composed.message_id, secrets)
}

#[tokio::test]
async fn the_audit_csv_holds_every_event_of_a_full_flow_and_no_secrets() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let (message_id, secrets) = full_flow(&app).await;

    let response = admin.audit_csv(&AuditQuery::default()).response().await;
    assert_eq!(response.status, StatusCode::OK);
    assert!(
        response
            .header(header::CONTENT_TYPE)
            .starts_with("text/csv")
    );
    let csv = response.text();
    let rows: Vec<Vec<&str>> = csv.lines().map(|l| l.split(',').collect()).collect();
    assert_eq!(
        rows[0],
        [
            "id",
            "at",
            "kind",
            "outcome",
            "message_id",
            "recipient",
            "actor",
            "client_address",
            "detail"
        ]
    );
    let has = |kind: &str, outcome: &str, recipient: &str, detail: &str| {
        rows.iter().any(|r| {
            r[2] == kind
                && r[3] == outcome
                && r[4] == message_id
                && r[5] == recipient
                && r[8] == detail
        })
    };
    assert!(has("passcode_requested", "success", BOB, ""), "{csv}");
    assert!(
        has("passcode_entered", "failure", BOB, "passcode_wrong"),
        "{csv}"
    );
    assert!(has("passcode_entered", "success", BOB, ""), "{csv}");
    // Once: on PostgreSQL the entry stores it with the session, and the
    // access audit's middleware then does not.
    let entered = rows
        .iter()
        .filter(|r| r[2] == "passcode_entered" && r[3] == "success")
        .count();
    assert_eq!(entered, 1, "{csv}");
    assert!(has("message_opened", "success", BOB, ""), "{csv}");
    assert!(
        has("attachment_downloaded", "success", BOB, "plan.pdf"),
        "{csv}"
    );
    assert!(has("reply_sent", "success", BOB, ""), "{csv}");
    assert!(
        rows.iter()
            .any(|r| r[2] == "revoked" && r[5] == CAROL && r[6] == ALICE && r[3] == "success"),
        "{csv}"
    );
    assert!(
        rows.iter().any(|r| r[2] == "sign_in" && r[6] == ALICE),
        "{csv}"
    );
    for secret in &secrets {
        assert!(
            !csv.contains(secret.as_str()),
            "the CSV holds a secret: {secret}"
        );
    }
    // Nor does the table behind it.
    let dump: Vec<String> = sealmail::store::on_db!(&app.state.db, |c| sqlx::query_scalar(
        "SELECT COALESCE(message_id,'') || COALESCE(recipient,'') || COALESCE(actor,'') ||
                COALESCE(client_address,'') || COALESCE(detail,'') FROM audit_events",
    )
    .fetch_all(c)
    .await)
    .unwrap();
    for secret in &secrets {
        assert!(dump.iter().all(|row| !row.contains(secret.as_str())));
    }
}

#[tokio::test]
async fn a_refused_message_view_is_audited_with_its_error_code() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let alice = app.sender(ALICE).await;
    let composed = alice.send(&message_to(&[BOB])).await;
    let stranger = app.recipient(BOB);
    let bob = stranger.clone().signed_in().await;
    assert_eq!(bob.read().response().await.status, StatusCode::OK);
    assert!(!stranger.read().response().await.status.is_success());
    alice
        .revoke(&composed.id)
        .with(&RevokeRequest { recipient: None })
        .await;
    assert!(!bob.read().response().await.status.is_success());

    let opens = AuditQuery {
        kind: Some(AuditKind::MessageOpened),
        ..Default::default()
    };
    let page = admin.audit(&opens).await;
    let events: Vec<_> = page
        .events
        .iter()
        .map(|e| (e.outcome, e.detail.as_deref()))
        .collect();
    // Newest first.
    assert_eq!(
        events,
        [
            (AuditOutcome::Failure, Some("message_revoked")),
            (AuditOutcome::Failure, Some("session_expired")),
            (AuditOutcome::Success, None),
        ]
    );
    for event in &page.events {
        assert_eq!(event.recipient.as_deref(), Some(BOB));
        assert_eq!(
            event.message_id.as_deref(),
            Some(composed.message_id.as_str())
        );
    }
}

#[tokio::test]
async fn the_audit_is_filtered_and_paged_as_json() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let (message_id, _) = full_flow(&app).await;

    let opens = AuditQuery {
        kind: Some(AuditKind::MessageOpened),
        ..Default::default()
    };
    let page = admin.audit(&opens).await;
    assert_eq!(page.events.len(), 1);
    assert_eq!(page.events[0].recipient.as_deref(), Some(BOB));
    assert_eq!(
        page.events[0].message_id.as_deref(),
        Some(message_id.as_str())
    );

    let failures = AuditQuery {
        outcome: Some(AuditOutcome::Failure),
        message_id: Some(message_id.trim_matches(['<', '>']).to_owned()),
        ..Default::default()
    };
    let page = admin.audit(&failures).await;
    assert_eq!(page.events.len(), 1);
    assert_eq!(page.events[0].detail.as_deref(), Some("passcode_wrong"));

    // Paging: two at a time, newest first, down to the first event.
    let mut ids = Vec::new();
    let mut cursor = None;
    loop {
        let q = AuditQuery {
            limit: Some(2),
            cursor: cursor.clone(),
            ..Default::default()
        };
        let page = admin.audit(&q).await;
        ids.extend(page.events.iter().map(|e| e.id));
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    let total = app.rows_in("audit_events").await;
    assert_eq!(ids.len() as i64, total);
    assert!(ids.windows(2).all(|w| w[0] > w[1]));

    let bad = admin
        .get(&format!("{}?kind=teleported", routes::ADMIN_AUDIT))
        .response()
        .await;
    assert_eq!(bad.code(), sealmail_api::ErrorCode::InvalidRequest);
}

#[tokio::test]
async fn the_client_address_is_recorded_from_a_trusted_proxy_header() {
    let app = TestApp::with_args(&["--trust-forwarded-for"]).await;
    let alice = app.sender(ALICE).await;
    alice.send(&message_to(&[BOB])).await;
    let response = app
        .recipient(BOB)
        .request_passcode()
        .header("x-forwarded-for", "203.0.113.9, 198.51.100.4")
        .response()
        .await;
    assert_eq!(response.status, StatusCode::OK);
    let address: Option<String> = sealmail::store::on_db!(&app.state.db, |c| sqlx::query_scalar(
        "SELECT client_address FROM audit_events WHERE kind = 'passcode_requested'",
    )
    .fetch_one(c)
    .await)
    .unwrap();
    assert_eq!(
        address.as_deref(),
        Some("198.51.100.4"),
        "the proxy's own entry"
    );
}

#[tokio::test]
async fn only_the_proxys_own_forwarded_entry_counts() {
    let app = TestApp::with_args(&["--trust-forwarded-for"]).await;
    let alice = app.sender(ALICE).await;
    alice.send(&message_to(&[BOB])).await;
    // What the client sent comes first; the proxy appends what it saw.
    for (header, expected) in [
        ("6.6.6.6, 198.51.100.4:4711", Some("198.51.100.4")),
        ("6.6.6.6, [2001:db8::7]:443", Some("2001:db8::7")),
        ("6.6.6.6, unknown", None),
    ] {
        app.sql("DELETE FROM audit_events").await;
        app.recipient(BOB)
            .request_passcode()
            .header("x-forwarded-for", header)
            .response()
            .await;
        let address: Option<String> =
            sealmail::store::on_db!(&app.state.db, |c| sqlx::query_scalar(
                "SELECT client_address FROM audit_events WHERE kind = 'passcode_requested'",
            )
            .fetch_one(c)
            .await)
            .unwrap();
        assert_eq!(address.as_deref(), expected, "{header}");
    }
}

#[tokio::test]
async fn sealmail_audit_prints_the_csv_on_the_command_line() {
    let app = TestApp::new().await;
    let (message_id, secrets) = full_flow(&app).await;
    let csv = ok(run_sealmail(
        &app.data_dir(),
        &["audit", "--since", "1h", "--csv"],
        "",
    ));
    assert!(
        csv.starts_with("id,at,kind,outcome,message_id,recipient,actor,client_address,detail\r\n")
    );
    assert!(
        csv.contains(&format!("message_opened,success,{message_id},{BOB}")),
        "{csv}"
    );
    for secret in &secrets {
        assert!(!csv.contains(secret.as_str()));
    }
    let opens = ok(run_sealmail(
        &app.data_dir(),
        &["audit", "--kind", "message_opened"],
        "",
    ));
    assert_eq!(opens.lines().count(), 1, "{opens}");
    assert!(opens.contains("message_opened success"));

    // A revoke on the command line is audited too.
    ok(run_sealmail(
        &app.data_dir(),
        &["revoke", "--message-id", &message_id],
        "",
    ));
    let revokes = ok(run_sealmail(
        &app.data_dir(),
        &["audit", "--kind", "revoked"],
        "",
    ));
    assert!(
        revokes.contains("actor=sealmail revoke (command line)"),
        "{revokes}"
    );
}

#[tokio::test]
async fn a_password_typed_into_the_address_field_is_not_audited() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let typo = app.try_sign_in("hunter2-secret", "hunter2-secret").await;
    assert_eq!(typo.code(), sealmail_api::ErrorCode::CredentialsWrong);
    let csv = admin.audit_csv(&AuditQuery::default()).await;
    assert!(csv.contains("sign_in,failure,,,,"), "{csv}");
    assert!(!csv.contains("hunter2"));
    let keys: Vec<String> = sealmail::store::on_db!(&app.state.db, |c| sqlx::query_scalar(
        "SELECT key FROM sign_in_attempts"
    )
    .fetch_all(c)
    .await)
    .unwrap();
    assert!(keys.iter().all(|k| !k.contains("hunter2")));
}

#[tokio::test]
async fn a_percent_encoded_link_token_is_audited_as_the_link_it_opens() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let alice = app.sender(ALICE).await;
    let composed = alice.send(&message_to(&[BOB])).await;
    let token = app.recipient(BOB).token().to_owned();
    // The same token with its first character percent-encoded: the router
    // decodes it, so the handler serves the real link.
    let encoded = format!("%{:02X}{}", token.as_bytes()[0], &token[1..]);
    let path = |tail: &str| format!("/api/v1/links/{encoded}/{tail}");
    let json = [("x-sealmail", "1"), ("content-type", "application/json")];
    let asked = app.raw(Method::POST, &path("passcode"), &json, "").await;
    assert_eq!(asked.status, StatusCode::OK, "{}", asked.text());
    let wrong = serde_json::to_string(&PasscodeSubmit {
        passcode: app.recipient(BOB).wrong_passcode(),
    })
    .unwrap();
    let entered = app.raw(Method::POST, &path("session"), &json, wrong).await;
    assert_eq!(entered.code(), ErrorCode::PasscodeWrong);

    let query = AuditQuery {
        message_id: Some(composed.message_id.clone()),
        ..Default::default()
    };
    let events = admin.audit(&query).await.events;
    let kinds: Vec<(AuditKind, AuditOutcome)> =
        events.iter().map(|e| (e.kind, e.outcome)).collect();
    assert!(
        kinds.contains(&(AuditKind::PasscodeRequested, AuditOutcome::Success)),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&(AuditKind::PasscodeEntered, AuditOutcome::Failure)),
        "{kinds:?}"
    );
}

#[tokio::test]
async fn ending_a_message_takes_its_file_names_out_of_the_audit_but_keeps_the_events() {
    let app = TestApp::new().await;
    let alice = app.sender(ALICE).await;
    let composed = alice
        .send(&message_to(&[BOB]))
        .file("merger-terms.pdf", "application/pdf", b"%PDF terms")
        .await;
    let bob = app.recipient(BOB).signed_in().await;
    let view = bob.read().await;
    bob.download(&view.attachments[0].id).await;
    let names = || async {
        sealmail::store::on_db!(&app.state.db, |c| sqlx::query_scalar::<_, Option<String>>(
            "SELECT detail FROM audit_events WHERE kind = 'attachment_downloaded'",
        )
        .fetch_all(c)
        .await)
        .unwrap()
    };
    assert_eq!(names().await, [Some("merger-terms.pdf".to_owned())]);

    alice.revoke(&composed.id).await;
    assert_eq!(names().await, [None], "the event stays, its file name goes");
}

#[tokio::test]
async fn administrators_own_look_ups_changes_and_exports_are_audited_with_who_and_what() {
    use sealmail_api::admin::{BrandingFields, BrandingTemplateInput, TraceQuery};
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let alice = app.sender(ALICE).await;
    let composed = alice.send(&message_to(&[BOB])).await;
    alice.send(&message_to(&[CAROL])).await;

    // Status look-ups by Message-ID: one found, one not.
    admin.status(&composed.message_id).await;
    let unknown = admin.status("<nobody@nowhere.test>").code().await;
    assert_eq!(unknown, ErrorCode::NotFound);
    // A trace search, paged: audited once, with its filters but not the
    // subject searched for.
    let search = TraceQuery {
        sender: Some("alice".into()),
        subject: Some("Contract".into()),
        limit: Some(1),
        ..Default::default()
    };
    let first = admin.trace(&search).await;
    let next = TraceQuery {
        cursor: Some(first.next_cursor.expect("two messages, one a page")),
        ..search
    };
    assert_eq!(admin.trace(&next).await.messages.len(), 1);
    // Branding: create, change, logo in and out, delete.
    let mut input = BrandingTemplateInput {
        name: "Legal".into(),
        is_default: false,
        fields: BrandingFields {
            organisation: None,
            background_color: "#0b5cab".into(),
            introduction_text: None,
            read_button_text: None,
            email_text: None,
            disclaimer_text: None,
            portal_text: None,
            privacy_statement_url: None,
            passcode_enabled: true,
            expiry_days: None,
            language: None,
        },
    };
    let template = admin.create_template(&input).await;
    input.name = "Legal (new)".into();
    admin.edit_template(&template.id, &input).await;
    let png = b"\x89PNG\r\n\x1a\n-not-really-an-image";
    admin.upload_logo(&template.id, "image/png", png).await;
    admin.remove_logo(&template.id).await;
    // The only template may go, default as it is.
    admin.delete_template(&template.id).await;
    // Reading and exporting the audit.
    admin
        .audit(&AuditQuery {
            kind: Some(AuditKind::SignIn),
            ..Default::default()
        })
        .await;
    admin.audit_csv(&AuditQuery::default()).await;

    let events = admin.audit(&AuditQuery::default()).await.events;
    let mine: Vec<(AuditKind, AuditOutcome, Option<&str>, Option<&str>)> = events
        .iter()
        .rev()
        .filter(|e| e.actor.as_deref() == Some(common::sender::ADMIN))
        .filter(|e| e.kind != AuditKind::SignIn)
        .map(|e| {
            (
                e.kind,
                e.outcome,
                e.message_id.as_deref(),
                e.detail.as_deref(),
            )
        })
        .collect();
    use AuditKind::*;
    use AuditOutcome::*;
    let id = &template.id;
    let named = |name: &str| format!("template {id} \"{name}\"");
    assert_eq!(
        mine,
        [
            (
                MessageStatusViewed,
                Success,
                Some(composed.message_id.as_str()),
                None
            ),
            (
                MessageStatusViewed,
                Failure,
                Some("<nobody@nowhere.test>"),
                Some("not_found")
            ),
            (
                MessageTraceSearched,
                Success,
                None,
                Some("sender=alice; a subject")
            ),
            (
                BrandingTemplateCreated,
                Success,
                None,
                Some(named("Legal").as_str())
            ),
            (
                BrandingTemplateChanged,
                Success,
                None,
                Some(named("Legal (new)").as_str())
            ),
            (
                BrandingLogoUploaded,
                Success,
                None,
                Some(format!("template {id}: image/png, {} bytes", png.len()).as_str())
            ),
            (
                BrandingLogoRemoved,
                Success,
                None,
                Some(format!("template {id}").as_str())
            ),
            (
                BrandingTemplateDeleted,
                Success,
                None,
                Some(named("Legal (new)").as_str())
            ),
            (AuditViewed, Success, None, Some("kind=sign_in")),
            (AuditExported, Success, None, Some("everything")),
            (AuditViewed, Success, None, Some("everything")),
        ]
    );
    // No content: not the body, the subject searched for, or the logo.
    let everything = serde_json::to_string(&events).unwrap();
    assert!(!everything.contains(SECRET_BODY));
    assert!(!everything.contains("Contract"), "the subject searched for");
    assert!(!everything.contains("not-really-an-image"));
}

#[tokio::test]
async fn status_look_ups_and_audit_reads_on_the_command_line_are_audited_too() {
    let app = TestApp::new().await;
    let alice = app.sender(ALICE).await;
    let composed = alice.send(&message_to(&[BOB])).await;
    ok(run_sealmail(
        &app.data_dir(),
        &["status", "--message-id", &composed.message_id],
        "",
    ));
    ok(run_sealmail(&app.data_dir(), &["audit", "--csv"], ""));
    let read = ok(run_sealmail(
        &app.data_dir(),
        &["audit", "--kind", "message_status_viewed"],
        "",
    ));
    assert!(
        read.contains(&format!(
            "message_status_viewed success message={} recipient=- actor=sealmail status (command line)",
            composed.message_id
        )),
        "{read}"
    );
    let exports = ok(run_sealmail(
        &app.data_dir(),
        &["audit", "--kind", "audit_exported", "--csv"],
        "",
    ));
    // Its own export, and the one before it.
    assert_eq!(
        exports
            .lines()
            .filter(|l| l.contains("sealmail audit (command line)"))
            .count(),
        2,
        "{exports}"
    );
}
