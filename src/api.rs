//! The only place the portal talks HTTP.
//!
//! Pages reach the server through [`Api`], taken from context. The real client
//! ([`HttpApi`]) speaks the `sealmail-api` contract over the browser's `fetch`;
//! tests put a fake [`RecipientApi`] in its place (it lives in
//! `tests/common/fake.rs`, so no test code ships in the portal), and every page
//! can be driven without a server. Every type on the wire comes from
//! `sealmail_api`.

pub mod wire;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use gloo_net::http::{Method, RequestBuilder};
use leptos::prelude::*;
use sealmail_api::admin::{
    AuditPage, AuditQuery, BrandingTemplate, BrandingTemplateInput, MailFlowRule, MailFlowTest,
    MailFlowVerdict, MessageStatus, MoveMailFlowRule, NewMailFlowRule, Report, ReportQuery,
    TracePage, TraceQuery,
};
use sealmail_api::recipient::{
    LinkInfo, MessageView, PasscodeRequest, PasscodeSent, PasscodeSubmit, ReplyRequest, ReplySent,
    SessionOpened,
};
use sealmail_api::sender::{
    ComposeRequest, Composed, ExpiryChange, Me, ResendRequest, RevokeRequest, SentMessage,
    SentPage, SentQuery, SignIn,
};
use sealmail_api::sso::SignInOptions;
use sealmail_api::tokens::{ApiToken, CreatedApiToken, NewApiToken};
use sealmail_api::{ErrorBody, ErrorCode, routes};
use serde::de::DeserializeOwned;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

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

/// For `<ErrorBoundary>`: a load's error travels as a `std::error::Error`,
/// and the fallback takes it back out to say it in the reader's language.
impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ApiError::Api(body) => write!(f, "the server answered {}", body.code.as_str()),
            ApiError::Unreachable => f.write_str("no answer from the server"),
        }
    }
}

impl std::error::Error for ApiError {}

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
    fn send_passcode(&self, token: &str, request: PasscodeRequest) -> ApiFuture<PasscodeSent>;
    /// `POST` [`routes::link_session`].
    fn open_session(&self, token: &str, submit: PasscodeSubmit) -> ApiFuture<SessionOpened>;
    /// `GET` [`routes::link_message`].
    fn message(&self, token: &str) -> ApiFuture<MessageView>;
    /// `DELETE` [`routes::link_session`]: signs this browser out of the link.
    fn end_session(&self, token: &str) -> ApiFuture<()>;
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
    /// Where the message view's frame loads the HTML body
    /// ([`routes::link_body`]; the session cookie goes with it).
    fn body_url(&self, token: &str) -> String;
}

/// Reports how much of an upload has gone: a fraction from 0 to 1.
pub type Progress = Box<dyn Fn(f64)>;

/// The signed-in side of the API: senders, and administrators (who are
/// senders with `is_admin`), one method per route.
pub trait SenderApi: Send + Sync {
    /// `GET` [`routes::ME`]: who is signed in (`not_signed_in` if nobody).
    fn me(&self) -> ApiFuture<Me>;
    /// `POST` [`routes::SESSION`].
    fn sign_in(&self, sign_in: SignIn) -> ApiFuture<Me>;
    /// `GET` [`routes::SIGN_IN_OPTIONS`]: whether single sign-on is offered.
    fn sign_in_options(&self) -> ApiFuture<SignInOptions>;
    /// Where the browser goes to sign in with the identity provider (a
    /// plain link: the server sends it on), coming back to `next`.
    fn sso_start_url(&self, next: &str) -> String {
        routes::oidc_start(&sealmail_api::sso::SsoStart {
            next: Some(next.to_owned()),
        })
    }
    /// `DELETE` [`routes::SESSION`].
    fn sign_out(&self) -> ApiFuture<()>;
    /// `GET` [`routes::sent`].
    fn sent(&self, query: SentQuery) -> ApiFuture<SentPage>;
    /// `POST` [`routes::message_revoke`]: "Remove external access".
    fn revoke(&self, id: &str, request: RevokeRequest) -> ApiFuture<SentMessage>;
    /// `POST` [`routes::message_resend`]: a recipient gets a new link.
    fn resend(&self, id: &str, request: ResendRequest) -> ApiFuture<SentMessage>;
    /// `PATCH` [`routes::message`].
    fn change_expiry(&self, id: &str, change: ExpiryChange) -> ApiFuture<SentMessage>;
    /// `GET` [`routes::BRANDING_TEMPLATES`]: the templates a sender may choose.
    fn templates(&self) -> ApiFuture<Vec<BrandingTemplate>>;
    /// `POST` [`routes::MESSAGES`], multipart; `progress` follows the upload.
    fn compose(
        &self,
        message: ComposeRequest,
        files: Vec<web_sys::File>,
        progress: Progress,
    ) -> ApiFuture<Composed>;
    /// `GET` [`routes::admin_message`].
    fn admin_message(&self, message_id: &str) -> ApiFuture<MessageStatus>;
    /// `POST` [`routes::admin_message_revoke`].
    fn admin_revoke(&self, message_id: &str, request: RevokeRequest) -> ApiFuture<MessageStatus>;
    /// `POST` [`routes::admin_message_resend`].
    fn admin_resend(&self, message_id: &str, request: ResendRequest) -> ApiFuture<MessageStatus>;
    /// `GET` [`routes::admin_trace`].
    fn admin_trace(&self, query: TraceQuery) -> ApiFuture<TracePage>;
    /// `GET` [`routes::admin_report`].
    fn admin_report(&self, query: ReportQuery) -> ApiFuture<Report>;
    /// `GET` [`routes::admin_audit`].
    fn admin_audit(&self, query: AuditQuery) -> ApiFuture<AuditPage>;
    /// Where the browser downloads the audit as CSV (a plain link).
    fn admin_audit_csv_url(&self, query: AuditQuery) -> String {
        routes::admin_audit(&AuditQuery {
            format: Some("csv".into()),
            cursor: None,
            limit: None,
            ..query
        })
    }
    /// `GET` [`routes::ADMIN_BRANDING`].
    fn admin_templates(&self) -> ApiFuture<Vec<BrandingTemplate>>;
    /// `PUT` [`routes::admin_branding_one`] (or `POST` [`routes::ADMIN_BRANDING`]
    /// without an id).
    fn save_template(
        &self,
        id: Option<String>,
        input: BrandingTemplateInput,
    ) -> ApiFuture<BrandingTemplate>;
    /// `DELETE` [`routes::admin_branding_one`].
    fn delete_template(&self, id: &str) -> ApiFuture<()>;
    /// `PUT` [`routes::admin_branding_logo`]: the file's bytes, with its type.
    fn upload_logo(&self, id: &str, file: web_sys::File) -> ApiFuture<BrandingTemplate>;
    /// `DELETE` [`routes::admin_branding_logo`].
    fn delete_logo(&self, id: &str) -> ApiFuture<BrandingTemplate>;
    /// `GET` [`routes::ADMIN_MAIL_FLOW_RULES`]: the rules in order.
    fn mail_flow_rules(&self) -> ApiFuture<Vec<MailFlowRule>>;
    /// `PUT` [`routes::admin_mail_flow_rule`] (or `POST`
    /// [`routes::ADMIN_MAIL_FLOW_RULES`] without an id): the rules in order.
    fn save_mail_flow_rule(
        &self,
        id: Option<i64>,
        rule: NewMailFlowRule,
    ) -> ApiFuture<Vec<MailFlowRule>>;
    /// `POST` [`routes::admin_mail_flow_rule_move`]: the rules in order.
    fn move_mail_flow_rule(&self, id: i64, to: MoveMailFlowRule) -> ApiFuture<Vec<MailFlowRule>>;
    /// `DELETE` [`routes::admin_mail_flow_rule`].
    fn delete_mail_flow_rule(&self, id: i64) -> ApiFuture<()>;
    /// `POST` [`routes::ADMIN_MAIL_FLOW_TEST`]: what the rules decide for
    /// each recipient of a pasted mail (nothing is sent).
    fn test_mail_flow(&self, mail: MailFlowTest) -> ApiFuture<Vec<MailFlowVerdict>>;
    /// `GET` [`routes::TOKENS`]: the signed-in user's API tokens.
    fn tokens(&self) -> ApiFuture<Vec<ApiToken>>;
    /// `POST` [`routes::TOKENS`]: a new token, with its secret this once.
    fn create_token(&self, token: NewApiToken) -> ApiFuture<CreatedApiToken>;
    /// `DELETE` [`routes::token`]: the token, revoked.
    fn revoke_token(&self, id: i64) -> ApiFuture<ApiToken>;
}

/// The API client the pages use, shared through context.
#[derive(Clone)]
pub struct Api {
    recipient: Arc<dyn RecipientApi>,
    /// `None` in the recipient bundle: it never makes a staff call, and
    /// leaving this side out keeps its code out of the recipient's wasm.
    sender: Option<Arc<dyn SenderApi>>,
}

impl Api {
    /// Both sides (the staff bundle; tests pass a fake).
    pub fn new<C: RecipientApi + SenderApi + 'static>(client: Arc<C>) -> Self {
        Api {
            recipient: client.clone(),
            sender: Some(client),
        }
    }

    /// The recipient's side only (the recipient bundle).
    pub fn recipient<C: RecipientApi + 'static>(client: Arc<C>) -> Self {
        Api {
            recipient: client,
            sender: None,
        }
    }

    /// The sender's and administrator's side.
    ///
    /// # Panics
    /// In the recipient bundle, which has no staff pages to call it.
    pub fn sender(&self) -> &dyn SenderApi {
        self.sender
            .as_deref()
            .expect("a staff page in the recipient bundle")
    }
}

impl std::ops::Deref for Api {
    type Target = dyn RecipientApi;
    fn deref(&self) -> &Self::Target {
        &*self.recipient
    }
}

/// The client from context.
pub fn use_api() -> Api {
    expect_context()
}

/// The real client: JSON over `fetch` through `gloo-net`, and
/// `XMLHttpRequest` for the one upload whose progress is shown.
///
/// Normally the server that served the page ([`HttpApi::same_origin`]); the
/// session cookie (HttpOnly, SameSite=Strict) goes with every call, also to a
/// server on another port of the same host ([`HttpApi::at`], the browser
/// tests against the real server), which is still the same site.
#[derive(Clone, Debug, Default)]
pub struct HttpApi {
    /// Put before every API path: `""` for the page's own origin.
    base: String,
}

impl HttpApi {
    /// The server that served the portal.
    pub fn same_origin() -> Self {
        HttpApi::default()
    }

    /// The server at `base` (`"http://127.0.0.1:8080"`), for a page served
    /// from another origin; that server must allow it
    /// (`sealmail serve --cors-allow-origin <the page's origin>`).
    pub fn at(base: &str) -> Self {
        HttpApi {
            base: base.trim_end_matches('/').to_owned(),
        }
    }

    fn url(&self, path: String) -> String {
        format!("{}{path}", self.base)
    }

    /// One call whose answer [`wire`] reads (the recipient's first calls:
    /// no `serde_json` in their bundle).
    fn read<T: wire::FromJs>(
        &self,
        method: Method,
        path: String,
        json: Option<String>,
    ) -> impl Future<Output = Result<T, ApiError>> + use<T> {
        let url = self.url(path);
        async move {
            let text = send(method, url, json.map(|json| Ok(Payload::Json(json)))).await?;
            wire::parse(&text).ok_or(ApiError::Unreachable)
        }
    }

    /// [`call`] at this client's server.
    fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: String,
        body: Option<Result<Payload, serde_json::Error>>,
    ) -> impl Future<Output = Result<T, ApiError>> + use<T> {
        call(method, self.url(path), body)
    }
}

impl RecipientApi for HttpApi {
    fn link(&self, token: &str) -> ApiFuture<LinkInfo> {
        Box::pin(self.read(Method::GET, routes::link(token), None))
    }

    fn send_passcode(&self, token: &str, request: PasscodeRequest) -> ApiFuture<PasscodeSent> {
        let body = wire::passcode_request(&request);
        Box::pin(self.read(Method::POST, routes::link_passcode(token), Some(body)))
    }

    fn open_session(&self, token: &str, submit: PasscodeSubmit) -> ApiFuture<SessionOpened> {
        let body = wire::passcode_submit(&submit);
        Box::pin(self.read(Method::POST, routes::link_session(token), Some(body)))
    }

    fn message(&self, token: &str) -> ApiFuture<MessageView> {
        Box::pin(self.call(Method::GET, routes::link_message(token), None))
    }

    fn end_session(&self, token: &str) -> ApiFuture<()> {
        let url = self.url(routes::link_session(token));
        // 204 No Content: nothing to parse.
        Box::pin(async move { send(Method::DELETE, url, None).await.map(drop) })
    }

    fn reply(
        &self,
        token: &str,
        reply: ReplyRequest,
        files: Vec<web_sys::File>,
    ) -> ApiFuture<ReplySent> {
        let body = serde_json::to_string(&reply).map(|json| {
            if files.is_empty() {
                Payload::Json(json)
            } else {
                Payload::Multipart { json, files }
            }
        });
        Box::pin(self.call(Method::POST, routes::link_reply(token), Some(body)))
    }

    fn attachment_url(&self, token: &str, id: &str) -> String {
        self.url(routes::link_attachment(token, id))
    }

    fn body_url(&self, token: &str) -> String {
        self.url(routes::link_body(token))
    }
}

impl SenderApi for HttpApi {
    fn me(&self) -> ApiFuture<Me> {
        Box::pin(self.call(Method::GET, routes::ME.to_owned(), None))
    }

    fn sign_in(&self, sign_in: SignIn) -> ApiFuture<Me> {
        let body = serde_json::to_string(&sign_in).map(Payload::Json);
        Box::pin(self.call(Method::POST, routes::SESSION.to_owned(), Some(body)))
    }

    fn sign_in_options(&self) -> ApiFuture<SignInOptions> {
        Box::pin(self.call(Method::GET, routes::SIGN_IN_OPTIONS.to_owned(), None))
    }

    fn sign_out(&self) -> ApiFuture<()> {
        let url = self.url(routes::SESSION.to_owned());
        Box::pin(async move { send(Method::DELETE, url, None).await.map(drop) })
    }

    fn sent(&self, query: SentQuery) -> ApiFuture<SentPage> {
        Box::pin(self.call(Method::GET, routes::sent(&query), None))
    }

    fn revoke(&self, id: &str, request: RevokeRequest) -> ApiFuture<SentMessage> {
        let body = serde_json::to_string(&request).map(Payload::Json);
        Box::pin(self.call(Method::POST, routes::message_revoke(id), Some(body)))
    }

    fn resend(&self, id: &str, request: ResendRequest) -> ApiFuture<SentMessage> {
        let body = serde_json::to_string(&request).map(Payload::Json);
        Box::pin(self.call(Method::POST, routes::message_resend(id), Some(body)))
    }

    fn change_expiry(&self, id: &str, change: ExpiryChange) -> ApiFuture<SentMessage> {
        let body = serde_json::to_string(&change).map(Payload::Json);
        Box::pin(self.call(Method::PATCH, routes::message(id), Some(body)))
    }

    fn templates(&self) -> ApiFuture<Vec<BrandingTemplate>> {
        Box::pin(self.call(Method::GET, routes::BRANDING_TEMPLATES.to_owned(), None))
    }

    fn compose(
        &self,
        message: ComposeRequest,
        files: Vec<web_sys::File>,
        progress: Progress,
    ) -> ApiFuture<Composed> {
        let url = self.url(routes::MESSAGES.to_owned());
        Box::pin(async move {
            let json = serde_json::to_string(&message).map_err(|_| ApiError::Unreachable)?;
            let text = upload(&url, &json, &files, progress).await?;
            serde_json::from_str(&text).map_err(|_| ApiError::Unreachable)
        })
    }

    fn admin_message(&self, message_id: &str) -> ApiFuture<MessageStatus> {
        Box::pin(self.call(Method::GET, routes::admin_message(message_id), None))
    }

    fn admin_revoke(&self, message_id: &str, request: RevokeRequest) -> ApiFuture<MessageStatus> {
        let body = serde_json::to_string(&request).map(Payload::Json);
        Box::pin(self.call(
            Method::POST,
            routes::admin_message_revoke(message_id),
            Some(body),
        ))
    }

    fn admin_resend(&self, message_id: &str, request: ResendRequest) -> ApiFuture<MessageStatus> {
        let body = serde_json::to_string(&request).map(Payload::Json);
        Box::pin(self.call(
            Method::POST,
            routes::admin_message_resend(message_id),
            Some(body),
        ))
    }

    fn admin_trace(&self, query: TraceQuery) -> ApiFuture<TracePage> {
        Box::pin(self.call(Method::GET, routes::admin_trace(&query), None))
    }

    fn admin_report(&self, query: ReportQuery) -> ApiFuture<Report> {
        Box::pin(self.call(Method::GET, routes::admin_report(&query), None))
    }

    fn admin_audit(&self, query: AuditQuery) -> ApiFuture<AuditPage> {
        Box::pin(self.call(Method::GET, routes::admin_audit(&query), None))
    }

    fn admin_templates(&self) -> ApiFuture<Vec<BrandingTemplate>> {
        Box::pin(self.call(Method::GET, routes::ADMIN_BRANDING.to_owned(), None))
    }

    fn save_template(
        &self,
        id: Option<String>,
        input: BrandingTemplateInput,
    ) -> ApiFuture<BrandingTemplate> {
        let body = serde_json::to_string(&input).map(Payload::Json);
        Box::pin(match id {
            Some(id) => self.call(Method::PUT, routes::admin_branding_one(&id), Some(body)),
            None => self.call(Method::POST, routes::ADMIN_BRANDING.to_owned(), Some(body)),
        })
    }

    fn delete_template(&self, id: &str) -> ApiFuture<()> {
        let url = self.url(routes::admin_branding_one(id));
        // 204 No Content: nothing to parse.
        Box::pin(async move { send(Method::DELETE, url, None).await.map(drop) })
    }

    fn upload_logo(&self, id: &str, file: web_sys::File) -> ApiFuture<BrandingTemplate> {
        let body = Some(Ok(Payload::File(file)));
        Box::pin(self.call(Method::PUT, routes::admin_branding_logo(id), body))
    }

    fn delete_logo(&self, id: &str) -> ApiFuture<BrandingTemplate> {
        Box::pin(self.call(Method::DELETE, routes::admin_branding_logo(id), None))
    }

    fn mail_flow_rules(&self) -> ApiFuture<Vec<MailFlowRule>> {
        Box::pin(self.call(Method::GET, routes::ADMIN_MAIL_FLOW_RULES.to_owned(), None))
    }

    fn save_mail_flow_rule(
        &self,
        id: Option<i64>,
        rule: NewMailFlowRule,
    ) -> ApiFuture<Vec<MailFlowRule>> {
        let body = serde_json::to_string(&rule).map(Payload::Json);
        Box::pin(match id {
            Some(id) => self.call(
                Method::PUT,
                routes::admin_mail_flow_rule(&id.to_string()),
                Some(body),
            ),
            None => self.call(
                Method::POST,
                routes::ADMIN_MAIL_FLOW_RULES.to_owned(),
                Some(body),
            ),
        })
    }

    fn move_mail_flow_rule(&self, id: i64, to: MoveMailFlowRule) -> ApiFuture<Vec<MailFlowRule>> {
        let body = serde_json::to_string(&to).map(Payload::Json);
        let path = routes::admin_mail_flow_rule_move(&id.to_string());
        Box::pin(self.call(Method::POST, path, Some(body)))
    }

    fn delete_mail_flow_rule(&self, id: i64) -> ApiFuture<()> {
        let url = self.url(routes::admin_mail_flow_rule(&id.to_string()));
        // 204 No Content: nothing to parse.
        Box::pin(async move { send(Method::DELETE, url, None).await.map(drop) })
    }

    fn test_mail_flow(&self, mail: MailFlowTest) -> ApiFuture<Vec<MailFlowVerdict>> {
        let body = serde_json::to_string(&mail).map(Payload::Json);
        Box::pin(self.call(
            Method::POST,
            routes::ADMIN_MAIL_FLOW_TEST.to_owned(),
            Some(body),
        ))
    }

    fn tokens(&self) -> ApiFuture<Vec<ApiToken>> {
        Box::pin(self.call(Method::GET, routes::TOKENS.to_owned(), None))
    }

    fn create_token(&self, token: NewApiToken) -> ApiFuture<CreatedApiToken> {
        let body = serde_json::to_string(&token).map(Payload::Json);
        Box::pin(self.call(Method::POST, routes::TOKENS.to_owned(), Some(body)))
    }

    fn revoke_token(&self, id: i64) -> ApiFuture<ApiToken> {
        Box::pin(self.call(Method::DELETE, routes::token(id), None))
    }
}

/// A multipart upload through `XMLHttpRequest`, the one browser API that
/// reports upload progress (`fetch` has none): the JSON in [`routes::COMPOSE_PART`],
/// then the files. Resolves to the body of a success, like [`send`].
async fn upload(
    url: &str,
    json: &str,
    files: &[web_sys::File],
    progress: Progress,
) -> Result<String, ApiError> {
    use wasm_bindgen::closure::Closure;
    let unreachable = |_| ApiError::Unreachable;
    let form = web_sys::FormData::new().map_err(unreachable)?;
    form.append_with_str(routes::COMPOSE_PART, json)
        .map_err(unreachable)?;
    for file in files {
        form.append_with_blob_and_filename("file", file, &file.name())
            .map_err(unreachable)?;
    }
    let xhr = web_sys::XmlHttpRequest::new().map_err(unreachable)?;
    xhr.open("POST", url).map_err(unreachable)?;
    // The cookie also to a server on another origin ([`HttpApi::at`]).
    xhr.set_with_credentials(true);
    xhr.set_request_header(routes::CSRF_HEADER, routes::CSRF_VALUE)
        .map_err(unreachable)?;
    let on_progress =
        Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(move |event: web_sys::ProgressEvent| {
            if event.length_computable() && event.total() > 0.0 {
                progress(event.loaded() / event.total());
            }
        });
    if let Ok(target) = xhr.upload() {
        target.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
    }
    // Settles on `loadend`, which follows success, error and abort alike.
    let done = js_sys::Promise::new(&mut |resolve, _reject| {
        xhr.set_onloadend(Some(&resolve));
    });
    xhr.send_with_opt_form_data(Some(&form))
        .map_err(unreachable)?;
    JsFuture::from(done).await.map_err(unreachable)?;
    drop(on_progress);
    let status = xhr.status().unwrap_or(0);
    let text = xhr.response_text().ok().flatten().unwrap_or_default();
    if (200..300).contains(&status) {
        Ok(text)
    } else {
        Err(failure(status, &text))
    }
}

/// A request body.
enum Payload {
    Json(String),
    /// A file's bytes, sent with its own type.
    File(web_sys::File),
    /// The reply's JSON in the part [`routes::REPLY_PART`], then one part per file.
    Multipart {
        json: String,
        files: Vec<web_sys::File>,
    },
}

/// One request answered with JSON: the success type, or the server's error.
async fn call<T: DeserializeOwned>(
    method: Method,
    url: String,
    body: Option<Result<Payload, serde_json::Error>>,
) -> Result<T, ApiError> {
    let text = send(method, url, body).await?;
    serde_json::from_str(&text).map_err(|_| ApiError::Unreachable)
}

/// One request: the body of a success, or the server's error body, or
/// `Unreachable` when the answer is neither (the status only says which of the
/// two bodies to expect; the page is chosen by the body's code).
async fn send(
    method: Method,
    url: String,
    body: Option<Result<Payload, serde_json::Error>>,
) -> Result<String, ApiError> {
    let state_changing = method != Method::GET;
    let mut request = RequestBuilder::new(&url)
        .method(method)
        // The session cookie also to a server on another origin ([`HttpApi::at`]).
        .credentials(web_sys::RequestCredentials::Include);
    if state_changing {
        // Every state-changing request carries the anti-forgery header.
        request = request.header(routes::CSRF_HEADER, routes::CSRF_VALUE);
    }
    let request = match body.transpose().map_err(unreachable)? {
        None => request.build(),
        Some(Payload::Json(json)) => request
            .header("content-type", "application/json")
            .body(json),
        Some(Payload::File(file)) => request.header("content-type", &file.type_()).body(file),
        Some(Payload::Multipart { json, files }) => {
            // No content-type: the browser writes it, with the boundary.
            let form = web_sys::FormData::new().map_err(unreachable)?;
            form.append_with_str(routes::REPLY_PART, &json)
                .map_err(unreachable)?;
            for file in &files {
                form.append_with_blob_and_filename("file", file, &file.name())
                    .map_err(unreachable)?;
            }
            request.body(form)
        }
    };
    let response = request
        .map_err(unreachable)?
        .send()
        .await
        .map_err(unreachable)?;
    let text = response.text().await.map_err(unreachable)?;
    if response.ok() {
        Ok(text)
    } else {
        Err(failure(response.status(), &text))
    }
}

/// Any failure to ask or to read the answer: worth a retry.
fn unreachable<E>(_: E) -> ApiError {
    ApiError::Unreachable
}

/// The error of a failed answer: the server's, from its body; a 413 without
/// it (a proxy's page, or a cut-off upload) is still `payload_too_large`;
/// anything else is `Unreachable`.
fn failure(status: u16, text: &str) -> ApiError {
    match wire::parse::<ErrorBody>(text) {
        Some(body) => ApiError::Api(body),
        None if status == 413 => ApiError::Api(ErrorBody::new(ErrorCode::PayloadTooLarge, "")),
        None => ApiError::Unreachable,
    }
}
