//! The frame of every page: the organisation's branded header with the
//! language switch, the signed-in user's navigation, the page itself, and a footer.

use leptos::prelude::*;
use sealmail_api::common::Branding;

use crate::components::language_switch::LanguageSwitch;
use crate::translate::tr;

/// Wraps a page in the branded header and footer. Without branding (before
/// the link has loaded, or on the home page) it shows Sealmail's own.
#[component]
pub fn Shell(
    #[prop(into)] branding: Signal<Option<Branding>>,
    /// The signed-in user's navigation, under the header.
    #[prop(optional)]
    nav: Option<AnyView>,
    children: Children,
) -> impl IntoView {
    // Set through the CSSOM (`style:` → `style.setProperty`), which the portal's
    // CSP allows; a `style="…"` attribute would need 'unsafe-inline'.
    let colors =
        move || branding.with(|b| b.as_ref().and_then(|b| header_colors(&b.background_color)));
    let organisation = move || {
        branding
            .with(|b| b.as_ref().map(|b| b.organisation.clone()))
            .unwrap_or_else(|| "Sealmail".to_owned())
    };
    let logo = move || {
        branding
            .with(|b| b.as_ref().and_then(|b| b.logo_url.clone()))
            .map(|src| {
                // The organisation's name is written beside it: the logo is decoration.
                view! { <img class="logo" src=src alt="" data-testid="brand-logo"/> }.into_any()
            })
    };
    let disclaimer = move || branding.with(|b| b.as_ref().and_then(|b| b.disclaimer_text.clone()));
    let privacy = move || {
        branding
            .with(|b| b.as_ref().and_then(|b| b.privacy_statement_url.clone()))
            .map(|href| {
                view! { <a href=href rel="noopener noreferrer">{tr(|s| s.privacy_statement)}</a> }
                    .into_any()
            })
    };
    view! {
        <header
            class="brand"
            data-testid="brand-header"
            style:background-color=move || colors().map(|(bg, _)| bg)
            style:color=move || colors().map(|(_, fg)| fg.to_owned())
        >
            <div class="brand-inner">
                <div class="brand-name">
                    // Closures written here, not named: the view macro then
                    // shares one renderer per output type among them.
                    {move || logo()}
                    <span data-testid="brand-organisation">{move || organisation()}</span>
                </div>
                <LanguageSwitch/>
            </div>
        </header>
        {nav}
        <main id="main">{children()}</main>
        <footer class="foot">
            {move || disclaimer().map(|text| view! { <p data-testid="brand-disclaimer">{text}</p> }.into_any())}
            <p>{move || privacy()} " " <span>{tr(|s| s.protected_by)}</span></p>
        </footer>
    }
}

/// The header's background (`#rrggbb` from the branding) and the text colour
/// that contrasts more with it: black or white, whichever WCAG's contrast
/// ratio favours — at least 4.58:1 for any background, so AA holds for text.
/// `None` for a colour that is not `#rrggbb` (the stylesheet's default stays).
pub fn header_colors(background: &str) -> Option<(String, &'static str)> {
    let hex = background.strip_prefix('#').filter(|h| h.len() == 6)?;
    let channel = |i: usize| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok();
    let (r, g, b) = (channel(0)?, channel(2)?, channel(4)?);
    let linear = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.040_45 {
            c / 12.92
        } else {
            // The browser's `Math.pow`: Rust's `powf` brings its own (1.4 KB of wasm).
            js_sys::Math::pow((c + 0.055) / 1.055, 2.4)
        }
    };
    let luminance = 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
    let with_white = 1.05 / (luminance + 0.05);
    let with_black = (luminance + 0.05) / 0.05;
    let foreground = if with_white >= with_black {
        "#ffffff"
    } else {
        "#000000"
    };
    Some((format!("#{}", hex.to_ascii_lowercase()), foreground))
}
