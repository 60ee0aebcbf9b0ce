//! Mounting into a fresh container, and reading and driving the DOM.

use std::sync::{Arc, Mutex};

use leptos::prelude::*;
use sealmail_portal::api::{Api, RecipientApi};
use sealmail_portal::gate::{Back, Gate};
use sealmail_portal::i18n::Lang;
use sealmail_portal::pages::recipient::RecipientFlow;
use sealmail_portal::translate::provide_i18n;
use sealmail_portal::{RecipientApp, RecipientProviders};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Element, HtmlElement};

use super::fake::FakeApi;
use super::fixtures::TOKEN;

/// A view mounted into its own container; unmounted and removed on drop, so
/// tests in one page do not see each other's DOM.
pub struct Mounted {
    handle: Option<Box<dyn std::any::Any>>,
    /// The mount's parent owner, cleaned up explicitly on drop: the first
    /// `<Router>` in a page keeps its owner alive (leptos_router stores a
    /// redirect hook holding it, once per page), which would leave that
    /// router's click listener catching later tests' link clicks.
    owner: Owner,
    container: HtmlElement,
}

impl Drop for Mounted {
    fn drop(&mut self) {
        drop(self.handle.take());
        self.owner.cleanup();
        self.container.remove();
    }
}

pub fn mount<F, N>(view: F) -> Mounted
where
    F: FnOnce() -> N + 'static,
    N: IntoView + 'static,
{
    let container = fresh_container();
    let owner = Owner::new();
    let handle = owner.with(|| leptos::mount::mount_to(container.clone(), view));
    Mounted {
        handle: Some(Box::new(handle)),
        owner,
        container,
    }
}

/// An empty container in the test page, with the stylesheet loaded; what an
/// earlier test left (a failed test aborts without running destructors) and
/// where it sent the browser are cleared.
fn fresh_container() -> HtmlElement {
    let leftovers = document().query_selector_all("[data-test-mount]").unwrap();
    for i in 0..leftovers.length() {
        if let Some(node) = leftovers.item(i) {
            node.unchecked_into::<Element>().remove();
        }
    }
    LEFT_TO.with(|left| left.borrow_mut().take());
    load_stylesheet();
    let container: HtmlElement = document().create_element("div").unwrap().unchecked_into();
    container.set_attribute("data-test-mount", "").unwrap();
    document().body().unwrap().append_child(&container).unwrap();
    container
}

/// Adds the portal's stylesheets to the test page (once), so tests see what
/// readers see: hidden elements, `user-select`, the print rules.
fn load_stylesheet() {
    if document().get_element_by_id("portal-css").is_none() {
        let style = document().create_element("style").unwrap();
        style.set_id("portal-css");
        style.set_text_content(Some(concat!(
            include_str!("../../style/main.css"),
            include_str!("../../style/pages.css")
        )));
        document().head().unwrap().append_child(&style).unwrap();
    }
}

/// The gate (a link's first pages) for [`TOKEN`] against `api`, in the
/// language `lang` (as if the reader had chosen it before; `None`: the
/// browser's). Where it sends the reader is in [`left_to`].
pub fn mount_flow<A: RecipientApi + 'static>(api: &Arc<A>, lang: Option<&str>) -> Mounted {
    mount_gate(api, Some(TOKEN), None, lang)
}

/// The gate at a link `token`, `back` as the reader bundle sends readers
/// back; without a token, the recipient bundle at the test page's own path
/// (not a link: the landing page).
pub fn mount_gate<A: RecipientApi + 'static>(
    api: &Arc<A>,
    token: Option<&str>,
    back: Option<Back>,
    lang: Option<&str>,
) -> Mounted {
    set_stored_language(lang);
    let api = api.clone();
    match token.map(str::to_owned) {
        Some(token) => mount(move || {
            provide_i18n(Lang::gate_strings);
            view! { <Gate api token back leave=record_leave/> }
        }),
        None => mount(move || view! { <RecipientApp api leave=record_leave/> }),
    }
}

/// The recipient bundle at `path`, as `src/main.rs` mounts it; the test
/// page's own URL is put back on drop.
pub fn mount_gate_at<A: RecipientApi + 'static>(
    api: &Arc<A>,
    path: &str,
    lang: Option<&str>,
) -> PortalAt {
    let api = api.clone();
    at(path, move || {
        set_stored_language(lang);
        mount(move || view! { <RecipientApp api leave=record_leave/> })
    })
}

/// The reader bundle's page (the message of [`TOKEN`]) against `api`.
pub fn mount_reader(api: &Arc<FakeApi>, lang: Option<&str>) -> Mounted {
    set_stored_language(lang);
    let api = Api::new(api.clone());
    mount(move || {
        view! {
            <RecipientProviders api>
                <RecipientFlow token=TOKEN leave=record_leave/>
            </RecipientProviders>
        }
    })
}

thread_local! {
    static LEFT_TO: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// Stands in for `location.replace` in the gate and the reader.
fn record_leave(url: &str) {
    LEFT_TO.with(|left| *left.borrow_mut() = Some(url.to_owned()));
}

/// Where the page last sent the browser (since the last mount).
pub fn left_to() -> Option<String> {
    LEFT_TO.with(|left| left.borrow().clone())
}

/// Waits until the page sends the browser to `url`.
pub async fn wait_left_to(url: &str) {
    until(&format!("leaving for {url}"), || {
        left_to().as_deref() == Some(url)
    })
    .await;
}

/// On the gate's link page: asks for a passcode, then submits `passcode`.
pub async fn ask_and_submit_passcode(passcode: &str) {
    find("send-passcode").await;
    click("send-passcode");
    find("passcode").await;
    fill_in("passcode", passcode);
    click("submit-passcode");
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
    // As a reader does: focus it, then choose.
    let _ = select.unchecked_ref::<HtmlElement>().focus();
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

/// The whole portal (router included), or the gate, at a path; the test
/// page's own URL is put back on drop.
pub struct PortalAt {
    _mounted: Mounted,
    before: String,
}

impl Drop for PortalAt {
    fn drop(&mut self) {
        let _ = window().history().unwrap().replace_state_with_url(
            &JsValue::NULL,
            "",
            Some(&self.before),
        );
    }
}

pub fn mount_portal(api: &Arc<FakeApi>, path: &str, lang: Option<&str>) -> PortalAt {
    mount_portal_with(Api::new(api.clone()), path, lang)
}

/// The bundle the server serves at `path` (the reader's at a reading page,
/// the staff's anywhere else), routed by its own router, with any client.
pub fn mount_portal_with(api: Api, path: &str, lang: Option<&str>) -> PortalAt {
    let reading = sealmail_api::routes::pages::is_reader(path.split('?').next().unwrap_or(path));
    at(path, move || {
        set_stored_language(lang);
        if reading {
            mount(move || view! { <sealmail_portal::ReaderApp api/> })
        } else {
            mount(move || view! { <sealmail_portal::StaffApp api/> })
        }
    })
}

/// The reader bundle's root at `path`, whatever the path, against `api`.
pub fn mount_reader_app_at(api: &Arc<FakeApi>, path: &str, lang: Option<&str>) -> PortalAt {
    let api = Api::recipient(api.clone());
    at(path, move || {
        set_stored_language(lang);
        mount(move || view! { <sealmail_portal::ReaderApp api/> })
    })
}

/// What `mount` mounts, with the browser at `path` until it is dropped.
fn at(path: &str, mount: impl FnOnce() -> Mounted) -> PortalAt {
    let before = window().location().pathname().unwrap();
    window()
        .history()
        .unwrap()
        .push_state_with_url(&JsValue::NULL, "", Some(path))
        .unwrap();
    PortalAt {
        _mounted: mount(),
        before,
    }
}

/// The browser's path and query string.
pub fn current_url() -> String {
    let location = window().location();
    format!(
        "{}{}",
        location.pathname().unwrap(),
        location.search().unwrap()
    )
}

/// Every element with this `data-testid`.
pub fn all(id: &str) -> Vec<Element> {
    let list = document()
        .query_selector_all(&format!("[data-testid=\"{id}\"]"))
        .unwrap();
    (0..list.length())
        .filter_map(|i| list.item(i))
        .map(|n| n.unchecked_into::<Element>())
        .collect()
}

/// The element with this `data-testid` inside `within`.
pub fn inside(within: &Element, id: &str) -> Option<Element> {
    within
        .query_selector(&format!("[data-testid=\"{id}\"]"))
        .unwrap()
}

/// Clicks an element.
pub fn click_element(element: &Element) {
    element.unchecked_ref::<HtmlElement>().click();
}

/// Whether the `<dialog>` with this `data-testid` is open.
pub fn dialog_open(id: &str) -> bool {
    testid(id).map(|d| d.has_attribute("open")).unwrap_or(false)
}

/// A `blob:` URL of `html` as a document, standing in for the body route
/// (the test runner's server does not serve it). The page made it, so it
/// is of the page's origin, as the body route is of the portal's.
pub fn document_url(html: &str) -> String {
    let parts = js_sys::Array::of1(&html.into());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/html");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).unwrap();
    web_sys::Url::create_object_url_with_blob(&blob).unwrap()
}

/// `html` in the document the body route serves around a sanitised body
/// (`server/src/recipient/body.rs`), with the frame's own stylesheet.
pub fn body_document(html: &str) -> String {
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\">\
         <meta name=\"referrer\" content=\"no-referrer\"><base target=\"_blank\">\
         <style>{}</style></head><body>{html}</body></html>",
        include_str!("../../server/src/recipient/frame.css")
    )
}
