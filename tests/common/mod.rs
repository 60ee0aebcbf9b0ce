//! Shared test helpers: a scripted fake of the API, canned `sealmail-api`
//! values, mounting into a fresh container, and polling the DOM.
#![allow(dead_code)] // each test binary uses a different subset

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use leptos::prelude::*;
pub use leptos::prelude::{document, window};
use sealmail_api::common::Branding;
use sealmail_api::recipient::{
    AttachmentInfo, Body, LinkInfo, MessageView, PasscodeSent, PasscodeSubmit, ReplyRequest,
    ReplySent, SessionOpened,
};
use sealmail_api::{ErrorBody, ErrorCode, Mailbox, Protection, Timestamp, routes};
use sealmail_portal::Providers;
use sealmail_portal::api::{Api, ApiError, ApiFuture, RecipientApi};
use sealmail_portal::pages::recipient::RecipientFlow;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Element, HtmlElement};

/// The link token every test uses.
pub const TOKEN: &str = "tok-123";

// ---------------------------------------------------------------- canned values

pub fn alice() -> Mailbox {
    Mailbox {
        name: Some("Alice Example".into()),
        address: "alice@contoso.example".into(),
    }
}

pub fn link_info() -> LinkInfo {
    LinkInfo {
        sender: alice(),
        recipient_masked: "b•••@example.net".into(),
        protection: Protection::EncryptOnly,
        branding: Branding {
            organisation: "Contoso Bank".into(),
            background_color: "#0b5394".into(),
            logo_url: Some("data:image/gif;base64,R0lGODlhAQABAAAAACw=".into()),
            introduction_text: Some("Contoso protects your mail.".into()),
            read_button_text: None,
            portal_text: None,
            disclaimer_text: Some("Confidential.".into()),
            privacy_statement_url: Some("https://contoso.example/privacy".into()),
        },
        expires_at: Some(Timestamp("2026-12-01T12:00:00Z".into())),
        session_open: false,
    }
}

pub fn passcode_sent() -> PasscodeSent {
    PasscodeSent {
        sent_to_masked: "b•••@example.net".into(),
        valid_for_secs: 600,
    }
}

pub fn message_view() -> MessageView {
    MessageView {
        message_id: "<m1@contoso.example>".into(),
        from: alice(),
        to: vec![Mailbox {
            name: Some("Bob".into()),
            address: "bob@example.net".into(),
        }],
        cc: vec![Mailbox {
            name: None,
            address: "carol@example.org".into(),
        }],
        sent_at: Timestamp("2026-11-23T09:30:00Z".into()),
        subject: "Your mortgage offer".into(),
        body: Body {
            text: Some("Dear Bob,\n\nThe offer is attached.".into()),
            html: None,
        },
        attachments: vec![AttachmentInfo {
            id: "a1".into(),
            name: "offer.pdf".into(),
            content_type: "application/pdf".into(),
            size: 1_572_864, // 1.5 MiB
        }],
        protection: Protection::EncryptOnly,
        expires_at: Some(Timestamp("2026-12-01T12:00:00Z".into())),
    }
}

/// An error body as the server sends it.
pub fn error(code: ErrorCode) -> ApiError {
    ApiError::Api(ErrorBody::new(code, "whatever the server says in English"))
}

pub fn wrong_passcode(tries_left: u32) -> ApiError {
    ApiError::Api(ErrorBody {
        tries_left: Some(tries_left),
        ..ErrorBody::new(ErrorCode::PasscodeWrong, "wrong")
    })
}

pub fn retry_after(code: ErrorCode, secs: u64) -> ApiError {
    ApiError::Api(ErrorBody {
        retry_after_secs: Some(secs),
        ..ErrorBody::new(code, "later")
    })
}

// ---------------------------------------------------------------- the fake API

/// What the portal asked the fake for, in order.
#[derive(Clone, Debug, PartialEq)]
pub enum Call {
    Link,
    SendPasscode,
    OpenSession(String),
    Message,
    EndSession,
    Reply { text: String, files: Vec<String> },
}

/// Answers for one route, in order; the last one repeats.
struct Script<T>(VecDeque<Result<T, ApiError>>);

impl<T: Clone> Script<T> {
    fn ok(value: T) -> Self {
        Script(VecDeque::from([Ok(value)]))
    }
    fn next(&mut self) -> Result<T, ApiError> {
        if self.0.len() > 1 {
            self.0.pop_front().unwrap()
        } else {
            self.0.front().cloned().expect("a scripted answer")
        }
    }
}

struct State {
    link: Script<LinkInfo>,
    passcode: Script<PasscodeSent>,
    session: Script<SessionOpened>,
    message: Script<MessageView>,
    end_session: Script<()>,
    reply: Script<ReplySent>,
    calls: Vec<Call>,
}

/// A fake API answering from scripts: by default every call succeeds with the
/// canned values above.
pub struct FakeApi(Mutex<State>);

impl FakeApi {
    pub fn new() -> Arc<FakeApi> {
        Arc::new(FakeApi(Mutex::new(State {
            link: Script::ok(link_info()),
            passcode: Script::ok(passcode_sent()),
            session: Script::ok(SessionOpened {
                expires_at: Timestamp("2026-11-23T10:30:00Z".into()),
            }),
            message: Script::ok(message_view()),
            end_session: Script::ok(()),
            reply: Script::ok(ReplySent {
                message_id: "<r1@contoso.example>".into(),
            }),
            calls: Vec::new(),
        })))
    }

    pub fn link(self: &Arc<Self>, answers: Vec<Result<LinkInfo, ApiError>>) -> Arc<Self> {
        self.0.lock().unwrap().link = Script(answers.into());
        self.clone()
    }
    pub fn passcode(self: &Arc<Self>, answers: Vec<Result<PasscodeSent, ApiError>>) -> Arc<Self> {
        self.0.lock().unwrap().passcode = Script(answers.into());
        self.clone()
    }
    pub fn session(self: &Arc<Self>, answers: Vec<Result<SessionOpened, ApiError>>) -> Arc<Self> {
        self.0.lock().unwrap().session = Script(answers.into());
        self.clone()
    }
    pub fn message(self: &Arc<Self>, answers: Vec<Result<MessageView, ApiError>>) -> Arc<Self> {
        self.0.lock().unwrap().message = Script(answers.into());
        self.clone()
    }
    pub fn end_session(self: &Arc<Self>, answers: Vec<Result<(), ApiError>>) -> Arc<Self> {
        self.0.lock().unwrap().end_session = Script(answers.into());
        self.clone()
    }
    pub fn reply(self: &Arc<Self>, answers: Vec<Result<ReplySent, ApiError>>) -> Arc<Self> {
        self.0.lock().unwrap().reply = Script(answers.into());
        self.clone()
    }

    /// Every call so far.
    pub fn calls(&self) -> Vec<Call> {
        self.0.lock().unwrap().calls.clone()
    }

    fn answer<T: 'static>(
        &self,
        call: Call,
        pick: impl FnOnce(&mut State) -> Result<T, ApiError>,
    ) -> ApiFuture<T> {
        let mut state = self.0.lock().unwrap();
        state.calls.push(call);
        let result = pick(&mut state);
        Box::pin(std::future::ready(result))
    }
}

impl RecipientApi for FakeApi {
    fn link(&self, token: &str) -> ApiFuture<LinkInfo> {
        assert_eq!(token, TOKEN);
        self.answer(Call::Link, |s| s.link.next())
    }
    fn send_passcode(&self, token: &str) -> ApiFuture<PasscodeSent> {
        assert_eq!(token, TOKEN);
        self.answer(Call::SendPasscode, |s| s.passcode.next())
    }
    fn open_session(&self, token: &str, submit: PasscodeSubmit) -> ApiFuture<SessionOpened> {
        assert_eq!(token, TOKEN);
        self.answer(Call::OpenSession(submit.passcode), |s| s.session.next())
    }
    fn message(&self, token: &str) -> ApiFuture<MessageView> {
        assert_eq!(token, TOKEN);
        self.answer(Call::Message, |s| s.message.next())
    }
    fn end_session(&self, token: &str) -> ApiFuture<()> {
        assert_eq!(token, TOKEN);
        self.answer(Call::EndSession, |s| s.end_session.next())
    }
    fn reply(
        &self,
        token: &str,
        reply: ReplyRequest,
        files: Vec<web_sys::File>,
    ) -> ApiFuture<ReplySent> {
        assert_eq!(token, TOKEN);
        let files = files.iter().map(|f| f.name()).collect();
        self.answer(
            Call::Reply {
                text: reply.text,
                files,
            },
            |s| s.reply.next(),
        )
    }
    fn attachment_url(&self, token: &str, id: &str) -> String {
        routes::link_attachment(token, id)
    }
}

// ---------------------------------------------------------------- mounting

/// A view mounted into its own container; unmounted and removed on drop, so
/// tests in one page do not see each other's DOM.
pub struct Mounted {
    _handle: Box<dyn std::any::Any>,
    container: HtmlElement,
}

impl Drop for Mounted {
    fn drop(&mut self) {
        self.container.remove();
    }
}

pub fn mount<F, N>(view: F) -> Mounted
where
    F: FnOnce() -> N + 'static,
    N: IntoView + 'static,
{
    // A failed test aborts without running destructors: clear what it left.
    let leftovers = document().query_selector_all("[data-test-mount]").unwrap();
    for i in 0..leftovers.length() {
        if let Some(node) = leftovers.item(i) {
            node.unchecked_into::<Element>().remove();
        }
    }
    load_stylesheet();
    let container: HtmlElement = document().create_element("div").unwrap().unchecked_into();
    container.set_attribute("data-test-mount", "").unwrap();
    document().body().unwrap().append_child(&container).unwrap();
    let handle = leptos::mount::mount_to(container.clone(), view);
    Mounted {
        _handle: Box::new(handle),
        container,
    }
}

/// Adds the portal's stylesheet to the test page (once), so tests see what
/// readers see: hidden elements, `user-select`, the print rules.
fn load_stylesheet() {
    if document().get_element_by_id("portal-css").is_none() {
        let style = document().create_element("style").unwrap();
        style.set_id("portal-css");
        style.set_text_content(Some(include_str!("../../style/main.css")));
        document().head().unwrap().append_child(&style).unwrap();
    }
}

/// The recipient's journey for [`TOKEN`] against `api`, in the language `lang`
/// (as if the reader had chosen it before; `None`: the browser's).
pub fn mount_flow(api: &Arc<FakeApi>, lang: Option<&str>) -> Mounted {
    set_stored_language(lang);
    let api = Api::new(api.clone());
    mount(move || view! { <Providers api><RecipientFlow token=TOKEN/></Providers> })
}

/// Sets (or clears) the remembered language.
pub fn set_stored_language(lang: Option<&str>) {
    let storage = window().local_storage().unwrap().unwrap();
    match lang {
        Some(lang) => storage.set_item("sealmail.lang", lang).unwrap(),
        None => storage.remove_item("sealmail.lang").unwrap(),
    }
}

pub fn stored_language() -> Option<String> {
    window()
        .local_storage()
        .unwrap()
        .unwrap()
        .get_item("sealmail.lang")
        .unwrap()
}

// ---------------------------------------------------------------- the DOM

/// Lets the browser run timers, promises and Leptos' effects.
pub async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        window()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    JsFuture::from(promise).await.unwrap();
}

const PATIENCE_MS: i32 = 3000;

/// Polls until `check` holds (every 10 ms, for up to 3 s); panics with `what`.
pub async fn until(what: &str, mut check: impl FnMut() -> bool) {
    let mut waited = 0;
    while !check() {
        if waited >= PATIENCE_MS {
            panic!("timed out waiting for {what}");
        }
        sleep(10).await;
        waited += 10;
    }
}

pub fn query(selector: &str) -> Option<Element> {
    document().query_selector(selector).unwrap()
}

pub fn testid(id: &str) -> Option<Element> {
    query(&format!("[data-testid=\"{id}\"]"))
}

/// Waits for the element with this `data-testid`.
pub async fn find(id: &str) -> Element {
    until(&format!("[data-testid={id}]"), || testid(id).is_some()).await;
    testid(id).unwrap()
}

pub fn text(id: &str) -> String {
    testid(id)
        .and_then(|e| e.text_content())
        .unwrap_or_default()
}

/// Waits until the element's text is exactly `expected`.
pub async fn wait_text(id: &str, expected: &str) {
    let mut waited = 0;
    loop {
        let last = text(id);
        if last == expected {
            return;
        }
        if waited >= PATIENCE_MS {
            panic!("[data-testid={id}] says {last:?}, expected {expected:?}");
        }
        sleep(10).await;
        waited += 10;
    }
}

/// Waits until the element's text contains `part`.
pub async fn wait_text_contains(id: &str, part: &str) {
    until(
        &format!(
            "[data-testid={id}] to contain {part:?} (it says {:?})",
            text(id)
        ),
        || text(id).contains(part),
    )
    .await;
}

pub fn click(id: &str) {
    testid(id)
        .unwrap_or_else(|| panic!("no [data-testid={id}] to click"))
        .unchecked_into::<HtmlElement>()
        .click();
}

/// Puts `value` in an input or textarea as typing or pasting would, with the
/// `input` event the page listens for.
pub fn fill_in(id: &str, value: &str) {
    let element = testid(id).unwrap_or_else(|| panic!("no [data-testid={id}] to fill in"));
    if let Some(input) = element.dyn_ref::<web_sys::HtmlInputElement>() {
        input.set_value(value);
    } else {
        element
            .unchecked_ref::<web_sys::HtmlTextAreaElement>()
            .set_value(value);
    }
    dispatch(&element, "input");
}

pub fn dispatch(element: &Element, event: &str) {
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    let event = web_sys::Event::new_with_event_init_dict(event, &init).unwrap();
    element.dispatch_event(&event).unwrap();
}

/// Picks a language in the switch, as a reader would.
pub fn switch_language(code: &str) {
    let select = testid("language").expect("a language switch");
    select
        .unchecked_ref::<web_sys::HtmlSelectElement>()
        .set_value(code);
    dispatch(&select, "change");
}

/// The `data-testid` of the focused element (or its tag if it has none).
pub fn focused() -> String {
    document()
        .active_element()
        .map(|e| {
            e.get_attribute("data-testid")
                .unwrap_or_else(|| e.tag_name().to_lowercase())
        })
        .unwrap_or_default()
}

/// Waits until the focused element is `id`.
pub async fn wait_focus(id: &str) {
    until(&format!("focus on {id} (it is on {:?})", focused()), || {
        focused() == id
    })
    .await;
}

pub fn html_lang() -> String {
    document()
        .document_element()
        .unwrap()
        .get_attribute("lang")
        .unwrap_or_default()
}

/// Collects every `window.postMessage` and `window.alert` the page receives,
/// so a test can show no injected script ran.
pub struct ScriptTrap {
    pub messages: Arc<Mutex<Vec<String>>>,
    pub alerts: Arc<Mutex<u32>>,
    _on_message: Closure<dyn FnMut(web_sys::MessageEvent)>,
    _alert: Closure<dyn FnMut()>,
}

impl ScriptTrap {
    pub fn set() -> ScriptTrap {
        let messages = Arc::new(Mutex::new(Vec::new()));
        let alerts = Arc::new(Mutex::new(0));
        let sink = messages.clone();
        let on_message =
            Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
                sink.lock()
                    .unwrap()
                    .push(e.data().as_string().unwrap_or_default());
            });
        window()
            .add_event_listener_with_callback("message", on_message.as_ref().unchecked_ref())
            .unwrap();
        let count = alerts.clone();
        let alert = Closure::<dyn FnMut()>::new(move || *count.lock().unwrap() += 1);
        js_sys::Reflect::set(&window(), &"alert".into(), alert.as_ref()).unwrap();
        ScriptTrap {
            messages,
            alerts,
            _on_message: on_message,
            _alert: alert,
        }
    }
}

impl Drop for ScriptTrap {
    fn drop(&mut self) {
        let _ = window().remove_event_listener_with_callback(
            "message",
            self._on_message.as_ref().unchecked_ref(),
        );
    }
}

/// Counts iframes that finished loading in the page (the `load` event does
/// not bubble, but a capturing listener on the document sees it).
pub struct FrameLoads {
    pub count: Arc<Mutex<u32>>,
    listener: Closure<dyn FnMut(web_sys::Event)>,
}

impl FrameLoads {
    pub fn watch() -> FrameLoads {
        let count = Arc::new(Mutex::new(0));
        let sink = count.clone();
        let listener = Closure::<dyn FnMut(web_sys::Event)>::new(move |e: web_sys::Event| {
            if e.target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlIFrameElement>().ok())
                .is_some()
            {
                *sink.lock().unwrap() += 1;
            }
        });
        document()
            .add_event_listener_with_callback_and_bool(
                "load",
                listener.as_ref().unchecked_ref(),
                true,
            )
            .unwrap();
        FrameLoads { count, listener }
    }

    pub fn loaded(&self) -> u32 {
        *self.count.lock().unwrap()
    }
}

impl Drop for FrameLoads {
    fn drop(&mut self) {
        let _ = document().remove_event_listener_with_callback_and_bool(
            "load",
            self.listener.as_ref().unchecked_ref(),
            true,
        );
    }
}
