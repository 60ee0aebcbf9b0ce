//! `/m/{token}/read`: the reader bundle's page — one message, read once the
//! gate ([`crate::gate`]) has opened a session for the link.
//!
//! Anything else is the gate's to show: without a session (it ran out, the
//! reader signed out, or never had one) and for every way a journey ends
//! (revoked, expired, unknown, locked) the reader goes back to the gate, which
//! asks the server about the link again and draws the right page. Only a
//! server that cannot be reached is answered here, with a retry: going back
//! would need the server too.

use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use sealmail_api::recipient::{LinkInfo, MessageView};
use sealmail_api::{ErrorCode, routes};

use crate::api::{Api, ApiError, use_api};
use crate::components::shell::Shell;
use crate::gate::{Back, Failure, Leave};
use crate::i18n::tr;
use crate::pages::{message::MessagePage, unavailable::UnavailablePage};

/// What the reader shows.
#[derive(Clone)]
pub enum Step {
    /// Waiting for the server.
    Loading,
    /// Reading the message.
    Message(Arc<MessageView>),
    /// The server could not be reached, or failed.
    Unavailable,
}

/// The page's state and its transitions, shared with its parts by context.
#[derive(Clone, Copy)]
pub struct Flow {
    api: StoredValue<Api>,
    token: StoredValue<String>,
    leave: StoredValue<Leave>,
    step: RwSignal<Step>,
    info: RwSignal<Option<LinkInfo>>,
}

impl Flow {
    /// The API client.
    pub fn api(&self) -> Api {
        self.api.get_value()
    }

    /// The link token from the URL.
    pub fn token(&self) -> String {
        self.token.get_value()
    }

    /// (Re)starts: the link (for its branding, and whether this browser has a
    /// session), then the message.
    pub fn load(&self) {
        let flow = *self;
        flow.step.set(Step::Loading);
        let api = flow.api();
        spawn_local(async move {
            match api.link(&flow.token()).await {
                Ok(info) if info.session_open => {
                    flow.info.set(Some(info));
                    match api.message(&flow.token()).await {
                        Ok(message) => flow.step.set(Step::Message(Arc::new(message))),
                        Err(error) => flow.fail(&error),
                    }
                }
                Ok(_) => flow.back(None),
                Err(error) => flow.fail(&error),
            }
        });
    }

    /// Signs this browser out of the link and goes back to the link page.
    pub fn sign_out(&self) {
        let flow = *self;
        let api = flow.api();
        spawn_local(async move {
            match api.end_session(&flow.token()).await {
                Ok(()) => flow.back(Some(Back::SignedOut)),
                Err(error) => flow.fail(&error),
            }
        });
    }

    /// What an error leads to: back to the gate (asking for a passcode again
    /// after an ended session), or the retry page if the server is away.
    pub fn fail(&self, error: &ApiError) {
        if error.code() == Some(ErrorCode::SessionExpired) {
            self.back(Some(Back::SessionEnded));
        } else if Failure::from_error(error) == Failure::Unavailable {
            self.step.set(Step::Unavailable);
        } else {
            self.back(None);
        }
    }

    /// Over to the gate, saying why if the reader is asked for a passcode again.
    fn back(&self, why: Option<Back>) {
        let mut url = routes::portal_link_page(&self.token());
        if let Some(why) = why {
            url.push_str(why.query());
        }
        (self.leave.get_value())(&url);
    }
}

/// The message of the link `token`; `leave` goes to another page (tests record it).
#[component]
pub fn RecipientFlow(
    #[prop(into)] token: String,
    #[prop(default = crate::gate::replace_location)] leave: Leave,
) -> impl IntoView {
    let flow = Flow {
        api: StoredValue::new(use_api()),
        token: StoredValue::new(token),
        leave: StoredValue::new(leave),
        step: RwSignal::new(Step::Loading),
        info: RwSignal::new(None),
    };
    provide_context(flow);
    flow.load();
    let branding =
        Signal::derive(move || flow.info.with(|i| i.as_ref().map(|i| i.branding.clone())));
    view! {
        <Shell branding>
            {move || match flow.step.get() {
                Step::Loading => view! {
                    <p class="loading" role="status" data-testid="loading">{tr(|s| s.loading)}</p>
                }.into_any(),
                Step::Message(message) => view! { <MessagePage message/> }.into_any(),
                Step::Unavailable => view! { <UnavailablePage/> }.into_any(),
            }}
        </Shell>
    }
}

/// Expected from a part of the message page.
pub fn use_flow() -> Flow {
    expect_context()
}
