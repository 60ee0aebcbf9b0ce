//! A scripted fake of the API: answers from scripts, records every call.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use sealmail_api::recipient::{
    LinkInfo, MessageView, PasscodeSent, PasscodeSubmit, ReplyRequest, ReplySent, SessionOpened,
};
use sealmail_api::{Timestamp, routes};
use sealmail_portal::api::{ApiError, ApiFuture, RecipientApi};

use super::fixtures::*;

/// What the portal asked the fake for, in order.
#[derive(Clone, Debug, PartialEq)]
pub enum Call {
    Link,
    SendPasscode,
    OpenSession(String),
    Message,
    EndSession,
    Reply { text: String, files: Vec<String> },
}

/// Answers for one route, in order; the last one repeats.
struct Script<T>(VecDeque<Result<T, ApiError>>);

impl<T: Clone> Script<T> {
    fn ok(value: T) -> Self {
        Script(VecDeque::from([Ok(value)]))
    }
    fn next(&mut self) -> Result<T, ApiError> {
        if self.0.len() > 1 {
            self.0.pop_front().unwrap()
        } else {
            self.0.front().cloned().expect("a scripted answer")
        }
    }
}

struct State {
    link: Script<LinkInfo>,
    passcode: Script<PasscodeSent>,
    session: Script<SessionOpened>,
    message: Script<MessageView>,
    end_session: Script<()>,
    reply: Script<ReplySent>,
    calls: Vec<Call>,
}

/// A fake API answering from scripts: by default every call succeeds with the
/// canned values above.
pub struct FakeApi(Mutex<State>);

impl FakeApi {
    pub fn new() -> Arc<FakeApi> {
        Arc::new(FakeApi(Mutex::new(State {
            link: Script::ok(link_info()),
            passcode: Script::ok(passcode_sent()),
            session: Script::ok(SessionOpened {
                expires_at: Timestamp("2026-11-23T10:30:00Z".into()),
            }),
            message: Script::ok(message_view()),
            end_session: Script::ok(()),
            reply: Script::ok(ReplySent {
                message_id: "<r1@contoso.example>".into(),
            }),
            calls: Vec::new(),
        })))
    }

    pub fn link(self: &Arc<Self>, answers: Vec<Result<LinkInfo, ApiError>>) -> Arc<Self> {
        self.0.lock().unwrap().link = Script(answers.into());
        self.clone()
    }
    pub fn passcode(self: &Arc<Self>, answers: Vec<Result<PasscodeSent, ApiError>>) -> Arc<Self> {
        self.0.lock().unwrap().passcode = Script(answers.into());
        self.clone()
    }
    pub fn session(self: &Arc<Self>, answers: Vec<Result<SessionOpened, ApiError>>) -> Arc<Self> {
        self.0.lock().unwrap().session = Script(answers.into());
        self.clone()
    }
    pub fn message(self: &Arc<Self>, answers: Vec<Result<MessageView, ApiError>>) -> Arc<Self> {
        self.0.lock().unwrap().message = Script(answers.into());
        self.clone()
    }
    pub fn end_session(self: &Arc<Self>, answers: Vec<Result<(), ApiError>>) -> Arc<Self> {
        self.0.lock().unwrap().end_session = Script(answers.into());
        self.clone()
    }
    pub fn reply(self: &Arc<Self>, answers: Vec<Result<ReplySent, ApiError>>) -> Arc<Self> {
        self.0.lock().unwrap().reply = Script(answers.into());
        self.clone()
    }

    /// Every call so far.
    pub fn calls(&self) -> Vec<Call> {
        self.0.lock().unwrap().calls.clone()
    }

    fn answer<T: 'static>(
        &self,
        call: Call,
        pick: impl FnOnce(&mut State) -> Result<T, ApiError>,
    ) -> ApiFuture<T> {
        let mut state = self.0.lock().unwrap();
        state.calls.push(call);
        let result = pick(&mut state);
        Box::pin(std::future::ready(result))
    }
}

impl RecipientApi for FakeApi {
    fn link(&self, token: &str) -> ApiFuture<LinkInfo> {
        assert_eq!(token, TOKEN);
        self.answer(Call::Link, |s| s.link.next())
    }
    fn send_passcode(&self, token: &str) -> ApiFuture<PasscodeSent> {
        assert_eq!(token, TOKEN);
        self.answer(Call::SendPasscode, |s| s.passcode.next())
    }
    fn open_session(&self, token: &str, submit: PasscodeSubmit) -> ApiFuture<SessionOpened> {
        assert_eq!(token, TOKEN);
        self.answer(Call::OpenSession(submit.passcode), |s| s.session.next())
    }
    fn message(&self, token: &str) -> ApiFuture<MessageView> {
        assert_eq!(token, TOKEN);
        self.answer(Call::Message, |s| s.message.next())
    }
    fn end_session(&self, token: &str) -> ApiFuture<()> {
        assert_eq!(token, TOKEN);
        self.answer(Call::EndSession, |s| s.end_session.next())
    }
    fn reply(
        &self,
        token: &str,
        reply: ReplyRequest,
        files: Vec<web_sys::File>,
    ) -> ApiFuture<ReplySent> {
        assert_eq!(token, TOKEN);
        let files = files.iter().map(|f| f.name()).collect();
        self.answer(
            Call::Reply {
                text: reply.text,
                files,
            },
            |s| s.reply.next(),
        )
    }
    fn attachment_url(&self, token: &str, id: &str) -> String {
        routes::link_attachment(token, id)
    }
}
