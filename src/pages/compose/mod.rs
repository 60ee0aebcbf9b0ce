//! `/compose`: a new protected message — To and Cc (checked as they are
//! typed), subject, body (plain, or a little Markdown), protection, expiry,
//! branding template, the language of the recipients' mail, a read receipt,
//! attachments (picker or drag and drop, each removable) with an upload
//! progress bar — confirmed with its Message-ID.

mod address_field;
pub mod text;

use leptos::prelude::*;
use sealmail_api::recipient::Body;
use sealmail_api::sender::{ComposeRequest, Expiry};
use sealmail_api::{Language, Protection};

use crate::api::use_api;
use crate::components::staff::{Link, Staff, error_text, redirect_if_signed_out};
use crate::components::{focus_when_mounted, set_title};
use crate::context::{paths, use_here, use_session};
use crate::i18n::format::{end_of_day, is_future, size};
use crate::i18n::{Lang, fill};
use crate::translate::{text, tr};
use address_field::AddressField;
use text::{markdown_html, parse_addresses};

/// The compose page (signed-in senders).
#[component]
pub fn ComposePage() -> impl IntoView {
    view! { <Staff><Compose/></Staff> }
}

/// What stops the message from going, shown under the form (and the field's
/// own line for address problems).
#[derive(Clone, PartialEq)]
enum Problem {
    NoRecipient,
    BadAddresses,
    ExpiryNotFuture,
    /// The attachments' total and the server's limit, in bytes.
    TooLarge(u64, u64),
}

/// The sender's expiry choice (the select's values).
#[derive(Clone, Copy, PartialEq)]
enum ExpiryChoice {
    /// As the chosen template says; offered only when it sets an expiry.
    Template,
    Never,
    Date,
}

impl ExpiryChoice {
    fn value(self) -> &'static str {
        match self {
            ExpiryChoice::Template => "template",
            ExpiryChoice::Never => "never",
            ExpiryChoice::Date => "date",
        }
    }

    fn from_value(value: &str) -> Self {
        match value {
            "never" => ExpiryChoice::Never,
            "date" => ExpiryChoice::Date,
            _ => ExpiryChoice::Template,
        }
    }
}

#[component]
fn Compose() -> impl IntoView {
    let api = StoredValue::new(use_api());
    let here = use_here();
    let to_text = RwSignal::new(String::new());
    let cc_text = RwSignal::new(String::new());
    let to_checked_all = RwSignal::new(false);
    let cc_checked_all = RwSignal::new(false);
    let subject = NodeRef::<leptos::html::Input>::new();
    let body = NodeRef::<leptos::html::Textarea>::new();
    let markdown = RwSignal::new(false);
    let protection = RwSignal::new(Protection::EncryptOnly);
    let expiry_choice = RwSignal::new(ExpiryChoice::Template);
    let expiry_date = NodeRef::<leptos::html::Input>::new();
    // The templates a sender may choose (none if they cannot be had: the
    // server's own branding then applies).
    let templates = LocalResource::new(move || async move {
        api.get_value()
            .sender()
            .templates()
            .await
            .unwrap_or_default()
    });
    let templates = Signal::derive(move || templates.get().unwrap_or_default());
    // The sender's choice; until they make one, the default template.
    let picked = RwSignal::new(None::<String>);
    let template = Memo::new(move |_| {
        picked.get().unwrap_or_else(|| {
            templates.with(|list| {
                let default = list.iter().find(|t| t.is_default);
                default.map(|t| t.id.clone()).unwrap_or_default()
            })
        })
    });
    // `None`: as the template (or the server) says.
    let mail_language = RwSignal::new(None::<Language>);
    // `None` until the sender ticks or unticks it: their account's default.
    let read_receipt_choice = RwSignal::new(None::<bool>);
    let files = RwSignal::new_local(Vec::<web_sys::File>::new());
    let dragging = RwSignal::new(false);
    let progress = RwSignal::new(0.0_f64);
    let problem = RwSignal::new(None::<Problem>);
    let to_input = NodeRef::<leptos::html::Input>::new();
    let cc_input = NodeRef::<leptos::html::Input>::new();
    let file_input = NodeRef::<leptos::html::Input>::new();
    let sent_heading = NodeRef::<leptos::html::H2>::new();
    // Sends; its value is the sent message (the form gives way to the
    // confirmation) or why it did not go. Local: the files are the browser's.
    let send = Action::new_unsync_local(
        move |(request, files): &(ComposeRequest, Vec<web_sys::File>)| {
            let (request, files) = (request.clone(), files.clone());
            progress.set(0.0);
            async move {
                let report = Box::new(move |fraction: f64| progress.set(fraction));
                let composed = api
                    .get_value()
                    .sender()
                    .compose(request, files, report)
                    .await;
                match &composed {
                    Ok(_) => set_timeout(
                        move || {
                            if let Some(h) = sent_heading.get_untracked() {
                                let _ = h.focus();
                            }
                        },
                        std::time::Duration::from_millis(0),
                    ),
                    Err(error) => {
                        redirect_if_signed_out(here, error);
                    }
                }
                composed
            }
        },
    );
    let busy = send.pending();
    let sent = move || {
        send.value()
            .with(|v| v.as_ref().and_then(|r| r.as_ref().ok()).cloned())
    };
    focus_when_mounted(to_input);
    let title = tr(|s| s.compose_title);
    set_title(move || title.get().to_owned());

    let template_days = Memo::new(move |_| {
        let chosen = template.get();
        templates.with(|list| {
            list.iter()
                .find(|t| t.id == chosen)
                .and_then(|t| t.fields.expiry_days)
        })
    });

    // What the select shows: the template's expiry only when it has one.
    let shown_choice = Memo::new(move |_| match expiry_choice.get() {
        ExpiryChoice::Template if template_days.get().is_none() => ExpiryChoice::Never,
        choice => choice,
    });
    let session = use_session();
    let read_receipt = Memo::new(move |_| {
        read_receipt_choice.get().unwrap_or_else(|| {
            session
                .me
                .with(|me| me.as_ref().is_some_and(|me| me.read_receipts))
        })
    });

    let add_files = move |list: Option<web_sys::FileList>| {
        if let Some(list) = list {
            files.update(|files| files.extend((0..list.length()).filter_map(|i| list.get(i))));
        }
    };
    let on_pick = move |_| {
        if let Some(input) = file_input.get_untracked() {
            add_files(input.files());
            // Cleared, so picking the same file again (after removing it) adds it.
            input.set_value("");
        }
    };
    let on_drop = move |event: leptos::ev::DragEvent| {
        event.prevent_default();
        dragging.set(false);
        add_files(event.data_transfer().and_then(|d| d.files()));
    };
    let on_drag_over = move |event: leptos::ev::DragEvent| {
        event.prevent_default();
        dragging.set(true);
    };

    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if busy.get_untracked() {
            return;
        }
        to_checked_all.set(true);
        cc_checked_all.set(true);
        let (to, to_invalid) = parse_addresses(&to_text.get_untracked());
        let (cc, cc_invalid) = parse_addresses(&cc_text.get_untracked());
        let focus = |node: Option<web_sys::HtmlElement>| {
            if let Some(node) = node {
                let _ = node.focus();
            }
        };
        if !to_invalid.is_empty() || !cc_invalid.is_empty() {
            problem.set(Some(Problem::BadAddresses));
            focus(if to_invalid.is_empty() {
                cc_input.get_untracked().map(Into::into)
            } else {
                to_input.get_untracked().map(Into::into)
            });
            return;
        }
        if to.is_empty() {
            problem.set(Some(Problem::NoRecipient));
            focus(to_input.get_untracked().map(Into::into));
            return;
        }
        let expiry = match shown_choice.get_untracked() {
            ExpiryChoice::Template => Expiry::TemplateDefault,
            ExpiryChoice::Never => Expiry::Never,
            ExpiryChoice::Date => {
                let value = expiry_date
                    .get_untracked()
                    .map(|i| i.value())
                    .unwrap_or_default();
                match end_of_day(&value) {
                    Some(at) if is_future(&at) => Expiry::At(at),
                    _ => {
                        problem.set(Some(Problem::ExpiryNotFuture));
                        focus(expiry_date.get_untracked().map(Into::into));
                        return;
                    }
                }
            }
        };
        // Checked here: the server stops reading an upload past its limit,
        // which the browser may report only as a broken connection.
        let total: u64 = files.with_untracked(|f| f.iter().map(|f| f.size() as u64).sum());
        let limit = session
            .me
            .with_untracked(|me| me.as_ref().and_then(|me| me.max_message_bytes));
        if let Some(limit) = limit.filter(|&limit| total > limit) {
            problem.set(Some(Problem::TooLarge(total, limit)));
            focus(file_input.get_untracked().map(Into::into));
            return;
        }
        let text_body = body.get_untracked().map(|b| b.value()).unwrap_or_default();
        let html = (markdown.get_untracked() && !text_body.trim().is_empty())
            .then(|| markdown_html(&text_body));
        let chosen_template = template.get_untracked();
        let request = ComposeRequest {
            to,
            cc,
            subject: subject
                .get_untracked()
                .map(|s| s.value())
                .unwrap_or_default(),
            body: Body {
                text: Some(text_body),
                html,
            },
            protection: protection.get_untracked(),
            expiry,
            branding_template: (!chosen_template.is_empty()).then_some(chosen_template),
            language: mail_language.get_untracked(),
            read_receipt: Some(read_receipt.get_untracked()),
        };
        problem.set(None);
        send.value().set(None);
        send.dispatch_local((request, files.get_untracked()));
    };

    let write_another = move |_| {
        send.value().set(None);
        to_text.set(String::new());
        cc_text.set(String::new());
        to_checked_all.set(false);
        cc_checked_all.set(false);
        files.set(Vec::new());
        for input in [to_input, cc_input, subject] {
            if let Some(input) = input.get_untracked() {
                input.set_value("");
            }
        }
        if let Some(body) = body.get_untracked() {
            body.set_value("");
        }
        set_timeout(
            move || {
                if let Some(input) = to_input.get_untracked() {
                    let _ = input.focus();
                }
            },
            std::time::Duration::from_millis(0),
        );
    };

    view! {
        <section class="card" data-testid="page-compose">
            <h1>{tr(|s| s.compose_title)}</h1>
            // Rendered only once sent, so `compose-sent` existing means it went.
            {move || sent().map(|composed| view! {
                <div class="compose-sent">
                    <h2 tabindex="-1" node_ref=sent_heading role="status" data-testid="compose-sent">
                        {tr(|s| s.compose_sent)}
                    </h2>
                    <p>{tr(|s| s.message_id)} ": " <code data-testid="compose-message-id">{composed.message_id}</code></p>
                    <p class="hint">{tr(|s| s.compose_sent_hint)}</p>
                    <button type="button" class="secondary" on:click=write_another data-testid="compose-another">
                        {tr(|s| s.compose_another)}
                    </button>
                    " "
                    <Link href=paths::SENT testid="compose-to-sent">{tr(|s| s.nav_sent)}</Link>
                </div>
            })}
            <form class="compose" class:hidden=move || sent().is_some() on:submit=submit novalidate>
                <AddressField id="compose-to" label=tr(|s| s.to) hint=tr(|s| s.addresses_hint)
                    text=to_text checked_all=to_checked_all node_ref=to_input/>
                <AddressField id="compose-cc" label=tr(|s| s.cc)
                    text=cc_text checked_all=cc_checked_all node_ref=cc_input/>

                <label for="compose-subject">{tr(|s| s.subject)}</label>
                <input id="compose-subject" type="text" node_ref=subject data-testid="compose-subject"/>

                <label for="compose-body">{tr(|s| s.message_body)}</label>
                <textarea id="compose-body" rows="10" node_ref=body data-testid="compose-body"></textarea>
                <label class="check">
                    <input
                        type="checkbox"
                        data-testid="compose-markdown"
                        on:change=move |e| markdown.set(event_target_checked(&e))
                    />
                    " " {tr(|s| s.markdown_option)}
                </label>

                <fieldset>
                    <legend>{tr(|s| s.protection)}</legend>
                    <label class="check">
                        <input
                            type="radio"
                            name="protection"
                            checked=move || protection.get() == Protection::EncryptOnly
                            on:change=move |_| protection.set(Protection::EncryptOnly)
                            data-testid="compose-encrypt-only"
                        />
                        " " <strong>{tr(|s| s.encrypt_only)}</strong> " — " {tr(|s| s.encrypt_only_sender)}
                    </label>
                    <label class="check">
                        <input
                            type="radio"
                            name="protection"
                            checked=move || protection.get() == Protection::DoNotForward
                            on:change=move |_| protection.set(Protection::DoNotForward)
                            data-testid="compose-do-not-forward"
                        />
                        " " <strong>{tr(|s| s.do_not_forward)}</strong> " — " {tr(|s| s.do_not_forward_sender)}
                    </label>
                </fieldset>

                {move || (!templates.with(Vec::is_empty)).then(|| view! {
                    <label for="compose-template">{tr(|s| s.branding_template)}</label>
                    <select
                        id="compose-template"
                        data-testid="compose-template"
                        on:change=move |e| picked.set(Some(event_target_value(&e)))
                    >
                        {templates.get().into_iter().map(|t| {
                            let id = t.id.clone();
                            view! { <option value=t.id.clone() selected=move || template.get() == id>{t.name}</option> }
                        }).collect_view()}
                    </select>
                })}

                <label for="compose-language">{tr(|s| s.mail_language)}</label>
                <select
                    id="compose-language"
                    data-testid="compose-language"
                    on:change=move |e| mail_language.set(Language::from_tag(&event_target_value(&e)))
                >
                    <option value="" selected=move || mail_language.get().is_none()>{tr(|s| s.mail_language_default)}</option>
                    {Lang::ALL.into_iter().map(|lang| view! {
                        <option value=lang.code() lang=lang.code() selected=move || mail_language.get() == Some(lang.language())>
                            {lang.native_name()}
                        </option>
                    }).collect_view()}
                </select>

                <label class="check">
                    <input
                        type="checkbox"
                        data-testid="compose-read-receipt"
                        prop:checked=read_receipt
                        on:change=move |e| read_receipt_choice.set(Some(event_target_checked(&e)))
                    />
                    " " {tr(|s| s.read_receipt_option)}
                </label>

                <label for="compose-expiry">{tr(|s| s.expiry)}</label>
                <select
                    id="compose-expiry"
                    data-testid="compose-expiry"
                    prop:value=move || shown_choice.get().value()
                    on:change=move |e| expiry_choice.set(ExpiryChoice::from_value(&event_target_value(&e)))
                >
                    {move || template_days.get().map(|days| view! {
                        <option value="template" selected=move || shown_choice.get() == ExpiryChoice::Template>
                            {text(move |s, _| fill(s.expiry_template, &days.to_string()))}
                        </option>
                    })}
                    <option value="never" selected=move || shown_choice.get() == ExpiryChoice::Never>{tr(|s| s.expiry_never)}</option>
                    <option value="date" selected=move || shown_choice.get() == ExpiryChoice::Date>{tr(|s| s.expiry_on_date)}</option>
                </select>
                <div class:hidden=move || shown_choice.get() != ExpiryChoice::Date>
                    <label for="compose-expiry-date">{tr(|s| s.expiry_date)}</label>
                    <input id="compose-expiry-date" type="date" node_ref=expiry_date data-testid="compose-expiry-date"/>
                </div>

                <label for="compose-files">{tr(|s| s.attachments)}</label>
                <div
                    class="drop-zone"
                    class:dragging=dragging
                    data-testid="compose-drop"
                    on:dragover=on_drag_over
                    on:dragleave=move |_| dragging.set(false)
                    on:drop=on_drop
                >
                    <input id="compose-files" type="file" multiple node_ref=file_input on:change=on_pick data-testid="compose-files"/>
                    <p class="hint">{tr(|s| s.drop_hint)}</p>
                </div>
                <ul class="file-list" data-testid="compose-file-list">
                    {move || files.get().into_iter().enumerate().map(|(index, file)| {
                        let name = file.name();
                        let bytes = file.size() as u64;
                        let label = name.clone();
                        view! {
                            <li data-testid="compose-file">
                                <span>{name}</span>
                                <span class="meta">{text(move |_, lang| size(bytes, lang))}</span>
                                <button
                                    type="button"
                                    class="link-button"
                                    aria-label=text(move |s, _| fill(s.remove_file, &label))
                                    data-testid="compose-remove-file"
                                    on:click=move |_| {
                                        files.update(|f| { if index < f.len() { f.remove(index); } });
                                        if let Some(input) = file_input.get_untracked() { let _ = input.focus(); }
                                    }
                                >
                                    {tr(|s| s.remove)}
                                </button>
                            </li>
                        }
                    }).collect_view()}
                </ul>

                <div class:hidden=move || !busy.get() || files.with(Vec::is_empty)>
                    <label for="compose-progress">{tr(|s| s.uploading)}</label>
                    <progress id="compose-progress" max="1" value=move || progress.get() data-testid="compose-progress"></progress>
                </div>

                <p class="error" role="alert" data-testid="compose-error">
                    {text(move |s, lang| problem.with(|p| match p {
                        None => send.value().with(|v| match v {
                            Some(Err(error)) => error_text(s, error),
                            _ => String::new(),
                        }),
                        Some(Problem::NoRecipient) => s.no_recipient.to_owned(),
                        Some(Problem::BadAddresses) => s.fix_addresses.to_owned(),
                        Some(Problem::ExpiryNotFuture) => s.expiry_not_future.to_owned(),
                        Some(Problem::TooLarge(total, limit)) => fill(&fill(s.compose_too_large, &size(*total, lang)), &size(*limit, lang)),
                    }))}
                </p>
                <button type="submit" class="primary" disabled=busy data-testid="compose-send">
                    {text(move |s, _| if busy.get() { s.sending } else { s.send_protected }.to_owned())}
                </button>
            </form>
        </section>
    }
}
