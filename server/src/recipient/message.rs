//! `GET /api/v1/links/{token}/message` and `.../attachments/{id}`: reading,
//! with a session for that link.

use axum::Extension;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use sealmail_api::Mailbox;
use sealmail_api::recipient::{AttachmentInfo, MessageView};

use super::AuditSubject;
use super::{check_readable, load_link, session};
use crate::crypto::sha256;
use crate::error::{Error, Result};
use crate::http::{ApiJson, ApiPath};
use crate::messages;
use crate::state::AppState;
use crate::store::messages::ContentRow;
use crate::store::{self, messages as rows};

/// The decrypted message. The link's state is checked before the session, so
/// a revoked message is `message_revoked` even for a valid session. Link,
/// session, content, recipients and attachments come from one statement.
/// The HTML body is only marked: its document is [`super::body::html`].
/// The link read is handed to the access audit with the response.
pub async fn read(
    State(state): State<AppState>,
    ApiPath(token): ApiPath<String>,
    jar: CookieJar,
) -> Result<(Extension<AuditSubject>, ApiJson<MessageView>)> {
    let (view, content) = readable(&state, &token, &jar).await?;
    let subject = AuditSubject::of(&view.link);
    let m = view.link.message;
    let body = messages::open_body_view(&state, &m.id, content)?;
    let mut to = Vec::new();
    let mut cc = Vec::new();
    for r in view.recipients {
        let mailbox = Mailbox {
            name: r.name,
            address: r.address,
        };
        match r.kind.as_str() {
            "cc" => cc.push(mailbox),
            _ => to.push(mailbox),
        }
    }
    let attachments = view
        .attachments
        .into_iter()
        .map(|a| AttachmentInfo {
            id: a.id,
            name: a.name,
            content_type: a.content_type,
            size: a.size as u64,
        })
        .collect();
    let view = MessageView {
        message_id: m.message_id,
        from: Mailbox {
            name: m.sender_name,
            address: m.sender_address,
        },
        to,
        cc,
        sent_at: store::timestamp(m.created_at),
        subject: m.subject,
        body,
        attachments,
        protection: store::protection_from_str(&m.protection),
        expires_at: m.expires_at.map(store::timestamp),
    };
    Ok((Extension(subject), ApiJson(view)))
}

/// The link's message and its sealed content, for a recipient with a live
/// session: the link's state is checked first, so a revoked message is
/// `message_revoked` even for a valid session.
pub(super) async fn readable(
    state: &AppState,
    token: &str,
    jar: &CookieJar,
) -> Result<(store::view::MessageView, ContentRow)> {
    let Some(session) = session::session_hash(state, jar) else {
        load_link(state, token).await?;
        return Err(Error::SessionExpired);
    };
    let mut view =
        store::view::message(&state.db, &sha256(token.as_bytes()), &session, store::now())
            .await?
            .ok_or(Error::LinkUnknown)?;
    check_readable(state, &view.link).await?;
    if !view.session_open {
        return Err(Error::SessionExpired);
    }
    let content = view.content.take().ok_or(Error::MessageRevoked)?;
    Ok((view, content))
}

/// An attachment, decrypted as it streams: Content-Length up front, always
/// as a download (`Content-Disposition: attachment`), never sniffed.
pub async fn attachment(
    State(state): State<AppState>,
    ApiPath((token, id)): ApiPath<(String, String)>,
    jar: CookieJar,
) -> Result<Response> {
    let link = load_link(&state, &token).await?;
    session::require(&state, &jar, &link).await?;
    let attachment = rows::attachments(&state.db, &link.message.id)
        .await?
        .into_iter()
        .find(|a| a.id == id)
        .ok_or_else(|| Error::NotFound("no such attachment".to_owned()))?;
    let stream = messages::open_attachment(&state, &link.message.id, &attachment).await?;
    let headers = [
        (
            header::CONTENT_TYPE,
            download_type(&attachment.content_type),
        ),
        (header::CONTENT_LENGTH, HeaderValue::from(stream.size())),
        (
            header::CONTENT_DISPOSITION,
            content_disposition(&attachment.name),
        ),
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
    ];
    Ok((headers, stream.into_body()).into_response())
}

/// The stored type, unless a browser could run it (HTML, SVG, XML, script):
/// those are served as bytes.
fn download_type(content_type: &str) -> HeaderValue {
    let lower = content_type.to_ascii_lowercase();
    let active = ["html", "svg", "xml", "javascript", "ecmascript"]
        .iter()
        .any(|k| lower.contains(k));
    match HeaderValue::from_str(content_type) {
        Ok(value) if !active && content_type.contains('/') => value,
        _ => HeaderValue::from_static("application/octet-stream"),
    }
}

/// `attachment; filename="ascii"; filename*=UTF-8''percent-encoded` (RFC 6266):
/// quotes, slashes and control characters can never break out of it.
pub fn content_disposition(name: &str) -> HeaderValue {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || " ._-()+,".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let ascii = ascii.trim_start_matches('.').trim();
    let ascii = if ascii.is_empty() {
        "attachment"
    } else {
        ascii
    };
    let mut encoded = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"._-".contains(&b) {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    HeaderValue::from_str(&format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}
