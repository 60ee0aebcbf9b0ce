//! Managing the mail-flow rules (`sealmail rule list|add|rm|move|test`) and
//! what the listener does with them: a rule added on the command line takes
//! effect at the next mail, and a rule that no longer reads stops mail
//! (451) rather than letting it out unprotected.

mod common;

use common::cli::{fails, ok, run_sealmail};
use common::ingress::*;
use common::sender::PASSWORD;
use common::*;
use sealmail_api::ErrorCode;
use sealmail_api::admin::{MailFlowAction, MailFlowCondition, MailFlowTest, NewMailFlowRule};

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
            r#"{"name":"x","conditions":[{"kind":"size_over"}],"action":{"kind":"relay"}}"#,
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
    assert_eq!(tried[1].recipient, "dave@corp.test");
    assert_eq!(
        tried[1].action,
        MailFlowAction::Relay,
        "inside: not rejected"
    );

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
