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
    // Both tables have the units (this runs in both bundles).
    let units = lang.recipient_strings().size_units;
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

/// A timestamp as the reader's local date (`"2026-12-01"`), the value an
/// `<input type="date">` takes; `""` if the browser cannot parse it.
pub fn date_input_value(timestamp: &Timestamp) -> String {
    let date = Date::new(&JsValue::from_str(&timestamp.0));
    if date.get_time().is_nan() {
        return String::new();
    }
    format!(
        "{:04}-{:02}-{:02}",
        date.get_full_year(),
        date.get_month() + 1,
        date.get_date()
    )
}

/// The start (00:00, the reader's time) of a date typed as `"2026-12-01"`, as a
/// UTC timestamp; `None` if it is not such a date.
pub fn start_of_day(value: &str) -> Option<Timestamp> {
    local_time(value, 0, 0, 0)
}

/// The end (23:59:59, the reader's time) of a date typed as `"2026-12-01"`, as
/// a UTC timestamp; `None` if it is not such a date.
pub fn end_of_day(value: &str) -> Option<Timestamp> {
    local_time(value, 23, 59, 59)
}

fn local_time(value: &str, hours: i32, minutes: i32, seconds: i32) -> Option<Timestamp> {
    let mut parts = value.split('-').map(|p| p.parse::<u32>().ok());
    let (year, month, day) = (parts.next()??, parts.next()??, parts.next()??);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let date = Date::new_with_year_month_day_hr_min_sec(
        year,
        month as i32 - 1,
        day as i32,
        hours,
        minutes,
        seconds,
    );
    if date.get_time().is_nan() {
        return None;
    }
    // "2026-12-01T22:59:59.000Z" → without the milliseconds.
    let iso: String = date.to_iso_string().into();
    Some(Timestamp(format!("{}Z", iso.get(..19)?)))
}

/// Whether the timestamp is later than now.
pub fn is_future(timestamp: &Timestamp) -> bool {
    Date::new(&JsValue::from_str(&timestamp.0)).get_time() > Date::now()
}

/// A UTC day (`"2026-11-23"`) as a short date in the reader's language.
pub fn short_day(day: &str, lang: Lang) -> String {
    let date = Date::new(&JsValue::from_str(&format!("{day}T12:00:00Z")));
    if date.get_time().is_nan() {
        return day.to_owned();
    }
    let options = Object::new();
    let _ = Reflect::set(&options, &"month".into(), &"short".into());
    let _ = Reflect::set(&options, &"day".into(), &"numeric".into());
    let _ = Reflect::set(&options, &"timeZone".into(), &"UTC".into());
    date.to_locale_date_string(lang.code(), &options).into()
}
