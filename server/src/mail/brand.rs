//! How one message's mail looks: the organisation, its colour and logo, and
//! its branding template's texts.

use crate::store::Db;
use sealmail_api::admin::BrandingFields;
use sealmail_api::common::Branding;

use super::InlineImage;
use crate::error::Result;
use crate::store::branding::TemplateRow;

/// The `Content-ID` of the logo; the HTML points at it as `cid:…`. One
/// logo per mail, so a fixed name is unique where it has to be.
pub const LOGO_CONTENT_ID: &str = "logo@sealmail";

/// The look of a mail: the server's own branding, or a template's over it.
#[derive(Clone, Debug)]
pub struct Brand {
    /// The organisation named in the header and the footer.
    pub organisation: String,
    /// The banner's and the button's colour, `#rrggbb`.
    pub colour: String,
    /// The template's introduction, shown before the button.
    pub introduction_text: Option<String>,
    /// The template's button text, over "Read the message".
    pub read_button_text: Option<String>,
    /// The template's extra mail text, after the button.
    pub email_text: Option<String>,
    /// The template's disclaimer, in the footer.
    pub disclaimer_text: Option<String>,
    /// The template's privacy statement (`http(s)://…`), linked from the footer.
    pub privacy_statement_url: Option<String>,
    /// The template's logo, sent inline with the mail (never fetched from a server).
    pub logo: Option<InlineImage>,
}

impl Brand {
    /// The server's own branding (`--organisation`), without a template.
    pub fn server(branding: &Branding) -> Brand {
        Brand {
            organisation: branding.organisation.clone(),
            colour: colour_or(&branding.background_color, DEFAULT_COLOUR),
            introduction_text: None,
            read_button_text: None,
            email_text: None,
            disclaimer_text: None,
            privacy_statement_url: None,
            logo: None,
        }
    }

    /// A branding template's look over the server's branding.
    pub fn template(
        branding: &Branding,
        fields: &BrandingFields,
        logo: Option<InlineImage>,
    ) -> Brand {
        let server = Brand::server(branding);
        Brand {
            organisation: nonblank(&fields.organisation).unwrap_or(server.organisation),
            colour: colour_or(&fields.background_color, &server.colour),
            introduction_text: nonblank(&fields.introduction_text),
            read_button_text: nonblank(&fields.read_button_text),
            email_text: nonblank(&fields.email_text),
            disclaimer_text: nonblank(&fields.disclaimer_text),
            // Checked when the template was saved; checked again here because
            // a `javascript:` link in a mail would be worse than none.
            privacy_statement_url: nonblank(&fields.privacy_statement_url)
                .filter(|u| u.starts_with("https://") || u.starts_with("http://")),
            logo,
        }
    }

    /// The look for a message sent with `template` (or none), its logo read
    /// from the database.
    pub async fn load(
        db: &Db,
        branding: &Branding,
        template: Option<&TemplateRow>,
    ) -> Result<Brand> {
        let Some(template) = template else {
            return Ok(Brand::server(branding));
        };
        let logo =
            match template.logo_type {
                Some(_) => crate::store::branding::logo(db, template.id).await?.map(
                    |(content_type, bytes)| InlineImage {
                        content_id: LOGO_CONTENT_ID.to_owned(),
                        content_type,
                        bytes: bytes.into(),
                    },
                ),
                None => None,
            };
        Ok(Brand::template(branding, &template.fields(), logo))
    }
}

/// The colour when the configuration names none that is valid.
const DEFAULT_COLOUR: &str = "#1f4e79";

/// `colour` if it is `#rrggbb` (it goes into a style attribute), else `fallback`.
fn colour_or(colour: &str, fallback: &str) -> String {
    let valid = colour.len() == 7
        && colour.starts_with('#')
        && colour[1..].chars().all(|c| c.is_ascii_hexdigit());
    if valid { colour } else { fallback }.to_ascii_lowercase()
}

fn nonblank(text: &Option<String>) -> Option<String> {
    text.as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_hex_colour_reaches_the_style_attribute() {
        assert_eq!(colour_or("#0B5CAB", "#000000"), "#0b5cab");
        for bad in ["red", "#12345", "#1234567", "#12345g", "#fff;x:y", ""] {
            assert_eq!(colour_or(bad, "#000000"), "#000000", "{bad}");
        }
    }
}
