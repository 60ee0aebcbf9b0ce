//! `/admin/rules`: the mail-flow rules in the order they are tried, each in
//! words, moved up and down, edited and deleted here; a form to add or edit
//! one ([`form`]); and a pasted message tried against them ([`trial`]).

mod draft;
mod form;
mod trial;
mod words;

use leptos::prelude::*;
use sealmail_api::admin::{BrandingTemplate, MailFlowCondition, MailFlowRule, MoveMailFlowRule};

use crate::api::{ApiError, use_api};
use crate::components::set_title;
use crate::components::staff::{
    AdminNav, ConfirmDialog, Staff, error_text, load_failed, redirect_if_signed_out,
};
use crate::context::use_here;
use crate::i18n::fill;
use crate::translate::{text, tr};

use draft::Draft;
use form::RuleForm;
use trial::Trial;

/// The rules page (administrators only).
#[component]
pub fn AdminRulesPage() -> impl IntoView {
    view! { <Staff admin=true><AdminRules/></Staff> }
}

/// Loads the rules and the branding templates (the form offers them, the
/// list names them), then shows the editor.
#[component]
fn AdminRules() -> impl IntoView {
    let api = StoredValue::new(use_api());
    let here = use_here();
    let title = tr(|s| s.rules_title);
    set_title(move || title.get().to_owned());
    let loaded = LocalResource::new(move || async move {
        let api = api.get_value();
        let loaded = async {
            let rules = api.sender().mail_flow_rules().await?;
            let templates = api.sender().admin_templates().await?;
            Ok::<_, ApiError>((rules, templates))
        }
        .await;
        if let Err(error) = &loaded {
            redirect_if_signed_out(here, error);
        }
        loaded
    });
    view! {
        <AdminNav/>
        <section class="card" data-testid="page-admin-rules">
            <h1>{tr(|s| s.rules_title)}</h1>
            <p class="hint">{tr(|s| s.rules_intro)}</p>
            <Transition fallback=|| view! { <p class="loading" role="status" data-testid="loading">{tr(|s| s.loading)}</p> }>
                <ErrorBoundary fallback=|errors| load_failed(errors, "rules-load-error")>
                    {move || Suspend::new(async move {
                        loaded.await.map(|(rules, templates)| view! { <RulesEditor rules templates/> })
                    })}
                </ErrorBoundary>
            </Transition>
        </section>
    }
}

/// What the page's parts share: the rules as the server last listed them,
/// the templates, and the form.
#[derive(Clone, Copy)]
struct Editor {
    rules: RwSignal<Vec<MailFlowRule>>,
    templates: StoredValue<Vec<BrandingTemplate>>,
    draft: RwSignal<Draft>,
    /// The rule the form edits (its id and stored name); `None`: it adds one.
    editing: RwSignal<Option<(i64, String)>>,
    /// The form's heading, focused when an edit starts.
    form_heading: NodeRef<leptos::html::H2>,
}

impl Editor {
    /// Starts editing `rule` in the form.
    fn edit(&self, rule: &MailFlowRule) {
        self.draft.set(Draft::of(rule));
        self.editing.set(Some((rule.id, rule.name.clone())));
        if let Some(heading) = self.form_heading.get_untracked() {
            let _ = heading.focus();
        }
    }

    /// Empties the form, back to adding a rule.
    fn reset(&self) {
        self.draft.set(Draft::blank());
        self.editing.set(None);
    }
}

/// The list, the form and the test, over the rules `rules` as loaded.
#[component]
fn RulesEditor(rules: Vec<MailFlowRule>, templates: Vec<BrandingTemplate>) -> impl IntoView {
    let api = StoredValue::new(use_api());
    let here = use_here();
    let editor = Editor {
        rules: RwSignal::new(rules),
        templates: StoredValue::new(templates),
        draft: RwSignal::new(Draft::blank()),
        editing: RwSignal::new(None),
        form_heading: NodeRef::new(),
    };

    // Its value: why the last move failed, if it did.
    let move_rule = Action::new_unsync(move |&(id, position, up): &(i64, i64, bool)| async move {
        let moved = api
            .get_value()
            .sender()
            .move_mail_flow_rule(id, MoveMailFlowRule { position })
            .await;
        match moved {
            Ok(list) => {
                editor.rules.set(list);
                refocus_after_move(id, up);
                Ok(())
            }
            Err(error) => {
                redirect_if_signed_out(here, &error);
                Err(error)
            }
        }
    });
    // The rule the delete dialog asks about (id and name).
    let doomed = RwSignal::new(None::<(i64, String)>);
    let delete_open = RwSignal::new(false);
    // Its value: whether the delete went through (shown in the dialog if not).
    let delete = Action::new_unsync(move |&id: &i64| async move {
        let deleted = api.get_value().sender().delete_mail_flow_rule(id).await;
        match &deleted {
            Ok(()) => {
                editor.rules.update(|list| list.retain(|r| r.id != id));
                if editor.editing.with_untracked(|e| e.as_ref().map(|e| e.0)) == Some(id) {
                    editor.reset();
                }
                delete_open.set(false);
            }
            Err(error) => {
                redirect_if_signed_out(here, error);
            }
        }
        deleted
    });
    let ask_delete = move |rule: (i64, String)| {
        delete.value().set(None);
        doomed.set(Some(rule));
        delete_open.set(true);
    };
    let confirm_delete = move || {
        if let Some((id, _)) = doomed.get_untracked()
            && !delete.pending().get_untracked()
        {
            delete.dispatch(id);
        }
    };

    view! {
        <p class="error" role="alert" data-testid="rules-error">
            {text(move |s, _| move_rule.value().with(|v| match v {
                Some(Err(error)) => error_text(s, error),
                _ => String::new(),
            }))}
        </p>
        <p role="status" class="status" data-testid="rules-status">
            {text(move |s, _| match delete.value().get() {
                Some(Ok(())) => s.rules_deleted.to_owned(),
                _ => String::new(),
            })}
        </p>
        {move || editor.rules.with(Vec::is_empty).then(|| view! {
            <p data-testid="rules-empty">{tr(|s| s.rules_empty)}</p>
        })}
        <ol class="rule-list" data-testid="rules">
            <For each=move || editor.rules.get() key=|rule| rule.id let:rule>
                <RuleRow editor id=rule.id busy=move_rule.pending()
                    on_move=move |id, position, up| { move_rule.dispatch((id, position, up)); }
                    on_delete=ask_delete/>
            </For>
        </ol>
        <RuleForm editor/>
        <Trial editor/>
        <ConfirmDialog
            open=delete_open
            title=tr(|s| s.rules_delete)
            body=text(move |s, _| fill(s.rules_delete_body, &doomed.get().map(|d| d.1).unwrap_or_default()))
            confirm=tr(|s| s.rules_delete)
            busy=delete.pending()
            error=text(move |s, _| delete.value().with(|v| match v {
                Some(Err(error)) => error_text(s, error),
                _ => String::new(),
            }))
            on_confirm=confirm_delete
        />
    }
}

/// One rule of the list: its place, name, conditions and action in words,
/// and its buttons. It follows the list, so an edit or a move shows at once.
#[component]
fn RuleRow(
    editor: Editor,
    id: i64,
    /// A move is on its way (every row's move buttons wait for it).
    #[prop(into)]
    busy: Signal<bool>,
    /// Moves the rule to a place (1 = first); `up`: the button pressed.
    on_move: impl Fn(i64, i64, bool) + Copy + 'static,
    on_delete: impl Fn((i64, String)) + Copy + 'static,
) -> impl IntoView {
    // Its place (0 = first) and the rule as listed.
    let found = Memo::new(move |_| {
        editor.rules.with(|list| {
            let at = list.iter().position(|r| r.id == id)?;
            Some((at, list[at].clone()))
        })
    });
    let count = Memo::new(move |_| editor.rules.with(Vec::len));
    let place = move || found.get().map_or(0, |(at, _)| at);
    let name = move || found.get().map(|(_, r)| r.name).unwrap_or_default();
    let conditions = move || {
        let rule = found.get()?.1;
        Some(view! { <Conditions conditions=rule.conditions testid="rule-conditions"/> })
    };
    let action = move || {
        let action = found.get()?.1.action;
        let templates = editor.templates;
        Some(text(move |s, _| {
            fill(
                s.rules_then,
                &templates.with_value(|t| words::action(s, &action, t)),
            )
        }))
    };
    let heading_id = format!("rule-{id}-name");
    view! {
        <li class="rule" data-testid="rule" data-rule-id=id.to_string()>
            <h2 id=heading_id.clone() tabindex="-1" data-testid="rule-name">
                {move || format!("{}. ", place() + 1)}{name}
            </h2>
            {conditions}
            <p data-testid="rule-action">{action}</p>
            <div class="actions">
                <button type="button" class="secondary" id=format!("rule-{id}-up") data-testid="rule-up"
                    disabled=move || busy.get() || place() == 0
                    on:click=move |_| on_move(id, place() as i64, true)>
                    {tr(|s| s.rules_move_up)}<span class="visually-hidden">": " {name}</span>
                </button>
                <button type="button" class="secondary" id=format!("rule-{id}-down") data-testid="rule-down"
                    disabled=move || busy.get() || (place() + 1 >= count.get())
                    on:click=move |_| on_move(id, place() as i64 + 2, false)>
                    {tr(|s| s.rules_move_down)}<span class="visually-hidden">": " {name}</span>
                </button>
                <button type="button" class="secondary" data-testid="rule-edit"
                    on:click=move |_| if let Some((_, rule)) = found.get_untracked() { editor.edit(&rule) }>
                    {tr(|s| s.rules_edit)}<span class="visually-hidden">": " {name}</span>
                </button>
                <button type="button" class="danger" data-testid="rule-delete"
                    on:click=move |_| on_delete((id, name()))>
                    {tr(|s| s.rules_delete)}<span class="visually-hidden">": " {name}</span>
                </button>
            </div>
        </li>
    }
}

/// A rule's conditions in words: a list, or "for every recipient".
#[component]
fn Conditions(conditions: Vec<MailFlowCondition>, testid: &'static str) -> impl IntoView {
    if conditions.is_empty() {
        return view! { <p data-testid=testid>{tr(|s| s.rules_always)}</p> }.into_any();
    }
    view! {
        <p>{tr(|s| s.rules_if_all)}</p>
        <ul data-testid=testid>
            {conditions.into_iter().map(|c| view! {
                <li>{text(move |s, lang| words::condition(s, lang, &c))}</li>
            }).collect_view()}
        </ul>
    }
    .into_any()
}

/// After a move the row's DOM node moved with it, and the browser dropped
/// the focus: back to the same button, or its other one at either end.
fn refocus_after_move(id: i64, up: bool) {
    request_animation_frame(move || {
        let (same, other) = if up { ("up", "down") } else { ("down", "up") };
        let button = |which: &str| {
            document()
                .get_element_by_id(&format!("rule-{id}-{which}"))
                .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlButtonElement>(e).ok())
                .filter(|b| !b.disabled())
        };
        if let Some(button) = button(same).or_else(|| button(other)) {
            let _ = button.focus();
        }
    });
}
