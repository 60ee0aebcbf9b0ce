//! `/m/{token}`: the recipient's journey through one link, as a small state
//! machine — link page → passcode → message — with an error page for each way
//! it can end. Every page it shows lives in its own file beside this one.

use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use sealmail_api::ErrorCode;
use sealmail_api::recipient::{LinkInfo, MessageView, PasscodeSent};

use crate::api::{Api, ApiError, use_api};
use crate::components::shell::Shell;
use crate::i18n::tr;
use crate::pages::{
    expired::ExpiredPage, link::LinkPage, locked::LockedPage, message::MessagePage,
    passcode::PasscodePage, revoked::RevokedPage, unavailable::UnavailablePage,
    unknown_link::UnknownLinkPage,
};

/// Where the recipient is.
#[derive(Clone)]
pub enum Step {
    /// Waiting for the server.
    Loading,
    /// The link page, with a word on why the reader is back there, if they are.
    Link(Option<Back>),
    /// A passcode was mailed; waiting for the recipient to type it.
    Passcode(PasscodeSent),
    /// Reading the message.
    Message(Arc<MessageView>),
    /// The journey ended on an error page.
    Failed(Failure),
}

/// Why a reader who was reading is back on the link page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Back {
    /// The session ran out (`session_expired`).
    SessionEnded,
    /// They signed out.
    SignedOut,
}

/// The error pages, each chosen by an [`ErrorCode`] alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    Revoked,
    Expired,
    UnknownLink,
    /// Too many wrong passcodes; `retry_after_secs` if the server said.
    Locked(Option<u64>),
    /// The server could not be reached or failed: offer a retry.
    Unavailable,
}

impl Failure {
    /// The page for an error no form on the page can deal with itself.
    pub fn from_error(error: &ApiError) -> Failure {
        let retry_after = match error {
            ApiError::Api(body) => body.retry_after_secs,
            ApiError::Unreachable => None,
        };
        match error.code() {
            Some(ErrorCode::LinkUnknown | ErrorCode::NotFound) => Failure::UnknownLink,
            Some(ErrorCode::MessageRevoked | ErrorCode::AlreadyRevoked) => Failure::Revoked,
            Some(ErrorCode::MessageExpired) => Failure::Expired,
            Some(ErrorCode::TooManyAttempts) => Failure::Locked(retry_after),
            Some(
                ErrorCode::PasscodeWrong
                | ErrorCode::PasscodeExpired
                | ErrorCode::SessionExpired
                | ErrorCode::NotSignedIn
                | ErrorCode::CredentialsWrong
                | ErrorCode::Forbidden
                | ErrorCode::InvalidRequest
                | ErrorCode::PayloadTooLarge
                | ErrorCode::RateLimited
                | ErrorCode::Internal,
            )
            | None => Failure::Unavailable,
        }
    }
}

/// The journey's state and its transitions, shared with its pages by context.
#[derive(Clone, Copy)]
pub struct Flow {
    api: StoredValue<Api>,
    token: StoredValue<String>,
    step: RwSignal<Step>,
    info: RwSignal<Option<LinkInfo>>,
}

impl Flow {
    /// The API client the journey uses.
    pub fn api(&self) -> Api {
        self.api.get_value()
    }

    /// The link token from the URL.
    pub fn token(&self) -> String {
        self.token.get_value()
    }

    /// What the server said about the link (once it did). Untracked: a page
    /// reads it once, when the flow shows it.
    pub fn info(&self) -> Option<LinkInfo> {
        self.info.get_untracked()
    }

    /// (Re)starts from the top: the link, then the message if this browser
    /// already has a session.
    pub fn load(&self) {
        let flow = *self;
        flow.step.set(Step::Loading);
        let api = flow.api();
        spawn_local(async move {
            match api.link(&flow.token()).await {
                Ok(info) => {
                    let (session_open, locked) = (info.session_open, info.locked_until.is_some());
                    flow.info.set(Some(info));
                    if session_open {
                        flow.open_message_with(api);
                    } else if locked {
                        // Back while locked: no passcode could be sent or entered.
                        flow.step.set(Step::Failed(Failure::Locked(None)));
                    } else {
                        flow.step.set(Step::Link(None));
                    }
                }
                Err(error) => flow.fail(&error),
            }
        });
    }

    /// A passcode went out: show the passcode step.
    pub fn passcode_sent(&self, sent: PasscodeSent) {
        self.step.set(Step::Passcode(sent));
    }

    /// A session is open: fetch and show the message.
    pub fn open_message(&self) {
        self.open_message_with(self.api());
    }

    fn open_message_with(&self, api: Api) {
        let flow = *self;
        flow.step.set(Step::Loading);
        spawn_local(async move {
            match api.message(&flow.token()).await {
                Ok(message) => flow.step.set(Step::Message(Arc::new(message))),
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
                Ok(()) => flow.step.set(Step::Link(Some(Back::SignedOut))),
                Err(error) => flow.fail(&error),
            }
        });
    }

    /// Ends on the page for `error` — or, for an ended session, goes back to
    /// asking for a passcode.
    pub fn fail(&self, error: &ApiError) {
        if error.code() == Some(ErrorCode::SessionExpired) {
            self.step.set(Step::Link(Some(Back::SessionEnded)));
        } else {
            self.step.set(Step::Failed(Failure::from_error(error)));
        }
        if error.code() == Some(ErrorCode::TooManyAttempts) {
            self.refresh_info();
        }
    }

    /// Asks the link's info again (the locked page shows until when the
    /// lock lasts); a failure leaves the page as it is.
    fn refresh_info(&self) {
        let flow = *self;
        let api = flow.api();
        spawn_local(async move {
            if let Ok(info) = api.link(&flow.token()).await {
                flow.info.set(Some(info));
            }
        });
    }
}

/// The recipient's journey for one link token (mounted directly by tests).
#[component]
pub fn RecipientFlow(#[prop(into)] token: String) -> impl IntoView {
    let flow = Flow {
        api: StoredValue::new(use_api()),
        token: StoredValue::new(token),
        step: RwSignal::new(Step::Loading),
        info: RwSignal::new(None),
    };
    provide_context(flow);
    flow.load();
    let branding =
        Signal::derive(move || flow.info.with(|i| i.as_ref().map(|i| i.branding.clone())));
    let locked_until = Signal::derive(move || {
        flow.info
            .with(|i| i.as_ref().and_then(|i| i.locked_until.clone()))
    });
    view! {
        <Shell branding>
            {move || match flow.step.get() {
                Step::Loading => view! {
                    <p class="loading" role="status" data-testid="loading">{tr(|s| s.loading)}</p>
                }.into_any(),
                Step::Link(back) => view! { <LinkPage back/> }.into_any(),
                Step::Passcode(sent) => view! { <PasscodePage sent/> }.into_any(),
                Step::Message(message) => view! { <MessagePage message/> }.into_any(),
                Step::Failed(Failure::Revoked) => view! { <RevokedPage/> }.into_any(),
                Step::Failed(Failure::Expired) => view! { <ExpiredPage/> }.into_any(),
                Step::Failed(Failure::UnknownLink) => view! { <UnknownLinkPage/> }.into_any(),
                Step::Failed(Failure::Locked(retry_after_secs)) => {
                    view! { <LockedPage retry_after_secs locked_until/> }.into_any()
                }
                Step::Failed(Failure::Unavailable) => view! { <UnavailablePage/> }.into_any(),
            }}
        </Shell>
    }
}

/// Expected from a `Flow`'s page.
pub fn use_flow() -> Flow {
    expect_context()
}
