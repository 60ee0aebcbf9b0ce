//! The form that adds a rule, or edits the one chosen in the list: its name,
//! its conditions (rows added and removed, each with the inputs its kind
//! needs) and its action.

use leptos::prelude::*;
use sealmail_api::Protection;
use sealmail_api::admin::NewMailFlowRule;

use super::Editor;
use super::draft::{ActionKind, ConditionDraft, Kind, Problem};
use crate::api::{ApiError, use_api};
use crate::components::staff::{error_text, redirect_if_signed_out};
use crate::context::use_here;
use crate::i18n::fill;
use crate::translate::{text, tr};

/// Why the last save did not go through.
#[derive(Clone, Debug, PartialEq)]
enum Unsaved {
    /// Caught here, before anything was sent.
    Problem(Problem),
    Failed(ApiError),
}

/// What the last save did.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Saved {
    Added,
    Edited,
}

#[component]
pub(super) fn RuleForm(editor: Editor) -> impl IntoView {
    let api = StoredValue::new(use_api());
    let here = use_here();
    let draft = editor.draft;

    // Its value: what the last save did, or why it did not.
    let save = Action::new_unsync(move |(id, rule): &(Option<i64>, NewMailFlowRule)| {
        let (id, rule) = (*id, rule.clone());
        async move {
            match api.get_value().sender().save_mail_flow_rule(id, rule).await {
                Ok(list) => {
                    editor.rules.set(list);
                    editor.reset();
                    Ok(if id.is_some() {
                        Saved::Edited
                    } else {
                        Saved::Added
                    })
                }
                Err(error) => {
                    redirect_if_signed_out(here, &error);
                    Err(Unsaved::Failed(error))
                }
            }
        }
    });
    let busy = save.pending();
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if busy.get_untracked() {
            return;
        }
        match draft.with_untracked(|d| d.rule()) {
            Ok(rule) => {
                let id = editor.editing.with_untracked(|e| e.as_ref().map(|e| e.0));
                save.dispatch((id, rule));
            }
            Err(problem) => save.value().set(Some(Err(Unsaved::Problem(problem)))),
        }
    };
    let cancel = move |_| {
        save.value().set(None);
        editor.reset();
    };

    let heading = text(move |s, _| match editor.editing.get() {
        Some((_, name)) => fill(s.rules_edit_title, &name),
        None => s.rules_add_title.to_owned(),
    });
    let action = Memo::new(move |_| draft.with(|d| d.action));
    let set_action = move |kind: ActionKind| move |_| draft.update(|d| d.action = kind);
    let radio = move |kind: ActionKind, value: &'static str, label: Signal<String>| {
        view! {
            <label class="check">
                <input type="radio" name="rule-action" value=value data-testid=format!("rule-action-{value}")
                    prop:checked=move || action.get() == kind on:change=set_action(kind)/>
                " " {label}
            </label>
        }
    };

    view! {
        <form class="rule-form" on:submit=submit novalidate data-testid="rule-form">
            <h2 tabindex="-1" node_ref=editor.form_heading data-testid="rule-form-title">{heading}</h2>
            <label for="rule-name">{tr(|s| s.rules_name)}</label>
            <input id="rule-name" type="text" data-testid="rule-form-name"
                prop:value=move || draft.with(|d| d.name.clone())
                on:input=move |e| draft.update(|d| d.name = event_target_value(&e))/>
            <fieldset>
                <legend>{tr(|s| s.rules_conditions)}</legend>
                <p class="hint">{tr(|s| s.rules_conditions_hint)}</p>
                <ol class="condition-list">
                    <For each=move || draft.with(|d| d.conditions.iter().map(|c| c.key).collect::<Vec<_>>())
                        key=|key| *key let:key>
                        <ConditionRow editor key/>
                    </For>
                </ol>
                <button type="button" class="secondary" data-testid="condition-add"
                    on:click=move |_| draft.update(|d| d.add_condition())>
                    {tr(|s| s.rules_add_condition)}
                </button>
            </fieldset>
            <fieldset>
                <legend>{tr(|s| s.rules_action)}</legend>
                {radio(ActionKind::Protect, "protect", tr(|s| s.rules_action_protect))}
                {radio(ActionKind::Relay, "relay", tr(|s| s.rules_action_relay))}
                {radio(ActionKind::Reject, "reject", tr(|s| s.rules_action_reject))}
                {move || match action.get() {
                    ActionKind::Protect => view! { <ProtectFields editor/> }.into_any(),
                    ActionKind::Relay => ().into_any(),
                    ActionKind::Reject => view! {
                        <label for="rule-reason">{tr(|s| s.rules_reason)}</label>
                        <input id="rule-reason" type="text" data-testid="rule-reason"
                            prop:value=move || draft.with(|d| d.reason.clone())
                            on:input=move |e| draft.update(|d| d.reason = event_target_value(&e))/>
                    }.into_any(),
                }}
            </fieldset>
            <p class="error" role="alert" data-testid="rule-form-error">
                {text(move |s, _| save.value().with(|v| match v {
                    Some(Err(Unsaved::Problem(problem))) => problem.said(s),
                    Some(Err(Unsaved::Failed(error))) => error_text(s, error),
                    _ => String::new(),
                }))}
            </p>
            <p role="status" class="status" data-testid="rule-form-saved">
                {text(move |s, _| match save.value().get() {
                    Some(Ok(Saved::Added)) => s.rules_added.to_owned(),
                    Some(Ok(Saved::Edited)) => s.saved.to_owned(),
                    _ => String::new(),
                })}
            </p>
            <div class="inline">
                <button type="submit" class="primary" disabled=busy data-testid="rule-save">
                    {move || if editor.editing.with(Option::is_some) { tr(|s| s.save) } else { tr(|s| s.rules_add) }}
                </button>
                {move || editor.editing.with(Option::is_some).then(|| view! {
                    <button type="button" class="secondary" data-testid="rule-cancel" on:click=cancel>
                        {tr(|s| s.cancel)}
                    </button>
                })}
            </div>
        </form>
    }
}

/// One condition row: its kind, the inputs that kind needs, and a button
/// to remove it. Drawn again only when its kind changes, so typing keeps
/// the focus.
#[component]
fn ConditionRow(editor: Editor, key: u32) -> impl IntoView {
    let draft = editor.draft;
    let number = Memo::new(move |_| {
        draft.with(|d| {
            d.conditions
                .iter()
                .position(|c| c.key == key)
                .map_or(0, |i| i + 1)
        })
    });
    let kind = Memo::new(move |_| {
        draft.with(|d| d.conditions.iter().find(|c| c.key == key).map(|c| c.kind))
    });
    let get = move |field: fn(&ConditionDraft) -> String| {
        move || {
            draft
                .with(|d| d.conditions.iter().find(|c| c.key == key).map(field))
                .unwrap_or_default()
        }
    };
    let flag = move || draft.with(|d| d.conditions.iter().any(|c| c.key == key && c.flag));
    let update = move |change: &dyn Fn(&mut ConditionDraft)| {
        draft.update(|d| {
            if let Some(row) = d.condition_mut(key) {
                change(row);
            }
        });
    };
    let set_text = move |e: leptos::ev::Event| update(&|row| row.text = event_target_value(&e));
    let set_other = move |e: leptos::ev::Event| update(&|row| row.other = event_target_value(&e));
    let set_flag = move |e: leptos::ev::Event| update(&|row| row.flag = event_target_checked(&e));
    let set_kind = move |e: leptos::ev::Event| {
        if let Some(kind) = Kind::from_value(&event_target_value(&e)) {
            update(&|row| row.set_kind(kind));
        }
    };
    let id = move |part: &str| format!("rule-condition-{key}-{part}");

    let inputs = move || {
        let text_input = |label: Signal<String>, kind: &'static str| {
            view! {
                <label for=id("text")>{label}</label>
                <input id=id("text") type=kind data-testid="condition-text"
                    prop:value=get(|c| c.text.clone()) on:input=set_text/>
            }
        };
        let check = |label: Signal<String>| {
            view! {
                <label class="check">
                    <input type="checkbox" data-testid="condition-flag" prop:checked=flag on:change=set_flag/>
                    " " {label}
                </label>
            }
        };
        match kind.get()? {
            Kind::Outside | Kind::Inside => None,
            Kind::Subject => Some(view! {
                {text_input(tr(|s| s.rules_words), "text")}
                {check(tr(|s| s.rules_strip))}
            }.into_any()),
            Kind::Body => Some(text_input(tr(|s| s.rules_words), "text").into_any()),
            Kind::Header => Some(view! {
                {text_input(tr(|s| s.rules_header_name), "text")}
                <label for=id("other")>{tr(|s| s.rules_header_contains)}</label>
                <input id=id("other") type="text" data-testid="condition-other"
                    prop:value=get(|c| c.other.clone()) on:input=set_other/>
            }.into_any()),
            Kind::Sender => Some(text_input(tr(|s| s.rules_sender_is), "text").into_any()),
            Kind::Attachments => Some(view! {
                <label for=id("has")>{tr(|s| s.rules_kind_attachments)}</label>
                <select id=id("has") data-testid="condition-has"
                    on:change=move |e| { let has = event_target_value(&e) == "yes"; update(&|row| row.flag = has) }>
                    <option value="yes" selected=flag>{tr(|s| s.rules_has_attachments)}</option>
                    <option value="no" selected=move || !flag()>{tr(|s| s.rules_has_no_attachments)}</option>
                </select>
            }.into_any()),
            Kind::Size => Some(text_input(tr(|s| s.rules_size_bytes), "number").into_any()),
        }
    };

    view! {
        <li class="condition" data-testid="condition">
            <label for=id("kind")>{text(move |s, _| fill(s.rules_condition, &number.get().to_string()))}</label>
            <select id=id("kind") data-testid="condition-kind" on:change=set_kind>
                {Kind::ALL.into_iter().map(|k| view! {
                    <option value=k.value() selected=move || kind.get() == Some(k)>{text(move |s, _| k.label(s).to_owned())}</option>
                }).collect_view()}
            </select>
            {inputs}
            <button type="button" class="link-button" data-testid="condition-remove"
                on:click=move |_| draft.update(|d| d.remove_condition(key))>
                {text(move |s, _| fill(s.rules_remove_condition, &number.get().to_string()))}
            </button>
        </li>
    }
}

/// The protect action's settings: the protection, the branding template
/// (the default one, or one of the templates), and an optional expiry.
#[component]
fn ProtectFields(editor: Editor) -> impl IntoView {
    let draft = editor.draft;
    let protection = move |p: Protection| {
        view! {
            <option value=if p == Protection::EncryptOnly { "encrypt_only" } else { "do_not_forward" }
                selected=move || draft.with(|d| d.protection == p)>
                {text(move |s, _| s.protection_named(p).0.to_owned())}
            </option>
        }
    };
    let templates = editor.templates.get_value();
    view! {
        <label for="rule-protection">{tr(|s| s.protection)}</label>
        <select id="rule-protection" data-testid="rule-protection"
            on:change=move |e| draft.update(|d| d.protection = if event_target_value(&e) == "do_not_forward" {
                Protection::DoNotForward
            } else {
                Protection::EncryptOnly
            })>
            {protection(Protection::EncryptOnly)}
            {protection(Protection::DoNotForward)}
        </select>
        <label for="rule-template">{tr(|s| s.branding_template)}</label>
        <select id="rule-template" data-testid="rule-template"
            on:change=move |e| draft.update(|d| d.template = Some(event_target_value(&e)).filter(|id| !id.is_empty()))>
            <option value="" selected=move || draft.with(|d| d.template.is_none())>{tr(|s| s.rules_template_default)}</option>
            {templates.into_iter().map(|t| {
                let id = t.id.clone();
                view! {
                    <option value=t.id selected=move || draft.with(|d| d.template.as_deref() == Some(id.as_str()))>{t.name}</option>
                }
            }).collect_view()}
        </select>
        <label for="rule-expiry">{tr(|s| s.branding_expiry_days)}</label>
        <input id="rule-expiry" type="number" min="1" max="3650" inputmode="numeric" data-testid="rule-expiry"
            prop:value=move || draft.with(|d| d.expiry_days.clone())
            on:input=move |e| draft.update(|d| d.expiry_days = event_target_value(&e))/>
    }
}
