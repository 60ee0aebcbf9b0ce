//! One page per file, drawn with Leptos. The recipient's message is shown by
//! [`recipient`]'s flow in the reader bundle (the link page, the passcode step
//! and the end pages before it are the gate's, [`crate::gate`]); the sender's
//! and administrator's pages ([`signin`], [`sent`], [`compose`], [`tokens`],
//! the `admin_*` pages) by the router.

pub mod admin_audit;
pub mod admin_branding;
pub mod admin_report;
pub mod admin_rules;
pub mod admin_status;
pub mod admin_trace;
pub mod compose;
pub mod home;
pub mod recipient;
pub mod sent;
pub mod signin;
pub mod tokens;

use leptos::prelude::*;

use crate::components::{focus_when_mounted, set_title};

/// The common shape of the pages where a journey ends: a heading (focused, so
/// it is read out at once), an explanation, and what can still be done.
#[component]
pub(crate) fn EndPage(
    /// The page's `data-testid`.
    testid: &'static str,
    #[prop(into)] title: Signal<String>,
    children: Children,
) -> impl IntoView {
    let heading = NodeRef::<leptos::html::H1>::new();
    focus_when_mounted(heading);
    set_title(move || title.get().to_owned());
    view! {
        <section class="card end-page" data-testid=testid>
            <h1 tabindex="-1" node_ref=heading data-testid="page-title">{title}</h1>
            {children()}
        </section>
    }
}
