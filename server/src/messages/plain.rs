//! A reply delivered without encryption (`--remove-encryption-from-replies`):
//! the mail to its sender carries the reply itself, opened from what was just
//! sealed, instead of a link.

use sealmail_api::Mailbox;

use super::Draft;
use crate::crypto::{ChunkOpener, DataKey};
use crate::error::{Error, Result};
use crate::mail::plain_reply::{PlainAttachment, PlainReply};
use crate::state::AppState;
use crate::store::mail_queue::NewMail;
use crate::store::messages::AttachmentRow;

/// What a reply sealed as message `id` needs to be mailed in plain.
pub(super) struct Sealed<'a> {
    pub id: &'a str,
    pub key: &'a DataKey,
    pub attachments: &'a [AttachmentRow],
    pub message_id: &'a str,
}

/// The reply mailed to each of `recipients` (in their order): the
/// notifications of a reply whose sender gets it in plain.
pub(super) async fn mails(
    state: &AppState,
    sealed: Sealed<'_>,
    draft: &Draft,
    answers: &str,
    recipients: &[Mailbox],
    now: i64,
) -> Result<Vec<NewMail>> {
    let mut mails = Vec::with_capacity(recipients.len());
    for to in recipients {
        // Opened again from the stored attachments (no plaintext copy was kept
        // while they were uploaded): the mail carries what is stored.
        let mut attachments = Vec::with_capacity(sealed.attachments.len());
        for row in sealed.attachments {
            attachments.push(PlainAttachment {
                name: row.name.clone(),
                content_type: row.content_type.clone(),
                bytes: open_file(state, &sealed, row).await?,
            });
        }
        let reply = PlainReply {
            from: &draft.from,
            to,
            subject: &draft.subject,
            message_id: sealed.message_id,
            answers,
            text: draft.text.as_deref(),
            html: draft.html.as_deref(),
            attachments,
        };
        mails.push(
            state
                .mail_queue
                .prepare_plain_reply(&state.master_key, reply, now)?,
        );
    }
    Ok(mails)
}

/// An attachment's plaintext, opened chunk by chunk in the buffer it was
/// read into.
async fn open_file(state: &AppState, sealed: &Sealed<'_>, row: &AttachmentRow) -> Result<Vec<u8>> {
    let mut buf = state.blobs.read_all(sealed.id, &row.id).await?;
    let size = u64::try_from(row.size).unwrap_or_default();
    let object = u32::try_from(row.position + 1)
        .map_err(|_| Error::Internal("attachment position out of range".to_owned()))?;
    let mut opener = ChunkOpener::new(sealed.key, sealed.id, object, size);
    let (mut read, mut written) = (0, 0);
    while let Some(len) = opener.next_sealed_len(size) {
        let chunk = buf
            .get_mut(read..read + len)
            .ok_or_else(|| Error::Internal(format!("attachment {} is cut short", row.id)))?;
        let plain = opener.open_next(chunk)?;
        buf.copy_within(read..read + plain, written);
        read += len;
        written += plain;
    }
    if read != buf.len() {
        return Err(Error::Internal(format!(
            "attachment {} is longer than sealed",
            row.id
        )));
    }
    buf.truncate(written);
    Ok(buf)
}
