//! `POST /api/v1/messages`: compose and send — the JSON part, then the files,
//! each streamed through the chunked sealing to disk (the same `Outgoing`
//! that `sealmail send` uses).

use axum::extract::multipart::MultipartError;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::StatusCode;
use sealmail_api::routes::COMPOSE_PART;
use sealmail_api::sender::{ComposeRequest, Composed, Expiry};
use sealmail_api::{Mailbox, Timestamp};

use crate::auth::CurrentUser;
use crate::error::{Error, Result};
use crate::http::ApiJson;
use crate::messages::{Draft, Outgoing};
use crate::state::AppState;
use crate::store::{self, branding::TemplateRow};

/// Longest subject accepted (RFC 5322 allows longer, no reader wants it).
const MAX_SUBJECT: usize = 998;
/// Most recipients of one message (To and Cc together).
const MAX_RECIPIENTS: usize = 500;

/// Stores and sends a new message; 201 with its id and Message-ID.
pub async fn compose(
    State(state): State<AppState>,
    user: CurrentUser,
    request: Request,
) -> Result<(StatusCode, ApiJson<Composed>)> {
    let limit = state.settings.max_message_bytes;
    let mut multipart = Multipart::from_request(request, &state)
        .await
        .map_err(|_| {
            Error::InvalidRequest(format!(
                "expected multipart/form-data with the message's JSON in a `{COMPOSE_PART}` part"
            ))
        })?;
    let bad = |e: MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Error::PayloadTooLarge
        } else {
            Error::InvalidRequest("the multipart body is malformed".to_owned())
        }
    };

    // The JSON part comes first, so a bad message is refused before any file is sealed.
    let first = multipart.next_field().await.map_err(bad)?;
    let Some(mut first) = first.filter(|f| f.name() == Some(COMPOSE_PART)) else {
        return Err(Error::InvalidRequest(format!(
            "the first part must be `{COMPOSE_PART}`, the message's JSON"
        )));
    };
    // Counted while read: a part that never ends must not fill the memory first.
    let mut json = Vec::new();
    while let Some(chunk) = first.chunk().await.map_err(bad)? {
        if (json.len() + chunk.len()) as u64 > limit {
            return Err(Error::PayloadTooLarge);
        }
        json.extend_from_slice(&chunk);
    }
    // The next part can be read only once this one is let go.
    drop(first);
    let mut total = json.len() as u64;
    let message: ComposeRequest = serde_json::from_slice(&json).map_err(|e| {
        Error::InvalidRequest(format!(
            "the `{COMPOSE_PART}` part is not a valid message: {e}"
        ))
    })?;
    let checked = check(&state, &message).await?;

    // Dropped on any error below, `Outgoing` removes the files sealed so far.
    let mut outgoing = Outgoing::new(&state);
    while let Some(mut field) = multipart.next_field().await.map_err(bad)? {
        let name = field.file_name().unwrap_or("attachment").to_owned();
        let content_type = field
            .content_type()
            .unwrap_or("application/octet-stream")
            .to_owned();
        let mut writer = outgoing.attachment(&name, &content_type).await?;
        while let Some(chunk) = field.chunk().await.map_err(bad)? {
            total += chunk.len() as u64;
            if total > limit {
                return Err(Error::PayloadTooLarge);
            }
            writer.write(&chunk).await?;
        }
        outgoing.finish_attachment(writer).await?;
    }

    if let Some(template) = checked.template {
        outgoing.with_template(template);
    }
    let id = outgoing.id().to_owned();
    let message_id = outgoing
        .send(Draft {
            from: Mailbox {
                name: user.0.name.clone(),
                address: user.0.email.clone(),
            },
            sender_user_id: Some(user.0.id),
            to: checked.to,
            cc: checked.cc,
            subject: message.subject.trim().to_owned(),
            text: message.body.text,
            html: message.body.html,
            protection: message.protection,
            expires_at: checked.expires_at,
            in_reply_to: None,
            language: message.language,
            read_receipt: message.read_receipt.unwrap_or(user.0.read_receipts),
        })
        .await?;
    tracing::info!(user = user.0.id, message = %id, "message composed");
    Ok((StatusCode::CREATED, ApiJson(Composed { id, message_id })))
}

struct Checked {
    to: Vec<Mailbox>,
    cc: Vec<Mailbox>,
    expires_at: Option<i64>,
    template: Option<TemplateRow>,
}

/// Validates the message and resolves its template and expiry.
async fn check(state: &AppState, m: &ComposeRequest) -> Result<Checked> {
    let invalid = |text: &str| Err(Error::InvalidRequest(text.to_owned()));
    if m.to.is_empty() {
        return invalid("a message needs at least one To recipient");
    }
    if m.to.len() + m.cc.len() > MAX_RECIPIENTS {
        return invalid("too many recipients");
    }
    if m.subject.trim().is_empty() {
        return invalid("the subject is empty");
    }
    if m.subject.len() > MAX_SUBJECT || m.subject.contains(['\r', '\n']) {
        return invalid("the subject is too long or has line breaks");
    }
    if m.body.text.is_none() && m.body.html.is_none() {
        return invalid("the body needs text or HTML");
    }
    let to = m.to.iter().map(checked_mailbox).collect::<Result<_>>()?;
    let cc = m.cc.iter().map(checked_mailbox).collect::<Result<_>>()?;

    let template = match &m.branding_template {
        Some(id) => Some(
            match id.parse::<i64>() {
                Ok(id) => store::branding::get(&state.db, id).await?,
                Err(_) => None,
            }
            .ok_or_else(|| Error::InvalidRequest(format!("no branding template {id}")))?,
        ),
        None => store::branding::default(&state.db).await?,
    };
    let now = store::now();
    let expires_at = match &m.expiry {
        Expiry::At(at) => Some(future(at, now)?),
        Expiry::Never => None,
        Expiry::TemplateDefault => template
            .as_ref()
            .and_then(|t| t.expiry_days)
            .map(|days| now + days * 86_400),
    };
    Ok(Checked {
        to,
        cc,
        expires_at,
        template,
    })
}

/// A time that must lie in the future, as Unix seconds.
pub fn future(at: &Timestamp, now: i64) -> Result<i64> {
    let secs = store::parse_timestamp(at)?;
    if secs <= now {
        return Err(Error::InvalidRequest(
            "the expiry must be in the future".to_owned(),
        ));
    }
    Ok(secs)
}

/// The mailbox with a syntactically valid address (lettre's parser, as the CLI uses).
fn checked_mailbox(m: &Mailbox) -> Result<Mailbox> {
    let address: lettre::Address =
        m.address.trim().parse().map_err(|_| {
            Error::InvalidRequest(format!("`{}` is not an email address", m.address))
        })?;
    Ok(Mailbox {
        name: m
            .name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_owned),
        address: address.to_string(),
    })
}
