//! A recipient: one link, the passcode from their mail, and the session it opens.

use axum::http::{Method, StatusCode};
use sealmail_api::recipient::{
    LinkInfo, MessageView, PasscodeSent, PasscodeSubmit, ReplyRequest, ReplySent, SessionOpened,
};
use sealmail_api::routes::{self, REPLY_PART};

use super::client::Call;
use super::{TestApp, TestResponse};

/// Someone holding a link (and, once signed in, its session cookie).
#[derive(Clone)]
pub struct Recipient<'a> {
    app: &'a TestApp,
    address: String,
    token: String,
    cookie: Option<String>,
}

impl TestApp {
    /// `address` with the link from their newest notification, no session yet.
    pub fn recipient(&self, address: &str) -> Recipient<'_> {
        self.recipient_with_link(address, &self.token_for(address))
    }

    /// `address` holding the link `token` (theirs, someone else's, or made up).
    pub fn recipient_with_link(&self, address: &str, token: &str) -> Recipient<'_> {
        Recipient {
            app: self,
            address: address.to_owned(),
            token: token.to_owned(),
            cookie: None,
        }
    }

    /// Sends a plain message to [`super::BOB`] and opens his session.
    pub async fn bob_reading(&self) -> Recipient<'_> {
        self.bob_reading_with(&[]).await
    }

    /// Sends [`super::BOB`] a message with these attachments and opens his session.
    pub async fn bob_reading_with(&self, attachments: &[(&str, &str, &[u8])]) -> Recipient<'_> {
        self.send(&[super::BOB], &[], attachments).await;
        self.recipient(super::BOB).signed_in().await
    }
}

impl<'a> Recipient<'a> {
    /// The link token.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// The session cookie's `name=value`.
    pub fn cookie(&self) -> &str {
        self.cookie.as_deref().expect("a session")
    }

    /// The session id alone (the secret part of the cookie).
    pub fn session_id(&self) -> &str {
        self.cookie().split_once('=').unwrap().1
    }

    /// The same link with this cookie (another's session, a made-up one).
    pub fn with_session(mut self, cookie: &str) -> Self {
        self.cookie = Some(cookie.to_owned());
        self
    }

    /// A request with this recipient's session (if any), answered by the whole response.
    fn request(&self, method: Method, path: String) -> Call<'a, TestResponse> {
        Call::new(self.app, method, path, self.cookie.as_deref())
    }

    fn call<T: serde::de::DeserializeOwned>(&self, method: Method, path: String) -> Call<'a, T> {
        self.request(method, path).json_answer()
    }

    /// Opens the link page: who sent it, to whom, whether a session is open.
    pub fn open_link(&self) -> Call<'a, LinkInfo> {
        self.call(Method::GET, routes::link(&self.token))
    }

    /// Asks for a passcode by mail.
    pub fn request_passcode(&self) -> Call<'a, PasscodeSent> {
        self.call(Method::POST, routes::link_passcode(&self.token))
    }

    /// The passcode from the newest mail to this recipient.
    pub fn passcode_from_mail(&self) -> String {
        self.app.passcode_for(&self.address)
    }

    /// A passcode that is not the one in the newest mail to this recipient.
    pub fn wrong_passcode(&self) -> String {
        let right = self.passcode_from_mail();
        if right == "00000000" {
            "11111111"
        } else {
            "00000000"
        }
        .to_owned()
    }

    /// Types in a passcode (the response sets the session cookie).
    pub fn submit_passcode(&self, passcode: &str) -> Call<'a, SessionOpened> {
        self.call(Method::POST, routes::link_session(&self.token))
            .json(&PasscodeSubmit {
                passcode: passcode.to_owned(),
            })
    }

    /// Asks for a passcode, reads it from the mail, types it in: the
    /// recipient with the session it opened.
    pub async fn signed_in(self) -> Self {
        self.request_passcode().await;
        let opened = self
            .submit_passcode(&self.passcode_from_mail())
            .response()
            .await;
        assert_eq!(opened.status, StatusCode::OK, "{}", opened.text());
        let cookie = opened.session_cookie().expect("a session cookie");
        self.with_session(&cookie)
    }

    /// As [`Recipient::signed_in`], the passcode read from what `sink`
    /// received (an app made with [`TestApp::with_relay`]).
    pub async fn signed_in_through(self, sink: &super::smtp_sink::SmtpSink) -> Self {
        self.request_passcode().await;
        let opened = self
            .submit_passcode(&sink.passcode_for(&self.address))
            .response()
            .await;
        assert_eq!(opened.status, StatusCode::OK, "{}", opened.text());
        let cookie = opened.session_cookie().expect("a session cookie");
        self.with_session(&cookie)
    }

    /// Reads the message.
    pub fn read(&self) -> Call<'a, MessageView> {
        self.call(Method::GET, routes::link_message(&self.token))
    }

    /// The HTML body's own document.
    pub fn body_document(&self) -> Call<'a, String> {
        self.request(Method::GET, routes::link_body(&self.token))
            .answer(|r| r.text())
    }

    /// Downloads an attachment.
    pub fn download(&self, attachment_id: &str) -> Call<'a, Vec<u8>> {
        self.request(
            Method::GET,
            routes::link_attachment(&self.token, attachment_id),
        )
        .answer(|r| r.body)
    }

    /// Replies with this text (add `.file(…)` to attach files).
    pub fn reply(&self, text: &str) -> Call<'a, ReplySent> {
        self.call(Method::POST, routes::link_reply(&self.token))
            .json_or_multipart(
                REPLY_PART,
                &ReplyRequest {
                    text: text.to_owned(),
                },
            )
    }

    /// Ends the session.
    pub fn sign_out(&self) -> Call<'a, ()> {
        self.request(Method::DELETE, routes::link_session(&self.token))
            .no_content()
    }
}
