//! The server's one error type. Each variant maps to a stable [`ErrorCode`] and
//! its HTTP status; internal details go to the log, never into a response.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sealmail_api::{ErrorBody, ErrorCode};

/// `Result` with the server's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong, for the API and the command line alike.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// 404 `link_unknown`.
    #[error("this link is not known")]
    LinkUnknown,
    /// 410 `message_revoked`.
    #[error("the message has been revoked by the sender")]
    MessageRevoked,
    /// 410 `message_expired`.
    #[error("the message has expired")]
    MessageExpired,
    /// 401 `passcode_wrong`.
    #[error("the passcode is wrong")]
    PasscodeWrong {
        /// Tries this passcode still allows.
        tries_left: u32,
    },
    /// 401 `passcode_expired`.
    #[error("the passcode has expired or was already used; ask for a new one")]
    PasscodeExpired,
    /// 429 `too_many_attempts`.
    #[error("too many wrong passcodes; the link is locked for a while")]
    TooManyAttempts {
        /// Seconds until the lock ends.
        retry_after_secs: u64,
    },
    /// 423 `link_blocked`.
    #[error("too many wrong passcodes for this link; ask the sender for a new link")]
    LinkBlocked,
    /// 401 `session_expired`.
    #[error("no valid session for this link; ask for a new passcode")]
    SessionExpired,
    /// 401 `not_signed_in`.
    #[error("sign in first")]
    NotSignedIn,
    /// 401 `credentials_wrong` (the same for an unknown address and a wrong password).
    #[error("the email address or the password is wrong")]
    CredentialsWrong,
    /// 429 `rate_limited`: too many failed sign-ins for this address or client.
    #[error("too many failed sign-ins; try again later")]
    TooManySignIns {
        /// Seconds until a new attempt can succeed.
        retry_after_secs: u64,
    },
    /// 429 `rate_limited`: too many single sign-ons begun from one client.
    #[error("too many sign-ins begun from here; try again later")]
    TooManySsoStarts {
        /// Seconds until a new one can begin.
        retry_after_secs: u64,
    },
    /// 401 `token_invalid`: the same for a malformed, unknown, expired or
    /// revoked token (the audit says which).
    #[error("the API token is malformed, unknown, expired or revoked")]
    TokenInvalid,
    /// 403 `token_scope`.
    #[error("{0}")]
    TokenScope(String),
    /// 400 `sso_state_invalid`: a single sign-on callback with a forged,
    /// replayed or stale state, or from another browser (the audit says which).
    #[error(
        "this sign-in was not begun in this browser, was already used or took too long; sign in again"
    )]
    SsoStateInvalid,
    /// 401 `sso_token_invalid`: the provider's ID token (or code) was refused.
    #[error("the identity provider's answer could not be verified")]
    SsoTokenInvalid,
    /// 403 `sso_account_refused`: an address outside the allowed domains, or unverified.
    #[error("this account may not sign in here")]
    SsoAccountRefused,
    /// 502 `sso_unavailable`: the identity provider is unreachable or refused.
    #[error("signing in with the identity provider did not work")]
    SsoUnavailable,
    /// 403 `forbidden`.
    #[error("{0}")]
    Forbidden(&'static str),
    /// 404 `not_found`.
    #[error("{0}")]
    NotFound(String),
    /// 409 `already_revoked`.
    #[error("{0}")]
    AlreadyRevoked(String),
    /// 400 `invalid_request`.
    #[error("{0}")]
    InvalidRequest(String),
    /// 405 `method_not_allowed`: the API route exists, the method does not.
    #[error("this API route does not take this method")]
    MethodNotAllowed,
    /// 413 `payload_too_large`.
    #[error("the request is too large")]
    PayloadTooLarge,
    /// 429 `rate_limited`.
    #[error("too many passcodes asked for this link; try again later")]
    RateLimited {
        /// Seconds until a new request can succeed.
        retry_after_secs: u64,
    },
    /// 500: the database failed.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// 500: a file could not be read or written.
    #[error("file: {0}")]
    Io(#[from] std::io::Error),
    /// 500: stored ciphertext did not authenticate.
    #[error("stored content failed to decrypt: {0}")]
    Crypto(#[from] crate::crypto::OpenError),
    /// 500: a mail could not be sent.
    #[error("mail: {0}")]
    Mail(#[from] crate::mail::MailError),
    /// 500: anything else.
    #[error("{0}")]
    Internal(String),
}

impl Error {
    /// The stable code for this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::LinkUnknown => ErrorCode::LinkUnknown,
            Error::MessageRevoked => ErrorCode::MessageRevoked,
            Error::MessageExpired => ErrorCode::MessageExpired,
            Error::PasscodeWrong { .. } => ErrorCode::PasscodeWrong,
            Error::PasscodeExpired => ErrorCode::PasscodeExpired,
            Error::TooManyAttempts { .. } => ErrorCode::TooManyAttempts,
            Error::LinkBlocked => ErrorCode::LinkBlocked,
            Error::SessionExpired => ErrorCode::SessionExpired,
            Error::NotSignedIn => ErrorCode::NotSignedIn,
            Error::CredentialsWrong => ErrorCode::CredentialsWrong,
            Error::TooManySignIns { .. } | Error::TooManySsoStarts { .. } => ErrorCode::RateLimited,
            Error::TokenInvalid => ErrorCode::TokenInvalid,
            Error::TokenScope(_) => ErrorCode::TokenScope,
            Error::SsoStateInvalid => ErrorCode::SsoStateInvalid,
            Error::SsoTokenInvalid => ErrorCode::SsoTokenInvalid,
            Error::SsoAccountRefused => ErrorCode::SsoAccountRefused,
            Error::SsoUnavailable => ErrorCode::SsoUnavailable,
            Error::Forbidden(_) => ErrorCode::Forbidden,
            Error::NotFound(_) => ErrorCode::NotFound,
            Error::AlreadyRevoked(_) => ErrorCode::AlreadyRevoked,
            Error::InvalidRequest(_) => ErrorCode::InvalidRequest,
            Error::MethodNotAllowed => ErrorCode::MethodNotAllowed,
            Error::PayloadTooLarge => ErrorCode::PayloadTooLarge,
            Error::RateLimited { .. } => ErrorCode::RateLimited,
            Error::Database(_)
            | Error::Io(_)
            | Error::Crypto(_)
            | Error::Mail(_)
            | Error::Internal(_) => ErrorCode::Internal,
        }
    }

    /// The body sent to clients: internal details stay in the log.
    pub fn body(&self) -> ErrorBody {
        let code = self.code();
        let message = if code == ErrorCode::Internal {
            "internal error; details are in the server's log".to_owned()
        } else {
            self.to_string()
        };
        let mut body = ErrorBody::new(code, message);
        match self {
            Error::PasscodeWrong { tries_left } => body.tries_left = Some(*tries_left),
            Error::TooManyAttempts { retry_after_secs }
            | Error::RateLimited { retry_after_secs }
            | Error::TooManySignIns { retry_after_secs }
            | Error::TooManySsoStarts { retry_after_secs } => {
                body.retry_after_secs = Some(*retry_after_secs)
            }
            _ => {}
        }
        body
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let code = self.code();
        if code == ErrorCode::Internal {
            tracing::error!(error = %self, "request failed");
        } else {
            tracing::debug!(code = %code, "request refused");
        }
        let body = self.body();
        let status =
            StatusCode::from_u16(code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, Json(body.clone())).into_response();
        // For the access audit, which records the outcome of recipient requests.
        response.extensions_mut().insert(code);
        if let Some(secs) = body.retry_after_secs
            && let Ok(value) = HeaderValue::from_str(&secs.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }
}
