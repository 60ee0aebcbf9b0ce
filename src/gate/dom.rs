//! Building the gate's DOM: an element with its attributes, text, children
//! and listeners in one expression, so a page reads like its markup.

use std::cell::RefCell;

use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{Element, Event, HtmlElement};

/// The listeners of the page on show. They live as long as the page's
/// elements: a new page drops the previous page's (after its elements left the
/// document), so nothing leaks however often the page is redrawn.
#[derive(Default)]
pub struct Listeners(RefCell<Vec<Listener>>);

type Listener = Closure<dyn FnMut(Event)>;

impl Listeners {
    /// Drops every listener collected so far.
    pub fn clear(&self) {
        self.0.borrow_mut().clear();
    }

    /// Takes `other`'s listeners in place of these (dropped).
    pub fn replace(&self, other: Listeners) {
        *self.0.borrow_mut() = other.0.into_inner();
    }
}

/// An element being built.
pub struct El(pub Element);

/// A new `<tag>`.
pub fn el(tag: &str) -> El {
    El(document()
        .create_element(tag)
        .expect("creating an element of a known tag"))
}

impl El {
    pub fn attr(self, name: &str, value: &str) -> El {
        let _ = self.0.set_attribute(name, value);
        self
    }

    pub fn class(self, class: &str) -> El {
        self.attr("class", class)
    }

    pub fn id(self, id: &str) -> El {
        self.attr("id", id)
    }

    /// `data-testid`, which the browser tests and the end-to-end suite find
    /// elements by (the same ids the Leptos pages use).
    pub fn testid(self, id: &str) -> El {
        self.attr("data-testid", id)
    }

    /// A boolean attribute, present or not.
    pub fn flag(self, name: &str, on: bool) -> El {
        if on { self.attr(name, "") } else { self }
    }

    pub fn text(self, text: &str) -> El {
        let _ = self.0.append_child(&document().create_text_node(text));
        self
    }

    pub fn child(self, child: El) -> El {
        let _ = self.0.append_child(&child.0);
        self
    }

    pub fn child_if(self, child: Option<El>) -> El {
        match child {
            Some(child) => self.child(child),
            None => self,
        }
    }

    /// A CSS property through the CSSOM (the portal's CSP forbids `style="…"`).
    pub fn style(self, property: &str, value: &str) -> El {
        if let Some(element) = self.0.dyn_ref::<HtmlElement>() {
            let _ = element.style().set_property(property, value);
        }
        self
    }

    /// Calls `handler` on `event`, for as long as the page is on show.
    pub fn on(
        self,
        listeners: &Listeners,
        event: &str,
        handler: impl FnMut(Event) + 'static,
    ) -> El {
        let closure = Closure::<dyn FnMut(Event)>::new(handler);
        let _ = self
            .0
            .add_event_listener_with_callback(event, closure.as_ref().unchecked_ref());
        listeners.0.borrow_mut().push(closure);
        self
    }
}

pub fn document() -> web_sys::Document {
    web_sys::window()
        .and_then(|window| window.document())
        .expect("the gate runs in a page")
}

/// Moves keyboard focus to `element` (a heading gets `tabindex="-1"` for it),
/// so a screen reader starts reading at the new step.
pub fn focus(element: &Element) {
    if let Some(element) = element.dyn_ref::<HtmlElement>() {
        let _ = element.focus();
    }
}
