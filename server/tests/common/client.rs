//! One API request as a value: what an actor ([`super::sender::Sender`],
//! [`super::admin::Admin`], [`super::recipient::Recipient`]) is about to do.
//!
//! `.await` sends it, checks the expected status and gives the typed answer;
//! `.response().await` sends it and gives the whole [`TestResponse`], for
//! tests that check an error code or a header.

use std::future::{Future, IntoFuture};
use std::pin::Pin;

use axum::body::Body;
use axum::http::{Method, Request, Response, StatusCode, header};
use sealmail_api::ErrorCode;
use sealmail_api::routes::{CSRF_HEADER, CSRF_VALUE};
use sealmail_api::sender::RevokeRequest;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{TestApp, TestResponse};

/// What a request carries.
enum Payload {
    Empty,
    /// A body of this content type.
    Bytes(String, Vec<u8>),
    /// JSON, which becomes a multipart part named `part` once a file is added.
    Json {
        json: Vec<u8>,
        part: Option<&'static str>,
    },
    /// A JSON part named `part`, then the files.
    Multipart {
        part: &'static str,
        json: Vec<u8>,
        files: Vec<(String, String, Vec<u8>)>,
    },
}

/// A request not yet sent, answered by a `T`.
#[must_use = "a call does nothing until it is awaited"]
pub struct Call<'a, T> {
    app: &'a TestApp,
    method: Method,
    path: String,
    cookie: Option<String>,
    headers: Vec<(String, String)>,
    /// Whether it carries the anti-forgery header (when not a `GET`).
    csrf: bool,
    payload: Payload,
    expect: StatusCode,
    parse: fn(TestResponse) -> T,
}

impl<'a> Call<'a, TestResponse> {
    /// A request of `method` to `path` with this cookie (or none); its
    /// answer is the whole response until [`Call::answer`] says otherwise.
    pub(crate) fn new(
        app: &'a TestApp,
        method: Method,
        path: impl Into<String>,
        cookie: Option<&str>,
    ) -> Self {
        Call {
            app,
            method,
            path: path.into(),
            cookie: cookie.map(str::to_owned),
            headers: Vec::new(),
            csrf: true,
            payload: Payload::Empty,
            expect: StatusCode::OK,
            parse: |r| r,
        }
    }

    /// Whose success is JSON.
    pub(crate) fn json_answer<T: DeserializeOwned>(self) -> Call<'a, T> {
        self.answer(|r| r.json())
    }

    /// Whose success is `204 No Content`.
    pub(crate) fn no_content(self) -> Call<'a, ()> {
        self.answer(|_| ()).expect(StatusCode::NO_CONTENT)
    }
}

impl<'a, T> Call<'a, T> {
    /// What a success gives, read from the response.
    pub(crate) fn answer<U>(self, parse: fn(TestResponse) -> U) -> Call<'a, U> {
        Call {
            app: self.app,
            method: self.method,
            path: self.path,
            cookie: self.cookie,
            headers: self.headers,
            csrf: self.csrf,
            payload: self.payload,
            expect: self.expect,
            parse,
        }
    }

    /// A JSON body.
    pub fn json(mut self, body: &impl Serialize) -> Self {
        let part = match self.payload {
            Payload::Json { part, .. } => part,
            _ => None,
        };
        self.payload = Payload::Json {
            json: serde_json::to_vec(body).unwrap(),
            part,
        };
        self
    }

    /// A JSON body that turns into the multipart part `part` when a file is added.
    pub(crate) fn json_or_multipart(self, part: &'static str, body: &impl Serialize) -> Self {
        let mut call = self.json(body);
        if let Payload::Json { part: p, .. } = &mut call.payload {
            *p = Some(part);
        }
        call
    }

    /// Always multipart: the part `part` holding these bytes (JSON or not), then any files.
    pub(crate) fn multipart(mut self, part: &'static str, json: &[u8]) -> Self {
        self.payload = Payload::Multipart {
            part,
            json: json.to_vec(),
            files: Vec::new(),
        };
        self
    }

    /// A body of this content type.
    pub fn bytes(mut self, content_type: &str, bytes: impl Into<Vec<u8>>) -> Self {
        self.payload = Payload::Bytes(content_type.to_owned(), bytes.into());
        self
    }

    /// A file part (the request becomes multipart).
    pub fn file(mut self, name: &str, content_type: &str, bytes: &[u8]) -> Self {
        let file = (name.to_owned(), content_type.to_owned(), bytes.to_vec());
        self.payload = match self.payload {
            Payload::Multipart {
                part,
                json,
                mut files,
            } => {
                files.push(file);
                Payload::Multipart { part, json, files }
            }
            Payload::Json {
                json,
                part: Some(part),
            } => Payload::Multipart {
                part,
                json,
                files: vec![file],
            },
            _ => panic!("{} {} takes no files", self.method, self.path),
        };
        self
    }

    /// File parts, as `(name, content type, bytes)`.
    pub fn files(self, files: &[(&str, &str, &[u8])]) -> Self {
        files
            .iter()
            .fold(self, |call, (name, content_type, bytes)| {
                call.file(name, content_type, bytes)
            })
    }

    /// One more request header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// `Authorization: Bearer <token>`, and no anti-forgery header: as a
    /// script with an API token calls.
    pub fn bearer(self, token: &str) -> Self {
        self.authorization(&format!("Bearer {token}"))
    }

    /// This `Authorization` header (however malformed), and no anti-forgery
    /// header.
    pub fn authorization(mut self, value: &str) -> Self {
        self.headers
            .push(("authorization".to_owned(), value.to_owned()));
        self.csrf = false;
        self
    }

    /// The status a success has (200 unless the route says otherwise).
    pub(crate) fn expect(mut self, status: StatusCode) -> Self {
        self.expect = status;
        self
    }

    /// Sends it: the whole response, whatever its status.
    pub async fn response(self) -> TestResponse {
        let app = self.app;
        app.request(self.into_request()).await
    }

    /// Sends it: the error code it was refused with.
    pub async fn code(self) -> ErrorCode {
        self.response().await.code()
    }

    /// Sends it: the response with its body not yet read (to watch it stream).
    pub async fn stream(self) -> Response<Body> {
        use tower::ServiceExt as _;
        let router = self.app.router.clone();
        router.oneshot(self.into_request()).await.unwrap()
    }

    fn into_request(self) -> Request<Body> {
        let mut builder = Request::builder()
            .method(self.method.clone())
            .uri(&self.path);
        // As the portal does: every state-changing request carries the header.
        if self.method != Method::GET && self.csrf {
            builder = builder.header(CSRF_HEADER, CSRF_VALUE);
        }
        if let Some(cookie) = &self.cookie {
            builder = builder.header(header::COOKIE, cookie);
        }
        for (name, value) in &self.headers {
            builder = builder.header(name, value);
        }
        let body = match self.payload {
            Payload::Empty => Body::empty(),
            Payload::Bytes(content_type, bytes) => {
                builder = builder.header(header::CONTENT_TYPE, content_type);
                Body::from(bytes)
            }
            Payload::Json { json, .. } => {
                builder = builder.header(header::CONTENT_TYPE, "application/json");
                Body::from(json)
            }
            Payload::Multipart { part, json, files } => {
                let boundary = "sealmail-test-boundary-7d1c";
                builder = builder.header(
                    header::CONTENT_TYPE,
                    format!("multipart/form-data; boundary={boundary}"),
                );
                Body::from(multipart(boundary, part, &json, &files))
            }
        };
        builder.body(body).unwrap()
    }
}

impl<'a, T: Send + 'a> IntoFuture for Call<'a, T> {
    type Output = T;
    type IntoFuture = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let (what, expect, parse) = (
                format!("{} {}", self.method, self.path),
                self.expect,
                self.parse,
            );
            let response = self.response().await;
            assert_eq!(response.status, expect, "{what}: {}", response.text());
            parse(response)
        })
    }
}

/// A revoke, of the whole message unless narrowed with [`Revoke::only`].
#[must_use = "a revoke does nothing until it is awaited"]
pub struct Revoke<'a, T>(pub(crate) Call<'a, T>);

impl<'a, T> Revoke<'a, T> {
    /// Revokes only this recipient's access.
    pub fn only(self, recipient: &str) -> Self {
        self.with(&RevokeRequest {
            recipient: Some(recipient.to_owned()),
        })
    }

    /// With this request body (no body at all is the whole message too).
    pub fn with(self, request: &RevokeRequest) -> Self {
        Revoke(self.0.json(request))
    }

    /// Sends it: the whole response.
    pub async fn response(self) -> TestResponse {
        self.0.response().await
    }

    /// Sends it: the error code it was refused with.
    pub async fn code(self) -> ErrorCode {
        self.0.code().await
    }
}

impl<'a, T: Send + 'a> IntoFuture for Revoke<'a, T> {
    type Output = T;
    type IntoFuture = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        self.0.into_future()
    }
}

/// A `multipart/form-data` body: the JSON part named `part`, then the files.
fn multipart(
    boundary: &str,
    part: &str,
    json: &[u8],
    files: &[(String, String, Vec<u8>)],
) -> Vec<u8> {
    let mut body = Vec::new();
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{part}\"\r\n\
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
    body
}
