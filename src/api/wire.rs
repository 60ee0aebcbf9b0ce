//! The JSON of the recipient's first calls (the link's info, a passcode sent,
//! a session opened, and every error body), read and written through the
//! browser's own `JSON` instead of `serde_json`: the recipient's first load
//! is budgeted, and `serde_json` with the derived decoders was about a
//! fourteenth of its wasm. The shapes are the contract's (`sealmail_api`),
//! as serde writes them; `tests/wire.rs` holds these readers to serde's
//! output for every field.

use js_sys::{JSON, Object, Reflect};
use sealmail_api::common::{Branding, Mailbox, Protection, Timestamp};
use sealmail_api::recipient::{
    LinkInfo, PasscodeRequest, PasscodeSent, PasscodeSubmit, SessionOpened,
};
use sealmail_api::{ErrorBody, ErrorCode};
use wasm_bindgen::JsValue;

/// A contract type read from a parsed JSON value. `None` for anything that
/// is not its shape (serde would refuse it too).
pub trait FromJs: Sized {
    fn from_js(value: &JsValue) -> Option<Self>;
}

/// Reads `text` as a `T`.
pub fn parse<T: FromJs>(text: &str) -> Option<T> {
    T::from_js(&JSON::parse(text).ok()?)
}

/// The JSON of a passcode request: `{}` or `{"language":"nl"}`.
pub fn passcode_request(request: &PasscodeRequest) -> String {
    let object = Object::new();
    if let Some(language) = request.language {
        set(&object, "language", language.code());
    }
    stringify(&object)
}

/// The JSON of a typed passcode: `{"passcode":"…"}`, escaped by the browser.
pub fn passcode_submit(submit: &PasscodeSubmit) -> String {
    let object = Object::new();
    set(&object, "passcode", &submit.passcode);
    stringify(&object)
}

fn set(object: &Object, name: &str, value: &str) {
    let _ = Reflect::set(object, &JsValue::from_str(name), &JsValue::from_str(value));
}

fn stringify(object: &Object) -> String {
    JSON::stringify(object)
        .ok()
        .and_then(|json| json.as_string())
        .unwrap_or_else(|| "{}".to_owned())
}

/// `object[name]`; `undefined` when absent.
fn field(object: &JsValue, name: &str) -> JsValue {
    Reflect::get(object, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

/// A required string.
fn string(object: &JsValue, name: &str) -> Option<String> {
    field(object, name).as_string()
}

/// An optional field (`#[serde(default)]`): absent or `null` is `None`;
/// present, it must read as a `T`.
fn optional<T>(
    object: &JsValue,
    name: &str,
    read: impl Fn(&JsValue) -> Option<T>,
) -> Option<Option<T>> {
    let value = field(object, name);
    if value.is_undefined() || value.is_null() {
        Some(None)
    } else {
        read(&value).map(Some)
    }
}

/// A whole number that fits `max`.
fn whole(value: &JsValue, max: f64) -> Option<f64> {
    value
        .as_f64()
        .filter(|n| n.fract() == 0.0 && *n >= 0.0 && *n <= max)
}

fn u32_of(value: &JsValue) -> Option<u32> {
    whole(value, f64::from(u32::MAX)).map(|n| n as u32)
}

fn u64_of(value: &JsValue) -> Option<u64> {
    // Past 2^53 a JSON number is not exact in JavaScript; no field gets near.
    whole(value, 9_007_199_254_740_991.0).map(|n| n as u64)
}

fn string_of(value: &JsValue) -> Option<String> {
    value.as_string()
}

fn timestamp_of(value: &JsValue) -> Option<Timestamp> {
    value.as_string().map(Timestamp)
}

impl FromJs for Mailbox {
    fn from_js(value: &JsValue) -> Option<Self> {
        Some(Mailbox {
            name: optional(value, "name", string_of)?,
            address: string(value, "address")?,
        })
    }
}

impl FromJs for Protection {
    fn from_js(value: &JsValue) -> Option<Self> {
        match value.as_string()?.as_str() {
            "encrypt_only" => Some(Protection::EncryptOnly),
            "do_not_forward" => Some(Protection::DoNotForward),
            _ => None,
        }
    }
}

impl FromJs for Branding {
    fn from_js(value: &JsValue) -> Option<Self> {
        let text = |name| optional(value, name, string_of);
        Some(Branding {
            organisation: string(value, "organisation")?,
            background_color: string(value, "background_color")?,
            logo_url: text("logo_url")?,
            introduction_text: text("introduction_text")?,
            read_button_text: text("read_button_text")?,
            portal_text: text("portal_text")?,
            disclaimer_text: text("disclaimer_text")?,
            privacy_statement_url: text("privacy_statement_url")?,
        })
    }
}

impl FromJs for LinkInfo {
    fn from_js(value: &JsValue) -> Option<Self> {
        Some(LinkInfo {
            sender: Mailbox::from_js(&field(value, "sender"))?,
            recipient_masked: string(value, "recipient_masked")?,
            protection: Protection::from_js(&field(value, "protection"))?,
            branding: Branding::from_js(&field(value, "branding"))?,
            expires_at: optional(value, "expires_at", timestamp_of)?,
            session_open: field(value, "session_open").as_bool()?,
            locked_until: optional(value, "locked_until", timestamp_of)?,
        })
    }
}

impl FromJs for PasscodeSent {
    fn from_js(value: &JsValue) -> Option<Self> {
        Some(PasscodeSent {
            sent_to_masked: string(value, "sent_to_masked")?,
            valid_for_secs: u32_of(&field(value, "valid_for_secs"))?,
        })
    }
}

impl FromJs for SessionOpened {
    fn from_js(value: &JsValue) -> Option<Self> {
        Some(SessionOpened {
            expires_at: timestamp_of(&field(value, "expires_at"))?,
        })
    }
}

impl FromJs for ErrorBody {
    fn from_js(value: &JsValue) -> Option<Self> {
        let code = field(value, "code").as_string()?;
        Some(ErrorBody {
            code: ErrorCode::ALL.into_iter().find(|c| c.as_str() == code)?,
            message: string(value, "message")?,
            tries_left: optional(value, "tries_left", u32_of)?,
            retry_after_secs: optional(value, "retry_after_secs", u64_of)?,
        })
    }
}
