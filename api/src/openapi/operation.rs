//! One operation as the area tables write it, and how it becomes OpenAPI:
//! its shape (caller, method, path, body) adds the security and the error
//! codes that shape implies, so no entry can forget them.

use std::collections::BTreeMap;

use utoipa::IntoParams;
use utoipa::openapi::path::{HttpMethod, Parameter, ParameterIn};
use utoipa::openapi::security::SecurityRequirement;

use super::parts::{Registry, failure, named, path_parameters, request_body, success};
use super::{ANTI_FORGERY, API_TOKEN, RECIPIENT_SESSION, SENDER_SESSION};
use crate::ErrorCode;
use crate::routes::{Method, token_needs};
use crate::tokens::TokenNeeds;

/// Who may call an operation.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Caller {
    /// Anyone: a link token in the path is the only secret.
    Anyone,
    /// A recipient holding a session for the link (`session_expired` otherwise).
    Recipient,
    /// A signed-in sender or administrator (`not_signed_in` otherwise).
    Sender,
    /// A signed-in administrator (`forbidden` for a sender).
    Admin,
}

pub(super) use super::parts::{Answer, Body};

/// One method on one path.
pub(super) struct Operation {
    id: &'static str,
    method: Method,
    path: &'static str,
    caller: Caller,
    summary: &'static str,
    query: Option<fn() -> Vec<Parameter>>,
    body: Option<Body>,
    created: bool,
    answer: Answer,
    errors: Vec<ErrorCode>,
}

impl Operation {
    /// `method path`, called by `caller`, named `id` (its operationId, unique
    /// in the document); it answers 204 with no body unless
    /// [`Operation::answers`] or [`Operation::creates`] says otherwise.
    pub(super) fn new(
        id: &'static str,
        method: Method,
        path: &'static str,
        caller: Caller,
        summary: &'static str,
    ) -> Self {
        Operation {
            id,
            method,
            path,
            caller,
            summary,
            query: None,
            body: None,
            created: false,
            answer: Answer::Nothing,
            errors: Vec::new(),
        }
    }

    /// What a success answers (200).
    pub(super) fn answers(mut self, answer: Answer) -> Self {
        self.answer = answer;
        self
    }

    /// What a success answers, with 201 Created.
    pub(super) fn creates(mut self, answer: Answer) -> Self {
        self.created = true;
        self.answers(answer)
    }

    /// The request's body.
    pub(super) fn takes(mut self, body: Body) -> Self {
        self.body = Some(body);
        self
    }

    /// The query string's parameters: `Q`'s fields.
    pub(super) fn query<Q: IntoParams>(mut self) -> Self {
        self.query = Some(|| Q::into_params(|| Some(ParameterIn::Query)));
        self
    }

    /// Error codes of this operation's own, beyond those its shape implies
    /// (each call adds to the list).
    pub(super) fn fails(mut self, errors: &[ErrorCode]) -> Self {
        self.errors.extend_from_slice(errors);
        self
    }

    /// Every code this operation can answer, in [`ErrorCode::ALL`]'s order:
    /// its own and those its shape implies.
    fn error_codes(&self) -> Vec<ErrorCode> {
        let takes_input = self.path.contains('{') || self.query.is_some() || self.body.is_some();
        let implied = [
            (takes_input, ErrorCode::InvalidRequest),
            (self.body.is_some(), ErrorCode::PayloadTooLarge),
            (self.method.is_state_changing(), ErrorCode::Forbidden),
            (self.caller == Caller::Recipient, ErrorCode::SessionExpired),
            (
                matches!(self.caller, Caller::Sender | Caller::Admin),
                ErrorCode::NotSignedIn,
            ),
            (self.caller == Caller::Admin, ErrorCode::Forbidden),
            (self.token().is_some(), ErrorCode::TokenInvalid),
            (self.token().is_some(), ErrorCode::TokenScope),
            (true, ErrorCode::Internal),
        ];
        let implied = implied
            .into_iter()
            .filter_map(|(yes, code)| yes.then_some(code));
        ErrorCode::ALL
            .into_iter()
            .filter(|code| self.errors.contains(code) || implied.clone().any(|c| c == *code))
            .collect()
    }

    /// The operation in OpenAPI's terms, under `tag`.
    pub(super) fn build(
        &self,
        tag: &str,
        registry: &mut Registry,
    ) -> (HttpMethod, &'static str, utoipa::openapi::path::Operation) {
        let mut parameters = path_parameters(self.path);
        parameters.extend(self.query.map(|query| query()).unwrap_or_default());
        let mut builder = utoipa::openapi::path::Operation::builder()
            .operation_id(Some(self.id))
            .tag(tag)
            .summary(Some(self.summary))
            .parameters((!parameters.is_empty()).then_some(parameters))
            .request_body(self.body.as_ref().map(|b| request_body(b, registry)));
        let status = match (&self.answer, self.created) {
            (Answer::Nothing, _) => "204",
            (Answer::Redirect(_), _) => "303",
            (_, true) => "201",
            (_, false) => "200",
        };
        builder = builder.response(status, success(&self.answer, registry));
        if let Answer::JsonOrRedirect(_, to) = self.answer {
            builder = builder.response("303", super::parts::redirect(to));
        }
        let error_body = registry.add(named::<crate::ErrorBody>());
        let mut by_status: BTreeMap<u16, Vec<ErrorCode>> = BTreeMap::new();
        for code in self.error_codes() {
            by_status.entry(code.http_status()).or_default().push(code);
        }
        for (status, codes) in by_status {
            builder = builder.response(status.to_string(), failure(&codes, error_body.clone()));
        }
        for security in self.security() {
            builder = builder.security(security);
        }
        (http_method(self.method), self.path, builder.build())
    }

    /// What a token needs on this operation, if it takes one
    /// ([`crate::routes::TOKEN_ROUTES`]).
    fn token(&self) -> Option<TokenNeeds> {
        token_needs(self.method.as_str(), self.path)
    }

    /// The cookie the caller needs, and the anti-forgery header on a
    /// state-changing request — or, where the route takes one, an API token
    /// with the scope it needs instead of both; none when anyone may call it.
    fn security(&self) -> Vec<SecurityRequirement> {
        let session = match self.caller {
            Caller::Anyone => None,
            Caller::Recipient => Some(RECIPIENT_SESSION),
            Caller::Sender | Caller::Admin => Some(SENDER_SESSION),
        };
        let header = self.method.is_state_changing().then_some(ANTI_FORGERY);
        let mut schemes = session.into_iter().chain(header);
        let none: [&str; 0] = [];
        let cookie = schemes.next().map(|first| {
            schemes.fold(SecurityRequirement::new(first, none), |all, scheme| {
                all.add(scheme, none)
            })
        });
        let token = self.token().map(|needs| match needs {
            TokenNeeds::AnyScope => SecurityRequirement::new(API_TOKEN, none),
            TokenNeeds::Scope(scope) => SecurityRequirement::new(API_TOKEN, [scope.as_str()]),
        });
        cookie.into_iter().chain(token).collect()
    }
}

fn http_method(method: Method) -> HttpMethod {
    match method {
        Method::Get => HttpMethod::Get,
        Method::Post => HttpMethod::Post,
        Method::Put => HttpMethod::Put,
        Method::Patch => HttpMethod::Patch,
        Method::Delete => HttpMethod::Delete,
    }
}
