//! The mail-flow rules page: the rules in order and in words, adding,
//! editing, moving and deleting one, testing a pasted message, and a load
//! that fails.

mod common;

use common::*;
use sealmail_api::admin::{
    MailFlowAction, MailFlowCondition, MailFlowMiss, MailFlowReason, MailFlowRule, MailFlowRuleRef,
    MailFlowTest, MailFlowVerdict, NewMailFlowRule,
};
use sealmail_api::{ErrorCode, Protection};
use sealmail_portal::api::ApiError;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::Element;

wasm_bindgen_test_configure!(run_in_browser);

fn tagged() -> MailFlowRule {
    MailFlowRule {
        id: 11,
        position: 1,
        name: "Protect tagged mail".into(),
        conditions: vec![
            MailFlowCondition::SubjectContains {
                words: vec!["[secure]".into(), "confidential".into()],
                strip: true,
            },
            MailFlowCondition::RecipientOutsideOrg,
        ],
        action: MailFlowAction::Protect {
            protection: Protection::DoNotForward,
            branding_template: Some("t1".into()),
            expiry_days: Some(7),
        },
    }
}

fn too_big() -> MailFlowRule {
    MailFlowRule {
        id: 12,
        position: 2,
        name: "Refuse huge mail".into(),
        conditions: vec![MailFlowCondition::SizeOver { bytes: 10 << 20 }],
        action: MailFlowAction::Reject {
            reason: "Too large".into(),
        },
    }
}

fn everything_else() -> MailFlowRule {
    MailFlowRule {
        id: 13,
        position: 3,
        name: "Relay the rest".into(),
        conditions: Vec::new(),
        action: MailFlowAction::Relay,
    }
}

/// The three rules in this order, positions renumbered as the server does.
fn in_order(mut rules: Vec<MailFlowRule>) -> Vec<MailFlowRule> {
    for (i, rule) in rules.iter_mut().enumerate() {
        rule.position = i as i64 + 1;
    }
    rules
}

fn three_rules() -> Vec<MailFlowRule> {
    vec![tagged(), too_big(), everything_else()]
}

/// The page for an administrator, with `rules` and one template ("Contoso").
fn page_with(api: &std::sync::Arc<FakeApi>, rules: Vec<MailFlowRule>) -> PortalAt {
    api.me(vec![Ok(admin_me())])
        .mail_flow_rules(vec![Ok(rules)])
        .admin_templates(vec![Ok(vec![branding_template("t1", "Contoso", true)])]);
    mount_portal(api, "/admin/rules", Some("en"))
}

fn names() -> Vec<String> {
    all("rule-name")
        .iter()
        .map(|e| e.text_content().unwrap_or_default())
        .collect()
}

/// The `data-testid` `id` inside the `n`th (0 = first) element `within`.
fn nth(within: &str, n: usize, id: &str) -> Element {
    let row = all(within)
        .into_iter()
        .nth(n)
        .unwrap_or_else(|| panic!("no {within} number {n}"));
    inside(&row, id).unwrap_or_else(|| panic!("no {id} in {within} number {n}"))
}

fn text_of(element: &Element) -> String {
    element.text_content().unwrap_or_default()
}

fn disabled(element: &Element) -> bool {
    element
        .unchecked_ref::<web_sys::HtmlButtonElement>()
        .disabled()
}

/// Chooses `value` in a `<select>`, as a user would.
fn choose(select: &Element, value: &str) {
    select
        .unchecked_ref::<web_sys::HtmlSelectElement>()
        .set_value(value);
    dispatch(select, "change");
}

/// Types `value` into an input, with the `input` event the page listens for.
fn type_into(input: &Element, value: &str) {
    input
        .unchecked_ref::<web_sys::HtmlInputElement>()
        .set_value(value);
    dispatch(input, "input");
}

fn input_value(id: &str) -> String {
    testid(id)
        .unwrap()
        .unchecked_into::<web_sys::HtmlInputElement>()
        .value()
}

fn saves(api: &FakeApi) -> Vec<Call> {
    api.calls()
        .into_iter()
        .filter(|c| matches!(c, Call::SaveMailFlowRule { .. }))
        .collect()
}

#[wasm_bindgen_test]
async fn the_rules_show_in_order_with_their_conditions_and_action_in_words() {
    let api = FakeApi::new();
    let _page = page_with(&api, three_rules());
    find("rule").await;
    assert_eq!(
        names(),
        [
            "1. Protect tagged mail",
            "2. Refuse huge mail",
            "3. Relay the rest"
        ]
    );
    let first = text_of(&nth("rule", 0, "rule-conditions"));
    assert!(
        first.contains(
            "The subject contains one of: [secure], confidential (taken out of the protected message's subject)"
        ),
        "{first}"
    );
    assert!(first.contains("The recipient is outside the organisation"));
    assert_eq!(
        text_of(&nth("rule", 0, "rule-action")),
        "Then: Protect it (Do Not Forward). Branding template: Contoso. Expires after 7 days."
    );
    assert_eq!(
        text_of(&nth("rule", 1, "rule-conditions")),
        "The message is larger than 10 MB"
    );
    assert_eq!(
        text_of(&nth("rule", 1, "rule-action")),
        "Then: Reject the message: Too large"
    );
    assert_eq!(
        text_of(&nth("rule", 2, "rule-conditions")),
        "For every recipient (no conditions)."
    );
    assert_eq!(
        text_of(&nth("rule", 2, "rule-action")),
        "Then: Relay it unchanged."
    );
    // The first cannot go up, the last cannot go down; the buttons name their rule.
    assert!(disabled(&nth("rule", 0, "rule-up")));
    assert!(!disabled(&nth("rule", 0, "rule-down")));
    assert!(!disabled(&nth("rule", 2, "rule-up")));
    assert!(disabled(&nth("rule", 2, "rule-down")));
    assert_eq!(
        text_of(&nth("rule", 1, "rule-edit")),
        "Edit: Refuse huge mail"
    );
    // The admin navigation links here, marked as the current page.
    assert_eq!(
        testid("admin-nav-rules")
            .unwrap()
            .get_attribute("aria-current")
            .as_deref(),
        Some("page")
    );
}

#[wasm_bindgen_test]
async fn adding_a_rule_sends_what_the_form_says_and_shows_the_new_list() {
    let api = FakeApi::new();
    let _page = page_with(&api, Vec::new());
    find("rules-empty").await;

    // Caught before anything is sent: no name, then a condition with no words.
    click("rule-save");
    wait_text("rule-form-error", "Give the rule a name.").await;
    fill_in("rule-form-name", "  Protect tagged mail ");
    click("condition-add");
    let kind = find("condition-kind").await;
    choose(&kind, "subject_contains");
    click("rule-save");
    wait_text("rule-form-error", "Condition 1: enter at least one word.").await;
    assert!(saves(&api).is_empty());

    type_into(&find("condition-text").await, "[secure], confidential,");
    click_element(&find("condition-flag").await);
    click("condition-add");
    until("a second condition row", || all("condition").len() == 2).await;
    // A third row, removed again.
    click("condition-add");
    until("a third condition row", || all("condition").len() == 3).await;
    click_element(&nth("condition", 2, "condition-remove"));
    until("the third row to go", || all("condition").len() == 2).await;
    choose(&testid("rule-protection").unwrap(), "do_not_forward");
    choose(&testid("rule-template").unwrap(), "t1");
    fill_in("rule-expiry", "30");

    api.mail_flow_change(vec![Ok(vec![tagged()])]);
    click("rule-save");
    wait_text("rule-form-saved", "The rule was added.").await;
    assert_eq!(
        saves(&api),
        [Call::SaveMailFlowRule {
            id: None,
            rule: NewMailFlowRule {
                name: "Protect tagged mail".into(),
                conditions: vec![
                    MailFlowCondition::SubjectContains {
                        words: vec!["[secure]".into(), "confidential".into()],
                        strip: true,
                    },
                    MailFlowCondition::RecipientOutsideOrg,
                ],
                action: MailFlowAction::Protect {
                    protection: Protection::DoNotForward,
                    branding_template: Some("t1".into()),
                    expiry_days: Some(30),
                },
                position: None,
            },
        }]
    );
    // The list is the server's answer; the form is empty again.
    until("the new rule in the list", || {
        names() == ["1. Protect tagged mail"]
    })
    .await;
    assert!(testid("rules-empty").is_none());
    assert_eq!(input_value("rule-form-name"), "");
    assert!(all("condition").is_empty());
    assert_eq!(text("rule-form-error"), "");
}

#[wasm_bindgen_test]
async fn editing_a_rule_fills_the_form_and_sends_it_back_in_its_place() {
    let api = FakeApi::new();
    let _page = page_with(&api, three_rules());
    find("rule").await;
    assert_eq!(text("rule-form-title"), "Add a rule");

    click_element(&nth("rule", 1, "rule-edit"));
    wait_text("rule-form-title", "Edit rule “Refuse huge mail”").await;
    wait_focus("rule-form-title").await;
    assert_eq!(input_value("rule-form-name"), "Refuse huge mail");
    assert_eq!(input_value("condition-text"), "10485760");
    assert!(
        testid("rule-action-reject")
            .unwrap()
            .unchecked_into::<web_sys::HtmlInputElement>()
            .checked()
    );
    assert_eq!(input_value("rule-reason"), "Too large");

    // A size that is not a whole number of bytes is caught here.
    type_into(&testid("condition-text").unwrap(), "0");
    click("rule-save");
    wait_text(
        "rule-form-error",
        "Condition 1: enter the size as a whole number of bytes, at least 1.",
    )
    .await;
    type_into(&testid("condition-text").unwrap(), "5242880");
    fill_in("rule-reason", "Over 5 MB");

    let mut edited = too_big();
    edited.conditions = vec![MailFlowCondition::SizeOver { bytes: 5 << 20 }];
    edited.action = MailFlowAction::Reject {
        reason: "Over 5 MB".into(),
    };
    api.mail_flow_change(vec![
        Err(error(ErrorCode::InvalidRequest)),
        Ok(vec![tagged(), edited, everything_else()]),
    ]);
    // The server's refusal is said, and the form keeps what was typed.
    click("rule-save");
    wait_text(
        "rule-form-error",
        "Something in the form is not valid. Check it and try again.",
    )
    .await;
    assert_eq!(input_value("rule-reason"), "Over 5 MB");

    click("rule-save");
    wait_text("rule-form-saved", "Saved.").await;
    let expected = Call::SaveMailFlowRule {
        id: Some(12),
        rule: NewMailFlowRule {
            name: "Refuse huge mail".into(),
            conditions: vec![MailFlowCondition::SizeOver { bytes: 5 << 20 }],
            action: MailFlowAction::Reject {
                reason: "Over 5 MB".into(),
            },
            position: None,
        },
    };
    assert_eq!(saves(&api), [expected.clone(), expected]);
    wait_text_contains("rules", "Reject the message: Over 5 MB").await;
    assert_eq!(
        text_of(&nth("rule", 1, "rule-conditions")),
        "The message is larger than 5 MB"
    );
    assert_eq!(text("rule-form-title"), "Add a rule");
    assert!(testid("rule-cancel").is_none());
}

#[wasm_bindgen_test]
async fn moving_a_rule_sends_its_new_place_and_reorders_the_list() {
    let api = FakeApi::new();
    let _page = page_with(&api, three_rules());
    find("rule").await;
    api.mail_flow_change(vec![
        Ok(in_order(vec![too_big(), tagged(), everything_else()])),
        Err(ApiError::Unreachable),
    ]);

    click_element(&nth("rule", 0, "rule-down"));
    until("the first rule to move down", || {
        names()
            == [
                "1. Refuse huge mail",
                "2. Protect tagged mail",
                "3. Relay the rest",
            ]
    })
    .await;
    // The focus follows the moved rule's button.
    until("focus on the moved rule's button", || {
        document()
            .active_element()
            .and_then(|e| e.get_attribute("id"))
            .as_deref()
            == Some("rule-11-down")
    })
    .await;

    click_element(&nth("rule", 2, "rule-up"));
    wait_text(
        "rules-error",
        "That did not work. Check your connection and try again.",
    )
    .await;
    let moves: Vec<Call> = api
        .calls()
        .into_iter()
        .filter(|c| matches!(c, Call::MoveMailFlowRule { .. }))
        .collect();
    assert_eq!(
        moves,
        [
            Call::MoveMailFlowRule {
                id: 11,
                position: 2
            },
            Call::MoveMailFlowRule {
                id: 13,
                position: 2
            },
        ]
    );
    // A failed move leaves the order as it was.
    assert_eq!(names()[2], "3. Relay the rest");
}

#[wasm_bindgen_test]
async fn deleting_a_rule_asks_first_and_then_removes_it() {
    let api = FakeApi::new().delete_mail_flow_rule(vec![Err(error(ErrorCode::Internal)), Ok(())]);
    let _page = page_with(&api, three_rules());
    find("rule").await;

    click_element(&nth("rule", 1, "rule-delete"));
    until("the dialog", || dialog_open("confirm-dialog")).await;
    assert!(text("confirm-body").starts_with("“Refuse huge mail” will be deleted."));
    click("cancel-revoke");
    until("the dialog to close", || !dialog_open("confirm-dialog")).await;
    assert_eq!(all("rule").len(), 3);

    click_element(&nth("rule", 1, "rule-delete"));
    until("the dialog", || dialog_open("confirm-dialog")).await;
    click("confirm-revoke");
    wait_text(
        "confirm-error",
        "That did not work. Check your connection and try again.",
    )
    .await;
    assert!(dialog_open("confirm-dialog"));
    assert_eq!(all("rule").len(), 3);

    click("confirm-revoke");
    wait_text("rules-status", "The rule was deleted.").await;
    assert!(!dialog_open("confirm-dialog"));
    assert_eq!(names(), ["1. Protect tagged mail", "2. Relay the rest"]);
    let deletes: Vec<Call> = api
        .calls()
        .into_iter()
        .filter(|c| matches!(c, Call::DeleteMailFlowRule(_)))
        .collect();
    assert_eq!(
        deletes,
        [Call::DeleteMailFlowRule(12), Call::DeleteMailFlowRule(12)]
    );
}

/// The text of each `<li>` in `list`.
fn items(list: &Element) -> Vec<String> {
    let items = list.query_selector_all("li").unwrap();
    (0..items.length())
        .filter_map(|i| items.item(i)?.text_content())
        .collect()
}

fn rule_ref(rule: &MailFlowRule) -> MailFlowRuleRef {
    MailFlowRuleRef {
        id: rule.id,
        name: rule.name.clone(),
    }
}

#[wasm_bindgen_test]
async fn testing_a_message_shows_each_recipients_verdict_and_why() {
    const EML: &str = "From: alice@contoso.example\r\nTo: bob@example.net\r\nSubject: [secure] plans\r\n\r\nHello\r\n";
    let api = FakeApi::new().test_mail_flow(vec![Ok(vec![
        MailFlowVerdict {
            recipient: "bob@example.net".into(),
            rule: Some(rule_ref(&tagged())),
            action: tagged().action,
            because: vec![
                MailFlowReason::SubjectContains {
                    subject: "[secure] plans".into(),
                    found: Some("[secure]".into()),
                },
                MailFlowReason::RecipientOutsideOrg {
                    domain: "example.net".into(),
                },
            ],
            passed_over: vec![],
        },
        MailFlowVerdict {
            recipient: "carol@contoso.example".into(),
            rule: Some(rule_ref(&everything_else())),
            action: MailFlowAction::Relay,
            because: vec![],
            passed_over: vec![
                MailFlowMiss {
                    rule: rule_ref(&tagged()),
                    failed: MailFlowReason::RecipientOutsideOrg {
                        domain: "contoso.example".into(),
                    },
                },
                MailFlowMiss {
                    rule: rule_ref(&too_big()),
                    failed: MailFlowReason::SizeOver {
                        size: 1_258_291,
                        bytes: 10 << 20,
                    },
                },
            ],
        },
        MailFlowVerdict {
            recipient: "dave@example.org".into(),
            rule: None,
            action: MailFlowAction::Relay,
            because: vec![],
            passed_over: vec![],
        },
    ])]);
    let _page = page_with(&api, three_rules());
    find("rule-test").await;

    click("rule-test-run");
    wait_text("rule-test-error", "Paste a message first.").await;
    // Pasted as a textarea has it (LF); sent as SMTP would carry it (CRLF).
    fill_in("rule-test-eml", &EML.replace("\r\n", "\n"));
    fill_in(
        "rule-test-recipients",
        "bob@example.net, carol@contoso.example",
    );
    click("rule-test-run");
    find("verdicts").await;
    assert_eq!(text("rule-test-error"), "");
    assert!(api.calls().contains(&Call::TestMailFlow(MailFlowTest {
        eml: EML.into(),
        recipients: vec!["bob@example.net".into(), "carol@contoso.example".into()],
        sender: None,
    })));

    let verdicts = all("verdict");
    assert_eq!(verdicts.len(), 3);
    let bob = &verdicts[0];
    assert_eq!(
        text_of(&inside(bob, "verdict-recipient").unwrap()),
        "bob@example.net"
    );
    assert_eq!(
        text_of(&inside(bob, "verdict-rule").unwrap()),
        "Rule “Protect tagged mail” matched."
    );
    assert_eq!(
        text_of(&inside(bob, "verdict-action").unwrap()),
        "Protect it (Do Not Forward). Branding template: Contoso. Expires after 7 days."
    );
    // Why: each condition with what the mail had, as the server found it.
    assert_eq!(
        items(&inside(bob, "verdict-because").unwrap()),
        [
            "The subject contains “[secure]”",
            "The recipient is outside the organisation (example.net)"
        ]
    );
    assert!(inside(bob, "verdict-passed-over").is_none());

    // Decided by a rule without conditions, after two that did not match.
    let carol = &verdicts[1];
    assert_eq!(
        text_of(&inside(carol, "verdict-rule").unwrap()),
        "Rule “Relay the rest” matched."
    );
    assert_eq!(
        text_of(&inside(carol, "verdict-because").unwrap()),
        "For every recipient (no conditions)."
    );
    assert_eq!(
        items(&inside(carol, "verdict-passed-over").unwrap()),
        [
            "Rule “Protect tagged mail” did not match: \
             The recipient is inside the organisation (contoso.example).",
            "Rule “Refuse huge mail” did not match: The message is 1.2 MB, not larger than 10 MB."
        ]
    );

    let dave = &verdicts[2];
    assert_eq!(
        text_of(&inside(dave, "verdict-rule").unwrap()),
        "No rule: relayed unchanged."
    );
    assert!(inside(dave, "verdict-action").is_none());
    assert!(inside(dave, "verdict-because").is_none());

    // The facts are worded in the reader's language.
    switch_language("nl");
    until("the reasons in Dutch", || {
        items(&inside(&all("verdict")[0], "verdict-because").unwrap())
            == [
                "Het onderwerp bevat “[secure]”",
                "De geadresseerde is buiten de organisatie (example.net)",
            ]
    })
    .await;
    assert_eq!(
        items(&inside(&all("verdict")[1], "verdict-passed-over").unwrap())[1],
        "Regel “Refuse huge mail” is niet van toepassing: Het bericht is 1,2 MB, niet groter dan 10 MB."
    );
}

#[wasm_bindgen_test]
async fn rules_that_fail_to_load_say_so() {
    let api = FakeApi::new()
        .me(vec![Ok(admin_me())])
        .mail_flow_rules(vec![Err(ApiError::Unreachable)]);
    let _page = mount_portal(&api, "/admin/rules", Some("en"));
    wait_text(
        "rules-load-error",
        "That did not work. Check your connection and try again.",
    )
    .await;
    assert_eq!(
        testid("rules-load-error")
            .unwrap()
            .get_attribute("role")
            .as_deref(),
        Some("alert")
    );
    assert!(testid("rule-form").is_none());
}

#[wasm_bindgen_test]
async fn a_signed_out_administrator_is_sent_to_sign_in_and_back() {
    let api = FakeApi::new()
        .me(vec![Ok(admin_me())])
        .mail_flow_rules(vec![Err(error(ErrorCode::NotSignedIn))]);
    let _page = mount_portal(&api, "/admin/rules", Some("en"));
    find("page-signin").await;
    assert_eq!(current_url(), "/signin?next=/admin/rules");
}

#[wasm_bindgen_test]
async fn the_page_speaks_the_readers_language() {
    let api = FakeApi::new()
        .me(vec![Ok(admin_me())])
        .mail_flow_rules(vec![Ok(three_rules())])
        .admin_templates(vec![Ok(Vec::new())]);
    let _page = mount_portal(&api, "/admin/rules", Some("nl"));
    find("rule").await;
    assert_eq!(
        text_of(&nth("rule", 2, "rule-action")),
        "Dan: Ongewijzigd doorsturen."
    );
    // A template the list does not have is named by its id.
    assert!(text_of(&nth("rule", 0, "rule-action")).contains("Sjabloon: t1."));
}
