//! A signed-in sender: compose, the Sent list, revoke, the expiry; and the
//! accounts behind them.

use axum::http::{Method, StatusCode, header};
use sealmail::store;
use sealmail_api::admin::BrandingTemplate;
use sealmail_api::recipient::Body as MessageBody;
use sealmail_api::routes::{self, COMPOSE_PART};
use sealmail_api::sender::{
    ComposeRequest, Composed, Expiry, ExpiryChange, Me, SentMessage, SentPage, SentQuery, SignIn,
};
use sealmail_api::{Mailbox, Protection, Timestamp};
use serde::de::DeserializeOwned;

use super::client::{Call, Revoke};
use super::{TestApp, TestResponse};

pub const PASSWORD: &str = "correct horse battery staple";
pub const DAVE: &str = "dave@sealmail.test";
pub const ADMIN: &str = "admin@sealmail.test";

impl TestResponse {
    /// `name=value` of a cookie the response sets, if it does.
    pub fn cookie_named(&self, name: &str) -> Option<String> {
        self.set_cookie_header(name)
            .map(|c| c.split(';').next().unwrap().to_owned())
    }

    /// The whole `Set-Cookie` header for `name` (with its attributes).
    pub fn set_cookie_header(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .find(|c| c.starts_with(&format!("{name}=")))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Someone signed in to the sender API (an administrator too, through
/// [`super::admin::Admin`]).
#[derive(Clone)]
pub struct Sender<'a> {
    pub(crate) app: &'a TestApp,
    /// The session cookie's `name=value` (empty: none).
    cookie: String,
    /// An API token sent with every request (`Authorization: Bearer`).
    token: Option<String>,
}

impl TestApp {
    /// Creates an account (argon2id, like `sealmail user add`); returns its id.
    pub async fn add_user(&self, email: &str, name: &str, is_admin: bool) -> i64 {
        let hash = sealmail::auth::hash_password(PASSWORD).unwrap();
        store::users::insert(
            &self.state.db,
            email,
            Some(name),
            is_admin,
            &hash,
            store::now(),
        )
        .await
        .unwrap()
    }

    /// Someone signing in with this address and password.
    pub fn signing_in(&self, email: &str, password: &str) -> Call<'_, Me> {
        Call::new(self, Method::POST, routes::SESSION, None)
            .json_answer()
            .json(&SignIn {
                email: email.to_owned(),
                password: password.to_owned(),
            })
    }

    /// Signs in with this address and password, whatever the answer.
    pub async fn try_sign_in(&self, email: &str, password: &str) -> TestResponse {
        self.signing_in(email, password).response().await
    }

    /// `email`, signed in (the account is created first if need be).
    pub async fn sender(&self, email: &str) -> Sender<'_> {
        self.signed_in(email, false).await
    }

    pub(crate) async fn signed_in(&self, email: &str, is_admin: bool) -> Sender<'_> {
        if store::users::by_email(&self.state.db, email)
            .await
            .unwrap()
            .is_none()
        {
            let name = email.split('@').next().unwrap();
            self.add_user(email, name, is_admin).await;
        }
        let response = self.try_sign_in(email, PASSWORD).await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.text());
        self.session(
            &response
                .cookie_named(self.state.settings.sender_cookie())
                .expect("a session cookie"),
        )
    }

    /// Whoever holds this sender session cookie (a real one or a made-up one).
    pub fn session(&self, cookie: &str) -> Sender<'_> {
        Sender {
            app: self,
            cookie: cookie.to_owned(),
            token: None,
        }
    }

    /// A script holding this API token (real or made up), and no session:
    /// every request carries `Authorization: Bearer <token>` and no
    /// anti-forgery header.
    pub fn script(&self, token: &str) -> Sender<'_> {
        Sender {
            app: self,
            cookie: String::new(),
            token: Some(token.to_owned()),
        }
    }
}

impl<'a> Sender<'a> {
    /// The session cookie's `name=value`.
    pub fn cookie(&self) -> &str {
        &self.cookie
    }

    /// The session id alone (the secret part of the cookie).
    pub fn session_id(&self) -> &str {
        self.cookie.split_once('=').unwrap().1
    }

    /// The same session, also sending this API token (which then decides alone).
    pub fn with_token(&self, token: &str) -> Sender<'a> {
        Sender {
            token: Some(token.to_owned()),
            ..self.clone()
        }
    }

    /// A request with this session (or token), answered by the whole response.
    pub(crate) fn request(
        &self,
        method: Method,
        path: impl Into<String>,
    ) -> Call<'a, TestResponse> {
        let cookie = (!self.cookie.is_empty()).then_some(self.cookie.as_str());
        let call = Call::new(self.app, method, path, cookie);
        match &self.token {
            Some(token) => call.bearer(token),
            None => call,
        }
    }

    pub(crate) fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: impl Into<String>,
    ) -> Call<'a, T> {
        self.request(method, path).json_answer()
    }

    /// A `GET` of any path with this session (for a route's refusals).
    pub fn get(&self, path: &str) -> Call<'a, TestResponse> {
        self.request(Method::GET, path)
    }

    /// Who is signed in.
    pub fn me(&self) -> Call<'a, Me> {
        self.call(Method::GET, routes::ME)
    }

    /// Signs out.
    pub fn sign_out(&self) -> Call<'a, ()> {
        self.request(Method::DELETE, routes::SESSION).no_content()
    }

    /// Sends `message` (add `.file(…)` / `.files(…)` for attachments).
    pub fn send(&self, message: &ComposeRequest) -> Call<'a, Composed> {
        self.send_part(&serde_json::to_vec(message).unwrap())
    }

    /// Sends a message whose JSON part holds these bytes (for malformed ones).
    pub fn send_part(&self, json: &[u8]) -> Call<'a, Composed> {
        self.call(Method::POST, routes::MESSAGES)
            .multipart(COMPOSE_PART, json)
            .expect(StatusCode::CREATED)
    }

    /// The first page of the Sent list.
    pub fn sent(&self) -> Call<'a, SentPage> {
        self.sent_page(&SentQuery::default())
    }

    /// A page of the Sent list: a search, a cursor, a page size.
    pub fn sent_page(&self, query: &SentQuery) -> Call<'a, SentPage> {
        self.call(Method::GET, routes::sent(query))
    }

    /// One of their sent messages, by its id.
    pub fn message(&self, id: &str) -> Call<'a, SentMessage> {
        self.call(Method::GET, routes::message(id))
    }

    /// "Remove external access": the whole message, or `.only(address)`.
    pub fn revoke(&self, id: &str) -> Revoke<'a, SentMessage> {
        Revoke(self.call(Method::POST, routes::message_revoke(id)))
    }

    /// Mails `recipient` a new link to message `id` (the old one stops working).
    pub fn resend(&self, id: &str, recipient: &str) -> Call<'a, SentMessage> {
        self.call(Method::POST, routes::message_resend(id)).json(
            &sealmail_api::sender::ResendRequest {
                recipient: recipient.to_owned(),
            },
        )
    }

    /// Moves the expiry to `expires_at`, or removes it.
    pub fn set_expiry(&self, id: &str, expires_at: Option<&str>) -> Call<'a, SentMessage> {
        self.call(Method::PATCH, routes::message(id))
            .json(&ExpiryChange {
                expires_at: expires_at.map(|at| Timestamp(at.to_owned())),
            })
    }

    /// The branding templates they may choose from.
    pub fn branding_templates(&self) -> Call<'a, Vec<BrandingTemplate>> {
        self.call(Method::GET, routes::BRANDING_TEMPLATES)
    }
}

/// A simple message to `to`.
pub fn message_to(to: &[&str]) -> ComposeRequest {
    ComposeRequest {
        to: to
            .iter()
            .map(|a| Mailbox {
                name: None,
                address: a.to_string(),
            })
            .collect(),
        cc: vec![],
        subject: "Contract draft".into(),
        body: MessageBody {
            text: Some(super::SECRET_BODY.into()),
            html: None,
        },
        protection: Protection::DoNotForward,
        expiry: Expiry::TemplateDefault,
        branding_template: None,
        language: None,
        read_receipt: None,
    }
}
