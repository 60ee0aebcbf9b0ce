//! `/admin/branding`: the branding templates — each field editable, with a
//! live preview of the portal page and the notification mail it gives; a
//! logo each; delete (not the default while others exist).

mod logo;

use leptos::prelude::*;
use sealmail_api::admin::{BrandingFields, BrandingTemplate, BrandingTemplateInput};

use crate::api::{ApiError, use_api};
use crate::components::set_title;
use crate::components::shell::header_colors;
use crate::components::staff::{
    AdminNav, ConfirmDialog, Staff, error_text, load_failed, redirect_if_signed_out,
};
use crate::context::use_here;
use crate::i18n::{Lang, Strings, fill};
use crate::translate::{text, tr};
use logo::BrandingLogo;

/// The branding page (administrators only).
#[component]
pub fn AdminBrandingPage() -> impl IntoView {
    view! { <Staff admin=true><AdminBranding/></Staff> }
}

fn blank() -> BrandingTemplateInput {
    BrandingTemplateInput {
        name: String::new(),
        is_default: false,
        fields: BrandingFields {
            organisation: None,
            background_color: "#1e3a8a".into(),
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
    }
}

fn input_of(template: &BrandingTemplate) -> BrandingTemplateInput {
    BrandingTemplateInput {
        name: template.name.clone(),
        is_default: template.is_default,
        fields: template.fields.clone(),
    }
}

#[derive(Clone, PartialEq)]
enum Problem {
    NameMissing,
    BadColor,
    Failed(ApiError),
}

/// One optional text setting of a template.
struct TextField {
    id: &'static str,
    label: fn(&'static Strings) -> &'static str,
    get: fn(&BrandingFields) -> &Option<String>,
    set: fn(&mut BrandingFields, Option<String>),
    multiline: bool,
}

const TEXT_FIELDS: [TextField; 7] = [
    TextField {
        id: "branding-organisation",
        label: |s| s.branding_organisation,
        get: |f| &f.organisation,
        set: |f, v| f.organisation = v,
        multiline: false,
    },
    TextField {
        id: "branding-intro",
        label: |s| s.branding_intro,
        get: |f| &f.introduction_text,
        set: |f, v| f.introduction_text = v,
        multiline: true,
    },
    TextField {
        id: "branding-button",
        label: |s| s.branding_button,
        get: |f| &f.read_button_text,
        set: |f, v| f.read_button_text = v,
        multiline: false,
    },
    TextField {
        id: "branding-email-text",
        label: |s| s.branding_email_text,
        get: |f| &f.email_text,
        set: |f, v| f.email_text = v,
        multiline: true,
    },
    TextField {
        id: "branding-portal-text",
        label: |s| s.branding_portal_text,
        get: |f| &f.portal_text,
        set: |f, v| f.portal_text = v,
        multiline: true,
    },
    TextField {
        id: "branding-disclaimer",
        label: |s| s.branding_disclaimer,
        get: |f| &f.disclaimer_text,
        set: |f, v| f.disclaimer_text = v,
        multiline: true,
    },
    TextField {
        id: "branding-privacy",
        label: |s| s.branding_privacy,
        get: |f| &f.privacy_statement_url,
        set: |f, v| f.privacy_statement_url = v,
        multiline: false,
    },
];

/// Loads the templates, then shows the editor.
#[component]
fn AdminBranding() -> impl IntoView {
    let api = StoredValue::new(use_api());
    let here = use_here();
    let title = tr(|s| s.branding_title);
    set_title(move || title.get().to_owned());
    let loaded = LocalResource::new(move || async move {
        let list = api.get_value().sender().admin_templates().await;
        if let Err(error) = &list {
            redirect_if_signed_out(here, error);
        }
        list
    });
    view! {
        <AdminNav/>
        <Transition fallback=|| view! { <p class="loading" role="status" data-testid="loading">{tr(|s| s.loading)}</p> }>
            <ErrorBoundary fallback=|errors| load_failed(errors, "branding-load-error")>
                {move || Suspend::new(async move {
                    loaded.await.map(|list| view! { <BrandingEditor list/> })
                })}
            </ErrorBoundary>
        </Transition>
    }
}

/// The templates `list` as loaded, edited here (a save or delete changes the
/// list in place), with the default template chosen first.
#[component]
fn BrandingEditor(list: Vec<BrandingTemplate>) -> impl IntoView {
    let api = StoredValue::new(use_api());
    let here = use_here();
    let first = list.iter().find(|t| t.is_default).or(list.first());
    let selected = RwSignal::new(first.map(|t| t.id.clone()));
    let draft = RwSignal::new(first.map(input_of).unwrap_or_else(blank));
    let templates = RwSignal::new(list);
    let problem = RwSignal::new(None::<Problem>);
    let notice = RwSignal::new(None::<Notice>);
    let delete_open = RwSignal::new(false);

    let choose = move |event: leptos::ev::Event| {
        let id = event_target_value(&event);
        notice.set(None);
        problem.set(None);
        if id.is_empty() {
            selected.set(None);
            draft.set(blank());
        } else if let Some(t) = templates.with_untracked(|l| l.iter().find(|t| t.id == id).cloned())
        {
            selected.set(Some(id));
            draft.set(input_of(&t));
        }
    };

    // A failed save shows as the form's problem.
    let save = Action::new_unsync(
        move |(id, input): &(Option<String>, BrandingTemplateInput)| {
            let (id, input) = (id.clone(), input.clone());
            async move {
                match api.get_value().sender().save_template(id, input).await {
                    Ok(template) => {
                        templates.update(|list| {
                            if template.is_default {
                                list.iter_mut().for_each(|t| t.is_default = false);
                            }
                            match list.iter_mut().find(|t| t.id == template.id) {
                                Some(t) => *t = template.clone(),
                                None => list.push(template.clone()),
                            }
                        });
                        selected.set(Some(template.id.clone()));
                        draft.set(input_of(&template));
                        notice.set(Some(Notice::Saved));
                    }
                    Err(error) => {
                        if !redirect_if_signed_out(here, &error) {
                            problem.set(Some(Problem::Failed(error)));
                        }
                    }
                }
            }
        },
    );
    let busy = save.pending();
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let input = draft.get_untracked();
        notice.set(None);
        if input.name.trim().is_empty() {
            problem.set(Some(Problem::NameMissing));
            return;
        }
        if header_colors(&input.fields.background_color).is_none() {
            problem.set(Some(Problem::BadColor));
            return;
        }
        problem.set(None);
        save.dispatch((selected.get_untracked(), input));
    };

    let colors = Memo::new(move |_| draft.with(|d| header_colors(&d.fields.background_color)));
    // Its value: why the delete failed, if it did (shown in the dialog).
    let delete = Action::new_unsync(move |id: &String| {
        let id = id.clone();
        async move {
            let deleted = api.get_value().sender().delete_template(&id).await;
            match &deleted {
                Ok(()) => {
                    templates.update(|list| list.retain(|t| t.id != id));
                    let next = templates.with_untracked(|list| {
                        list.iter().find(|t| t.is_default).or(list.first()).cloned()
                    });
                    selected.set(next.as_ref().map(|t| t.id.clone()));
                    draft.set(next.as_ref().map(input_of).unwrap_or_else(blank));
                    problem.set(None);
                    delete_open.set(false);
                    notice.set(Some(Notice::Deleted));
                }
                Err(error) => {
                    redirect_if_signed_out(here, error);
                }
            }
            deleted
        }
    });
    let confirm_delete = move || {
        if let Some(id) = selected.get_untracked()
            && !delete.pending().get_untracked()
        {
            delete.dispatch(id);
        }
    };
    // The default goes only when it is the last one (the server's rule too):
    // otherwise messages sent without a template would lose their branding.
    let deletable = move || {
        let id = selected.get()?;
        templates.with(|list| {
            let t = list.iter().find(|t| t.id == id)?;
            Some(!t.is_default || list.len() == 1)
        })
    };
    let logo_url = move || {
        let id = selected.get()?;
        templates.with(|l| l.iter().find(|t| t.id == id)?.logo_url.clone())
    };
    let banner = move || {
        view! {
            <div class="preview-banner"
                style:background-color=move || colors.get().map(|(bg, _)| bg)
                style:color=move || colors.get().map(|(_, fg)| fg)>
                {move || logo_url().map(|src| view! { <img class="logo" src=src alt="" data-testid="preview-logo"/> " " })}
                <span data-testid="preview-organisation">
                    {text(move |s, _| draft.with(|d| d.fields.organisation.clone()).unwrap_or_else(|| s.preview_organisation.to_owned()))}
                </span>
            </div>
        }
    };

    let text_fields = TEXT_FIELDS
        .iter()
        .map(|field| {
            let (get, set) = (field.get, field.set);
            let value = move || draft.with(|d| get(&d.fields).clone().unwrap_or_default());
            let on_input = move |event: leptos::ev::Event| {
                let v = event_target_value(&event);
                draft.update(|d| set(&mut d.fields, (!v.trim().is_empty()).then_some(v)));
            };
            let label = field.label;
            let control = if field.multiline {
                view! { <textarea id=field.id rows="2" prop:value=value on:input=on_input data-testid=field.id></textarea> }.into_any()
            } else {
                view! { <input id=field.id type="text" prop:value=value on:input=on_input data-testid=field.id/> }.into_any()
            };
            view! {
                <label for=field.id>{tr(label)}</label>
                {control}
            }
        })
        .collect_view();

    let field_text = move |get: fn(&BrandingFields) -> &Option<String>| {
        move || draft.with(|d| get(&d.fields).clone())
    };

    view! {
        <section class="card" data-testid="page-admin-branding">
            <h1>{tr(|s| s.branding_title)}</h1>
            <label for="branding-template">{tr(|s| s.branding_template)}</label>
            <select id="branding-template" data-testid="branding-template" on:change=choose>
                {move || templates.get().into_iter().map(|t| {
                    let id = t.id.clone();
                    view! { <option value=t.id.clone() selected=move || selected.get().as_deref() == Some(id.as_str())>{t.name}{t.is_default.then_some(" ★")}</option> }
                }).collect_view()}
                <option value="" selected=move || selected.with(Option::is_none)>{tr(|s| s.branding_new)}</option>
            </select>
            <div class="branding-editor">
                <form class="branding-form" on:submit=submit novalidate>
                    <label for="branding-name">{tr(|s| s.branding_name)}</label>
                    <input id="branding-name" type="text" prop:value=move || draft.with(|d| d.name.clone())
                        on:input=move |e| draft.update(|d| d.name = event_target_value(&e)) data-testid="branding-name"/>
                    <label for="branding-color">{tr(|s| s.branding_color)}</label>
                    <div class="inline">
                        <input id="branding-color" type="color" class="color"
                            prop:value=move || draft.with(|d| d.fields.background_color.clone())
                            on:input=move |e| draft.update(|d| d.fields.background_color = event_target_value(&e))
                            data-testid="branding-color"/>
                        <input type="text" aria-label=tr(|s| s.branding_color)
                            prop:value=move || draft.with(|d| d.fields.background_color.clone())
                            on:input=move |e| draft.update(|d| d.fields.background_color = event_target_value(&e))
                            data-testid="branding-color-text"/>
                    </div>
                    {text_fields}
                    <label for="branding-expiry">{tr(|s| s.branding_expiry_days)}</label>
                    <input id="branding-expiry" type="number" min="1" inputmode="numeric"
                        prop:value=move || draft.with(|d| d.fields.expiry_days.map(|n| n.to_string()).unwrap_or_default())
                        on:input=move |e| draft.update(|d| d.fields.expiry_days = event_target_value(&e).trim().parse().ok())
                        data-testid="branding-expiry"/>
                    <label for="branding-language">{tr(|s| s.branding_language)}</label>
                    <select id="branding-language" data-testid="branding-language"
                        on:change=move |e| draft.update(|d| d.fields.language = sealmail_api::Language::from_tag(&event_target_value(&e)))>
                        <option value="" selected=move || draft.with(|d| d.fields.language.is_none())>{tr(|s| s.branding_language_default)}</option>
                        {Lang::ALL.into_iter().map(|lang| {
                            let code = lang.code();
                            view! {
                                <option value=code lang=code
                                    selected=move || draft.with(|d| d.fields.language.map(|l| l.code()) == Some(code))>
                                    {lang.native_name()}
                                </option>
                            }
                        }).collect_view()}
                    </select>
                    <label class="check">
                        <input type="checkbox" prop:checked=move || draft.with(|d| d.is_default)
                            on:change=move |e| draft.update(|d| d.is_default = event_target_checked(&e))
                            data-testid="branding-default"/>
                        " " {tr(|s| s.branding_default)}
                    </label>
                    <p class="error" role="alert" data-testid="branding-error">
                        {text(move |s, _| problem.with(|p| match p {
                            None => String::new(),
                            Some(Problem::NameMissing) => s.branding_name_missing.to_owned(),
                            Some(Problem::BadColor) => s.branding_bad_color.to_owned(),
                            Some(Problem::Failed(e)) => error_text(s, e),
                        }))}
                    </p>
                    <p role="status" data-testid="branding-saved">{text(move |s, _| match notice.get() {
                        Some(Notice::Saved) => s.saved,
                        Some(Notice::Deleted) => s.branding_deleted,
                        None => "",
                    }.to_owned())}</p>
                    <div class="inline">
                        <button type="submit" class="primary" disabled=busy data-testid="branding-save">{tr(|s| s.save)}</button>
                        {move || (deletable() == Some(true)).then(|| view! {
                            <button type="button" class="danger" data-testid="branding-delete" on:click=move |_| {
                                delete.value().set(None);
                                delete_open.set(true);
                            }>
                                {tr(|s| s.branding_delete)}
                            </button>
                        })}
                    </div>
                    {move || (deletable() == Some(false)).then(|| view! {
                        <p class="hint" data-testid="branding-default-kept">{tr(|s| s.branding_default_kept)}</p>
                    })}
                    <BrandingLogo selected=selected templates=templates/>
                </form>
                <div class="previews">
                    <h2>{tr(|s| s.preview_portal)}</h2>
                    <div class="preview" data-testid="preview-portal" aria-hidden="true">
                        {banner()}
                        <div class="preview-body">
                            <p class="intro" data-testid="preview-intro">{field_text(|f| &f.introduction_text)}</p>
                            <p><strong>{tr(|s| s.protected_message)}</strong></p>
                            <p>{text(|s, _| fill(s.sent_you, "Alice Example"))}</p>
                            <p class="portal-text">{field_text(|f| &f.portal_text)}</p>
                            <span class="preview-button" data-testid="preview-portal-button">
                                {text(move |s, _| draft.with(|d| d.fields.read_button_text.clone()).unwrap_or_else(|| s.send_passcode.to_owned()))}
                            </span>
                            <p class="meta" data-testid="preview-disclaimer">{field_text(|f| &f.disclaimer_text)}</p>
                        </div>
                    </div>
                    <h2>{tr(|s| s.preview_mail)}</h2>
                    <div class="preview" data-testid="preview-mail" aria-hidden="true">
                        <div class="preview-banner"
                            style:background-color=move || colors.get().map(|(bg, _)| bg)
                            style:color=move || colors.get().map(|(_, fg)| fg)>
                            {text(move |s, _| draft.with(|d| d.fields.organisation.clone()).unwrap_or_else(|| s.preview_organisation.to_owned()))}
                        </div>
                        <div class="preview-body">
                            <p class="intro">{field_text(|f| &f.introduction_text)}</p>
                            <p>{text(|s, _| fill(s.sent_you, "Alice Example"))}</p>
                            <p data-testid="preview-email-text">{field_text(|f| &f.email_text)}</p>
                            <span class="preview-button" data-testid="preview-mail-button">
                                {text(move |s, _| draft.with(|d| d.fields.read_button_text.clone()).unwrap_or_else(|| s.read_message.to_owned()))}
                            </span>
                            <p class="meta">{field_text(|f| &f.disclaimer_text)}</p>
                        </div>
                    </div>
                </div>
            </div>
            <ConfirmDialog
                open=delete_open
                title=text(|s, _| s.branding_delete.to_owned())
                body=text(move |s, _| fill(s.branding_delete_body, &draft.with(|d| d.name.clone())))
                confirm=tr(|s| s.branding_delete)
                busy=delete.pending()
                error=text(move |s, _| delete.value().with(|v| match v {
                    Some(Err(error)) => error_text(s, error),
                    _ => String::new(),
                }))
                on_confirm=confirm_delete
            />
        </section>
    }
}

/// What the page last did, announced in its status line.
#[derive(Clone, Copy, PartialEq)]
enum Notice {
    Saved,
    Deleted,
}
