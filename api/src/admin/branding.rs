//! Branding templates: the modelled product's OME configuration.

use serde::{Deserialize, Serialize};

use crate::common::Language;

/// The largest logo accepted, in bytes: a header logo, not a photo. A bigger
/// upload is `payload_too_large`.
pub const MAX_LOGO_BYTES: usize = 512 * 1024;
/// The types a logo may have (the bytes must match). Not SVG: it can carry script.
pub const LOGO_TYPES: [&str; 4] = ["image/png", "image/jpeg", "image/gif", "image/webp"];

/// A branding template: the modelled product's OME configuration. Messages
/// sent with it show its branding on the portal and in the notification mail,
/// and get its expiry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BrandingTemplate {
    /// Opaque id (what [`crate::sender::ComposeRequest::branding_template`] names).
    pub id: String,
    /// The template's name, unique (`"Contoso legal"`).
    pub name: String,
    /// Whether messages sent without a template use this one. Exactly one
    /// template is the default while any exist.
    pub is_default: bool,
    /// The template's settings.
    #[serde(flatten)]
    pub fields: BrandingFields,
    /// URL of the uploaded logo image (served by Sealmail, on the portal's
    /// own origin, with its stored type and `nosniff`), if any; set with
    /// `PUT` [`crate::routes::ADMIN_BRANDING_LOGO`]. The notification and
    /// passcode mail carry it inline (a `cid:` image), never as a remote image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo_url: Option<String>,
}

/// The editable settings of a branding template (OME configuration fields).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BrandingFields {
    /// The organisation's name in the portal's header and the mail's footer;
    /// absent: the server's own (`sealmail serve --organisation`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organisation: Option<String>,
    /// Background colour of the portal's header and the mail's banner, `#rrggbb`.
    pub background_color: String,
    /// Text above the message's details on the portal and in the mail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub introduction_text: Option<String>,
    /// Text of the "Read the message" button in the notification mail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_button_text: Option<String>,
    /// Extra text of the notification mail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_text: Option<String>,
    /// Disclaimer at the foot of the portal and the mail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disclaimer_text: Option<String>,
    /// Text shown on the portal's pages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub portal_text: Option<String>,
    /// Link to the privacy statement (`https://…`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub privacy_statement_url: Option<String>,
    /// Whether recipients sign in with a one-time passcode (OME's OTP
    /// enabled). Passcodes are Sealmail's only recipient sign-in, so a
    /// template with `false` is refused (`invalid_request`) for now.
    pub passcode_enabled: bool,
    /// Messages sent with this template expire this many days after sending,
    /// unless the sender chose an expiry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiry_days: Option<u32>,
    /// The language of the notification and passcode mail of messages sent
    /// with this template, unless the sender picks one; absent: the server's
    /// default (`sealmail serve --default-language`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<Language>,
}

/// `POST /api/v1/admin/branding` (create) and `PUT /api/v1/admin/branding/{id}`
/// (replace): a template's name, whether it is the default, and its settings.
/// Making a template the default makes the previous default an ordinary one;
/// the default cannot be un-made except by making another the default.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BrandingTemplateInput {
    /// The template's name, unique.
    pub name: String,
    /// Make this the default template.
    #[serde(default)]
    pub is_default: bool,
    /// The settings.
    #[serde(flatten)]
    pub fields: BrandingFields,
}
