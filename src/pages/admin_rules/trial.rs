//! "Test a message": a pasted mail tried against the rules as the server
//! has them (`sealmail rule test --eml FILE`): for each recipient, the rule
//! that matched and why (each condition with what the mail had, as the
//! server found it), the rules passed over before it, and what happens;
//! nothing is sent.

use leptos::prelude::*;
use sealmail_api::admin::{MailFlowMiss, MailFlowReason, MailFlowTest, MailFlowVerdict};

use super::{Editor, words};
use crate::api::{ApiError, use_api};
use crate::components::staff::{error_text, redirect_if_signed_out};
use crate::context::use_here;
use crate::i18n::fill;
use crate::translate::{text, tr};

/// Why the last test gave no verdicts.
#[derive(Clone, Debug, PartialEq)]
enum Untested {
    /// Nothing was pasted (caught here).
    Missing,
    Failed(ApiError),
}

#[component]
pub(super) fn Trial(editor: Editor) -> impl IntoView {
    let api = StoredValue::new(use_api());
    let here = use_here();
    let eml = RwSignal::new(String::new());
    let recipients = RwSignal::new(String::new());
    let sender = RwSignal::new(String::new());

    // Its value: each recipient's verdict, or why there are none.
    let test = Action::new_unsync(move |mail: &MailFlowTest| {
        let mail = mail.clone();
        async move {
            let tried = api.get_value().sender().test_mail_flow(mail).await;
            if let Err(error) = &tried {
                redirect_if_signed_out(here, error);
            }
            tried.map_err(Untested::Failed)
        }
    });
    let busy = test.pending();
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let pasted = eml.get_untracked();
        if pasted.trim().is_empty() {
            test.value().set(Some(Err(Untested::Missing)));
            return;
        }
        let sender = sender.get_untracked().trim().to_owned();
        test.dispatch(MailFlowTest {
            // A textarea gives lines ending in LF; over SMTP they end in CRLF,
            // and a size condition should see the mail as it would come.
            eml: pasted.replace("\r\n", "\n").replace('\n', "\r\n"),
            recipients: recipients
                .get_untracked()
                .split([',', ';', '\n'])
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .map(str::to_owned)
                .collect(),
            sender: (!sender.is_empty()).then_some(sender),
        });
    };
    let bind = |signal: RwSignal<String>| {
        (
            move || signal.get(),
            move |e: leptos::ev::Event| signal.set(event_target_value(&e)),
        )
    };
    let (eml_value, eml_input) = bind(eml);
    let (recipients_value, recipients_input) = bind(recipients);
    let (sender_value, sender_input) = bind(sender);

    view! {
        <form class="rule-test" on:submit=submit novalidate data-testid="rule-test">
            <h2>{tr(|s| s.rules_test_title)}</h2>
            <p class="hint">{tr(|s| s.rules_test_intro)}</p>
            <label for="rule-test-eml">{tr(|s| s.rules_test_eml)}</label>
            <textarea id="rule-test-eml" rows="10" spellcheck="false" data-testid="rule-test-eml"
                prop:value=eml_value on:input=eml_input></textarea>
            <label for="rule-test-recipients">{tr(|s| s.rules_test_recipients)}</label>
            <input id="rule-test-recipients" type="text" data-testid="rule-test-recipients"
                prop:value=recipients_value on:input=recipients_input/>
            <label for="rule-test-sender">{tr(|s| s.rules_test_sender)}</label>
            <input id="rule-test-sender" type="text" data-testid="rule-test-sender"
                prop:value=sender_value on:input=sender_input/>
            <button type="submit" class="primary" disabled=busy data-testid="rule-test-run">{tr(|s| s.rules_test_run)}</button>
            <p class="error" role="alert" data-testid="rule-test-error">
                {text(move |s, _| test.value().with(|v| match v {
                    Some(Err(Untested::Missing)) => s.rules_test_missing.to_owned(),
                    Some(Err(Untested::Failed(error))) => error_text(s, error),
                    _ => String::new(),
                }))}
            </p>
            <div aria-live="polite">
                {move || test.value().get().and_then(Result::ok).map(|verdicts| view! {
                    <Verdicts editor verdicts/>
                })}
            </div>
        </form>
    }
}

/// Each recipient's verdict: the rule that matched, by name, with why
/// (its conditions with what the mail had), the rules passed over before it
/// and the first condition each failed on, and the action; or "no rule:
/// relayed unchanged".
#[component]
fn Verdicts(editor: Editor, verdicts: Vec<MailFlowVerdict>) -> impl IntoView {
    if verdicts.is_empty() {
        return view! { <p data-testid="verdicts-none">{tr(|s| s.rules_test_nobody)}</p> }
            .into_any();
    }
    let templates = editor.templates;
    view! {
        <h3>{tr(|s| s.rules_test_results)}</h3>
        <ul class="verdicts" data-testid="verdicts">
            {verdicts.into_iter().map(|verdict| {
                let action = verdict.action.clone();
                let matched = verdict.rule.clone();
                view! {
                    <li data-testid="verdict">
                        <strong data-testid="verdict-recipient">{verdict.recipient}</strong>
                        " "
                        <span data-testid="verdict-rule">{text(move |s, _| match &matched {
                            Some(rule) => fill(s.rules_verdict_rule, &rule.name),
                            None => s.rules_verdict_none.to_owned(),
                        })}</span>
                        " "
                        {verdict.rule.is_some().then(|| view! {
                            <span data-testid="verdict-action">
                                {text(move |s, _| templates.with_value(|t| words::action(s, &action, t)))}
                            </span>
                            <p>{tr(|s| s.rules_verdict_because)}</p>
                            <Because because=verdict.because/>
                        })}
                        <PassedOver passed_over=verdict.passed_over/>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}

/// Why the matched rule held: each condition with what the mail had, or
/// "for every recipient" for a rule without conditions.
#[component]
fn Because(because: Vec<MailFlowReason>) -> impl IntoView {
    if because.is_empty() {
        return view! { <p data-testid="verdict-because">{tr(|s| s.rules_always)}</p> }.into_any();
    }
    view! {
        <ul data-testid="verdict-because">
            {because.into_iter().map(|why| view! {
                <li>{text(move |s, lang| words::reason(s, lang, &why, true))}</li>
            }).collect_view()}
        </ul>
    }
    .into_any()
}

/// The rules tried first that did not match, each with the condition it
/// failed on; nothing when the first rule decided.
#[component]
fn PassedOver(passed_over: Vec<MailFlowMiss>) -> impl IntoView {
    (!passed_over.is_empty()).then(|| {
        view! {
            <p>{tr(|s| s.rules_verdict_passed_over)}</p>
            <ul data-testid="verdict-passed-over">
                {passed_over.into_iter().map(|miss| view! {
                    <li>{text(move |s, lang| words::missed(s, lang, &miss))}</li>
                }).collect_view()}
            </ul>
        }
    })
}
