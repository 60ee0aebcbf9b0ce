//! The reading page's state — the message, loaded as a resource, and the
//! link's info — and what moves it: loading again, signing out, going back
//! to the gate. Its parts reach it by context ([`use_flow`]).

use std::sync::Arc;

use leptos::prelude::*;
use sealmail_api::common::Branding;
use sealmail_api::recipient::{LinkInfo, MessageView};
use sealmail_api::{ErrorCode, routes};

use crate::api::{Api, ApiError};
use crate::gate::{Back, Failure, Leave};

/// Why the message is not shown.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Stop {
    /// The server could not be reached, or failed: the retry page.
    Unavailable,
    /// The reader was sent back to the gate (no session, an ended link): the
    /// browser is already loading another page.
    Left,
}

/// The message, or why it is not shown.
pub type Loaded = Result<Arc<MessageView>, Stop>;

/// The page's state and its transitions, shared with its parts by context.
#[derive(Clone, Copy)]
pub struct Flow {
    state: State,
    /// The link (for its branding, and whether this browser has a session),
    /// then its message.
    message: LocalResource<Loaded>,
    /// Ends this browser's session.
    signing_out: Action<(), ()>,
}

/// What the page knows, and how it leaves.
#[derive(Clone, Copy)]
struct State {
    api: StoredValue<Api>,
    token: StoredValue<String>,
    leave: StoredValue<Leave>,
    info: RwSignal<Option<LinkInfo>>,
}

impl Flow {
    /// The flow of the link `token`; its message starts loading.
    pub fn new(api: Api, token: String, leave: Leave) -> Flow {
        let state = State {
            api: StoredValue::new(api),
            token: StoredValue::new(token),
            leave: StoredValue::new(leave),
            info: RwSignal::new(None),
        };
        let message = LocalResource::new(move || state.load());
        let signing_out = Action::new_unsync(move |_: &()| async move {
            // The server away: the message loaded again shows the retry page.
            if state.sign_out().await == Err(Stop::Unavailable) {
                message.refetch();
            }
        });
        Flow {
            state,
            message,
            signing_out,
        }
    }

    /// The message as loaded, for a `<Transition>` to wait on.
    pub fn message(&self) -> LocalResource<Loaded> {
        self.message
    }

    /// The link's branding, once its info is in (tracked).
    pub fn branding(&self) -> Option<Branding> {
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

    /// Loads the link and its message again (the retry page's button).
    pub fn load(&self) {
        self.message.refetch();
    }

    /// Signs this browser out of the link and goes back to the link page.
    pub fn sign_out(&self) {
        self.signing_out.dispatch(());
    }

    /// What an error from a step on the page (a reply, say) leads to: back to
    /// the gate (asking for a passcode again after an ended session), or,
    /// when the server is away, the message loaded again, which shows the
    /// retry page while it stays away.
    pub fn fail(&self, error: &ApiError) {
        if self.state.fail(error) == Stop::Unavailable {
            self.load();
        }
    }
}

impl State {
    async fn load(self) -> Loaded {
        let api = self.api.get_value();
        let token = self.token.get_value();
        match api.link(&token).await {
            Ok(info) if info.session_open => {
                self.info.set(Some(info));
                match api.message(&token).await {
                    Ok(message) => Ok(Arc::new(message)),
                    Err(error) => Err(self.fail(&error)),
                }
            }
            Ok(_) => {
                self.back(None);
                Err(Stop::Left)
            }
            Err(error) => Err(self.fail(&error)),
        }
    }

    async fn sign_out(self) -> Result<(), Stop> {
        match self
            .api
            .get_value()
            .end_session(&self.token.get_value())
            .await
        {
            Ok(()) => {
                self.back(Some(Back::SignedOut));
                Ok(())
            }
            Err(error) => Err(self.fail(&error)),
        }
    }

    /// Where `error` leads: back to the gate, or the retry page.
    fn fail(&self, error: &ApiError) -> Stop {
        if error.code() == Some(ErrorCode::SessionExpired) {
            self.back(Some(Back::SessionEnded));
            Stop::Left
        } else if Failure::from_error(error) == Failure::Unavailable {
            Stop::Unavailable
        } else {
            self.back(None);
            Stop::Left
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
