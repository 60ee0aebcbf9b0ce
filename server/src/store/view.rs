//! The recipient's message view, read in one statement.
//!
//! Each statement through sqlx's SQLite driver is a round trip to the
//! connection's own thread and a read transaction of its own (file locks, the
//! WAL index). Five of them per view put about half the server's CPU time, under load,
//! into those thread hand-offs. One statement also reads one consistent snapshot: the session,
//! the state and the content cannot disagree.

use super::{Db, dialect, on_db};

use super::links::{LinkRow, link_row_columns};
use super::messages::{AttachmentRow, ContentRow, RecipientRow};
use crate::error::{Error, Result};

/// A link with everything its message view shows.
pub struct MessageView {
    /// The link and its message.
    pub link: LinkRow,
    /// Whether the session id given is a live session of this link.
    pub session_open: bool,
    /// The wrapped key and sealed body; `None` once the message has ended.
    pub content: Option<ContentRow>,
    /// All the message's recipients, To first, in the sender's order.
    pub recipients: Vec<RecipientRow>,
    /// The attachments, in order.
    pub attachments: Vec<AttachmentRow>,
}

#[derive(sqlx::FromRow)]
struct Joined {
    #[sqlx(flatten)]
    link: LinkRow,
    session_open: bool,
    master_key_id: Option<String>,
    wrapped_key: Option<Vec<u8>>,
    ciphertext: Option<Vec<u8>>,
    recipients: String,
    attachments: String,
}

/// A recipient as `json_array` lists it.
type RecipientJson = (
    i64,
    String,
    String,
    Option<String>,
    Option<i64>,
    Option<i64>,
);
/// An attachment as `json_array` lists it.
type AttachmentJson = (String, i64, String, String, i64);

/// The view of the link whose token hashes to `token_hash`, with whether
/// `session_hash` is a live session of it at `now`.
pub async fn message(
    db: &Db,
    token_hash: &[u8],
    session_hash: &[u8],
    now: i64,
) -> Result<Option<MessageView>> {
    let row: Option<Joined> = on_db!(db, |c, pg| sqlx::query_as(dialect!(
        pg,
        concat!(
            "SELECT ",
            link_row_columns!(),
            ",
                EXISTS (SELECT 1 FROM recipient_sessions s
                        WHERE s.id_hash = $2 AND s.recipient_id = r.id AND s.expires_at > $3)
                    AS session_open,
                k.master_key_id, k.wrapped_key, b.ciphertext,
                (SELECT json_group_array(json_array(o.id, o.kind, o.address, o.name,
                                                    o.revoked_at, o.opened_at)
                                         ORDER BY o.kind DESC, o.position)
                 FROM recipients o
                 WHERE o.message_id = m.id AND (NOT o.hidden OR o.id = r.id)) AS recipients,
                (SELECT json_group_array(json_array(a.id, a.position, a.name, a.content_type,
                                                    a.size)
                                         ORDER BY a.position)
                 FROM attachments a WHERE a.message_id = m.id) AS attachments
             FROM recipients r JOIN messages m ON m.id = r.message_id
                  LEFT JOIN message_keys k ON k.message_id = m.id
                  LEFT JOIN message_bodies b ON b.message_id = m.id
             WHERE r.token_hash = $1"
        ),
        concat!(
            "SELECT ",
            link_row_columns!(),
            ",
                EXISTS (SELECT 1 FROM recipient_sessions s
                        WHERE s.id_hash = $2 AND s.recipient_id = r.id AND s.expires_at > $3)
                    AS session_open,
                k.master_key_id, k.wrapped_key, b.ciphertext,
                COALESCE((SELECT CAST(json_agg(json_build_array(o.id, o.kind, o.address, o.name,
                                                               o.revoked_at, o.opened_at)
                                               ORDER BY o.kind DESC, o.position) AS TEXT)
                          FROM recipients o
                          WHERE o.message_id = m.id AND (NOT o.hidden OR o.id = r.id)), '[]')
                    AS recipients,
                COALESCE((SELECT CAST(json_agg(json_build_array(a.id, a.position, a.name,
                                                               a.content_type, a.size)
                                               ORDER BY a.position) AS TEXT)
                          FROM attachments a WHERE a.message_id = m.id), '[]') AS attachments
             FROM recipients r JOIN messages m ON m.id = r.message_id
                  LEFT JOIN message_keys k ON k.message_id = m.id
                  LEFT JOIN message_bodies b ON b.message_id = m.id
             WHERE r.token_hash = $1"
        )
    ))
    .bind(token_hash)
    .bind(session_hash)
    .bind(now)
    .fetch_optional(c)
    .await)?;
    let Some(j) = row else {
        return Ok(None);
    };
    let recipients: Vec<RecipientJson> = parse(&j.recipients)?;
    let attachments: Vec<AttachmentJson> = parse(&j.attachments)?;
    let content = match (j.master_key_id, j.wrapped_key, j.ciphertext) {
        (Some(master_key_id), Some(wrapped_key), Some(ciphertext)) => Some(ContentRow {
            master_key_id,
            wrapped_key,
            ciphertext,
        }),
        _ => None,
    };
    Ok(Some(MessageView {
        link: j.link,
        session_open: j.session_open,
        content,
        recipients: recipients
            .into_iter()
            .map(
                |(id, kind, address, name, revoked_at, opened_at)| RecipientRow {
                    id,
                    kind,
                    address,
                    name,
                    revoked_at,
                    opened_at,
                    hidden: false,
                },
            )
            .collect(),
        attachments: attachments
            .into_iter()
            .map(|(id, position, name, content_type, size)| AttachmentRow {
                id,
                position,
                name,
                content_type,
                size,
            })
            .collect(),
    }))
}

fn parse<T: serde::de::DeserializeOwned>(json: &str) -> Result<T> {
    serde_json::from_str(json).map_err(|e| Error::Internal(format!("message view rows: {e}")))
}
