//! `GET /api/v1/links/{token}`: what the portal shows before sign-in.

use axum::extract::State;
use axum_extra::extract::CookieJar;
use sealmail_api::Mailbox;
use sealmail_api::recipient::LinkInfo;

use super::{MAX_FAILED_PASSCODES, client_locked_until, load_link, session};
use crate::error::{Error, Result};
use crate::http::{ApiJson, ApiPath, ClientAddress};
use crate::messages::mask_address;
use crate::state::AppState;
use crate::store;

/// Who sent it, to which (masked) address, with what protection — and
/// whether this browser already has a session, or is locked out. Not
/// counted as an open. A blocked link is `link_blocked`: its page is the end.
pub async fn info(
    State(state): State<AppState>,
    ApiPath(token): ApiPath<String>,
    client: ClientAddress,
    jar: CookieJar,
) -> Result<ApiJson<LinkInfo>> {
    let link = load_link(&state, &token).await?;
    if link.failed_passcodes >= MAX_FAILED_PASSCODES {
        return Err(Error::LinkBlocked);
    }
    let now = store::now();
    let session_open = session::is_open(&state, &jar, &link).await?;
    let locked_until = client_locked_until(&state, &link, &client, now).await?;
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
        locked_until: locked_until.map(store::timestamp),
    }))
}
