//! The gate: the first pages a recipient sees at `/m/{token}` — the link page,
//! the passcode step, and the pages where a journey ends — plus the landing
//! page, written against the DOM directly instead of with Leptos.
//!
//! Why not Leptos here: the recipient's first load is budgeted at 100 KB gzip.
//! Measured on these pages, Leptos' reactive runtime and typed views
//! cost ~125 KB of wasm alone; the same pages drawn with `web_sys` cost about
//! half. The gate has a handful of states and redraws its page on each change,
//! which needs no reactivity. Once a session is open it hands over to the
//! reader bundle at [`routes::portal_read_page`] (Leptos: the message view and
//! the reply), which the browser loads while the recipient is already in.
//!
//! The pages keep the Leptos pages' markup (classes, ids, `data-testid`), so
//! the stylesheet, the browser tests and the end-to-end suite see one portal.

mod dom;
mod pages;
pub mod prefetch;

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::Arc;

use sealmail_api::recipient::{LinkInfo, PasscodeRequest, PasscodeSent, PasscodeSubmit};
use sealmail_api::{ErrorCode, routes};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;
use web_sys::{Element, HtmlInputElement};

use crate::api::{ApiError, ApiFuture, RecipientApi};
use crate::i18n::{self, Lang};
use dom::Listeners;

/// Goes to another page: [`replace_location`], or a recorder in tests.
pub type Leave = fn(&str);

/// Loads `url` in place of the current page: Back from the message then goes
/// where the reader came from, not to a gate that would send them straight on.
pub fn replace_location(url: &str) {
    if let Some(window) = web_sys::window() {
        let _ = window.location().replace(url);
    }
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
                | ErrorCode::Internal,
            )
            | None => Failure::Unavailable,
        }
    }
}

/// Where the recipient is.
#[derive(Clone)]
enum Step {
    /// The landing page (a path that is not a link).
    Home,
    /// Waiting for the server.
    Loading,
    /// The link page; `back` if the reader was reading and is asked again.
    Link { back: Option<Back> },
    /// A passcode was mailed; waiting for it to be typed.
    Passcode { sent: PasscodeSent, resent: bool },
    /// The journey ended on an error page.
    Failed(Failure),
}

/// A problem a page shows itself (read out through `role="alert"`).
#[derive(Clone, Copy, PartialEq)]
enum Problem {
    Missing,
    Wrong(Option<u32>),
    Expired,
    RateLimited(u64),
    Failed,
}

/// Where keyboard focus goes after a redraw.
#[derive(Clone, Copy, PartialEq)]
enum Focus {
    /// The new page's heading (or the passcode field): a new step.
    Page,
    /// The element that had it before, found again by its id.
    Keep,
}

struct State {
    lang: Lang,
    info: Option<LinkInfo>,
    step: Step,
    problem: Option<Problem>,
    /// A request is under way: its button is disabled.
    busy: bool,
    /// What is typed in the passcode field, kept across redraws.
    typed: String,
    focus: Focus,
}

/// The gate on show: its state, and the page drawn from it.
struct Gate<A: ?Sized> {
    api: Arc<A>,
    token: String,
    root: Element,
    /// Goes to the reader bundle.
    leave: Leave,
    state: RefCell<State>,
    listeners: Listeners,
    redraw_queued: Cell<bool>,
}

/// Keeps a mounted gate alive; dropping it removes the gate's page.
pub struct Mounted {
    gate: Rc<dyn Unmount>,
}

trait Unmount {
    fn unmount(&self);
}

impl<A: RecipientApi + ?Sized + 'static> Unmount for Gate<A> {
    fn unmount(&self) {
        self.root.set_inner_html("");
        self.listeners.clear();
    }
}

impl Drop for Mounted {
    fn drop(&mut self) {
        self.gate.unmount();
    }
}

/// Starts the gate in `<body>` for the browser's location, against the
/// server. What `src/main.rs` runs.
pub fn start<A: RecipientApi + 'static>(api: Arc<A>) {
    let body = dom::document().body().expect("a page has a body");
    // The page lives as long as the tab: nothing ever unmounts it.
    std::mem::forget(mount_here(body.into(), api, replace_location));
}

/// Mounts the gate into `root` for the browser's location: a link's page at
/// `/m/{token}` (saying why if the reader bundle sent the reader back), the
/// landing page anywhere else.
pub fn mount_here<A: RecipientApi + ?Sized + 'static>(
    root: Element,
    api: Arc<A>,
    leave: Leave,
) -> Mounted {
    let location = dom::document().location().expect("a page has a location");
    let path = location.pathname().unwrap_or_default();
    let token = match crate::app::Route::from_path(&path) {
        crate::app::Route::Recipient(token) => Some(token),
        _ => None,
    };
    let back = Back::from_query(&location.search().unwrap_or_default());
    mount(root, api, token, back, leave)
}

/// Mounts the gate into `root` for a link `token` (the landing page without
/// one), with `leave` called with the reader's URL once a session is open.
pub fn mount<A: RecipientApi + ?Sized + 'static>(
    root: Element,
    api: Arc<A>,
    token: Option<String>,
    back: Option<Back>,
    leave: Leave,
) -> Mounted {
    let gate = Rc::new(Gate {
        api,
        token: token.clone().unwrap_or_default(),
        root,
        leave,
        state: RefCell::new(State {
            lang: i18n::preferred(),
            info: None,
            step: if token.is_some() {
                Step::Loading
            } else {
                Step::Home
            },
            problem: None,
            busy: false,
            typed: String::new(),
            focus: Focus::Page,
        }),
        listeners: Listeners::default(),
        redraw_queued: Cell::new(false),
    });
    gate.draw();
    if token.is_some() {
        Gate::load(&gate, back);
    }
    Mounted { gate }
}

impl<A: RecipientApi + ?Sized + 'static> Gate<A> {
    /// Changes the state and redraws the page once the current event is over
    /// (a listener must not drop itself, which a redraw does).
    fn update(self: &Rc<Self>, focus: Focus, change: impl FnOnce(&mut State)) {
        {
            let mut state = self.state.borrow_mut();
            change(&mut state);
            state.focus = focus;
        }
        if !self.redraw_queued.replace(true) {
            let gate = Rc::downgrade(self);
            spawn_local(async move {
                if let Some(gate) = gate.upgrade() {
                    gate.redraw_queued.set(false);
                    gate.draw();
                }
            });
        }
    }

    /// Awaits `request`, then calls `then` with its result, if the gate is
    /// still mounted by then.
    fn then<T: 'static>(
        self: &Rc<Self>,
        request: ApiFuture<T>,
        then: impl FnOnce(&Rc<Self>, Result<T, ApiError>) + 'static,
    ) {
        let gate = Rc::downgrade(self);
        spawn_local(async move {
            let result = request.await;
            if let Some(gate) = gate.upgrade() {
                then(&gate, result);
            }
        });
    }

    /// Asks for the link's info, then shows the link page — or goes straight
    /// to the reader if this browser already has a session.
    fn load(self: &Rc<Self>, back: Option<Back>) {
        self.update(Focus::Page, |s| {
            s.step = Step::Loading;
            s.problem = None;
        });
        self.then(self.api.link(&self.token), move |gate, result| {
            match result {
                Ok(info) if info.session_open => gate.open_reader(),
                Ok(info) => {
                    let locked = info.locked_until.is_some();
                    gate.update(Focus::Page, |s| {
                        s.info = Some(info);
                        // Back while locked: no passcode could be sent or entered.
                        s.step = if locked {
                            Step::Failed(Failure::Locked(None))
                        } else {
                            Step::Link { back }
                        };
                    });
                }
                Err(error) => gate.fail(&error),
            }
        });
    }

    /// The session is open: over to the reader bundle.
    fn open_reader(&self) {
        (self.leave)(&routes::portal_read_page(&self.token));
    }

    /// Mails a passcode (the link page's button, and "send a new code").
    fn send_passcode(self: &Rc<Self>) {
        if self.begin() {
            return;
        }
        let again = matches!(self.state.borrow().step, Step::Passcode { .. });
        // The mail in the language of the page that asked for it.
        let request = PasscodeRequest {
            language: Some(self.state.borrow().lang.language()),
        };
        let sent = self.api.send_passcode(&self.token, request);
        self.then(sent, move |gate, result| {
            match result {
                Ok(sent) => {
                    if !again {
                        // The reader bundle, while the passcode is on its way.
                        prefetch::reader(&gate.token);
                    }
                    gate.update(Focus::Page, |s| {
                        s.busy = false;
                        s.typed.clear();
                        s.step = Step::Passcode {
                            sent,
                            resent: again,
                        };
                    });
                }
                Err(error) => match inline_problem(&error, again) {
                    Some(problem) => gate.show(problem),
                    None => gate.fail(&error),
                },
            }
        });
    }

    /// Submits the typed passcode.
    fn submit_passcode(self: &Rc<Self>, typed: String) {
        // Pasted codes often carry spaces or dashes ("1234 5678"): drop them.
        let passcode: String = typed
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        self.state.borrow_mut().typed = typed;
        if passcode.is_empty() {
            self.show(Problem::Missing);
            return;
        }
        if self.begin() {
            return;
        }
        let request = self
            .api
            .open_session(&self.token, PasscodeSubmit { passcode });
        self.then(request, |gate, result| match result {
            Ok(_) => gate.open_reader(),
            Err(error) => match inline_problem(&error, true) {
                Some(problem) => {
                    gate.state.borrow_mut().typed.clear();
                    gate.show(problem);
                }
                None => gate.fail(&error),
            },
        });
    }

    /// Marks a request under way; `true` if one already was (a double click
    /// must not mail two passcodes: the second would replace the first).
    fn begin(self: &Rc<Self>) -> bool {
        if self.state.borrow().busy {
            return true;
        }
        self.update(Focus::Keep, |s| {
            s.busy = true;
            s.problem = None;
            if let Step::Passcode { resent, .. } = &mut s.step {
                *resent = false;
            }
        });
        false
    }

    /// Shows `problem` on the page, with focus on the field to correct.
    fn show(self: &Rc<Self>, problem: Problem) {
        self.update(Focus::Page, |s| {
            s.busy = false;
            s.problem = Some(problem);
        });
    }

    /// Ends on the page for `error`, or, for a link locked by too many
    /// tries, on the locked page with until when (the link's info says).
    fn fail(self: &Rc<Self>, error: &ApiError) {
        let failure = Failure::from_error(error);
        self.update(Focus::Page, |s| {
            s.busy = false;
            s.problem = None;
            s.step = Step::Failed(failure);
        });
        if error.code() == Some(ErrorCode::TooManyAttempts) {
            self.then(self.api.link(&self.token), |gate, result| {
                if let Ok(info) = result {
                    gate.update(Focus::Keep, |s| s.info = Some(info));
                }
            });
        }
    }

    /// Switches language, remembered for the next visit.
    fn switch_language(self: &Rc<Self>, lang: Lang) {
        i18n::remember(lang);
        self.update(Focus::Keep, |s| s.lang = lang);
    }

    /// Draws the page for the current state, replacing the previous one.
    fn draw(self: &Rc<Self>) {
        // What is typed survives a redraw (a language switch, say).
        let field = self.root.query_selector("#passcode").ok().flatten();
        if let Some(input) = field.and_then(|f| f.dyn_into::<HtmlInputElement>().ok()) {
            let mut state = self.state.borrow_mut();
            if state.focus == Focus::Keep {
                state.typed = input.value();
            }
        }
        // Found again in the new page by its id, or its test id.
        let focused = dom::document()
            .active_element()
            .filter(|element| self.root.contains(Some(element)))
            .and_then(|element| {
                let id = element.id();
                if id.is_empty() {
                    let testid = element.get_attribute("data-testid")?;
                    Some(format!("[data-testid=\"{testid}\"]"))
                } else {
                    Some(format!("#{id}"))
                }
            });
        let listeners = Listeners::default();
        let page = pages::draw(self, &listeners);
        self.root.set_inner_html("");
        for part in page.parts {
            let _ = self.root.append_child(&part.0);
        }
        // The old page's listeners go now that its elements are gone.
        self.listeners.replace(listeners);

        let state = self.state.borrow();
        let lang = state.lang;
        if let Some(html) = dom::document().document_element() {
            let _ = html.set_attribute("lang", lang.code());
        }
        if let Some(title) = page.title {
            dom::document().set_title(&format!("{title} — Sealmail"));
        }
        let target = match (state.focus, focused) {
            (Focus::Keep, Some(selector)) => self.root.query_selector(&selector).ok().flatten(),
            (Focus::Keep, None) => None,
            (Focus::Page, _) => page.focus,
        };
        if let Some(target) = target {
            dom::focus(&target);
            // A problem with the passcode: select what was typed, to retype it.
            if let (Some(input), Some(_)) = (target.dyn_ref::<HtmlInputElement>(), state.problem) {
                input.select();
            }
        }
    }
}

/// Errors a page keeps to itself (the passcode step a few more than the link
/// page); the rest end the journey on their own page.
fn inline_problem(error: &ApiError, passcode_step: bool) -> Option<Problem> {
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
