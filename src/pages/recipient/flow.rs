//! The reading page's state — which step it shows, the link's info — and
//! what moves it: loading the message, signing out, going back to the gate.
//! Its parts reach it by context ([`use_flow`]).

use std::sync::Arc;

use leptos::prelude::*;
use sealmail_api::recipient::{LinkInfo, MessageView};
use sealmail_api::{ErrorCode, routes};

use crate::api::{Api, ApiError};
use crate::gate::{Back, Failure, Leave};

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
    state: State,
    /// Loads the link, then its message.
    loading: Action<(), ()>,
    /// Ends this browser's session.
    signing_out: Action<(), ()>,
}

/// What the page knows, and what moves it from step to step.
#[derive(Clone, Copy)]
struct State {
    api: StoredValue<Api>,
    token: StoredValue<String>,
    leave: StoredValue<Leave>,
    step: RwSignal<Step>,
    info: RwSignal<Option<LinkInfo>>,
}

impl Flow {
    /// The flow of the link `token`, not yet loading.
    pub fn new(api: Api, token: String, leave: Leave) -> Flow {
        let state = State {
            api: StoredValue::new(api),
            token: StoredValue::new(token),
            leave: StoredValue::new(leave),
            step: RwSignal::new(Step::Loading),
            info: RwSignal::new(None),
        };
        Flow {
            state,
            loading: Action::new_unsync(move |_: &()| state.load()),
            signing_out: Action::new_unsync(move |_: &()| state.sign_out()),
        }
    }

    /// What the page shows (tracked).
    pub fn step(&self) -> Step {
        self.state.step.get()
    }

    /// The link's branding, once its info is in (tracked).
    pub fn branding(&self) -> Option<sealmail_api::common::Branding> {
        self.state
            .info
            .with(|i| i.as_ref().map(|i| i.branding.clone()))
    }

    /// The API client.
    pub fn api(&self) -> Api {
        self.state.api.get_value()
    }

    /// The link token from the URL.
    pub fn token(&self) -> String {
        self.state.token.get_value()
    }

    /// (Re)starts: the link (for its branding, and whether this browser has a
    /// session), then the message.
    pub fn load(&self) {
        self.state.step.set(Step::Loading);
        self.loading.dispatch(());
    }

    /// Signs this browser out of the link and goes back to the link page.
    pub fn sign_out(&self) {
        self.signing_out.dispatch(());
    }

    /// What an error leads to: back to the gate (asking for a passcode again
    /// after an ended session), or the retry page if the server is away.
    pub fn fail(&self, error: &ApiError) {
        self.state.fail(error);
    }
}

impl State {
    async fn load(self) {
        let api = self.api.get_value();
        let token = self.token.get_value();
        match api.link(&token).await {
            Ok(info) if info.session_open => {
                self.info.set(Some(info));
                match api.message(&token).await {
                    Ok(message) => self.step.set(Step::Message(Arc::new(message))),
                    Err(error) => self.fail(&error),
                }
            }
            Ok(_) => self.back(None),
            Err(error) => self.fail(&error),
        }
    }

    async fn sign_out(self) {
        match self
            .api
            .get_value()
            .end_session(&self.token.get_value())
            .await
        {
            Ok(()) => self.back(Some(Back::SignedOut)),
            Err(error) => self.fail(&error),
        }
    }

    fn fail(&self, error: &ApiError) {
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
        let mut url = routes::portal_link_page(&self.token.get_value());
        if let Some(why) = why {
            url.push_str(why.query());
        }
        (self.leave.get_value())(&url);
    }
}

/// Expected from a part of the message page.
pub fn use_flow() -> Flow {
    expect_context()
}
