//! A message's attachments, each a download link.

use leptos::prelude::*;
use sealmail_api::recipient::AttachmentInfo;

use super::flow::use_flow;
use crate::i18n::fill;
use crate::i18n::format::size;
use crate::translate::{text, tr};

/// The list of attachments with name, type and size; nothing when there are none.
#[component]
pub fn Attachments(attachments: Vec<AttachmentInfo>) -> impl IntoView {
    let flow = use_flow();
    if attachments.is_empty() {
        return ().into_any();
    }
    let api = flow.api();
    let token = flow.token();
    let items = attachments
        .into_iter()
        .map(|attachment| {
            let href = api.attachment_url(&token, &attachment.id);
            let name = attachment.name.clone();
            let label = attachment.name.clone();
            let bytes = attachment.size;
            view! {
                <li data-testid="attachment">
                    <a
                        href=href
                        download=attachment.name
                        aria-label=text(move |s, _| fill(s.download, &label))
                        data-testid="attachment-link"
                    >
                        {name}
                    </a>
                    <span class="meta">
                        {attachment.content_type}
                        " · "
                        <span data-testid="attachment-size">{text(move |_, lang| size(bytes, lang))}</span>
                    </span>
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="attachments" data-testid="attachments">
            <h2>{tr(|s| s.attachments)}</h2>
            <ul>{items}</ul>
        </section>
    }
    .into_any()
}
