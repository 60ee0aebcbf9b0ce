//! The encrypted reply: text, optional files, and a confirmation.

use leptos::prelude::*;
use sealmail_api::ErrorCode;
use sealmail_api::recipient::ReplyRequest;

use super::flow::use_flow;
use crate::api::ApiError;
use crate::i18n::fill;
use crate::translate::{text, tr};

#[derive(Clone, Copy, PartialEq)]
enum Problem {
    Missing,
    TooLarge,
    Failed,
}

/// The reply form; `to` names the sender in the confirmation.
#[component]
pub fn ReplyForm(to: String) -> impl IntoView {
    let flow = use_flow();
    let problem = RwSignal::new(None::<Problem>);
    let sent = RwSignal::new(false);
    let text_box = NodeRef::<leptos::html::Textarea>::new();
    let files = NodeRef::<leptos::html::Input>::new();
    let confirmation = NodeRef::<leptos::html::P>::new();

    // Focus follows the step once the page shows it (the hidden half of the
    // form cannot take focus): the confirmation after sending, the text box
    // after "write another".
    Effect::new(move |was_sent: Option<bool>| {
        let now_sent = sent.get();
        if now_sent {
            if let Some(p) = confirmation.get() {
                let _ = p.focus();
            }
        } else if was_sent == Some(true)
            && let Some(text) = text_box.get()
        {
            let _ = text.focus();
        }
        now_sent
    });

    // Sends the reply; local: the files are the browser's.
    let send = Action::new_unsync_local(move |(reply, chosen): &(String, Vec<web_sys::File>)| {
        let (request, chosen) = (
            ReplyRequest {
                text: reply.clone(),
            },
            chosen.clone(),
        );
        let api = flow.api();
        async move {
            match api.reply(&flow.token(), request, chosen).await {
                Ok(_) => sent.set(true),
                Err(error) => match reply_problem(&error) {
                    Some(p) => problem.set(Some(p)),
                    None => flow.fail(&error),
                },
            }
        }
    });
    let busy = send.pending();
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let reply = text_box
            .get_untracked()
            .map(|t| t.value())
            .unwrap_or_default();
        if reply.trim().is_empty() {
            problem.set(Some(Problem::Missing));
            if let Some(text) = text_box.get_untracked() {
                let _ = text.focus();
            }
            return;
        }
        let chosen = files.get_untracked().and_then(|input| input.files());
        let chosen: Vec<web_sys::File> = chosen
            .map(|list| (0..list.length()).filter_map(|i| list.get(i)).collect())
            .unwrap_or_default();
        problem.set(None);
        send.dispatch_local((reply, chosen));
    };
    let another = move |_| {
        sent.set(false);
        if let Some(text) = text_box.get_untracked() {
            text.set_value("");
        }
        if let Some(files) = files.get_untracked() {
            files.set_value("");
        }
    };

    let to_confirm = to.clone();
    view! {
        <section class="reply" data-testid="reply">
            <h2>{tr(|s| s.reply)}</h2>
            <div class="reply-sent" class:hidden=move || !sent.get()>
                <p tabindex="-1" role="status" node_ref=confirmation data-testid="reply-sent">
                    {text(move |s, _| if sent.get() { fill(s.reply_sent, &to_confirm) } else { String::new() })}
                </p>
                <button type="button" class="secondary" on:click=another data-testid="reply-another">
                    {tr(|s| s.reply_another)}
                </button>
            </div>
            <form class="reply-form" class:hidden=move || sent.get() on:submit=submit novalidate>
                <label for="reply-text">{tr(|s| s.reply_text)}</label>
                <textarea
                    id="reply-text"
                    name="text"
                    rows="6"
                    aria-describedby="reply-error"
                    node_ref=text_box
                    data-testid="reply-text"
                ></textarea>
                <label for="reply-files">{tr(|s| s.reply_files)}</label>
                <input id="reply-files" name="files" type="file" multiple node_ref=files data-testid="reply-files"/>
                <p id="reply-error" class="error" role="alert" data-testid="reply-error">
                    {text(move |s, _| {
                        problem
                            .get()
                            .map(|p| match p {
                                Problem::Missing => s.reply_missing,
                                Problem::TooLarge => s.reply_too_large,
                                Problem::Failed => s.something_failed,
                            })
                            .unwrap_or_default()
                            .to_owned()
                    })}
                </p>
                <button type="submit" class="primary" disabled=busy data-testid="reply-send">
                    {text(move |s, _| if busy.get() { s.sending } else { s.reply_send }.to_owned())}
                </button>
            </form>
        </section>
    }
}

/// Errors the form shows itself; a revoked or expired message, or an ended
/// session, end the reading on their own page.
fn reply_problem(error: &ApiError) -> Option<Problem> {
    match error.code() {
        None | Some(ErrorCode::Internal | ErrorCode::RateLimited | ErrorCode::InvalidRequest) => {
            Some(Problem::Failed)
        }
        Some(ErrorCode::PayloadTooLarge) => Some(Problem::TooLarge),
        Some(_) => None,
    }
}
