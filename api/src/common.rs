//! Types shared by several parts of the API.

use serde::{Deserialize, Serialize};

/// A point in time, as an RFC 3339 string in UTC (`"2026-11-23T09:30:00Z"`).
///
/// Kept as text on the wire so `curl` output is readable and the portal can hand
/// it straight to the browser's `Date` for formatting in the reader's language.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(format = DateTime, example = "2026-11-23T09:30:00Z")
)]
#[serde(transparent)]
pub struct Timestamp(pub String);

/// An email address with an optional display name.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Mailbox {
    /// The display name (`"Alice Example"`), if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The address (`"alice@example.com"`).
    pub address: String,
}

/// The protection a sender chose for a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Protection {
    /// Encrypted in transit and at rest; the recipient may save, print and forward.
    EncryptOnly,
    /// Encrypted, and the portal discourages copying, printing and forwarding.
    DoNotForward,
}

/// A language Sealmail's mail and portal speak. On the wire its BCP 47
/// primary tag: `"en"`, `"nl"`, `"da"`, `"ja"` (any other is `invalid_request`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// English.
    #[default]
    En,
    /// Dutch.
    Nl,
    /// Danish.
    Da,
    /// Japanese.
    Ja,
}

impl Language {
    /// Every language.
    pub const ALL: [Language; 4] = [Language::En, Language::Nl, Language::Da, Language::Ja];

    /// The BCP 47 tag (`"nl"`), as on the wire.
    pub const fn code(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::Nl => "nl",
            Language::Da => "da",
            Language::Ja => "ja",
        }
    }

    /// The language of a tag such as `"nl-BE"`, `"da_DK"` or `"JA"`, if we speak it.
    pub fn from_tag(tag: &str) -> Option<Language> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        Language::ALL.into_iter().find(|l| l.code() == primary)
    }
}

impl std::fmt::Display for Language {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

impl std::str::FromStr for Language {
    type Err = String;

    /// Parses a tag as [`Language::from_tag`] does (for command-line flags).
    fn from_str(s: &str) -> Result<Self, String> {
        Language::from_tag(s).ok_or_else(|| format!("`{s}` is not one of en, nl, da, ja"))
    }
}

/// An organisation's branding, shown on the portal and in notification mail
/// (the fields of the modelled product's OME configuration).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Branding {
    /// The organisation's name, shown in the portal's header.
    pub organisation: String,
    /// Background colour of the header, as `#rrggbb`.
    pub background_color: String,
    /// URL of the logo image (served by Sealmail), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo_url: Option<String>,
    /// Text shown above the message's details, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub introduction_text: Option<String>,
    /// Text of the portal's main button, if the organisation set its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_button_text: Option<String>,
    /// Text shown on the portal's pages, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub portal_text: Option<String>,
    /// Disclaimer shown at the foot of the portal and the mail, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disclaimer_text: Option<String>,
    /// Link to the organisation's privacy statement, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub privacy_statement_url: Option<String>,
}

/// A message's state as a whole.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MessageState {
    /// Its recipients can read it.
    Active,
    /// Revoked by the sender or an administrator: its key and content are destroyed.
    Revoked,
    /// Past its expiry date: its key and content are destroyed.
    Expired,
}

/// One recipient's state, as the Sent list and `sealmail status` show it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RecipientState {
    /// Sent to them, not opened yet (opening the link alone does not count:
    /// mail scanners pre-open links). Whether the relay has taken the
    /// notification mail is [`RecipientStatus::delivery`].
    Sent,
    /// The recipient entered a correct passcode at least once.
    Opened,
    /// The message, or this recipient's access, was revoked.
    Revoked,
    /// The message expired.
    Expired,
}

/// Whether a recipient was in To or Cc.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RecipientKind {
    /// A To recipient.
    To,
    /// A Cc recipient.
    Cc,
}

/// One recipient of a message and where they stand.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecipientStatus {
    /// The recipient's address and name.
    pub recipient: Mailbox,
    /// To or Cc.
    pub kind: RecipientKind,
    /// Sent, opened, revoked or expired.
    pub state: RecipientState,
    /// When they first opened it, if they did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opened_at: Option<Timestamp>,
    /// Where the notification mail to them stands (absent for a message sent
    /// before Sealmail had a mail queue).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery: Option<Delivery>,
}

/// Where the notification mail to one recipient stands: every mail goes
/// through Sealmail's queue, which retries it until the relay takes it.
/// On the wire an object whose `state` names the variant:
/// `{"state": "deferred", "last_error": "…", "next_try_at": "…", "attempts": 2}`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Delivery {
    /// Waiting for its first try.
    Queued,
    /// The relay accepted it.
    Sent {
        /// When the relay accepted it.
        at: Timestamp,
    },
    /// A try failed for a reason that may pass (relay down or busy, a 4xx
    /// answer, a timeout); it will be tried again.
    Deferred {
        /// Why the last try failed.
        last_error: String,
        /// When it will be tried again.
        next_try_at: Timestamp,
        /// Tries so far.
        attempts: u32,
    },
    /// The relay refused it for good (a 5xx answer), or a bounce came back.
    Bounced {
        /// When it bounced.
        at: Timestamp,
        /// The relay's answer, or the bounce's diagnostic.
        reason: String,
    },
    /// Never sent: the message was revoked or expired (or this recipient's
    /// access revoked) while the mail was still waiting, so it was dropped
    /// rather than deliver a link that no longer opens.
    Cancelled {
        /// When it was cancelled.
        at: Timestamp,
    },
    /// Tried for as long as the server's limit allows, without success.
    GaveUp {
        /// When it was given up.
        at: Timestamp,
        /// Why the last try failed.
        last_error: String,
        /// Tries made.
        attempts: u32,
    },
}
