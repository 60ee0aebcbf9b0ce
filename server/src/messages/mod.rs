//! Messages: composing and sealing them, reading them back, and ending them
//! (revoke, expiry) — the logic shared by the API and the commands.

mod compose;
mod lifecycle;
mod read;

pub use compose::{AttachmentWriter, Draft, Outgoing};
pub use lifecycle::{
    end, purge_expired, revoke, revoke_recipient, run_purge_task, status, statuses,
};
pub use read::{AttachmentStream, open_attachment, open_body, open_body_view};

use serde::{Deserialize, Serialize};

/// What a sealed body holds (object 0 of a message). Server-internal: never on the wire.
#[derive(Serialize, Deserialize)]
struct StoredBody {
    text: Option<String>,
    html: Option<String>,
}

/// A Message-ID in its canonical form, with angle brackets.
pub fn normalize_message_id(id: &str) -> String {
    let id = id.trim();
    if id.starts_with('<') && id.ends_with('>') {
        id.to_owned()
    } else {
        format!("<{}>", id.trim_matches(['<', '>']))
    }
}

/// Masks an address for display: `bob@example.net` → `b•••@example.net`.
pub fn mask_address(address: &str) -> String {
    match address.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}•••@{domain}")
        }
        None => "•••".to_owned(),
    }
}

/// Where a message's attachment files live.
fn attachment_dir(state: &crate::AppState, message: &str) -> std::path::PathBuf {
    state.settings.attachments_dir.join(message)
}
