//! Dates and sizes in the reader's language, through the browser's `Intl`
//! (so the portal carries no locale data of its own).

use js_sys::{Date, Number, Object, Reflect};
use sealmail_api::Timestamp;
use wasm_bindgen::JsValue;

use super::Lang;

/// A timestamp as a long date and short time in the reader's language and time
/// zone (`"23 November 2026 at 10:30"`, `"2026年11月23日 10:30"`). A timestamp the
/// browser cannot parse is shown as it came.
pub fn date_time(timestamp: &Timestamp, lang: Lang) -> String {
    let date = Date::new(&JsValue::from_str(&timestamp.0));
    if date.get_time().is_nan() {
        return timestamp.0.clone();
    }
    let options = Object::new();
    let _ = Reflect::set(&options, &"dateStyle".into(), &"long".into());
    let _ = Reflect::set(&options, &"timeStyle".into(), &"short".into());
    date.to_locale_string(lang.code(), &options).into()
}

/// A file size with one decimal at most and the language's unit and decimal
/// separator (`"1.5 MB"`, `"1,5 MB"`). Units step by 1024, as file managers do.
pub fn size(bytes: u64, lang: Lang) -> String {
    let units = lang.strings().size_units;
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < units.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    let rounded = if unit == 0 {
        value
    } else {
        (value * 10.0).round() / 10.0
    };
    let number: String = Number::from(rounded).to_locale_string(lang.code()).into();
    format!("{number} {}", units[unit])
}

/// Seconds as whole minutes, rounded up (a wait of 61 s reads "2 minutes").
pub fn minutes(secs: u64) -> String {
    secs.div_ceil(60).max(1).to_string()
}
