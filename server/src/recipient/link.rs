//! `GET /api/v1/links/{token}`: what the portal shows before sign-in.

use axum::extract::State;
use axum_extra::extract::CookieJar;
use sealmail_api::Mailbox;
use sealmail_api::recipient::LinkInfo;

use super::{load_link, session};
use crate::error::Result;
use crate::http::{ApiJson, ApiPath};
use crate::messages::mask_address;
use crate::state::AppState;
use crate::store;

/// Who sent it, to which (masked) address, with what protection — and
/// whether this browser already has a session. Not counted as an open.
pub async fn info(
    State(state): State<AppState>,
    ApiPath(token): ApiPath<String>,
    jar: CookieJar,
) -> Result<ApiJson<LinkInfo>> {
    let link = load_link(&state, &token).await?;
    let session_open = session::is_open(&state, &jar, &link).await?;
    Ok(ApiJson(LinkInfo {
        sender: Mailbox {
            name: link.message.sender_name.clone(),
            address: link.message.sender_address.clone(),
        },
        recipient_masked: mask_address(&link.address),
        protection: store::protection_from_str(&link.message.protection),
        branding: crate::branding::for_message(&state, &link.message.id).await?,
        expires_at: link.message.expires_at.map(store::timestamp),
        session_open,
        // Only while it lasts: a lock that has run out is no lock.
        locked_until: link
            .locked_until
            .filter(|&until| until > store::now())
            .map(store::timestamp),
    }))
}
