//! The only place the portal talks HTTP.
//!
//! Pages reach the server through [`Api`], taken from context. The real client
//! ([`HttpApi`]) speaks the `sealmail-api` contract with `gloo-net`; tests put a
//! fake [`RecipientApi`] in its place, so every page can be driven without a
//! server. Every type on the wire comes from `sealmail_api`.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use gloo_net::http::{Request, Response};
use leptos::prelude::*;
use sealmail_api::recipient::{
    LinkInfo, MessageView, PasscodeSent, PasscodeSubmit, ReplyRequest, ReplySent, SessionOpened,
};
use sealmail_api::{ErrorBody, ErrorCode, routes};
use serde::de::DeserializeOwned;

/// Why a call failed.
#[derive(Clone, Debug, PartialEq)]
pub enum ApiError {
    /// The server answered with one of its errors.
    Api(ErrorBody),
    /// No answer, or one that is not the server's (a proxy's error page, a cut
    /// connection, malformed JSON): worth a retry.
    Unreachable,
}

impl ApiError {
    /// The server's code, if the server answered.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            ApiError::Api(body) => Some(body.code),
            ApiError::Unreachable => None,
        }
    }
}

impl From<ErrorBody> for ApiError {
    fn from(body: ErrorBody) -> Self {
        ApiError::Api(body)
    }
}

/// What a call returns: a future for the browser's single thread.
pub type ApiFuture<T> = Pin<Box<dyn Future<Output = Result<T, ApiError>>>>;

/// The recipient's side of the API, one method per route.
pub trait RecipientApi: Send + Sync {
    /// `GET` [`routes::link`].
    fn link(&self, token: &str) -> ApiFuture<LinkInfo>;
    /// `POST` [`routes::link_passcode`].
    fn send_passcode(&self, token: &str) -> ApiFuture<PasscodeSent>;
    /// `POST` [`routes::link_session`].
    fn open_session(&self, token: &str, submit: PasscodeSubmit) -> ApiFuture<SessionOpened>;
    /// `GET` [`routes::link_message`].
    fn message(&self, token: &str) -> ApiFuture<MessageView>;
    /// `POST` [`routes::link_reply`], with the files as multipart parts.
    fn reply(
        &self,
        token: &str,
        reply: ReplyRequest,
        files: Vec<web_sys::File>,
    ) -> ApiFuture<ReplySent>;
    /// Where the browser downloads an attachment (a plain link: the session
    /// cookie goes with it, and the server sends it as a download).
    fn attachment_url(&self, token: &str, id: &str) -> String;
}

/// The API client the pages use, shared through context.
#[derive(Clone)]
pub struct Api(Arc<dyn RecipientApi>);

impl Api {
    /// The real client, talking to the server that served the portal.
    pub fn http() -> Self {
        Api(Arc::new(HttpApi))
    }

    /// Any implementation (tests pass a fake).
    pub fn new(client: Arc<dyn RecipientApi>) -> Self {
        Api(client)
    }
}

impl std::ops::Deref for Api {
    type Target = dyn RecipientApi;
    fn deref(&self) -> &Self::Target {
        &*self.0
    }
}

/// The client from context.
pub fn use_api() -> Api {
    expect_context()
}

/// The real client: same-origin `fetch`, so the session cookie (HttpOnly,
/// SameSite=Strict) travels by itself.
pub struct HttpApi;

impl RecipientApi for HttpApi {
    fn link(&self, token: &str) -> ApiFuture<LinkInfo> {
        let url = routes::link(token);
        Box::pin(async move { decode(Request::get(&url).send().await).await })
    }

    fn send_passcode(&self, token: &str) -> ApiFuture<PasscodeSent> {
        let url = routes::link_passcode(token);
        Box::pin(async move { decode(post(&url).send().await).await })
    }

    fn open_session(&self, token: &str, submit: PasscodeSubmit) -> ApiFuture<SessionOpened> {
        let url = routes::link_session(token);
        Box::pin(async move {
            let request = post(&url)
                .json(&submit)
                .map_err(|_| ApiError::Unreachable)?;
            decode(request.send().await).await
        })
    }

    fn message(&self, token: &str) -> ApiFuture<MessageView> {
        let url = routes::link_message(token);
        Box::pin(async move { decode(Request::get(&url).send().await).await })
    }

    fn reply(
        &self,
        token: &str,
        reply: ReplyRequest,
        files: Vec<web_sys::File>,
    ) -> ApiFuture<ReplySent> {
        let url = routes::link_reply(token);
        Box::pin(async move {
            let request = if files.is_empty() {
                post(&url).json(&reply)
            } else {
                // The JSON first, then one part per file (see `ReplyRequest`).
                // The browser sets the multipart boundary itself.
                let form = web_sys::FormData::new().map_err(|_| ApiError::Unreachable)?;
                let json = serde_json::to_string(&reply).map_err(|_| ApiError::Unreachable)?;
                form.append_with_str(routes::REPLY_PART, &json)
                    .map_err(|_| ApiError::Unreachable)?;
                for file in &files {
                    form.append_with_blob_and_filename("file", file, &file.name())
                        .map_err(|_| ApiError::Unreachable)?;
                }
                post(&url).body(form)
            }
            .map_err(|_| ApiError::Unreachable)?;
            decode(request.send().await).await
        })
    }

    fn attachment_url(&self, token: &str, id: &str) -> String {
        routes::link_attachment(token, id)
    }
}

/// A state-changing request, with the anti-forgery header the server requires.
fn post(url: &str) -> gloo_net::http::RequestBuilder {
    Request::post(url).header(routes::CSRF_HEADER, routes::CSRF_VALUE)
}

/// The success type, or the server's error body, or `Unreachable` when the
/// answer is neither (the status only says which of the two to expect).
async fn decode<T: DeserializeOwned>(
    response: Result<Response, gloo_net::Error>,
) -> Result<T, ApiError> {
    let response = response.map_err(|_| ApiError::Unreachable)?;
    if response.ok() {
        response.json().await.map_err(|_| ApiError::Unreachable)
    } else {
        match response.json::<ErrorBody>().await {
            Ok(body) => Err(ApiError::Api(body)),
            Err(_) => Err(ApiError::Unreachable),
        }
    }
}
