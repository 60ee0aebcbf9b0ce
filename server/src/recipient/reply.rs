//! `POST /api/v1/links/{token}/reply`: an encrypted reply to the sender,
//! stored and delivered like any message (the sender gets a link of their
//! own, or with `--remove-encryption-from-replies` and a sender inside the
//! organisation, the reply itself in a normal mail).

use axum::Extension;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::header;
use axum_extra::extract::CookieJar;
use sealmail_api::Mailbox;
use sealmail_api::recipient::{ReplyRequest, ReplySent};
use sealmail_api::routes::REPLY_PART;

use super::{KnownLink, load_known_link, session};
use crate::error::{Error, Result};
use crate::http::{ApiJson, ApiPath};
use crate::messages::{Draft, Outgoing};
use crate::state::AppState;
use crate::store;

/// Longest reply text accepted.
const MAX_TEXT: usize = 100_000;
/// Replies one recipient may send about one message in an hour: enough for a
/// conversation, too few to flood the sender's mailbox and the disk.
const REPLIES_PER_HOUR: i64 = 10;
/// The most one recipient may keep stored in replies to one message (text
/// and files), over all their replies.
const REPLY_BYTES_PER_RECIPIENT: u64 = 100 * 1024 * 1024;
/// A reply lasts as long as the message it answers, and at most this long.
const REPLY_KEPT_SECS: i64 = 90 * 24 * 3600;
/// A JSON reply is buffered whole, so it gets a smaller limit than multipart
/// (whose files stream to disk).
const JSON_LIMIT: usize = 4 * MAX_TEXT;

/// Takes JSON, or multipart with the JSON in the `reply` part and one part per file.
pub async fn send(
    State(state): State<AppState>,
    ApiPath(token): ApiPath<String>,
    jar: CookieJar,
    known: Option<Extension<KnownLink>>,
    request: Request,
) -> Result<ApiJson<ReplySent>> {
    let link = load_known_link(&state, &token, known).await?;
    session::require(&state, &jar, &link).await?;
    let now = store::now();
    // Counted before the body is read (one conditional INSERT: concurrent
    // replies cannot slip past together).
    let key = format!("reply:{}", link.recipient_id);
    if store::accounts::attempt_if_under_limit(&state.db, &key, now, 3600, REPLIES_PER_HOUR)
        .await?
        .is_none()
    {
        let retry_after_secs = store::accounts::retry_after(&state.db, &key, now, 3600).await?;
        return Err(Error::RateLimited { retry_after_secs });
    }

    let mut outgoing = Outgoing::new(&state);
    let is_multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let reply = if is_multipart {
        read_multipart(&state, request, &mut outgoing).await?
    } else {
        read_json(request).await?
    };
    let text = reply.text.trim();
    if text.is_empty() {
        return Err(Error::InvalidRequest("the reply is empty".to_owned()));
    }
    if text.len() > MAX_TEXT {
        return Err(Error::PayloadTooLarge);
    }

    let original = &link.message;
    let stored = store::messages::reply_bytes(&state.db, &original.id, &link.address).await?;
    if stored + outgoing.attachment_bytes() + text.len() as u64 > REPLY_BYTES_PER_RECIPIENT {
        return Err(Error::PayloadTooLarge);
    }
    let subject = if original.subject.to_ascii_lowercase().starts_with("re:") {
        original.subject.clone()
    } else {
        format!("Re: {}", original.subject)
    };
    // The seeds' "remove encryption from replies" rule: a sender inside the
    // organisation gets the reply in their mailbox, not a link to it.
    if state.settings.remove_encryption_from_replies
        && crate::mailflow::is_inside(&original.sender_address, &state.settings.org_domains)
    {
        outgoing.mail_in_plain(original.message_id.clone());
    }
    let message_id = outgoing
        .send(Draft {
            from: Mailbox {
                name: link.name.clone(),
                address: link.address.clone(),
            },
            sender_user_id: None,
            to: vec![Mailbox {
                name: original.sender_name.clone(),
                address: original.sender_address.clone(),
            }],
            cc: Vec::new(),
            subject,
            text: Some(text.to_owned()),
            html: None,
            protection: store::protection_from_str(&original.protection),
            expires_at: Some(
                original
                    .expires_at
                    .map_or(now + REPLY_KEPT_SECS, |at| at.min(now + REPLY_KEPT_SECS)),
            ),
            in_reply_to: Some(original.id.clone()),
            // To the original sender: the server's (or the template's) language.
            language: None,
            read_receipt: false,
        })
        .await?;
    tracing::info!(recipient = link.recipient_id, "reply sent");
    Ok(ApiJson(ReplySent { message_id }))
}

async fn read_json(request: Request) -> Result<ReplyRequest> {
    let is_json = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !is_json {
        return Err(Error::InvalidRequest(
            "expected Content-Type: application/json or multipart/form-data".to_owned(),
        ));
    }
    let bytes = axum::body::to_bytes(request.into_body(), JSON_LIMIT)
        .await
        .map_err(|_| Error::PayloadTooLarge)?;
    serde_json::from_slice(&bytes)
        .map_err(|_| Error::InvalidRequest("the body is not a valid reply".to_owned()))
}

async fn read_multipart(
    state: &AppState,
    request: Request,
    outgoing: &mut Outgoing,
) -> Result<ReplyRequest> {
    let bad = |e: axum::extract::multipart::MultipartError| {
        if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            Error::PayloadTooLarge
        } else {
            Error::InvalidRequest("the multipart body is malformed".to_owned())
        }
    };
    let mut multipart = Multipart::from_request(request, state)
        .await
        .map_err(|_| Error::InvalidRequest("the multipart body is malformed".to_owned()))?;
    let mut reply = None;
    while let Some(mut field) = multipart.next_field().await.map_err(bad)? {
        if field.name() == Some(REPLY_PART) {
            let bytes = field.bytes().await.map_err(bad)?;
            let parsed: ReplyRequest = serde_json::from_slice(&bytes).map_err(|_| {
                Error::InvalidRequest(format!("the `{REPLY_PART}` part is not a valid reply"))
            })?;
            reply = Some(parsed);
            continue;
        }
        let name = field.file_name().unwrap_or("attachment").to_owned();
        let content_type = field
            .content_type()
            .unwrap_or("application/octet-stream")
            .to_owned();
        let mut writer = outgoing.attachment(&name, &content_type).await?;
        while let Some(chunk) = field.chunk().await.map_err(bad)? {
            writer.write(&chunk).await?;
        }
        outgoing.finish_attachment(writer).await?;
    }
    reply.ok_or_else(|| Error::InvalidRequest(format!("the `{REPLY_PART}` part is missing")))
}
