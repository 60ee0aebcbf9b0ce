//! Managing the mail-flow rules (`sealmail rule list|add|edit|rm|move|test`) and
//! what the listener does with them: a rule added on the command line takes
//! effect at the next mail, and a rule that no longer reads stops mail
//! (451) rather than letting it out unprotected.

mod common;

use common::cli::{fails, ok, run_sealmail};
use common::ingress::*;
use common::sender::{ADMIN, PASSWORD};
use common::*;
use sealmail_api::admin::{
    AuditKind, AuditOutcome, MailFlowAction, MailFlowCondition, MailFlowReason, MailFlowTest,
    NewMailFlowRule,
};
use sealmail_api::{ErrorCode, Protection};

const ORG: &str = "--org-domains=corp.test";

fn eml_path(name: &str) -> String {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/mime")
        .join(name)
        .display()
        .to_string()
}

#[tokio::test]
async fn rules_are_listed_added_moved_and_removed_on_the_command_line() {
    let app = TestApp::new().await;
    let data = app.data_dir();
    let listed = ok(run_sealmail(&data, &["rule", "list"], ""));
    assert!(
        listed.starts_with("1. [id 1] Protect mail to outside recipients"),
        "{listed}"
    );
    assert!(
        listed.contains("2. [id 2] Relay everything else"),
        "{listed}"
    );

    let added = ok(run_sealmail(
        &data,
        &[
            "rule",
            "add",
            "--json",
            r#"{"name":"From the board","conditions":[{"kind":"sender","is":"board.corp.test"}],"action":{"kind":"protect","protection":"do_not_forward"},"position":1}"#,
        ],
        "",
    ));
    assert_eq!(added.trim(), "added rule 3");
    let rules = sealmail::store::rules::list(&app.state.db).await.unwrap();
    let order: Vec<i64> = rules.iter().map(|r| r.id).collect();
    assert_eq!(order, [3, 1, 2]);

    ok(run_sealmail(
        &data,
        &["rule", "move", "--id", "3", "--to", "9"],
        "",
    ));
    let rules = sealmail::store::rules::list(&app.state.db).await.unwrap();
    assert_eq!(
        rules.iter().map(|r| (r.id, r.position)).collect::<Vec<_>>(),
        [(1, 1), (2, 2), (3, 3)]
    );

    ok(run_sealmail(&data, &["rule", "rm", "--id", "1"], ""));
    let json = ok(run_sealmail(&data, &["rule", "list", "--json"], ""));
    let rules: Vec<sealmail_api::admin::MailFlowRule> = serde_json::from_str(&json).unwrap();
    assert_eq!(
        rules.iter().map(|r| (r.id, r.position)).collect::<Vec<_>>(),
        [(2, 1), (3, 2)]
    );

    let error = fails(run_sealmail(&data, &["rule", "rm", "--id", "1"], ""));
    assert!(error.contains("no rule 1"), "{error}");
    let error = fails(run_sealmail(
        &data,
        &[
            "rule",
            "add",
            "--json",
            r#"{"name":"x","action":{"kind":"reject","reason":""}}"#,
        ],
        "",
    ));
    assert!(error.contains("without a reason"), "{error}");
    let error = fails(run_sealmail(
        &data,
        &[
            "rule",
            "add",
            "--json",
            r#"{"name":"x","conditions":[{"kind":"sensitivity_label"}],"action":{"kind":"relay"}}"#,
        ],
        "",
    ));
    assert!(error.contains("not a rule"), "{error}");
}

#[tokio::test]
async fn rule_test_says_which_rule_decides_what_for_each_recipient() {
    let app = TestApp::new().await;
    let out = ok(run_sealmail(
        &app.data_dir(),
        &[ORG, "rule", "test", "--eml", &eml_path("alternative.eml")],
        "",
    ));
    assert!(
        out.contains("bob@example.net : protect (encrypt_only) (rule 1 "),
        "{out}"
    );
    assert!(
        out.contains("dave@corp.test : relay unprotected (rule 2 "),
        "{out}"
    );
    // And why, with what the mail had: Bob is outside and the subject is
    // tagged; Dave is inside, so the first rule is passed over.
    for line in [
        "    because the recipient is outside the organisation (example.net)\n",
        "    because the subject contains \"[secure]\"\n",
        "    not rule 1 \"Protect mail to outside recipients tagged [secure] or [encrypt]\": \
         the recipient is inside the organisation (corp.test)\n",
        "    because it has no conditions (every recipient)\n",
    ] {
        assert!(out.contains(line), "{line:?} in {out}");
    }

    let json = ok(run_sealmail(
        &app.data_dir(),
        &[
            ORG,
            "rule",
            "test",
            "--eml",
            &eml_path("alternative.eml"),
            "--to",
            "erin@example.org",
            "--json",
        ],
        "",
    ));
    let verdicts: Vec<sealmail_api::admin::MailFlowVerdict> = serde_json::from_str(&json).unwrap();
    assert_eq!(verdicts.len(), 1);
    assert_eq!(verdicts[0].recipient, "erin@example.org");
    assert_eq!(verdicts[0].rule.as_ref().map(|r| r.id), Some(1));
    assert_eq!(
        verdicts[0].because[0],
        MailFlowReason::RecipientOutsideOrg {
            domain: "example.org".into()
        }
    );
}

#[tokio::test]
async fn a_rule_added_on_the_command_line_applies_to_the_next_mail() {
    let app = TestApp::new().await;
    app.add_user(ALICE, "Alice Demo", false).await;
    let mut settings = tls_args();
    settings.push(ORG.to_owned());
    let settings: Vec<&str> = settings.iter().map(String::as_str).collect();
    let listener = app.smtp_listener(&settings).await;
    let client = listener.client(Some((ALICE, PASSWORD)));
    let untagged = String::from_utf8(corpus("latin1.eml"))
        .unwrap()
        .replace("[secure] ", "")
        .into_bytes();
    submit(&client, ALICE, &[BOB], &untagged).await.unwrap();
    assert_eq!(
        app.rows_in("messages").await,
        0,
        "relayed by the default rules"
    );

    ok(run_sealmail(
        &app.data_dir(),
        &[
            "rule",
            "add",
            "--json",
            r#"{"name":"Everything outside","conditions":[{"kind":"recipient_outside_org"}],"action":{"kind":"protect","protection":"encrypt_only"},"position":1}"#,
        ],
        "",
    ));
    submit(&client, ALICE, &[BOB], &untagged).await.unwrap();
    assert_eq!(app.rows_in("messages").await, 1, "protected now");
}

#[tokio::test]
async fn a_rule_that_no_longer_reads_stops_mail_with_451_instead_of_letting_it_out() {
    let app = TestApp::new().await;
    app.add_user(ALICE, "Alice Demo", false).await;
    let listener = app
        .smtp_listener(&tls_args().iter().map(String::as_str).collect::<Vec<_>>())
        .await;
    app.sql("UPDATE mail_flow_rules SET action = '{\"kind\":\"encrypt_harder\"}' WHERE id = 1")
        .await;
    let client = listener.client(Some((ALICE, PASSWORD)));
    let refused = submit(&client, ALICE, &[BOB], &corpus("latin1.eml"))
        .await
        .unwrap_err();
    assert_eq!(code_of(&refused), "451", "{refused}");
    assert_eq!(app.rows_in("messages").await, 0);
    assert_eq!(app.rows_in("mail_queue").await, 0);
}

#[tokio::test]
async fn administrators_manage_and_try_the_rules_through_the_api() {
    let app = TestApp::with_args(&[ORG]).await;
    let admin = app.admin().await;
    let rules = admin.mail_flow_rules().await;
    assert_eq!(rules.iter().map(|r| r.position).collect::<Vec<_>>(), [1, 2]);

    let confidential = NewMailFlowRule {
        name: "Confidential stays inside".into(),
        conditions: vec![
            MailFlowCondition::HeaderMatches {
                name: "Sensitivity".into(),
                contains: "confidential".into(),
            },
            MailFlowCondition::RecipientOutsideOrg,
        ],
        action: MailFlowAction::Reject {
            reason: "not outside".into(),
        },
        position: Some(1),
    };
    let rules = admin.add_mail_flow_rule(&confidential).await;
    assert_eq!(rules[0].name, "Confidential stays inside");
    let new_id = rules[0].id;

    let eml = String::from_utf8(corpus("alternative.eml")).unwrap();
    let tried = admin
        .test_mail_flow(&MailFlowTest {
            eml: format!("Sensitivity: Company-Confidential\r\n{eml}"),
            recipients: vec![],
            sender: None,
        })
        .await;
    assert_eq!(tried.len(), 2, "To and Cc: {tried:?}");
    assert_eq!(tried[0].recipient, BOB);
    assert_eq!(tried[0].rule.as_ref().map(|r| r.id), Some(new_id));
    assert_eq!(
        tried[0].because,
        [
            MailFlowReason::HeaderMatches {
                name: "Sensitivity".into(),
                value: Some("Company-Confidential".into()),
            },
            MailFlowReason::RecipientOutsideOrg {
                domain: "example.net".into()
            },
        ],
        "why the rule matched, with what the mail had"
    );
    assert_eq!(tried[1].recipient, "dave@corp.test");
    assert_eq!(
        tried[1].action,
        MailFlowAction::Relay,
        "inside: not rejected"
    );
    // Each rule before the one that decided, with the condition that failed.
    let inside = MailFlowReason::RecipientOutsideOrg {
        domain: "corp.test".into(),
    };
    assert_eq!(
        tried[1]
            .passed_over
            .iter()
            .map(|m| (m.rule.id, &m.failed))
            .collect::<Vec<_>>(),
        [(new_id, &inside), (1, &inside)]
    );
    assert_eq!(tried[1].rule.as_ref().map(|r| r.id), Some(2));

    let rules = admin.move_mail_flow_rule(new_id, 3).await;
    assert_eq!(rules.last().map(|r| r.id), Some(new_id));
    admin.delete_mail_flow_rule(new_id).await;
    assert_eq!(admin.mail_flow_rules().await.len(), 2);

    // Each error its code.
    let again = admin
        .request(
            axum::http::Method::DELETE,
            sealmail_api::routes::admin_mail_flow_rule(&new_id.to_string()),
        )
        .code()
        .await;
    assert_eq!(again, ErrorCode::NotFound);
    let mut nameless = confidential.clone();
    nameless.name = " ".into();
    let refused = admin
        .call::<()>(
            axum::http::Method::POST,
            sealmail_api::routes::ADMIN_MAIL_FLOW_RULES.to_owned(),
        )
        .json(&nameless)
        .code()
        .await;
    assert_eq!(refused, ErrorCode::InvalidRequest);
    let not_a_mail = admin
        .test_mail_flow(&MailFlowTest {
            eml: "no header here".into(),
            recipients: vec![BOB.into()],
            sender: None,
        })
        .code()
        .await;
    assert_eq!(not_a_mail, ErrorCode::InvalidRequest);

    // Senders may not.
    let alice = app.sender(ALICE).await;
    assert_eq!(
        alice.as_admin().mail_flow_rules().code().await,
        ErrorCode::Forbidden
    );
}

/// A rule with one condition that protects what it matches.
fn protect_when(condition: MailFlowCondition) -> NewMailFlowRule {
    NewMailFlowRule {
        name: "Under test".into(),
        conditions: vec![condition],
        action: MailFlowAction::Protect {
            protection: Protection::DoNotForward,
            branding_template: None,
            expiry_days: None,
        },
        position: Some(1),
    }
}

#[tokio::test]
async fn body_attachment_and_size_conditions_decide_on_the_decoded_mail() {
    let app = TestApp::with_args(&[ORG]).await;
    let admin = app.admin().await;
    let rules = admin
        .add_mail_flow_rule(&protect_when(MailFlowCondition::HasAttachments {
            has: true,
        }))
        .await;
    let id = rules[0].id;
    // Whether the rule under test decides for Bob, after it is edited to `condition`.
    let decides = |condition: MailFlowCondition, eml: String| {
        let admin = admin.clone();
        async move {
            let rules = admin
                .edit_mail_flow_rule(id, &protect_when(condition))
                .await;
            assert_eq!(rules[0].id, id, "an edit keeps the rule's place");
            let verdicts = admin
                .test_mail_flow(&MailFlowTest {
                    eml,
                    recipients: vec![BOB.into()],
                    sender: None,
                })
                .await;
            verdicts[0].rule.as_ref().map(|r| r.id) == Some(id)
        }
    };
    let text = |name: &str| String::from_utf8(corpus(name)).unwrap();
    let body = |words: &[&str]| MailFlowCondition::BodyContains {
        words: words.iter().map(|w| w.to_string()).collect(),
    };

    // The text/plain body, decoded (quoted-printable `=E2=82=AC` is `€`), any case.
    assert!(decides(body(&["OMZET € 1,2"]), text("alternative.eml")).await);
    assert!(!decides(body(&["=E2=82=AC"]), text("alternative.eml")).await);
    // A charset other than UTF-8 (ISO-8859-1 `Caf=E9`), decoded too.
    assert!(decides(body(&["CAFÉ crème"]), text("latin1.eml")).await);
    // The text of an HTML-only body: tags and entities are not words, and
    // what is inside a tag (a link's address) is not text.
    let html = "From: alice@sealmail.test\r\nTo: bob@example.net\r\nSubject: x\r\n\
                Content-Type: text/html; charset=UTF-8\r\n\r\n\
                <p>Please sign the <b>NDA</b> &amp; return it: \
                <a href=\"https://vault.example/contract\">here</a></p>\r\n";
    assert!(decides(body(&["sign the nda & return"]), html.into()).await);
    assert!(!decides(body(&["vault.example"]), html.into()).await);
    assert!(!decides(body(&["<b>"]), html.into()).await);

    // Attachments: a PDF is one; an image the HTML shows inline is not.
    let has = |has| MailFlowCondition::HasAttachments { has };
    assert!(decides(has(true), text("attachment.eml")).await);
    assert!(!decides(has(false), text("attachment.eml")).await);
    assert!(decides(has(false), text("related.eml")).await);
    assert!(!decides(has(true), text("related.eml")).await);

    // Size: the mail as it came, in bytes.
    let mail = text("alternative.eml");
    let size = mail.len() as u64;
    let over = |bytes| MailFlowCondition::SizeOver { bytes };
    assert!(decides(over(size - 1), mail.clone()).await);
    assert!(!decides(over(size), mail.clone()).await);

    // A test says why, with the count and the sizes it compared.
    let why = |eml: String| {
        let admin = admin.clone();
        async move {
            let verdicts = admin
                .test_mail_flow(&MailFlowTest {
                    eml,
                    recipients: vec![BOB.into()],
                    sender: None,
                })
                .await;
            verdicts.into_iter().next().unwrap()
        }
    };
    let rules = admin
        .edit_mail_flow_rule(
            id,
            &NewMailFlowRule {
                conditions: vec![has(true), over(100)],
                ..protect_when(has(true))
            },
        )
        .await;
    assert_eq!(rules[0].conditions.len(), 2);
    let attached = text("attachment.eml");
    let verdict = why(attached.clone()).await;
    assert_eq!(verdict.rule.map(|r| r.id), Some(id));
    assert_eq!(
        verdict.because,
        [
            MailFlowReason::HasAttachments { count: 1 },
            MailFlowReason::SizeOver {
                size: attached.len() as u64,
                bytes: 100
            },
        ]
    );
    let verdict = why(text("related.eml")).await;
    assert_eq!(
        verdict.passed_over[0].failed,
        MailFlowReason::HasAttachments { count: 0 },
        "the inline image is not counted"
    );
    assert_eq!(verdict.rule.map(|r| r.id), Some(1), "then the tagged rule");

    // Rules that could never hold are refused, each with its code.
    for condition in [
        body(&[]),
        body(&["contract", "  "]),
        MailFlowCondition::SizeOver { bytes: 0 },
    ] {
        let refused = admin
            .call::<()>(
                axum::http::Method::PUT,
                sealmail_api::routes::admin_mail_flow_rule(&id.to_string()),
            )
            .json(&protect_when(condition.clone()))
            .code()
            .await;
        assert_eq!(refused, ErrorCode::InvalidRequest, "{condition:?}");
    }
}

#[tokio::test]
async fn a_protect_rule_sends_with_its_template_and_expiry_and_refuses_an_unknown_template() {
    let app = TestApp::new().await;
    app.add_user(ALICE, "Alice Demo", false).await;
    let admin = app.admin().await;
    let template = |name: &str, expiry_days| sealmail_api::admin::BrandingTemplateInput {
        name: name.into(),
        is_default: false,
        fields: sealmail_api::admin::BrandingFields {
            organisation: None,
            background_color: "#0b5cab".into(),
            introduction_text: None,
            read_button_text: None,
            email_text: None,
            disclaimer_text: None,
            portal_text: None,
            privacy_statement_url: None,
            passcode_enabled: true,
            expiry_days,
            language: None,
        },
    };
    let house = admin.create_template(&template("House", None)).await;
    assert!(house.is_default);
    let legal = admin.create_template(&template("Legal", Some(30))).await;

    let mut rule = protect_when(MailFlowCondition::Sender {
        is: "sealmail.test".into(),
    });
    rule.action = MailFlowAction::Protect {
        protection: Protection::EncryptOnly,
        branding_template: Some("999".into()),
        expiry_days: Some(2),
    };
    let unknown = admin
        .call::<()>(
            axum::http::Method::POST,
            sealmail_api::routes::ADMIN_MAIL_FLOW_RULES.to_owned(),
        )
        .json(&rule)
        .code()
        .await;
    assert_eq!(unknown, ErrorCode::InvalidRequest, "no template 999");
    let MailFlowAction::Protect {
        branding_template, ..
    } = &mut rule.action
    else {
        unreachable!()
    };
    *branding_template = Some(legal.id.clone());
    let id = admin.add_mail_flow_rule(&rule).await[0].id;

    let listener = app
        .smtp_listener(&tls_args().iter().map(String::as_str).collect::<Vec<_>>())
        .await;
    let client = listener.client(Some((ALICE, PASSWORD)));
    // What the last protected message was sent with: its template and expiry.
    let last = || async {
        let (message, expires_at): (String, Option<i64>) =
            sealmail::store::on_db!(&app.state.db, |c| sqlx::query_as(
                sqlx::AssertSqlSafe(format!("SELECT id, expires_at FROM messages ORDER BY created_at DESC, {rowid} DESC LIMIT 1", rowid = common::pg::rowid())),
            )
            .fetch_one(c)
            .await)
            .unwrap();
        let template = sealmail::store::branding::for_message(&app.state.db, &message)
            .await
            .unwrap()
            .map(|t| t.name);
        let days = expires_at.map(|at| (at - sealmail::store::now() + 3600) / 86_400);
        (template, days)
    };

    submit(&client, ALICE, &[BOB], &corpus("latin1.eml"))
        .await
        .unwrap();
    assert_eq!(last().await, (Some("Legal".into()), Some(2)), "the rule's");

    // Without its own expiry, the rule's template's holds.
    rule.action = MailFlowAction::Protect {
        protection: Protection::EncryptOnly,
        branding_template: Some(legal.id.clone()),
        expiry_days: None,
    };
    admin.edit_mail_flow_rule(id, &rule).await;
    submit(&client, ALICE, &[BOB], &corpus("latin1.eml"))
        .await
        .unwrap();
    assert_eq!(last().await, (Some("Legal".into()), Some(30)));

    // Without a template, the default one, and its expiry (none).
    rule.action = MailFlowAction::Protect {
        protection: Protection::EncryptOnly,
        branding_template: None,
        expiry_days: None,
    };
    admin.edit_mail_flow_rule(id, &rule).await;
    submit(&client, ALICE, &[BOB], &corpus("latin1.eml"))
        .await
        .unwrap();
    assert_eq!(last().await, (Some("House".into()), None));
    assert_eq!(app.rows_in("messages").await, 3);
}

#[tokio::test]
async fn every_rule_change_is_audited_with_who_made_it_and_old_rules_still_read() {
    let app = TestApp::with_args(&[ORG]).await;
    let admin = app.admin().await;
    // The default set was stored before a protect action could name a
    // template or an expiry: it reads with neither.
    let rules = admin.mail_flow_rules().await;
    assert_eq!(
        rules[0].action,
        MailFlowAction::Protect {
            protection: Protection::EncryptOnly,
            branding_template: None,
            expiry_days: None,
        }
    );

    let rule = protect_when(MailFlowCondition::SizeOver { bytes: 10_000_000 });
    let id = admin.add_mail_flow_rule(&rule).await[0].id;
    let mut renamed = rule.clone();
    renamed.name = "Large mail".into();
    renamed.position = Some(1);
    admin.edit_mail_flow_rule(id, &renamed).await;
    // An edit does not move a rule: another place is refused, and nothing changes.
    renamed.position = Some(2);
    let moved_by_edit = admin
        .call::<()>(
            axum::http::Method::PUT,
            sealmail_api::routes::admin_mail_flow_rule(&id.to_string()),
        )
        .json(&renamed)
        .code()
        .await;
    assert_eq!(moved_by_edit, ErrorCode::InvalidRequest);
    let unknown = admin
        .call::<()>(
            axum::http::Method::PUT,
            sealmail_api::routes::admin_mail_flow_rule("77"),
        )
        .json(&rule)
        .code()
        .await;
    assert_eq!(unknown, ErrorCode::NotFound);
    admin.move_mail_flow_rule(id, 3).await;
    ok(run_sealmail(
        &app.data_dir(),
        &[
            "rule",
            "edit",
            "--id",
            &id.to_string(),
            "--json",
            r#"{"name":"Huge mail","conditions":[{"kind":"size_over","bytes":20000000}],"action":{"kind":"relay"}}"#,
        ],
        "",
    ));
    let rules = admin.mail_flow_rules().await;
    let edited = rules.iter().find(|r| r.id == id).unwrap();
    assert_eq!((edited.name.as_str(), edited.position), ("Huge mail", 3));
    assert_eq!(edited.action, MailFlowAction::Relay);
    admin.delete_mail_flow_rule(id).await;

    let events = admin
        .audit(&sealmail_api::admin::AuditQuery::default())
        .await
        .events;
    let changes: Vec<(AuditKind, &str, &str)> = events
        .iter()
        .rev()
        .filter(|e| e.kind.as_str().starts_with("mail_flow_rule_"))
        .map(|e| {
            (
                e.kind,
                e.actor.as_deref().unwrap_or_default(),
                e.detail.as_deref().unwrap_or_default(),
            )
        })
        .collect();
    let named = |name: &str| format!("rule {id} \"{name}\"");
    assert_eq!(
        changes,
        [
            (
                AuditKind::MailFlowRuleAdded,
                ADMIN,
                format!("{} at 1", named("Under test")).as_str()
            ),
            (AuditKind::MailFlowRuleChanged, ADMIN, &named("Large mail")),
            (
                AuditKind::MailFlowRuleMoved,
                ADMIN,
                format!("rule {id} to 3").as_str()
            ),
            (
                AuditKind::MailFlowRuleChanged,
                "sealmail rule (command line)",
                &named("Huge mail")
            ),
            (AuditKind::MailFlowRuleRemoved, ADMIN, &named("Huge mail")),
        ]
    );
    // A refused change is not a change.
    assert!(events.iter().all(|e| e.outcome == AuditOutcome::Success));
}
