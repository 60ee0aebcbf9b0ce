//! Sealing and storing a new message, with a mail to each recipient (their
//! own link) queued in the same transaction.

use std::sync::Arc;

use sealmail_api::{Language, Mailbox, Protection};

use super::{StoredBody, plain};
use crate::blobs::{BlobWriter, WRITE_BATCH};
use crate::crypto::{self, ChunkSealer, DataKey};
use crate::error::{Error, Result};
use crate::mail::{Brand, templates};
use crate::state::AppState;
use crate::store::{
    self,
    mail_queue::{MailKind, NewMail},
    messages::{AttachmentRow, MessageRow, NewMessage, RecipientRow},
};

/// The content and addressing of a new message.
pub struct Draft {
    /// The sender.
    pub from: Mailbox,
    /// The sending account, if a local user sends it.
    pub sender_user_id: Option<i64>,
    /// To recipients.
    pub to: Vec<Mailbox>,
    /// Cc recipients.
    pub cc: Vec<Mailbox>,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub text: Option<String>,
    /// HTML body (stored as given, sanitised whenever it is shown).
    pub html: Option<String>,
    /// The protection.
    pub protection: Protection,
    /// Expiry (Unix seconds).
    pub expires_at: Option<i64>,
    /// Internal id of the message this one answers.
    pub in_reply_to: Option<String>,
    /// The language of the recipients' mail; if `None`, the template's,
    /// else the server's default.
    pub language: Option<Language>,
    /// Mail the sender a read receipt when each recipient first opens it.
    pub read_receipt: bool,
}

/// A message being built: attachments are sealed into the blob store first,
/// then [`Outgoing::send`] stores everything, and queues the links' mails, in
/// one transaction. Dropped without sending, it removes its attachments.
pub struct Outgoing {
    state: AppState,
    id: String,
    key: DataKey,
    attachments: Vec<AttachmentRow>,
    committed: bool,
    /// Held from the first attachment until the message is stored or
    /// dropped: while it is, the orphan sweep leaves the files alone (a
    /// local store only; in a bucket the sweep goes by the objects' age).
    writing: Option<super::orphans::Writing>,
    template: Option<store::branding::TemplateRow>,
    message_id: Option<String>,
    bcc: Vec<Mailbox>,
    also_queued: Vec<NewMail>,
    /// Mail the message itself, in plain, answering this Message-ID.
    plain_answers: Option<String>,
}

/// Seals one attachment into the blob store, chunk by chunk. Sealed bytes
/// go out a megabyte at a time while the next megabyte is being sealed;
/// [`Outgoing::finish_attachment`] writes the rest and makes it durable.
pub struct AttachmentWriter {
    sealer: ChunkSealer,
    blob: BlobWriter,
    row: AttachmentRow,
}

impl AttachmentWriter {
    /// Adds the attachment's next bytes.
    pub async fn write(&mut self, data: &[u8]) -> Result<()> {
        self.sealer.update(data);
        if self.sealer.sealed_len() >= WRITE_BATCH {
            let sealer = &mut self.sealer;
            self.blob.write(|spare| sealer.take_sealed(spare)).await?;
        }
        Ok(())
    }
}

impl Outgoing {
    /// Starts a message with a fresh id and data key.
    pub fn new(state: &AppState) -> Self {
        let id = crypto::random_id();
        Outgoing {
            state: state.clone(),
            id,
            key: DataKey::generate(),
            attachments: Vec::new(),
            committed: false,
            writing: None,
            template: None,
            message_id: None,
            bcc: Vec::new(),
            also_queued: Vec::new(),
            plain_answers: None,
        }
    }

    /// Keeps this Message-ID (one a mail client gave, so the sender finds
    /// the message by the id in their Sent folder) instead of a new one.
    pub fn with_message_id(&mut self, message_id: String) {
        self.message_id = Some(message_id);
    }

    /// Adds recipients only the envelope named (Bcc): each gets a link, and
    /// the other recipients do not see them.
    pub fn with_bcc(&mut self, bcc: Vec<Mailbox>) {
        self.bcc = bcc;
    }

    /// Queues these mails in the same transaction as the message.
    pub fn queue_with(&mut self, mails: Vec<NewMail>) {
        self.also_queued = mails;
    }

    /// Mails the message itself, unencrypted, to its recipients in place of
    /// their link (a reply to a sender inside the organisation, with
    /// `--remove-encryption-from-replies`), threaded under the message with
    /// Message-ID `answers`. It is stored as any message is.
    pub fn mail_in_plain(&mut self, answers: String) {
        self.plain_answers = Some(answers);
    }

    /// Sends with this branding template (its texts in the notification; the
    /// portal shows it). Without one, the default template applies, if any.
    pub fn with_template(&mut self, template: store::branding::TemplateRow) {
        self.template = Some(template);
    }

    /// The plain size of the attachments finished so far, in bytes.
    pub fn attachment_bytes(&self) -> u64 {
        self.attachments.iter().map(|a| a.size.max(0) as u64).sum()
    }

    /// The new message's internal id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Starts sealing an attachment.
    pub async fn attachment(&mut self, name: &str, content_type: &str) -> Result<AttachmentWriter> {
        if self.writing.is_none()
            && let Some(dir) = self.state.blobs.local_dir(&self.id)
        {
            self.writing = Some(super::orphans::Writing::start(dir).await?);
        }
        let position = self.attachments.len() as i64;
        let id = crypto::hex(&crypto::random_bytes::<6>());
        let blob = self.state.blobs.create(&self.id, &id).await?;
        let object = u32::try_from(position + 1)
            .map_err(|_| Error::InvalidRequest("too many attachments".into()))?;
        Ok(AttachmentWriter {
            sealer: ChunkSealer::new(&self.key, &self.id, object, BlobWriter::buffer()),
            blob,
            row: AttachmentRow {
                id,
                position,
                name: clean_name(name),
                content_type: content_type.to_owned(),
                size: 0,
            },
        })
    }

    /// Seals an attachment's last chunk and records it.
    pub async fn finish_attachment(&mut self, writer: AttachmentWriter) -> Result<()> {
        let AttachmentWriter {
            sealer,
            blob,
            mut row,
        } = writer;
        let (rest, size) = sealer.finish();
        // The last bytes (and an fsync, or the upload's completion), and wait
        // for them: the attachment is durable before the message that points
        // at it is stored.
        blob.finish(rest).await?;
        row.size = size as i64;
        self.attachments.push(row);
        Ok(())
    }

    /// Seals the body and stores the message with a notification to every
    /// recipient (their own link) queued in the same transaction; the
    /// delivery worker sends them. Returns the Message-ID.
    pub async fn send(mut self, draft: Draft) -> Result<String> {
        if draft.to.is_empty() && draft.cc.is_empty() && self.bcc.is_empty() {
            return Err(Error::InvalidRequest(
                "a message needs at least one recipient".into(),
            ));
        }
        let state = self.state.clone();
        let now = store::now();
        let message_id = match self.message_id.take() {
            Some(id) => id,
            None => format!("<{}@{}>", crypto::random_id(), state.settings.mail_domain),
        };
        let wrapped = state.master_key.wrap(&self.id, &self.key);
        let template = match self.template.take() {
            Some(t) => Some(t),
            None => store::branding::default(&state.db).await?,
        };
        let language = draft
            .language
            .or_else(|| {
                let t = template.as_ref()?;
                Language::from_tag(t.language.as_deref()?)
            })
            .unwrap_or(state.settings.default_language);
        let brand = Brand::load(&state.db, &state.settings.branding, template.as_ref()).await?;

        // Building, signing and sealing a notification is CPU work: for many
        // recipients it runs on the blocking pool, split over the cores, not
        // on the async workers that serve everyone else's requests.
        let everyone: Vec<(&'static str, Mailbox)> = draft
            .to
            .iter()
            .map(|m| ("to", m.clone()))
            .chain(draft.cc.iter().map(|m| ("cc", m.clone())))
            .chain(self.bcc.iter().map(|m| ("bcc", m.clone())))
            .collect();
        let job = Arc::new(NotificationJob {
            state: state.clone(),
            brand,
            language,
            from: draft.from.clone(),
            subject: draft.subject.clone(),
            now,
        });
        let mailboxes: Vec<Mailbox> = match self.plain_answers {
            Some(_) => everyone.iter().map(|(_, m)| m.clone()).collect(),
            None => Vec::new(),
        };
        let (recipients, notifications) = job.prepare_all(everyone).await?;
        let notifications = match self.plain_answers.take() {
            // The message itself in place of each link notice. The recipient
            // rows (and their link tokens' hashes) are stored as for any
            // message; the tokens are mailed to nobody.
            Some(answers) => {
                let sealed = plain::Sealed {
                    id: &self.id,
                    key: &self.key,
                    attachments: &self.attachments,
                    message_id: &message_id,
                };
                plain::mails(&state, sealed, &draft, &answers, &mailboxes, now).await?
            }
            None => notifications,
        };
        let body = serde_json::to_vec(&StoredBody {
            text: draft.text,
            html: draft.html,
        })
        .map_err(|e| Error::Internal(format!("encoding the body: {e}")))?;
        let sealed_body = self.key.seal_object(&self.id, 0, &body);
        let count = recipients.len();
        let new = NewMessage {
            row: MessageRow {
                id: self.id.clone(),
                message_id: message_id.clone(),
                sender_address: draft.from.address.clone(),
                sender_name: draft.from.name.clone(),
                subject: draft.subject.clone(),
                protection: store::protection_to_str(draft.protection).to_owned(),
                state: "active".to_owned(),
                created_at: now,
                expires_at: draft.expires_at,
            },
            sender_user_id: draft.sender_user_id,
            in_reply_to: draft.in_reply_to,
            master_key_id: state.master_key.id().to_owned(),
            wrapped_key: wrapped.0,
            body: sealed_body,
            attachments: std::mem::take(&mut self.attachments),
            recipients,
            language,
            read_receipt: draft.read_receipt,
            notifications,
            also_queued: std::mem::take(&mut self.also_queued),
        };
        store::messages::insert(&state.db, &new).await?;
        self.committed = true;
        if let Some(writing) = self.writing.take() {
            writing.done().await;
        }
        state.mail_queue.wake();
        if let Some(t) = &template {
            store::branding::set_for_message(&state.db, &self.id, t.id).await?;
        }
        tracing::info!(message = %self.id, recipients = count, "message stored, notifications queued");
        Ok(message_id)
    }
}

/// What every recipient's notification of one message shares.
struct NotificationJob {
    state: AppState,
    brand: Brand,
    language: Language,
    from: Mailbox,
    subject: String,
    now: i64,
}

/// Below this many recipients the work is too small to hand to other threads.
const PREPARED_INLINE: usize = 32;

impl NotificationJob {
    /// Each recipient's row with the hash of their new link token, and their
    /// notification sealed for the queue, in the order given.
    async fn prepare_all(
        self: Arc<Self>,
        everyone: Vec<(&'static str, Mailbox)>,
    ) -> Result<(Vec<(RecipientRow, Vec<u8>)>, Vec<NewMail>)> {
        if everyone.len() <= PREPARED_INLINE {
            return everyone
                .iter()
                .map(|(kind, m)| self.prepare(kind, m))
                .collect();
        }
        let threads = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        let per_thread = everyone.len().div_ceil(threads);
        let mut parts = Vec::new();
        for chunk in everyone.chunks(per_thread) {
            let (job, chunk) = (self.clone(), chunk.to_vec());
            parts.push(tokio::task::spawn_blocking(move || {
                chunk
                    .iter()
                    .map(|(kind, m)| job.prepare(kind, m))
                    .collect::<Result<Vec<_>>>()
            }));
        }
        let mut prepared = (Vec::new(), Vec::new());
        for part in parts {
            let part = part
                .await
                .map_err(|e| Error::Internal(format!("preparing notifications: {e}")))??;
            prepared.extend(part);
        }
        Ok(prepared)
    }

    /// One recipient's row (with their new link token's hash) and notification.
    fn prepare(&self, kind: &str, mailbox: &Mailbox) -> Result<((RecipientRow, Vec<u8>), NewMail)> {
        let state = &self.state;
        let token = crypto::new_bearer_token();
        let link = format!(
            "{}{}",
            state.settings.public_url,
            sealmail_api::routes::portal_link_page(token.expose())
        );
        let mail = templates::notification(
            &self.brand,
            self.language,
            &self.from,
            mailbox,
            &self.subject,
            &link,
        );
        let queued = state.mail_queue.prepare(
            &state.master_key,
            MailKind::Notification,
            &mail,
            self.now,
            None,
        )?;
        let row = RecipientRow {
            id: 0,
            // A Bcc recipient is a hidden To: the stored kinds are to and cc.
            kind: if kind == "cc" { "cc" } else { "to" }.to_owned(),
            hidden: kind == "bcc",
            address: mailbox.address.clone(),
            name: mailbox.name.clone(),
            revoked_at: None,
            opened_at: None,
        };
        Ok(((row, crypto::sha256(token.expose().as_bytes())), queued))
    }
}

impl Drop for Outgoing {
    fn drop(&mut self) {
        if !self.committed {
            self.state.blobs.discard_message(&self.id);
            if let Some(writing) = self.writing.take() {
                writing.abandon();
            }
        }
    }
}

/// A file name without directories or control characters.
fn clean_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base.chars().filter(|c| !c.is_control()).take(200).collect();
    if cleaned.trim().is_empty() {
        "attachment".to_owned()
    } else {
        cleaned
    }
}
