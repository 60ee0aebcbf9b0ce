//! The recipient routes' access audit: a middleware that records each
//! passcode request, passcode entry, message view, download and reply, for
//! which message and recipient, with its outcome.

use axum::extract::{FromRequestParts, MatchedPath, RawPathParams, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use sealmail_api::admin::{AuditKind, AuditOutcome};
use sealmail_api::{ErrorCode, routes};

use super::KnownLink;
use crate::crypto::sha256;
use crate::http::ClientAddress;
use crate::state::AppState;
use crate::store::{self, audit::NewEvent};

/// Which recipient requests are audited, by route and method.
fn recipient_kind(method: &Method, route: &str) -> Option<AuditKind> {
    match (method.as_str(), route) {
        ("POST", routes::LINK_PASSCODE) => Some(AuditKind::PasscodeRequested),
        ("POST", routes::LINK_SESSION) => Some(AuditKind::PasscodeEntered),
        ("GET", routes::LINK_MESSAGE) => Some(AuditKind::MessageOpened),
        ("GET", routes::LINK_ATTACHMENT) => Some(AuditKind::AttachmentDownloaded),
        ("POST", routes::LINK_REPLY) => Some(AuditKind::ReplySent),
        _ => None,
    }
}

/// Whom an audited recipient request concerned. A handler that reads the
/// link anyway puts it in its response's extensions (`axum::Extension`), which
/// spares [`recipient_events`] a lookup of its own.
#[derive(Debug, Clone)]
pub struct AuditSubject {
    /// The message's Message-ID.
    pub message_id: String,
    /// The link's recipient address.
    pub recipient: String,
}

impl AuditSubject {
    /// The subject of a request for `link`.
    pub fn of(link: &store::links::LinkRow) -> AuditSubject {
        AuditSubject {
            message_id: link.message.message_id.clone(),
            recipient: link.address.clone(),
        }
    }
}

/// In a response's extensions: its handler stored the request's event itself,
/// in the transaction of what it did, so the middleware does not.
#[derive(Debug, Clone, Copy)]
pub struct AuditedInline;

/// The event of a successful `kind` request for `link` from `client`, as
/// [`recipient_events`] would record it.
pub fn success(kind: AuditKind, link: &store::links::LinkRow, client: &ClientAddress) -> NewEvent {
    let subject = AuditSubject::of(link);
    NewEvent {
        kind,
        outcome: AuditOutcome::Success,
        message_id: Some(subject.message_id),
        recipient: Some(subject.recipient),
        actor: None,
        client_address: client.0.clone(),
        detail: None,
    }
}

/// Middleware on the recipient routes: after each audited request, records
/// what it was, for which message and recipient, its outcome (the error
/// code on failure) and the client address. Requests for unknown links are
/// not recorded (they concern no message). The link token is never stored.
pub async fn recipient_events(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned());
    let Some(kind) = route.and_then(|r| recipient_kind(request.method(), &r)) else {
        return next.run(request).await;
    };
    // The route's parameters, percent-decoded exactly as the handler gets
    // them: a token spelled with `%41` is the same link to both.
    let (mut parts, body) = request.into_parts();
    let params = match RawPathParams::from_request_parts(&mut parts, &state).await {
        Ok(params) => params,
        Err(_) => return next.run(Request::from_parts(parts, body)).await,
    };
    let param = |name: &str| {
        params
            .iter()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value.to_owned())
    };
    let token_hash = sha256(param("token").unwrap_or_default().as_bytes());
    let attachment = param("id");
    let request = Request::from_parts(parts, body);
    let client = ClientAddress::from_request(
        request.headers(),
        request.extensions(),
        state.settings.trust_forwarded_for,
    );
    let (response, subject, detail) = if kind == AuditKind::MessageOpened {
        // A message shown hands over the link it read (one statement fewer
        // per view); a refusal is looked up here, after it.
        let response = next.run(request).await;
        let subject = match response.extensions().get::<AuditSubject>() {
            Some(subject) => subject.clone(),
            None => match store::links::by_token_hash(&state.db, &token_hash).await {
                Ok(Some(link)) => AuditSubject::of(&link),
                _ => return response,
            },
        };
        (response, subject, None)
    } else {
        let mut request = request;
        let link = match store::links::by_token_hash(&state.db, &token_hash).await {
            Ok(Some(link)) => link,
            _ => return next.run(request).await,
        };
        request.extensions_mut().insert(KnownLink(link.clone()));
        // Looked up first: a revoke deletes the attachment rows.
        let detail = match (kind, attachment) {
            (AuditKind::AttachmentDownloaded, Some(id)) => {
                store::messages::attachments(&state.db, &link.message.id)
                    .await
                    .ok()
                    .and_then(|list| list.into_iter().find(|a| a.id == id))
                    .map(|a| a.name)
            }
            _ => None,
        };
        (next.run(request).await, AuditSubject::of(&link), detail)
    };

    if response.extensions().get::<AuditedInline>().is_some() {
        return response;
    }
    let succeeded = response.status().is_success();
    let code = response.extensions().get::<ErrorCode>().copied();
    state
        .audit
        .record(NewEvent {
            kind,
            outcome: if succeeded {
                AuditOutcome::Success
            } else {
                AuditOutcome::Failure
            },
            message_id: Some(subject.message_id),
            recipient: Some(subject.recipient),
            actor: None,
            client_address: client.0,
            detail: if succeeded {
                detail
            } else {
                Some(code.map_or_else(
                    || response.status().as_u16().to_string(),
                    |c| c.as_str().to_owned(),
                ))
            },
        })
        .await;
    response
}
