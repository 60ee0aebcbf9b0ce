//! `/m/{token}/read`: the reader bundle's page — one message, read once the
//! gate ([`crate::gate`]) has opened a session for the link.
//!
//! Anything else is the gate's to show: without a session (it ran out, the
//! reader signed out, or never had one) and for every way a journey ends
//! (revoked, expired, unknown, locked) the reader goes back to the gate, which
//! asks the server about the link again and draws the right page. Only a
//! server that cannot be reached is answered here, with a retry: going back
//! would need the server too.

pub mod attachments;
pub mod flow;
pub mod html_body;
pub mod message;
pub mod reply_form;
pub mod unavailable;

use leptos::prelude::*;

use crate::api::use_api;
use crate::components::shell::Shell;
use crate::gate::Leave;
use crate::translate::tr;
use flow::{Flow, Stop};
use message::MessagePage;
use unavailable::UnavailablePage;

pub use flow::use_flow;

/// The message of the link `token`; `leave` goes to another page (tests record it).
#[component]
pub fn RecipientFlow(
    #[prop(into)] token: String,
    #[prop(default = crate::gate::replace_location)] leave: Leave,
) -> impl IntoView {
    let flow = Flow::new(use_api(), token, leave);
    provide_context(flow);
    let branding = Signal::derive(move || flow.branding());
    let loading =
        || view! { <p class="loading" role="status" data-testid="loading">{tr(|s| s.loading)}</p> };
    view! {
        <Shell branding>
            <Transition fallback=loading>
                {move || Suspend::new(async move {
                    match flow.message().await {
                        Ok(message) => view! { <MessagePage message/> }.into_any(),
                        Err(Stop::Unavailable) => view! { <UnavailablePage/> }.into_any(),
                        // The browser is on its way to the gate.
                        Err(Stop::Left) => loading().into_any(),
                    }
                })}
            </Transition>
        </Shell>
    }
}
