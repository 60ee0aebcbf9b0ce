//! API tokens: what a script sends instead of a browser session
//! (`Authorization: Bearer smt_…`), limited to the scopes it was given and to
//! what its account may do at the time of each request. The routes each
//! scope opens are listed once, in [`crate::routes::TOKEN_ROUTES`].

use serde::{Deserialize, Serialize};

use crate::common::Timestamp;

/// How every token's secret starts, so secret scanners (and people) can
/// recognise a leaked one: `smt_` and 43 characters of base64url (256
/// random bits).
pub const TOKEN_PREFIX: &str = "smt_";

/// The length of a token's secret, [`TOKEN_PREFIX`] included.
pub const TOKEN_LENGTH: usize = TOKEN_PREFIX.len() + 43;

/// Days a new token lasts when its creator says nothing
/// ([`TokenExpiry::default`]).
pub const DEFAULT_TOKEN_DAYS: u32 = 90;

/// The longest a token may be given, in days (or it never expires:
/// [`TokenExpiry::Never`]).
pub const MAX_TOKEN_DAYS: u32 = 3650;

/// The longest name a token may have, in characters.
pub const MAX_TOKEN_NAME: usize = 100;

/// What a token may be used for. Each sender and admin route needs one of
/// these ([`crate::routes::TOKEN_ROUTES`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TokenScope {
    /// Compose and send messages (and read the branding templates to pick from).
    Send,
    /// Read the Sent list and a sent message's status.
    Status,
    /// Revoke a message or one recipient's access, send a new link, change the expiry.
    Revoke,
    /// The admin API. Only an administrator's token may have it, and it
    /// stops working if the account stops being an administrator.
    Admin,
}

impl TokenScope {
    /// Every scope, in declaration order.
    pub const ALL: [TokenScope; 4] = [
        TokenScope::Send,
        TokenScope::Status,
        TokenScope::Revoke,
        TokenScope::Admin,
    ];

    /// The scope as it appears on the wire and on the command line (`"send"`).
    pub const fn as_str(self) -> &'static str {
        match self {
            TokenScope::Send => "send",
            TokenScope::Status => "status",
            TokenScope::Revoke => "revoke",
            TokenScope::Admin => "admin",
        }
    }

    /// The scope named `name` (as [`TokenScope::as_str`] spells it).
    pub fn from_name(name: &str) -> Option<TokenScope> {
        TokenScope::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

/// Where a token stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TokenState {
    /// It works (within its scopes).
    Active,
    /// Its expiry has passed.
    Expired,
    /// It was revoked.
    Revoked,
}

/// One of the signed-in user's API tokens, as listed. Never holds the
/// secret: that is shown once, in [`CreatedApiToken`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiToken {
    /// Its id, for [`crate::routes::token`]; also how the audit names it.
    pub id: i64,
    /// What it is for (`"deploy script"`), as its creator named it.
    pub name: String,
    /// The secret's first characters (`"smt_Ab3x"`), to tell which token a
    /// secret is; far too few to use it.
    pub hint: String,
    /// What it may do, in [`TokenScope::ALL`]'s order.
    pub scopes: Vec<TokenScope>,
    /// Whether it still works.
    pub state: TokenState,
    /// When it was created.
    pub created_at: Timestamp,
    /// When it stops working; absent if never.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<Timestamp>,
    /// When it was last used (noted at most once a minute); absent if never.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used_at: Option<Timestamp>,
    /// When it was revoked, if it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<Timestamp>,
}

/// How long a new token lasts. On the wire `{"days": 30}` or `"never"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TokenExpiry {
    /// This many days from now (1 to [`MAX_TOKEN_DAYS`]; `invalid_request` otherwise).
    Days(u32),
    /// Never: it works until it is revoked.
    Never,
}

impl Default for TokenExpiry {
    /// [`DEFAULT_TOKEN_DAYS`] days.
    fn default() -> Self {
        TokenExpiry::Days(DEFAULT_TOKEN_DAYS)
    }
}

/// `POST` [`crate::routes::TOKENS`]: a new token for the signed-in user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewApiToken {
    /// What it is for (1 to [`MAX_TOKEN_NAME`] characters, no control characters).
    pub name: String,
    /// What it may do: at least one; [`TokenScope::Admin`] only for an
    /// administrator (`forbidden` otherwise).
    pub scopes: Vec<TokenScope>,
    /// How long it lasts; [`DEFAULT_TOKEN_DAYS`] days when absent.
    #[serde(default)]
    pub expires: TokenExpiry,
}

/// The answer to creating a token: the token, and its secret — shown this
/// once and never again (the server keeps only its SHA-256).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedApiToken {
    /// The token as it will be listed.
    pub token: ApiToken,
    /// The secret to send as `Authorization: Bearer <secret>`.
    pub secret: String,
}

/// What a request with a token needs, on a route that takes tokens.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenNeeds {
    /// Any valid token, whatever its scopes (who am I).
    AnyScope,
    /// A token with this scope.
    Scope(TokenScope),
}
