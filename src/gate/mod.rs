//! The gate: the first pages a recipient sees at `/m/{token}` — the link page,
//! the passcode step, and the pages where a journey ends.
//!
//! The link's info loads in a [`LocalResource`] shown through a
//! `<Transition>`; "send me a passcode", "send a new code" and "open with this
//! passcode" are [`Action`]s. Which page is on show is derived from those four
//! ([`Journey::step`]): nothing here keeps its own busy or error state.
//!
//! Once a session is open the gate hands over to the reader bundle at
//! [`routes::portal_read_page`] (the message view and the reply), which the
//! browser has been fetching ahead since the link page loaded (the server
//! lists its files in the page: `server/src/http/prefetch.rs`).
//!
//! The gate is generic over the API client, so the recipient's first bundle
//! links only the three calls it makes (`link`, `send_passcode`,
//! `open_session`), not the message view's.

mod end;
mod link;
mod passcode;

use std::sync::Arc;

use leptos::prelude::*;
use sealmail_api::common::Branding;
use sealmail_api::recipient::{LinkInfo, PasscodeRequest, PasscodeSent, PasscodeSubmit};
use sealmail_api::{ErrorCode, routes};

use crate::api::{ApiError, ApiFuture, RecipientApi};
use crate::components::shell::Shell;
use crate::effect::effect;
use crate::i18n::format::minutes;
use crate::i18n::{Strings, fill};
use crate::translate::{tr, use_i18n};
use end::FailurePage;
use link::LinkPage;
use passcode::PasscodePage;

/// Goes to another page: [`replace_location`], or a recorder in tests.
pub type Leave = fn(&str);

/// Loads `url` in place of the current page: Back from the message then goes
/// where the reader came from, not to a gate that would send them straight on.
pub fn replace_location(url: &str) {
    let _ = window().location().replace(url);
}

/// Why a reader who was reading is back on the link page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Back {
    /// The session ran out (`session_expired`).
    SessionEnded,
    /// They signed out.
    SignedOut,
}

impl Back {
    /// How the reader says it, appended to the link page's URL.
    pub const fn query(self) -> &'static str {
        match self {
            Back::SessionEnded => "?back=session-ended",
            Back::SignedOut => "?back=signed-out",
        }
    }

    /// The reason in a URL's query string (`location.search`), if any.
    pub fn from_query(search: &str) -> Option<Back> {
        [Back::SessionEnded, Back::SignedOut]
            .into_iter()
            .find(|back| back.query() == search)
    }
}

/// The pages where a journey ends, each chosen by an [`ErrorCode`] alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    Revoked,
    Expired,
    UnknownLink,
    /// Too many wrong passcodes; `retry_after_secs` if the server said.
    Locked(Option<u64>),
    /// So many wrong passcodes that only a new link from the sender helps.
    Blocked,
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
            Some(ErrorCode::LinkBlocked) => Failure::Blocked,
            Some(
                ErrorCode::PasscodeWrong
                | ErrorCode::PasscodeExpired
                | ErrorCode::SessionExpired
                | ErrorCode::NotSignedIn
                | ErrorCode::CredentialsWrong
                | ErrorCode::Forbidden
                | ErrorCode::InvalidRequest
                | ErrorCode::MethodNotAllowed
                | ErrorCode::PayloadTooLarge
                | ErrorCode::RateLimited
                | ErrorCode::Internal
                | ErrorCode::TokenInvalid
                | ErrorCode::TokenScope
                | ErrorCode::SsoStateInvalid
                | ErrorCode::SsoTokenInvalid
                | ErrorCode::SsoAccountRefused
                | ErrorCode::SsoUnavailable,
            )
            | None => Failure::Unavailable,
        }
    }
}

/// A problem a step shows itself (read out through `role="alert"`).
#[derive(Clone, Copy, Debug, PartialEq)]
enum Problem {
    /// Nothing was typed.
    Missing,
    Wrong(Option<u32>),
    Expired,
    RateLimited(u64),
    Failed,
}

impl Problem {
    /// The errors a step keeps to itself (the passcode step a few more than
    /// the link page); the rest end the journey on their own page.
    fn of(error: &ApiError, passcode_step: bool) -> Option<Problem> {
        match error {
            ApiError::Unreachable => Some(Problem::Failed),
            ApiError::Api(body) => match body.code {
                ErrorCode::RateLimited => {
                    Some(Problem::RateLimited(body.retry_after_secs.unwrap_or(60)))
                }
                ErrorCode::PasscodeWrong if passcode_step => Some(Problem::Wrong(body.tries_left)),
                ErrorCode::PasscodeExpired if passcode_step => Some(Problem::Expired),
                ErrorCode::InvalidRequest if passcode_step => Some(Problem::Wrong(None)),
                ErrorCode::Internal => Some(Problem::Failed),
                _ => None,
            },
        }
    }

    /// The problem of an action's last answer, if it was one the step keeps.
    fn in_answer<T>(answer: Option<&Result<T, ApiError>>, passcode_step: bool) -> Option<Problem> {
        match answer {
            Some(Err(error)) => Problem::of(error, passcode_step),
            _ => None,
        }
    }

    /// Said in the reader's language.
    fn text(self, s: &Strings) -> String {
        let wrong = |then: &str| [s.passcode_wrong, " ", then].concat();
        match self {
            Problem::Missing => s.passcode_missing.to_owned(),
            Problem::Wrong(Some(0)) => wrong(s.passcode_used_up),
            Problem::Wrong(Some(1)) => wrong(s.tries_left_one),
            Problem::Wrong(Some(n)) => wrong(&fill(s.tries_left_other, &n.to_string())),
            Problem::Wrong(None) => s.passcode_wrong.to_owned(),
            Problem::Expired => s.passcode_expired.to_owned(),
            Problem::RateLimited(secs) => fill(s.rate_limited, &minutes(secs)),
            Problem::Failed => s.something_failed.to_owned(),
        }
    }
}

/// Where the recipient is, once the link's info has loaded.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Step {
    /// The link page.
    Link,
    /// A passcode was mailed; waiting for it to be typed.
    Passcode,
    /// The journey ended on an error page.
    Failed(Failure),
    /// A session is open: over to the reader bundle.
    Reading,
}

/// A button's click handler, boxed: every button of the gate then shares one
/// compiled listener instead of one per closure (the first load is budgeted).
type OnClick = Box<dyn FnMut(leptos::ev::MouseEvent)>;

fn on_click(handler: impl FnMut(leptos::ev::MouseEvent) + 'static) -> OnClick {
    Box::new(handler)
}

/// What the recipient asks the server for, through the journey's actions.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Request {
    /// "Send me a passcode" (on the link page, or a new code on the passcode step).
    Passcode,
    /// "Open with this passcode".
    Session(String),
}

/// What the server answered a [`Request`]: the passcode it mailed, or `None`
/// for a session opened.
type Answer = Result<Option<PasscodeSent>, ApiError>;

/// A request to the server. The three of the journey share this one type
/// (and one request function), so Leptos' action machinery is compiled once
/// for them: an action type per request cost 1.3 KB gzip of the first load.
type Asking = Action<Request, Answer>;

/// A link's data and requests, shared by its steps.
#[derive(Clone, Copy)]
struct Journey {
    /// The link's info: sender, protection, branding, lock, open session.
    info: LocalResource<Result<LinkInfo, ApiError>>,
    /// "Send me a passcode", on the link page.
    ask: Asking,
    /// "Send a new code", on the passcode step.
    resend: Asking,
    /// The typed passcode, to open a session.
    open: Asking,
}

impl Journey {
    /// A request is under way: the buttons wait (a double click must not mail
    /// two passcodes, the second replacing the first).
    fn busy(&self) -> bool {
        self.ask.pending().get() || self.resend.pending().get() || self.open.pending().get()
    }

    /// The step for the link's `info` and the requests' answers (tracked).
    fn step(&self, info: &Result<LinkInfo, ApiError>) -> Step {
        // An answer no page can deal with itself ends the journey; the last
        // request's first.
        let ends = |error: &ApiError, passcode_step| {
            Problem::of(error, passcode_step)
                .is_none()
                .then(|| Failure::from_error(error))
        };
        if let Some(step) = self.open.value().with(|answer| match answer {
            Some(Ok(_)) => Some(Step::Reading),
            Some(Err(error)) => ends(error, true).map(Step::Failed),
            None => None,
        }) {
            return step;
        }
        for (sending, passcode_step) in [(self.resend, true), (self.ask, false)] {
            if let Some(failure) = sending.value().with(|answer| match answer {
                Some(Err(error)) => ends(error, passcode_step),
                _ => None,
            }) {
                return Step::Failed(failure);
            }
        }
        match info {
            Err(error) => Step::Failed(Failure::from_error(error)),
            Ok(info) if info.session_open => Step::Reading,
            // Back while locked: no passcode could be sent or entered.
            Ok(info) if info.locked_until.is_some() => Step::Failed(Failure::Locked(None)),
            Ok(_) if self.sent(self.ask).is_some() => Step::Passcode,
            Ok(_) => Step::Link,
        }
    }

    /// What `sending` last mailed, if its last answer was a success (tracked).
    fn sent(&self, sending: Asking) -> Option<PasscodeSent> {
        sending.value().with(|answer| match answer {
            Some(Ok(sent)) => sent.clone(),
            _ => None,
        })
    }

    /// Starts over from the link's info (the unavailable page's retry). The
    /// info is asked for again before the answers are cleared: the other way
    /// round, the refetch never reached the server (Leptos 0.8.23, with the
    /// info read synchronously inside the `<Transition>`; the browser test
    /// `an_unreachable_server_offers_a_retry_that_recovers`).
    fn retry(&self) {
        self.info.refetch();
        self.ask.clear();
        self.resend.clear();
        self.open.clear();
    }
}

/// The link `token`'s pages, against `api`; `leave` goes to the reader
/// bundle once a session is open. `back`: why the reader bundle sent the
/// reader back, if it did.
#[component]
pub fn Gate<A: RecipientApi + 'static>(
    api: Arc<A>,
    #[prop(into)] token: String,
    back: Option<Back>,
    #[prop(default = replace_location)] leave: Leave,
) -> impl IntoView {
    let token: Arc<str> = token.into();
    let i18n = use_i18n();
    let info = LocalResource::new({
        let (api, token) = (api.clone(), token.clone());
        move || api.link(&token)
    });
    let request = {
        let (api, token) = (api.clone(), token.clone());
        move |request: &Request| {
            let answer = match request.clone() {
                Request::Passcode => {
                    // The mail in the language of the page that asked for it.
                    let request = PasscodeRequest {
                        language: Some(i18n.lang_untracked().language()),
                    };
                    let sent = api.send_passcode(&token, request);
                    Box::pin(async move { sent.await.map(Some) }) as ApiFuture<_>
                }
                Request::Session(passcode) => {
                    let opened = api.open_session(&token, PasscodeSubmit { passcode });
                    Box::pin(async move { opened.await.map(|_| None) })
                }
            };
            async move { refetch_if_locked(info, answer.await) }
        }
    };
    let ask = Action::new_local(request.clone());
    let resend = Action::new_local(request.clone());
    let open = Action::new_local(request);
    let journey = Journey {
        info,
        ask,
        resend,
        open,
    };

    let step = Memo::new(move |_| info.with(|info| info.as_ref().map(|info| journey.step(info))));
    let reader = routes::portal_read_page(&token);
    effect(move || {
        if step.get() == Some(Step::Reading) {
            leave(&reader);
        }
    });

    let branding = Signal::derive(move || {
        info.with(|info| match info {
            Some(Ok(info)) => Some(info.branding.clone()),
            _ => None::<Branding>,
        })
    });
    let loading =
        || view! { <p class="loading" role="status" data-testid="loading">{tr(|s| s.loading)}</p> };
    view! {
        <Shell branding>
            <Transition fallback=loading>
                // Read here, inside the Transition, so it waits for the link's info.
                {move || info.with(|info| info.as_ref().map(|info| match step.get() {
                    Some(Step::Link) => info
                        .as_ref()
                        .ok()
                        .map(|info| view! { <LinkPage journey info=info.clone() back/> })
                        .into_any(),
                    Some(Step::Passcode) => view! { <PasscodePage journey/> }.into_any(),
                    Some(Step::Failed(failure)) => {
                        view! { <FailurePage journey failure/> }.into_any()
                    }
                    Some(Step::Reading) | None => loading().into_any(),
                }))}
            </Transition>
        </Shell>
    }
}

/// After "too many attempts", asks for the link's info again: the locked page
/// says until when the lock lasts.
fn refetch_if_locked(info: LocalResource<Result<LinkInfo, ApiError>>, answer: Answer) -> Answer {
    if matches!(&answer, Err(e) if e.code() == Some(ErrorCode::TooManyAttempts)) {
        info.refetch();
    }
    answer
}
