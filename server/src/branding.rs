//! Branding templates as senders and recipients see them: the list a sender
//! picks from, a template's logo, and the branding shown for a message.
//! Administrators edit templates in `admin::branding`.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sealmail_api::admin::BrandingTemplate;
use sealmail_api::common::Branding;
use sealmail_api::routes;

use crate::auth::CurrentUser;
use crate::error::{Error, Result};
use crate::http::{ApiJson, ApiPath};
use crate::state::AppState;
use crate::store::{self, branding::TemplateRow};

/// The routes: the templates for senders, and the public logos.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(routes::BRANDING_TEMPLATES, get(list_for_senders))
        .route(routes::BRANDING_LOGO, get(logo))
}

/// A stored template as the API shows it.
pub fn wire(t: &TemplateRow) -> BrandingTemplate {
    let id = t.id.to_string();
    BrandingTemplate {
        logo_url: t.logo_type.as_ref().map(|_| routes::branding_logo(&id)),
        id,
        name: t.name.clone(),
        is_default: t.is_default,
        fields: t.fields(),
    }
}

/// The branding the portal shows for a message: its template's, over the
/// server's own (`--organisation`); the server's when it has none.
pub async fn for_message(state: &AppState, message: &str) -> Result<Branding> {
    let mut branding = state.settings.branding.clone();
    if let Some(t) = store::branding::for_message(&state.db, message).await? {
        if let Some(organisation) = &t.organisation {
            branding.organisation = organisation.clone();
        }
        branding.background_color = t.background_color.clone();
        // A path on this server: the portal's CSP allows images from 'self' only.
        branding.logo_url = t
            .logo_type
            .as_ref()
            .map(|_| routes::branding_logo(&t.id.to_string()));
        branding.introduction_text = t.introduction_text;
        branding.read_button_text = t.read_button_text;
        branding.portal_text = t.portal_text;
        branding.disclaimer_text = t.disclaimer_text;
        branding.privacy_statement_url = t.privacy_statement_url;
    }
    Ok(branding)
}

pub fn template_id(text: &str) -> Result<i64> {
    text.parse()
        .map_err(|_| Error::NotFound("no such branding template".to_owned()))
}

pub fn not_found() -> Error {
    Error::NotFound("no such branding template".to_owned())
}

/// `GET /api/v1/branding`: the same list, for any signed-in sender to choose from.
pub async fn list_for_senders(
    State(state): State<AppState>,
    _user: CurrentUser,
) -> Result<ApiJson<Vec<BrandingTemplate>>> {
    let rows = store::branding::list(&state.db).await?;
    Ok(ApiJson(rows.iter().map(wire).collect()))
}

/// `GET /api/v1/branding/{id}/logo`: public (recipients see it on the portal).
pub async fn logo(State(state): State<AppState>, ApiPath(id): ApiPath<String>) -> Result<Response> {
    let (content_type, bytes) = store::branding::logo(&state.db, template_id(&id)?)
        .await?
        .ok_or_else(|| Error::NotFound("no logo".to_owned()))?;
    let content_type = HeaderValue::from_str(&content_type)
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    Ok(([(header::CONTENT_TYPE, content_type)], bytes).into_response())
}
