//! Helpers for the sender and admin API: accounts, sign-in, compose, and
//! requests with a sender's cookie.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use sealmail::sender::hash_password;
use sealmail::store;
use sealmail_api::recipient::Body as MessageBody;
use sealmail_api::routes::{self, COMPOSE_PART, CSRF_HEADER, CSRF_VALUE, SENDER_SESSION_COOKIE};
use sealmail_api::sender::{ComposeRequest, Composed, Expiry, SignIn};
use sealmail_api::{Mailbox, Protection};
use serde::Serialize;

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

impl TestApp {
    /// Creates an account (argon2id, like `sealmail user add`); returns its id.
    pub async fn add_user(&self, email: &str, name: &str, is_admin: bool) -> i64 {
        let hash = hash_password(PASSWORD).unwrap();
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

    pub async fn try_sign_in(&self, email: &str, password: &str) -> TestResponse {
        let body = SignIn {
            email: email.to_owned(),
            password: password.to_owned(),
        };
        self.post(routes::SESSION, Some(&body), None).await
    }

    /// Creates the account if needed and signs in: the session cookie.
    pub async fn sender(&self, email: &str, is_admin: bool) -> String {
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
        response
            .cookie_named(SENDER_SESSION_COOKIE)
            .expect("a session cookie")
    }

    /// Any method with the anti-forgery header, a cookie, and a JSON body (or none).
    pub async fn call<T: Serialize>(
        &self,
        method: Method,
        path: &str,
        body: Option<&T>,
        cookie: &str,
    ) -> TestResponse {
        let mut builder = Request::builder()
            .method(method)
            .uri(path)
            .header(CSRF_HEADER, CSRF_VALUE)
            .header(header::COOKIE, cookie);
        let body = match body {
            Some(value) => {
                builder = builder.header(header::CONTENT_TYPE, "application/json");
                Body::from(serde_json::to_vec(value).unwrap())
            }
            None => Body::empty(),
        };
        self.request(builder.body(body).unwrap()).await
    }

    /// `POST /api/v1/messages` as multipart: the JSON part, then the files.
    pub async fn compose(
        &self,
        cookie: &str,
        message: &ComposeRequest,
        files: &[(&str, &str, &[u8])],
    ) -> TestResponse {
        let json = serde_json::to_vec(message).unwrap();
        self.compose_raw(cookie, &json, files).await
    }

    pub async fn compose_raw(
        &self,
        cookie: &str,
        json: &[u8],
        files: &[(&str, &str, &[u8])],
    ) -> TestResponse {
        let boundary = "sealmail-test-boundary-7d1c";
        let mut body = Vec::new();
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{COMPOSE_PART}\"\r\n\
                 Content-Type: application/json\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(json);
        for (name, content_type, bytes) in files {
            body.extend_from_slice(
                format!(
                    "\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; \
                     filename=\"{name}\"\r\nContent-Type: {content_type}\r\n\r\n"
                )
                .as_bytes(),
            );
            body.extend_from_slice(bytes);
        }
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let request = Request::post(routes::MESSAGES)
            .header(CSRF_HEADER, CSRF_VALUE)
            .header(header::COOKIE, cookie)
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(Body::from(body))
            .unwrap();
        self.request(request).await
    }

    /// Composes and checks it was accepted.
    pub async fn compose_ok(
        &self,
        cookie: &str,
        message: &ComposeRequest,
        files: &[(&str, &str, &[u8])],
    ) -> Composed {
        let response = self.compose(cookie, message, files).await;
        assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
        response.json()
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
    }
}

/// GET with a cookie.
pub async fn get_with(app: &TestApp, path: &str, cookie: &str) -> TestResponse {
    app.call::<()>(Method::GET, path, None, cookie).await
}
