//! `POST /api/v1/links/{token}/passcode`: mail a one-time passcode.

use axum::Extension;
use axum::extract::State;
use sealmail_api::recipient::{PasscodeRequest, PasscodeSent};
use sealmail_api::{Language, Mailbox};

use super::{
    KnownLink, PASSCODE_VALID_SECS, PASSCODES_PER_HOUR, check_not_locked, load_known_link,
};
use crate::crypto::new_passcode;
use crate::error::{Error, Result};
use crate::http::{ApiJson, ApiPath, ClientAddress, RawBody, optional_json};
use crate::mail::{Brand, templates};
use crate::messages::mask_address;
use crate::state::AppState;
use crate::store::{self, mail_queue::MailKind, passcodes};

const HOUR: i64 = 3600;

/// Queues a mail with a new passcode to the address bound to the link — never
/// to one the request names (it names none). A newer passcode replaces older
/// ones. The mail is in the language the portal asks for, else the message's.
pub async fn request(
    State(state): State<AppState>,
    ApiPath(token): ApiPath<String>,
    client: ClientAddress,
    known: Option<Extension<KnownLink>>,
    body: RawBody,
) -> Result<ApiJson<PasscodeSent>> {
    let body: PasscodeRequest = optional_json(body)?;
    let link = load_known_link(&state, &token, known).await?;
    let now = store::now();
    check_not_locked(&state, &link, &client, now).await?;
    let code = new_passcode();
    let mac = state
        .master_key
        .passcode_mac(link.recipient_id, code.expose());
    let to = Mailbox {
        name: link.name.clone(),
        address: link.address.clone(),
    };
    let language = body
        .language
        .or_else(|| Language::from_tag(&link.language))
        .unwrap_or(state.settings.default_language);
    let template = store::branding::for_message(&state.db, &link.message.id).await?;
    let brand = Brand::load(&state.db, &state.settings.branding, template.as_ref()).await?;
    let mail = templates::passcode(
        &brand,
        language,
        &to,
        code.expose(),
        (PASSCODE_VALID_SECS / 60) as u32,
    );
    // Queued with the passcode, and dropped if not sent while it is valid.
    let queued = state.mail_queue.prepare(
        &state.master_key,
        MailKind::Passcode,
        &mail,
        now,
        Some(now + PASSCODE_VALID_SECS),
    )?;
    let stored = passcodes::insert_if_under_limit(
        &state.db,
        &queued,
        link.recipient_id,
        &mac,
        now,
        PASSCODE_VALID_SECS,
        HOUR,
        PASSCODES_PER_HOUR,
    )
    .await?;
    if !stored {
        let retry_after_secs =
            passcodes::rate_limit_retry_after(&state.db, link.recipient_id, now, HOUR).await?;
        return Err(Error::RateLimited { retry_after_secs });
    }
    crate::metrics::passcode_sent();
    state.mail_queue.wake();
    tracing::info!(recipient = link.recipient_id, "passcode queued");
    Ok(ApiJson(PasscodeSent {
        sent_to_masked: mask_address(&link.address),
        valid_for_secs: PASSCODE_VALID_SECS as u32,
    }))
}
