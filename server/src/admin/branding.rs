//! Branding templates (the OME configuration): list, create, edit, delete,
//! one default, a logo each; and the branding a message's link page shows.
//! Every change is audited as its administrator's (ASVS 7.2.2).

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use sealmail_api::admin::{AuditKind, BrandingTemplate, BrandingTemplateInput};

use crate::auth::AdminUser;
use crate::branding::{not_found, template_id, wire};
use crate::error::{Error, Result};
use crate::http::{ApiJson, ApiPath, ClientAddress, RawBody};
use crate::state::AppState;
use crate::store;

pub use sealmail_api::admin::{LOGO_TYPES, MAX_LOGO_BYTES};
/// Longest text field of a template.
const MAX_TEXT: usize = 4000;

/// `invalid_request` unless the input is usable.
fn validate(input: &BrandingTemplateInput) -> Result<()> {
    let f = &input.fields;
    let invalid = |text: &str| Err(Error::InvalidRequest(text.to_owned()));
    if input.name.trim().is_empty() || input.name.len() > 200 {
        return invalid("the template needs a name (at most 200 characters)");
    }
    let colour = f.background_color.strip_prefix('#').unwrap_or_default();
    if colour.len() != 6 || !colour.chars().all(|c| c.is_ascii_hexdigit()) {
        return invalid("background_color must be #rrggbb");
    }
    if f.organisation
        .as_ref()
        .is_some_and(|o| o.trim().is_empty() || o.len() > 200)
    {
        return invalid("organisation: at most 200 characters, or absent");
    }
    let texts = [
        &f.introduction_text,
        &f.read_button_text,
        &f.email_text,
        &f.disclaimer_text,
        &f.portal_text,
        &f.privacy_statement_url,
    ];
    if texts
        .iter()
        .any(|t| t.as_ref().is_some_and(|t| t.len() > MAX_TEXT))
    {
        return invalid("a text is too long");
    }
    if let Some(url) = &f.privacy_statement_url
        && !(url.starts_with("https://") || url.starts_with("http://"))
    {
        return invalid("privacy_statement_url must be an http(s) URL");
    }
    if !f.passcode_enabled {
        // Passcodes are the only way a recipient proves their address.
        return invalid("passcode_enabled: Sealmail has no other recipient sign-in yet");
    }
    if f.expiry_days.is_some_and(|d| d == 0 || d > 3650) {
        return invalid("expiry_days must be between 1 and 3650");
    }
    Ok(())
}

/// `GET /api/v1/admin/branding`.
pub async fn list(
    State(state): State<AppState>,
    _admin: AdminUser,
) -> Result<ApiJson<Vec<BrandingTemplate>>> {
    let rows = store::branding::list(&state.db).await?;
    Ok(ApiJson(rows.iter().map(wire).collect()))
}

/// `GET /api/v1/admin/branding/{id}`.
pub async fn one(
    State(state): State<AppState>,
    _admin: AdminUser,
    ApiPath(id): ApiPath<String>,
) -> Result<ApiJson<BrandingTemplate>> {
    let row = store::branding::get(&state.db, template_id(&id)?)
        .await?
        .ok_or_else(not_found)?;
    Ok(ApiJson(wire(&row)))
}

/// `POST /api/v1/admin/branding`: 201 with the new template.
pub async fn create(
    State(state): State<AppState>,
    admin: AdminUser,
    client: ClientAddress,
    ApiJson(input): ApiJson<BrandingTemplateInput>,
) -> Result<(StatusCode, ApiJson<BrandingTemplate>)> {
    validate(&input)?;
    let id = store::branding::save(&state.db, None, &input, store::now())
        .await?
        .ok_or_else(|| Error::Internal("a new template was not stored".to_owned()))?;
    let event = admin
        .0
        .actor(&client)
        .did(AuditKind::BrandingTemplateCreated, named(id, &input.name));
    state.audit.record(event).await;
    let row = store::branding::get(&state.db, id)
        .await?
        .ok_or_else(not_found)?;
    Ok((StatusCode::CREATED, ApiJson(wire(&row))))
}

/// `PUT /api/v1/admin/branding/{id}`.
pub async fn replace(
    State(state): State<AppState>,
    admin: AdminUser,
    client: ClientAddress,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<BrandingTemplateInput>,
) -> Result<ApiJson<BrandingTemplate>> {
    let id = template_id(&id)?;
    validate(&input)?;
    store::branding::save(&state.db, Some(id), &input, store::now())
        .await?
        .ok_or_else(not_found)?;
    let event = admin
        .0
        .actor(&client)
        .did(AuditKind::BrandingTemplateChanged, named(id, &input.name));
    state.audit.record(event).await;
    let row = store::branding::get(&state.db, id)
        .await?
        .ok_or_else(not_found)?;
    Ok(ApiJson(wire(&row)))
}

/// `DELETE /api/v1/admin/branding/{id}`: 204. Messages sent with it fall
/// back to the server's branding.
pub async fn delete(
    State(state): State<AppState>,
    admin: AdminUser,
    client: ClientAddress,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode> {
    let id = template_id(&id)?;
    // Its name, for the audit, while it is still there.
    let name = store::branding::get(&state.db, id)
        .await?
        .ok_or_else(not_found)?
        .name;
    match store::branding::delete(&state.db, id).await? {
        Ok(true) => {
            let event = admin
                .0
                .actor(&client)
                .did(AuditKind::BrandingTemplateDeleted, named(id, &name));
            state.audit.record(event).await;
            Ok(StatusCode::NO_CONTENT)
        }
        Ok(false) => Err(not_found()),
        Err(()) => Err(Error::InvalidRequest(
            "this is the default template: make another one the default first".to_owned(),
        )),
    }
}

/// `PUT /api/v1/admin/branding/{id}/logo`: the image's bytes.
pub async fn upload_logo(
    State(state): State<AppState>,
    admin: AdminUser,
    client: ClientAddress,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
    body: RawBody,
) -> Result<ApiJson<BrandingTemplate>> {
    let id = template_id(&id)?;
    let body = crate::http::body_bytes(body)?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        })
        .unwrap_or_default();
    if !LOGO_TYPES.contains(&content_type.as_str()) {
        return Err(Error::InvalidRequest(format!(
            "the logo must be one of {}",
            LOGO_TYPES.join(", ")
        )));
    }
    if body.is_empty() {
        return Err(Error::InvalidRequest("the logo is empty".to_owned()));
    }
    // The bytes must be what the type says: the logo is served with this
    // type (and `nosniff`), so a page or script labelled `image/png` is refused.
    if sniff_image(&body) != Some(content_type.as_str()) {
        return Err(Error::InvalidRequest(format!(
            "the logo's bytes are not a {content_type} image"
        )));
    }
    if !store::branding::set_logo(&state.db, id, Some((&content_type, &body))).await? {
        return Err(not_found());
    }
    let detail = format!("template {id}: {content_type}, {} bytes", body.len());
    let event = admin
        .0
        .actor(&client)
        .did(AuditKind::BrandingLogoUploaded, detail);
    state.audit.record(event).await;
    let row = store::branding::get(&state.db, id)
        .await?
        .ok_or_else(not_found)?;
    Ok(ApiJson(wire(&row)))
}

/// `template 3 "Contoso legal"`: what the audit says a change was done to.
fn named(id: i64, name: &str) -> String {
    format!("template {id} \"{}\"", name.trim())
}

/// The image type the bytes start with (their magic number), if one of [`LOGO_TYPES`].
fn sniff_image(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

/// `DELETE /api/v1/admin/branding/{id}/logo`.
pub async fn delete_logo(
    State(state): State<AppState>,
    admin: AdminUser,
    client: ClientAddress,
    ApiPath(id): ApiPath<String>,
) -> Result<ApiJson<BrandingTemplate>> {
    let id = template_id(&id)?;
    if !store::branding::set_logo(&state.db, id, None).await? {
        return Err(not_found());
    }
    let event = admin
        .0
        .actor(&client)
        .did(AuditKind::BrandingLogoRemoved, format!("template {id}"));
    state.audit.record(event).await;
    let row = store::branding::get(&state.db, id)
        .await?
        .ok_or_else(not_found)?;
    Ok(ApiJson(wire(&row)))
}
