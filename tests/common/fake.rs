//! A scripted fake of the API: answers from scripts, records every call.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

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
use sealmail_api::{ErrorCode, Language, Timestamp, routes};
use sealmail_portal::api::{ApiError, ApiFuture, Progress, RecipientApi, SenderApi};

use super::fixtures::*;

/// What the portal asked the fake for, in order.
#[derive(Clone, Debug, PartialEq)]
pub enum Call {
    Link,
    SendPasscode,
    OpenSession(String),
    Message,
    EndSession,
    Reply {
        text: String,
        files: Vec<String>,
    },
    Me,
    SignIn {
        email: String,
        password: String,
    },
    SignInOptions,
    SignOut,
    Sent(SentQuery),
    Revoke {
        id: String,
        recipient: Option<String>,
    },
    Resend {
        id: String,
        recipient: String,
    },
    ChangeExpiry {
        id: String,
        expires_at: Option<Timestamp>,
    },
    Templates,
    Compose {
        request: ComposeRequest,
        files: Vec<String>,
    },
    AdminMessage(String),
    AdminRevoke {
        message_id: String,
        recipient: Option<String>,
    },
    AdminResend {
        message_id: String,
        recipient: String,
    },
    AdminTrace(TraceQuery),
    AdminReport(ReportQuery),
    AdminAudit(AuditQuery),
    AdminTemplates,
    SaveTemplate {
        id: Option<String>,
        input: BrandingTemplateInput,
    },
    DeleteTemplate(String),
    UploadLogo {
        id: String,
        file: String,
    },
    DeleteLogo(String),
    MailFlowRules,
    SaveMailFlowRule {
        id: Option<i64>,
        rule: NewMailFlowRule,
    },
    MoveMailFlowRule {
        id: i64,
        position: i64,
    },
    DeleteMailFlowRule(i64),
    TestMailFlow(MailFlowTest),
    Tokens,
    CreateToken(NewApiToken),
    RevokeToken(i64),
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
    me: Script<Me>,
    sign_in: Script<Me>,
    sign_in_options: Script<SignInOptions>,
    sent: Script<SentPage>,
    revoke: Script<SentMessage>,
    resend: Script<SentMessage>,
    change_expiry: Script<SentMessage>,
    templates: Script<Vec<BrandingTemplate>>,
    compose: Script<Composed>,
    admin_message: Script<MessageStatus>,
    admin_revoke: Script<MessageStatus>,
    admin_resend: Script<MessageStatus>,
    admin_trace: Script<TracePage>,
    admin_report: Script<Report>,
    admin_audit: Script<AuditPage>,
    admin_templates: Script<Vec<BrandingTemplate>>,
    save_template: Script<BrandingTemplate>,
    delete_template: Script<()>,
    logo: Script<BrandingTemplate>,
    mail_flow_rules: Script<Vec<MailFlowRule>>,
    /// Answers to adding, editing and moving a rule (each returns the rules).
    mail_flow_change: Script<Vec<MailFlowRule>>,
    delete_mail_flow_rule: Script<()>,
    test_mail_flow: Script<Vec<MailFlowVerdict>>,
    tokens: Script<Vec<ApiToken>>,
    create_token: Script<CreatedApiToken>,
    revoke_token: Script<ApiToken>,
    /// Where the HTML body's frame loads from, if not the route itself.
    body_url: Option<String>,
    calls: Vec<Call>,
    /// The token of each link asked about (other calls check theirs are [`TOKEN`]).
    link_tokens: Vec<String>,
    /// The language each passcode request asked the mail to be in.
    passcode_languages: Vec<Option<Language>>,
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
            me: Script::ok(sender_me()),
            sign_in: Script::ok(sender_me()),
            sign_in_options: Script::ok(SignInOptions {
                single_sign_on: None,
            }),
            sent: Script::ok(sent_page()),
            revoke: Script(VecDeque::from([Err(error(ErrorCode::Internal))])),
            resend: Script(VecDeque::from([Err(error(ErrorCode::Internal))])),
            change_expiry: Script(VecDeque::from([Err(error(ErrorCode::Internal))])),
            templates: Script::ok(Vec::new()),
            compose: Script::ok(Composed {
                id: "m3".into(),
                message_id: "<m3@contoso.example>".into(),
            }),
            admin_message: Script::ok(message_status()),
            admin_revoke: Script(VecDeque::from([Err(error(ErrorCode::Internal))])),
            admin_resend: Script(VecDeque::from([Err(error(ErrorCode::Internal))])),
            admin_trace: Script(VecDeque::from([Err(ApiError::Unreachable)])),
            admin_report: Script(VecDeque::from([Err(ApiError::Unreachable)])),
            admin_audit: Script(VecDeque::from([Err(ApiError::Unreachable)])),
            admin_templates: Script::ok(Vec::new()),
            save_template: Script(VecDeque::from([Err(ApiError::Unreachable)])),
            delete_template: Script::ok(()),
            logo: Script(VecDeque::from([Err(ApiError::Unreachable)])),
            mail_flow_rules: Script::ok(Vec::new()),
            mail_flow_change: Script(VecDeque::from([Err(ApiError::Unreachable)])),
            delete_mail_flow_rule: Script::ok(()),
            test_mail_flow: Script(VecDeque::from([Err(ApiError::Unreachable)])),
            tokens: Script::ok(Vec::new()),
            create_token: Script(VecDeque::from([Err(ApiError::Unreachable)])),
            revoke_token: Script(VecDeque::from([Err(ApiError::Unreachable)])),
            body_url: None,
            calls: Vec::new(),
            link_tokens: Vec::new(),
            passcode_languages: Vec::new(),
        })))
    }

    /// Serves the HTML body's frame from `url` (a `blob:` of a test document)
    /// instead of the route, which the test runner's server does not know.
    pub fn body_url(self: &Arc<Self>, url: &str) -> Arc<Self> {
        self.0.lock().unwrap().body_url = Some(url.to_owned());
        self.clone()
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

    pub fn me(self: &Arc<Self>, answers: Vec<Result<Me, ApiError>>) -> Arc<Self> {
        self.0.lock().unwrap().me = Script(answers.into());
        self.clone()
    }
    pub fn sign_in(self: &Arc<Self>, answers: Vec<Result<Me, ApiError>>) -> Arc<Self> {
        self.0.lock().unwrap().sign_in = Script(answers.into());
        self.clone()
    }
    pub fn sign_in_options(
        self: &Arc<Self>,
        answers: Vec<Result<SignInOptions, ApiError>>,
    ) -> Arc<Self> {
        self.0.lock().unwrap().sign_in_options = Script(answers.into());
        self.clone()
    }
    pub fn sent(self: &Arc<Self>, answers: Vec<Result<SentPage, ApiError>>) -> Arc<Self> {
        self.0.lock().unwrap().sent = Script(answers.into());
        self.clone()
    }
    pub fn revoke(self: &Arc<Self>, answers: Vec<Result<SentMessage, ApiError>>) -> Arc<Self> {
        self.0.lock().unwrap().revoke = Script(answers.into());
        self.clone()
    }
    pub fn resend(self: &Arc<Self>, answers: Vec<Result<SentMessage, ApiError>>) -> Arc<Self> {
        self.0.lock().unwrap().resend = Script(answers.into());
        self.clone()
    }
    pub fn change_expiry(
        self: &Arc<Self>,
        answers: Vec<Result<SentMessage, ApiError>>,
    ) -> Arc<Self> {
        self.0.lock().unwrap().change_expiry = Script(answers.into());
        self.clone()
    }
    pub fn templates(
        self: &Arc<Self>,
        answers: Vec<Result<Vec<BrandingTemplate>, ApiError>>,
    ) -> Arc<Self> {
        self.0.lock().unwrap().templates = Script(answers.into());
        self.clone()
    }
    pub fn compose(self: &Arc<Self>, answers: Vec<Result<Composed, ApiError>>) -> Arc<Self> {
        self.0.lock().unwrap().compose = Script(answers.into());
        self.clone()
    }
    pub fn admin_message(
        self: &Arc<Self>,
        answers: Vec<Result<MessageStatus, ApiError>>,
    ) -> Arc<Self> {
        self.0.lock().unwrap().admin_message = Script(answers.into());
        self.clone()
    }
    pub fn admin_revoke(
        self: &Arc<Self>,
        answers: Vec<Result<MessageStatus, ApiError>>,
    ) -> Arc<Self> {
        self.0.lock().unwrap().admin_revoke = Script(answers.into());
        self.clone()
    }
    pub fn admin_resend(
        self: &Arc<Self>,
        answers: Vec<Result<MessageStatus, ApiError>>,
    ) -> Arc<Self> {
        self.0.lock().unwrap().admin_resend = Script(answers.into());
        self.clone()
    }
    pub fn admin_report(self: &Arc<Self>, answers: Vec<Result<Report, ApiError>>) -> Arc<Self> {
        self.0.lock().unwrap().admin_report = Script(answers.into());
        self.clone()
    }
    pub fn admin_trace(self: &Arc<Self>, answers: Vec<Result<TracePage, ApiError>>) -> Arc<Self> {
        self.0.lock().unwrap().admin_trace = Script(answers.into());
        self.clone()
    }
    pub fn admin_audit(self: &Arc<Self>, answers: Vec<Result<AuditPage, ApiError>>) -> Arc<Self> {
        self.0.lock().unwrap().admin_audit = Script(answers.into());
        self.clone()
    }
    pub fn admin_templates(
        self: &Arc<Self>,
        answers: Vec<Result<Vec<BrandingTemplate>, ApiError>>,
    ) -> Arc<Self> {
        self.0.lock().unwrap().admin_templates = Script(answers.into());
        self.clone()
    }
    pub fn save_template(
        self: &Arc<Self>,
        answers: Vec<Result<BrandingTemplate, ApiError>>,
    ) -> Arc<Self> {
        self.0.lock().unwrap().save_template = Script(answers.into());
        self.clone()
    }

    pub fn delete_template(self: &Arc<Self>, answers: Vec<Result<(), ApiError>>) -> Arc<Self> {
        self.0.lock().unwrap().delete_template = Script(answers.into());
        self.clone()
    }

    /// Answers to both the logo upload and the logo removal.
    pub fn logo(self: &Arc<Self>, answers: Vec<Result<BrandingTemplate, ApiError>>) -> Arc<Self> {
        self.0.lock().unwrap().logo = Script(answers.into());
        self.clone()
    }

    pub fn mail_flow_rules(
        self: &Arc<Self>,
        answers: Vec<Result<Vec<MailFlowRule>, ApiError>>,
    ) -> Arc<Self> {
        self.0.lock().unwrap().mail_flow_rules = Script(answers.into());
        self.clone()
    }

    /// Answers to adding, editing and moving a rule, in the order they come.
    pub fn mail_flow_change(
        self: &Arc<Self>,
        answers: Vec<Result<Vec<MailFlowRule>, ApiError>>,
    ) -> Arc<Self> {
        self.0.lock().unwrap().mail_flow_change = Script(answers.into());
        self.clone()
    }

    pub fn delete_mail_flow_rule(
        self: &Arc<Self>,
        answers: Vec<Result<(), ApiError>>,
    ) -> Arc<Self> {
        self.0.lock().unwrap().delete_mail_flow_rule = Script(answers.into());
        self.clone()
    }

    pub fn test_mail_flow(
        self: &Arc<Self>,
        answers: Vec<Result<Vec<MailFlowVerdict>, ApiError>>,
    ) -> Arc<Self> {
        self.0.lock().unwrap().test_mail_flow = Script(answers.into());
        self.clone()
    }

    pub fn tokens(self: &Arc<Self>, answers: Vec<Result<Vec<ApiToken>, ApiError>>) -> Arc<Self> {
        self.0.lock().unwrap().tokens = Script(answers.into());
        self.clone()
    }

    pub fn create_token(
        self: &Arc<Self>,
        answers: Vec<Result<CreatedApiToken, ApiError>>,
    ) -> Arc<Self> {
        self.0.lock().unwrap().create_token = Script(answers.into());
        self.clone()
    }

    pub fn revoke_token(self: &Arc<Self>, answers: Vec<Result<ApiToken, ApiError>>) -> Arc<Self> {
        self.0.lock().unwrap().revoke_token = Script(answers.into());
        self.clone()
    }

    /// Every call so far.
    pub fn calls(&self) -> Vec<Call> {
        self.0.lock().unwrap().calls.clone()
    }

    /// The token of each link asked about so far.
    pub fn link_tokens(&self) -> Vec<String> {
        self.0.lock().unwrap().link_tokens.clone()
    }

    /// The language of each passcode mail asked for so far.
    pub fn passcode_languages(&self) -> Vec<Option<Language>> {
        self.0.lock().unwrap().passcode_languages.clone()
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
        self.0.lock().unwrap().link_tokens.push(token.to_owned());
        self.answer(Call::Link, |s| s.link.next())
    }
    fn send_passcode(&self, token: &str, request: PasscodeRequest) -> ApiFuture<PasscodeSent> {
        assert_eq!(token, TOKEN);
        self.0
            .lock()
            .unwrap()
            .passcode_languages
            .push(request.language);
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
    fn body_url(&self, token: &str) -> String {
        assert_eq!(token, TOKEN);
        let custom = self.0.lock().unwrap().body_url.clone();
        custom.unwrap_or_else(|| routes::link_body(token))
    }
}

impl SenderApi for FakeApi {
    fn me(&self) -> ApiFuture<Me> {
        self.answer(Call::Me, |s| s.me.next())
    }
    fn sign_in(&self, sign_in: SignIn) -> ApiFuture<Me> {
        let call = Call::SignIn {
            email: sign_in.email,
            password: sign_in.password,
        };
        self.answer(call, |s| s.sign_in.next())
    }
    fn sign_in_options(&self) -> ApiFuture<SignInOptions> {
        self.answer(Call::SignInOptions, |s| s.sign_in_options.next())
    }
    fn sign_out(&self) -> ApiFuture<()> {
        self.answer(Call::SignOut, |_| Ok(()))
    }
    fn sent(&self, query: SentQuery) -> ApiFuture<SentPage> {
        self.answer(Call::Sent(query), |s| s.sent.next())
    }
    fn revoke(&self, id: &str, request: RevokeRequest) -> ApiFuture<SentMessage> {
        let call = Call::Revoke {
            id: id.into(),
            recipient: request.recipient,
        };
        self.answer(call, |s| s.revoke.next())
    }
    fn resend(&self, id: &str, request: ResendRequest) -> ApiFuture<SentMessage> {
        let call = Call::Resend {
            id: id.into(),
            recipient: request.recipient,
        };
        self.answer(call, |s| s.resend.next())
    }
    fn change_expiry(&self, id: &str, change: ExpiryChange) -> ApiFuture<SentMessage> {
        let call = Call::ChangeExpiry {
            id: id.into(),
            expires_at: change.expires_at,
        };
        self.answer(call, |s| s.change_expiry.next())
    }
    fn templates(&self) -> ApiFuture<Vec<BrandingTemplate>> {
        self.answer(Call::Templates, |s| s.templates.next())
    }
    fn compose(
        &self,
        message: ComposeRequest,
        files: Vec<web_sys::File>,
        progress: Progress,
    ) -> ApiFuture<Composed> {
        // As the upload would: half, then all of it.
        progress(0.5);
        progress(1.0);
        let call = Call::Compose {
            request: message,
            files: files.iter().map(|f| f.name()).collect(),
        };
        self.answer(call, |s| s.compose.next())
    }
    fn admin_message(&self, message_id: &str) -> ApiFuture<MessageStatus> {
        self.answer(Call::AdminMessage(message_id.into()), |s| {
            s.admin_message.next()
        })
    }
    fn admin_revoke(&self, message_id: &str, request: RevokeRequest) -> ApiFuture<MessageStatus> {
        let call = Call::AdminRevoke {
            message_id: message_id.into(),
            recipient: request.recipient,
        };
        self.answer(call, |s| s.admin_revoke.next())
    }
    fn admin_resend(&self, message_id: &str, request: ResendRequest) -> ApiFuture<MessageStatus> {
        let call = Call::AdminResend {
            message_id: message_id.into(),
            recipient: request.recipient,
        };
        self.answer(call, |s| s.admin_resend.next())
    }
    fn admin_trace(&self, query: TraceQuery) -> ApiFuture<TracePage> {
        self.answer(Call::AdminTrace(query), |s| s.admin_trace.next())
    }
    fn admin_report(&self, query: ReportQuery) -> ApiFuture<Report> {
        self.answer(Call::AdminReport(query), |s| s.admin_report.next())
    }
    fn admin_audit(&self, query: AuditQuery) -> ApiFuture<AuditPage> {
        self.answer(Call::AdminAudit(query), |s| s.admin_audit.next())
    }
    fn admin_templates(&self) -> ApiFuture<Vec<BrandingTemplate>> {
        self.answer(Call::AdminTemplates, |s| s.admin_templates.next())
    }
    fn save_template(
        &self,
        id: Option<String>,
        input: BrandingTemplateInput,
    ) -> ApiFuture<BrandingTemplate> {
        self.answer(Call::SaveTemplate { id, input }, |s| s.save_template.next())
    }
    fn delete_template(&self, id: &str) -> ApiFuture<()> {
        self.answer(Call::DeleteTemplate(id.into()), |s| {
            s.delete_template.next()
        })
    }
    fn upload_logo(&self, id: &str, file: web_sys::File) -> ApiFuture<BrandingTemplate> {
        let call = Call::UploadLogo {
            id: id.into(),
            file: file.name(),
        };
        self.answer(call, |s| s.logo.next())
    }
    fn delete_logo(&self, id: &str) -> ApiFuture<BrandingTemplate> {
        self.answer(Call::DeleteLogo(id.into()), |s| s.logo.next())
    }
    fn mail_flow_rules(&self) -> ApiFuture<Vec<MailFlowRule>> {
        self.answer(Call::MailFlowRules, |s| s.mail_flow_rules.next())
    }
    fn save_mail_flow_rule(
        &self,
        id: Option<i64>,
        rule: NewMailFlowRule,
    ) -> ApiFuture<Vec<MailFlowRule>> {
        self.answer(Call::SaveMailFlowRule { id, rule }, |s| {
            s.mail_flow_change.next()
        })
    }
    fn move_mail_flow_rule(&self, id: i64, to: MoveMailFlowRule) -> ApiFuture<Vec<MailFlowRule>> {
        let call = Call::MoveMailFlowRule {
            id,
            position: to.position,
        };
        self.answer(call, |s| s.mail_flow_change.next())
    }
    fn delete_mail_flow_rule(&self, id: i64) -> ApiFuture<()> {
        self.answer(Call::DeleteMailFlowRule(id), |s| {
            s.delete_mail_flow_rule.next()
        })
    }
    fn test_mail_flow(&self, mail: MailFlowTest) -> ApiFuture<Vec<MailFlowVerdict>> {
        self.answer(Call::TestMailFlow(mail), |s| s.test_mail_flow.next())
    }
    fn tokens(&self) -> ApiFuture<Vec<ApiToken>> {
        self.answer(Call::Tokens, |s| s.tokens.next())
    }
    fn create_token(&self, token: NewApiToken) -> ApiFuture<CreatedApiToken> {
        self.answer(Call::CreateToken(token), |s| s.create_token.next())
    }
    fn revoke_token(&self, id: i64) -> ApiFuture<ApiToken> {
        self.answer(Call::RevokeToken(id), |s| s.revoke_token.next())
    }
}
