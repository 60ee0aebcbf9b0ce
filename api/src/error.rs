//! The error body every failing API call returns, and its stable codes.

use serde::{Deserialize, Serialize};

/// A stable, machine-readable reason for a failed request.
///
/// Clients (the portal above all) pick what to show by this code — never by an
/// HTTP status or by the human-readable `message`. Codes are only ever added;
/// an existing code keeps its spelling forever.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The link token matches no recipient link (mistyped, or never issued). HTTP 404.
    LinkUnknown,
    /// The sender or an administrator revoked the message (or this recipient's access). HTTP 410.
    MessageRevoked,
    /// The message passed its expiry date. HTTP 410.
    MessageExpired,
    /// The passcode is not the one that was sent; `tries_left` says how many remain. HTTP 401.
    PasscodeWrong,
    /// The passcode is too old, already used, or none was requested. HTTP 401.
    PasscodeExpired,
    /// Too many wrong passcodes: the link is locked for a while (`retry_after_secs`). HTTP 429.
    TooManyAttempts,
    /// The recipient's session for this link is missing or has ended: ask for a new passcode. HTTP 401.
    SessionExpired,
    /// The request needs a signed-in sender or administrator. HTTP 401.
    NotSignedIn,
    /// Wrong email address or password at sign-in. HTTP 401.
    CredentialsWrong,
    /// Signed in, but not allowed to do this (or the anti-forgery header is missing). HTTP 403.
    Forbidden,
    /// No such message, attachment or resource (or not one the caller may see). HTTP 404.
    NotFound,
    /// The message (or this recipient's access) was already revoked; nothing changed. HTTP 409.
    AlreadyRevoked,
    /// The request is malformed: bad JSON, a missing or invalid field, a bad path. HTTP 400.
    InvalidRequest,
    /// The API route exists but does not take this method (`GET` on a revoke, say). HTTP 405.
    MethodNotAllowed,
    /// The request body or an upload is larger than the server accepts. HTTP 413.
    PayloadTooLarge,
    /// Too many requests of this kind; try again after `retry_after_secs`. HTTP 429.
    RateLimited,
    /// Something failed on the server; details are in its log, never in the response. HTTP 500.
    Internal,
    /// So many wrong passcodes were typed for this link that it is locked for
    /// good: only the sender (or an administrator) can send a new link. HTTP 423.
    LinkBlocked,
    /// The API token (`Authorization: Bearer`) is malformed, unknown,
    /// expired or revoked. HTTP 401.
    TokenInvalid,
    /// The API token does not allow this request: it lacks the scope the
    /// route needs, or the route takes no token (signing in, managing
    /// tokens). HTTP 403.
    TokenScope,
    /// Single sign-on (OpenID Connect) refused the answer coming back from
    /// the identity provider: its `state` is unknown, already used, too old,
    /// or not from this browser's sign-in (a forged or replayed callback).
    /// Start again. HTTP 400.
    SsoStateInvalid,
    /// Single sign-on refused the identity provider's ID token: another
    /// issuer or audience, a bad signature, a nonce not of this sign-in, or
    /// expired (or no token came). HTTP 401.
    SsoTokenInvalid,
    /// Single sign-on worked, but this account may not sign in here: its
    /// address is not in an allowed domain, or not verified by the provider.
    /// HTTP 403.
    SsoAccountRefused,
    /// Single sign-on could not be completed with the identity provider: it
    /// is unreachable, refused the sign-in (the person cancelled, say) or
    /// did not answer as OpenID Connect says. HTTP 502.
    SsoUnavailable,
}

impl ErrorCode {
    /// Every code, in declaration order (for exhaustive tests and translations).
    pub const ALL: [ErrorCode; 24] = [
        ErrorCode::LinkUnknown,
        ErrorCode::MessageRevoked,
        ErrorCode::MessageExpired,
        ErrorCode::PasscodeWrong,
        ErrorCode::PasscodeExpired,
        ErrorCode::TooManyAttempts,
        ErrorCode::SessionExpired,
        ErrorCode::NotSignedIn,
        ErrorCode::CredentialsWrong,
        ErrorCode::Forbidden,
        ErrorCode::NotFound,
        ErrorCode::AlreadyRevoked,
        ErrorCode::InvalidRequest,
        ErrorCode::MethodNotAllowed,
        ErrorCode::PayloadTooLarge,
        ErrorCode::RateLimited,
        ErrorCode::Internal,
        ErrorCode::LinkBlocked,
        ErrorCode::TokenInvalid,
        ErrorCode::TokenScope,
        ErrorCode::SsoStateInvalid,
        ErrorCode::SsoTokenInvalid,
        ErrorCode::SsoAccountRefused,
        ErrorCode::SsoUnavailable,
    ];

    /// The HTTP status that goes with this code.
    pub const fn http_status(self) -> u16 {
        match self {
            ErrorCode::InvalidRequest | ErrorCode::SsoStateInvalid => 400,
            ErrorCode::PasscodeWrong
            | ErrorCode::PasscodeExpired
            | ErrorCode::SessionExpired
            | ErrorCode::NotSignedIn
            | ErrorCode::CredentialsWrong
            | ErrorCode::TokenInvalid
            | ErrorCode::SsoTokenInvalid => 401,
            ErrorCode::Forbidden | ErrorCode::TokenScope | ErrorCode::SsoAccountRefused => 403,
            ErrorCode::LinkUnknown | ErrorCode::NotFound => 404,
            ErrorCode::AlreadyRevoked => 409,
            ErrorCode::MessageRevoked | ErrorCode::MessageExpired => 410,
            ErrorCode::MethodNotAllowed => 405,
            ErrorCode::PayloadTooLarge => 413,
            ErrorCode::LinkBlocked => 423,
            ErrorCode::TooManyAttempts | ErrorCode::RateLimited => 429,
            ErrorCode::Internal => 500,
            ErrorCode::SsoUnavailable => 502,
        }
    }

    /// The code as it appears on the wire (`"message_revoked"`).
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::LinkUnknown => "link_unknown",
            ErrorCode::MessageRevoked => "message_revoked",
            ErrorCode::MessageExpired => "message_expired",
            ErrorCode::PasscodeWrong => "passcode_wrong",
            ErrorCode::PasscodeExpired => "passcode_expired",
            ErrorCode::TooManyAttempts => "too_many_attempts",
            ErrorCode::SessionExpired => "session_expired",
            ErrorCode::NotSignedIn => "not_signed_in",
            ErrorCode::CredentialsWrong => "credentials_wrong",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::NotFound => "not_found",
            ErrorCode::AlreadyRevoked => "already_revoked",
            ErrorCode::InvalidRequest => "invalid_request",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::Internal => "internal",
            ErrorCode::LinkBlocked => "link_blocked",
            ErrorCode::TokenInvalid => "token_invalid",
            ErrorCode::TokenScope => "token_scope",
            ErrorCode::SsoStateInvalid => "sso_state_invalid",
            ErrorCode::SsoTokenInvalid => "sso_token_invalid",
            ErrorCode::SsoAccountRefused => "sso_account_refused",
            ErrorCode::SsoUnavailable => "sso_unavailable",
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The JSON body of every error response: `{"code": "...", "message": "..."}`,
/// plus the optional details some codes carry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    /// What went wrong, for programs.
    pub code: ErrorCode,
    /// What went wrong, in English, for people reading logs or curl output.
    /// Never shown by the portal, which translates `code` instead.
    pub message: String,
    /// With `passcode_wrong`: how many more tries this passcode allows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tries_left: Option<u32>,
    /// With `too_many_attempts` and `rate_limited`: seconds until a retry can succeed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_secs: Option<u64>,
}

impl ErrorBody {
    /// An error body with just a code and a message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ErrorBody {
            code,
            message: message.into(),
            tries_left: None,
            retry_after_secs: None,
        }
    }
}
