//! Messages: composing and sealing them, reading them back, and ending them
//! (revoke, expiry) — the logic shared by the API and the commands.

mod compose;
mod lifecycle;
mod orphans;
mod plain;
mod read;
mod resend;

pub use crate::store::messages::normalize_message_id;
pub use compose::{AttachmentWriter, Draft, Outgoing};
pub use lifecycle::{
    end, find, purge_expired, revoke_and_audit, run_purge_task, status, status_audited,
    status_of_row, statuses,
};
pub use orphans::sweep_orphans;
pub use read::{AttachmentStream, open_attachment, open_body, open_body_view};
pub use resend::resend_notification;

use serde::{Deserialize, Serialize};

/// What a sealed body holds (object 0 of a message). Server-internal: never on the wire.
#[derive(Serialize, Deserialize)]
struct StoredBody {
    text: Option<String>,
    html: Option<String>,
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
