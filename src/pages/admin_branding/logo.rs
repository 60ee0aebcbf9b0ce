//! A branding template's logo on the branding page: the current one, a file
//! picker that uploads at once (type and size checked first, in the browser,
//! against the limits the API crate states), and "Remove logo".

use leptos::prelude::*;
use sealmail_api::ErrorCode;
use sealmail_api::admin::{BrandingTemplate, LOGO_TYPES, MAX_LOGO_BYTES};

use crate::api::{ApiError, use_api};
use crate::components::staff::{error_text, redirect_if_signed_out};
use crate::context::use_here;
use crate::translate::{text, tr};

#[derive(Clone, PartialEq)]
enum Problem {
    BadType,
    TooBig,
    Failed(ApiError),
}

/// Whether the browser may send this file as a logo (the server checks again,
/// and also that the bytes are the image their type says).
fn check(file: &web_sys::File) -> Result<(), Problem> {
    if !LOGO_TYPES.contains(&file.type_().as_str()) {
        Err(Problem::BadType)
    } else if file.size() > MAX_LOGO_BYTES as f64 {
        Err(Problem::TooBig)
    } else {
        Ok(())
    }
}

/// The logo of the template `selected` (a saved one; a new template gets its
/// logo once saved). A successful change replaces the template in `templates`.
#[component]
pub fn BrandingLogo(
    selected: RwSignal<Option<String>>,
    templates: RwSignal<Vec<BrandingTemplate>>,
) -> impl IntoView {
    let api = StoredValue::new(use_api());
    let here = use_here();
    let problem = RwSignal::new(None::<Problem>);
    // What the last change did: `Some(true)` uploaded, `Some(false)` removed.
    let saved = RwSignal::new(None::<bool>);
    let input = NodeRef::<leptos::html::Input>::new();
    // A different template: forget what was said about the last one.
    Effect::new(move |_| {
        selected.track();
        problem.set(None);
        saved.set(None);
    });
    let logo_url = move || {
        let id = selected.get()?;
        templates.with(|l| l.iter().find(|t| t.id == id)?.logo_url.clone())
    };

    // Uploads (a file) or removes (none) the template's logo. Local: the
    // file is the browser's.
    let change = Action::new_unsync_local(move |(id, file): &(String, Option<web_sys::File>)| {
        let (id, file) = (id.clone(), file.clone());
        let uploading = file.is_some();
        problem.set(None);
        saved.set(None);
        async move {
            let api = api.get_value();
            let result = match file {
                Some(file) => api.sender().upload_logo(&id, file).await,
                None => api.sender().delete_logo(&id).await,
            };
            match result {
                Ok(template) => {
                    templates.update(|list| {
                        if let Some(t) = list.iter_mut().find(|t| t.id == template.id) {
                            *t = template;
                        }
                    });
                    saved.set(Some(uploading));
                }
                Err(error) if error.code() == Some(ErrorCode::PayloadTooLarge) => {
                    problem.set(Some(Problem::TooBig));
                }
                Err(error) => {
                    if !redirect_if_signed_out(here, &error) {
                        problem.set(Some(Problem::Failed(error)));
                    }
                }
            }
        }
    });
    let busy = change.pending();
    let run = move |id: String, file: Option<web_sys::File>| {
        change.dispatch_local((id, file));
    };
    let on_pick = move |_| {
        let Some(element) = input.get_untracked() else {
            return;
        };
        let file = element.files().and_then(|files| files.get(0));
        // Cleared, so picking the same file again tries again.
        element.set_value("");
        let (Some(file), Some(id)) = (file, selected.get_untracked()) else {
            return;
        };
        match check(&file) {
            Ok(()) => run(id, Some(file)),
            Err(why) => {
                saved.set(None);
                problem.set(Some(why));
            }
        }
    };
    let remove = move |_| {
        if let Some(id) = selected.get_untracked() {
            run(id, None);
        }
    };

    view! {
        <fieldset class="branding-logo" data-testid="branding-logo">
            <legend>{tr(|s| s.branding_logo)}</legend>
            {move || match selected.get() {
                None => view! { <p class="hint" data-testid="logo-save-first">{tr(|s| s.branding_logo_save_first)}</p> }.into_any(),
                Some(_) => view! {
                    {move || logo_url().map(|src| view! {
                        <p><img class="logo logo-current" src=src alt=tr(|s| s.branding_logo) data-testid="logo-current"/></p>
                    })}
                    <label for="branding-logo-file" class="visually-hidden">{tr(|s| s.branding_logo)}</label>
                    <input
                        id="branding-logo-file"
                        type="file"
                        accept=LOGO_TYPES.join(",")
                        aria-describedby="branding-logo-hint branding-logo-error"
                        disabled=busy
                        node_ref=input
                        on:change=on_pick
                        data-testid="logo-file"
                    />
                    <p id="branding-logo-hint" class="hint">{tr(|s| s.branding_logo_hint)}</p>
                    {move || logo_url().is_some().then(|| view! {
                        <button type="button" class="secondary" disabled=busy on:click=remove data-testid="logo-remove">
                            {tr(|s| s.branding_logo_remove)}
                        </button>
                    })}
                }.into_any(),
            }}
            <p id="branding-logo-error" class="error" role="alert" data-testid="logo-error">
                {text(move |s, _| problem.with(|p| match p {
                    None => String::new(),
                    Some(Problem::BadType) => s.branding_logo_bad_type.to_owned(),
                    Some(Problem::TooBig) => s.branding_logo_too_big.to_owned(),
                    Some(Problem::Failed(e)) => error_text(s, e),
                }))}
            </p>
            <p role="status" data-testid="logo-status">{text(move |s, _| match saved.get() {
                Some(true) => s.branding_logo_saved,
                Some(false) => s.saved,
                None => "",
            }.to_owned())}</p>
        </fieldset>
    }
}
