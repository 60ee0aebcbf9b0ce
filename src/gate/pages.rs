//! The gate's pages, drawn from its state: the branded frame around the link
//! page, the passcode step, the end pages and the landing page. The markup is
//! the Leptos pages' (see `src/pages/`), so the stylesheet and the tests apply.

use std::rc::Rc;

use sealmail_api::common::Branding;
use sealmail_api::{Protection, Timestamp};
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlInputElement, HtmlSelectElement};

use super::dom::{El, Listeners, el};
use super::{Back, Failure, Focus, Gate, Problem, State, Step};
use crate::api::RecipientApi;
use crate::app::paths;
use crate::components::mailbox;
use crate::components::shell::header_colors;
use crate::i18n::format::{date_time, minutes};
use crate::i18n::{Lang, Strings, fill};

/// A drawn page: the elements that go into the gate's root, the tab's title,
/// and what takes focus when the page is new.
pub struct Page {
    pub parts: Vec<El>,
    pub title: Option<&'static str>,
    pub focus: Option<Element>,
}

/// The page for the gate's state.
pub fn draw<A: RecipientApi + ?Sized + 'static>(gate: &Rc<Gate<A>>, on: &Listeners) -> Page {
    let state = gate.state.borrow();
    let s = state.lang.recipient_strings();
    let mut focus = None;
    let (content, title) = match &state.step {
        Step::Home => (home(s), None),
        Step::Loading => (
            el("p")
                .class("loading")
                .attr("role", "status")
                .testid("loading")
                .text(s.loading),
            None,
        ),
        Step::Link { back } => {
            let page = link_page(gate, &state, s, *back, on);
            focus = page.0.query_selector("h1").ok().flatten();
            (page, Some(s.protected_message))
        }
        Step::Passcode { sent, resent } => {
            let page = passcode_page(gate, &state, s, sent, *resent, on);
            focus = page.0.query_selector("#passcode").ok().flatten();
            (page, Some(s.passcode_title))
        }
        Step::Failed(failure) => {
            let (page, title) = end_page(gate, &state, s, *failure, on);
            focus = page.0.query_selector("h1").ok().flatten();
            (page, Some(title))
        }
    };
    let branding = state.info.as_ref().map(|info| &info.branding);
    let [header, footer] = frame(gate, state.lang, s, branding, on);
    Page {
        parts: vec![header, el("main").id("main").child(content), footer],
        title,
        focus: focus.filter(|_| state.focus == Focus::Page),
    }
}

/// The branded header with the language switch, and the footer. Without
/// branding (before the link has loaded, on the landing page), Sealmail's own.
fn frame<A: RecipientApi + ?Sized + 'static>(
    gate: &Rc<Gate<A>>,
    lang: Lang,
    s: &Strings,
    branding: Option<&Branding>,
    on: &Listeners,
) -> [El; 2] {
    let mut header = el("header").class("brand").testid("brand-header");
    if let Some((background, foreground)) =
        branding.and_then(|b| header_colors(&b.background_color))
    {
        header = header
            .style("background-color", &background)
            .style("color", foreground);
    }
    // The organisation's name is written beside the logo: the logo is decoration.
    let logo = branding.and_then(|b| b.logo_url.as_deref()).map(|src| {
        el("img")
            .class("logo")
            .attr("src", src)
            .attr("alt", "")
            .testid("brand-logo")
    });
    let organisation = branding.map_or("Sealmail", |b| b.organisation.as_str());

    let mut select = el("select").id("language").testid("language");
    for option in Lang::ALL {
        select = select.child(
            el("option")
                .attr("value", option.code())
                .attr("lang", option.code())
                .flag("selected", option == lang)
                .text(option.native_name()),
        );
    }
    let switch_to = Rc::downgrade(gate);
    let select = select.on(on, "change", move |event| {
        let chosen = event
            .target()
            .and_then(|t| t.dyn_into::<HtmlSelectElement>().ok())
            .and_then(|select| Lang::from_tag(&select.value()));
        if let (Some(gate), Some(lang)) = (switch_to.upgrade(), chosen) {
            gate.switch_language(lang);
        }
    });

    let header = header.child(
        el("div")
            .class("brand-inner")
            .child(
                el("div")
                    .class("brand-name")
                    .child_if(logo)
                    .child(el("span").testid("brand-organisation").text(organisation)),
            )
            .child(
                el("div")
                    .class("lang-switch")
                    .child(el("label").attr("for", "language").text(s.language))
                    .child(select),
            ),
    );

    let disclaimer = branding
        .and_then(|b| b.disclaimer_text.as_deref())
        .map(|text| el("p").testid("brand-disclaimer").text(text));
    let privacy = branding
        .and_then(|b| b.privacy_statement_url.as_deref())
        .map(|href| {
            el("a")
                .attr("href", href)
                .attr("rel", "noopener noreferrer")
                .text(s.privacy_statement)
        });
    let footer = el("footer").class("foot").child_if(disclaimer).child(
        el("p")
            .child_if(privacy)
            .text(" ")
            .child(el("span").text(s.protected_by)),
    );
    [header, footer]
}

/// The first step: who sent what, how it is protected, and the button that
/// mails a passcode.
fn link_page<A: RecipientApi + ?Sized + 'static>(
    gate: &Rc<Gate<A>>,
    state: &State,
    s: &Strings,
    back: Option<Back>,
    on: &Listeners,
) -> El {
    let Some(info) = &state.info else {
        return el("section");
    };
    let branding = &info.branding;
    let button_text = if state.busy {
        s.sending
    } else {
        branding
            .read_button_text
            .as_deref()
            .unwrap_or(s.send_passcode)
    };
    let send = Rc::downgrade(gate);
    el("section")
        .class("card")
        .testid("page-link")
        .child_if(
            branding
                .introduction_text
                .as_deref()
                .map(|text| el("p").class("intro").testid("brand-intro").text(text)),
        )
        .child(
            el("h1")
                .attr("tabindex", "-1")
                .testid("page-link-title")
                .text(s.protected_message),
        )
        .child(
            el("p")
                .testid("sender")
                .text(&fill(s.sent_you, &mailbox(&info.sender))),
        )
        .child(protection_facts(s, info.protection))
        .child_if(info.expires_at.as_ref().map(|at| {
            el("p")
                .testid("expires")
                .text(&fill(s.expires, &date_time(at, state.lang)))
        }))
        .child_if(back.map(|back| {
            let (testid, text) = match back {
                Back::SessionEnded => ("session-ended", s.session_ended),
                Back::SignedOut => ("signed-out", s.signed_out),
            };
            el("p")
                .class("notice")
                .attr("role", "status")
                .testid(testid)
                .text(text)
        }))
        .child(el("p").text(s.passcode_intro))
        .child_if(
            branding
                .portal_text
                .as_deref()
                .map(|text| el("p").class("portal-text").text(text)),
        )
        .child(
            el("button")
                .attr("type", "button")
                .class("primary")
                .testid("send-passcode")
                .flag("disabled", state.busy)
                .text(button_text)
                .on(on, "click", move |_| {
                    if let Some(gate) = send.upgrade() {
                        gate.send_passcode();
                    }
                }),
        )
        .child(
            el("p")
                .class("error")
                .attr("role", "alert")
                .testid("link-error")
                .text(&problem_text(s, state.problem)),
        )
}

/// The protection, named and explained.
fn protection_facts(s: &Strings, protection: Protection) -> El {
    let (name, explained) = s.protection_named(protection);
    el("p")
        .class("protection")
        .testid("protection")
        .child(el("strong").text(&format!("{}: {name}", s.protection)))
        .text(&format!(" — {explained}"))
}

/// Asks for the passcode that was mailed to `sent.sent_to_masked`.
fn passcode_page<A: RecipientApi + ?Sized + 'static>(
    gate: &Rc<Gate<A>>,
    state: &State,
    s: &Strings,
    sent: &sealmail_api::recipient::PasscodeSent,
    resent: bool,
    on: &Listeners,
) -> El {
    let input = el("input")
        .id("passcode")
        .attr("name", "passcode")
        .attr("type", "text")
        .attr("inputmode", "numeric")
        .attr("autocomplete", "one-time-code")
        .attr("spellcheck", "false")
        .attr(
            "aria-describedby",
            "passcode-hint passcode-sent-to passcode-error",
        )
        .attr(
            "aria-invalid",
            if state.problem.is_some() {
                "true"
            } else {
                "false"
            },
        )
        .testid("passcode");
    if let Some(field) = input.0.dyn_ref::<HtmlInputElement>() {
        field.set_value(&state.typed);
    }
    let field = input.0.clone();
    let submit = Rc::downgrade(gate);
    let new_code = Rc::downgrade(gate);
    el("section")
        .class("card")
        .testid("page-passcode")
        .child(el("h1").text(s.passcode_title))
        .child(
            el("p")
                .id("passcode-sent-to")
                .testid("sent-to")
                .text(&fill(s.passcode_sent_to, &sent.sent_to_masked)),
        )
        .child(el("p").class("hint").text(&fill(
            s.passcode_valid_for,
            &minutes(u64::from(sent.valid_for_secs)),
        )))
        .child(
            el("form")
                .class("passcode-form")
                .flag("novalidate", true)
                .child(el("label").attr("for", "passcode").text(s.passcode_label))
                .child(input)
                .child(
                    el("p")
                        .id("passcode-hint")
                        .class("hint")
                        .text(s.passcode_hint),
                )
                .child(
                    el("p")
                        .id("passcode-error")
                        .class("error")
                        .attr("role", "alert")
                        .testid("passcode-error")
                        .text(&problem_text(s, state.problem)),
                )
                .child(
                    el("button")
                        .attr("type", "submit")
                        .class("primary")
                        .testid("submit-passcode")
                        .flag("disabled", state.busy)
                        .text(if state.busy {
                            s.checking
                        } else {
                            s.read_message
                        }),
                )
                .on(on, "submit", move |event| {
                    event.prevent_default();
                    let typed = field
                        .dyn_ref::<HtmlInputElement>()
                        .map(HtmlInputElement::value)
                        .unwrap_or_default();
                    if let Some(gate) = submit.upgrade() {
                        gate.submit_passcode(typed);
                    }
                }),
        )
        .child(
            el("button")
                .attr("type", "button")
                .class("secondary")
                .testid("new-code")
                .flag("disabled", state.busy)
                .text(s.send_new_code)
                .on(on, "click", move |_| {
                    if let Some(gate) = new_code.upgrade() {
                        gate.send_passcode();
                    }
                }),
        )
        .child(
            el("p")
                .attr("role", "status")
                .testid("passcode-status")
                .text(if resent { s.new_code_sent } else { "" }),
        )
}

/// A problem, said in the reader's language (empty: none).
fn problem_text(s: &Strings, problem: Option<Problem>) -> String {
    match problem {
        None => String::new(),
        Some(Problem::Missing) => s.passcode_missing.to_owned(),
        Some(Problem::Wrong(Some(0))) => format!("{} {}", s.passcode_wrong, s.passcode_used_up),
        Some(Problem::Wrong(Some(1))) => format!("{} {}", s.passcode_wrong, s.tries_left_one),
        Some(Problem::Wrong(Some(n))) => format!(
            "{} {}",
            s.passcode_wrong,
            fill(s.tries_left_other, &n.to_string())
        ),
        Some(Problem::Wrong(None)) => s.passcode_wrong.to_owned(),
        Some(Problem::Expired) => s.passcode_expired.to_owned(),
        Some(Problem::RateLimited(secs)) => fill(s.rate_limited, &minutes(secs)),
        Some(Problem::Failed) => s.something_failed.to_owned(),
    }
}

/// Where a journey ends: a heading (focused, so it is read out at once), an
/// explanation, and what can still be done.
fn end_page<A: RecipientApi + ?Sized + 'static>(
    gate: &Rc<Gate<A>>,
    state: &State,
    s: &Strings,
    failure: Failure,
    on: &Listeners,
) -> (El, &'static str) {
    let (testid, title, body) = match failure {
        Failure::Revoked => ("page-revoked", s.revoked_title, s.revoked_body),
        Failure::Expired => ("page-expired", s.expired_title, s.expired_body),
        Failure::UnknownLink => ("page-unknown-link", s.unknown_title, s.unknown_body),
        Failure::Locked(_) => ("page-locked", s.locked_title, s.locked_body),
        Failure::Blocked => ("page-blocked", s.blocked_title, s.blocked_body),
        Failure::Unavailable => ("page-unavailable", s.unavailable_title, s.unavailable_body),
    };
    let mut page = el("section")
        .class("card end-page")
        .testid(testid)
        .child(
            el("h1")
                .attr("tabindex", "-1")
                .testid("page-title")
                .text(title),
        )
        .child(el("p").text(body));
    match failure {
        Failure::Locked(retry_after_secs) => {
            let until: Option<&Timestamp> =
                state.info.as_ref().and_then(|i| i.locked_until.as_ref());
            page = page
                .child_if(retry_after_secs.map(|secs| {
                    el("p")
                        .testid("locked-retry")
                        .text(&fill(s.locked_retry, &minutes(secs)))
                }))
                .child_if(until.map(|until| {
                    el("p")
                        .testid("locked-until")
                        .text(&fill(s.locked_until, &date_time(until, state.lang)))
                }));
        }
        Failure::Unavailable => {
            let retry = Rc::downgrade(gate);
            page = page.child(
                el("button")
                    .attr("type", "button")
                    .class("primary")
                    .testid("retry")
                    .text(s.retry)
                    .on(on, "click", move |_| {
                        if let Some(gate) = retry.upgrade() {
                            gate.load(None);
                        }
                    }),
            );
        }
        _ => {}
    }
    (page, title)
}

/// `/`: what someone sees who opens the portal without a link.
fn home(s: &Strings) -> El {
    el("section")
        .class("card")
        .child(el("h1").testid("home-title").text("Sealmail"))
        .child(el("p").testid("home-status").text(s.home_status))
        .child(
            el("p").child(
                el("a")
                    .attr("href", paths::SIGN_IN)
                    .testid("home-signin")
                    .text(s.home_sign_in),
            ),
        )
}
