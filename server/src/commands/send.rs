//! `sealmail send`

use std::io::Read as _;

use sealmail_api::{Mailbox, Protection};
use tokio::io::AsyncReadExt as _;

use crate::config::SendArgs;
use crate::crypto::CHUNK_SIZE;
use crate::error::{Error, Result};
use crate::mail::delivery::deliver_message;
use crate::messages::{Draft, Outgoing};
use crate::state::AppState;
use crate::store;

/// Encrypts and stores a message, queues its notifications and tries them
/// once; prints its Message-ID.
pub async fn run(state: &AppState, args: &SendArgs) -> Result<()> {
    let from = parse_address(&args.from)?;
    let user = store::users::by_email(&state.db, &from.address)
        .await?
        .ok_or_else(|| {
            Error::NotFound(format!(
                "no sender account for {}; create one with `sealmail user add`",
                from.address
            ))
        })?;
    let to = args
        .to
        .iter()
        .map(|a| parse_address(a))
        .collect::<Result<Vec<_>>>()?;
    let cc = args
        .cc
        .iter()
        .map(|a| parse_address(a))
        .collect::<Result<Vec<_>>>()?;
    let read = |path: &std::path::Path| {
        std::fs::read_to_string(path)
            .map_err(|e| Error::InvalidRequest(format!("cannot read {}: {e}", path.display())))
    };
    let html = args.html_file.as_deref().map(read).transpose()?;
    let mut text = args.body_file.as_deref().map(read).transpose()?;
    if text.is_none() && html.is_none() {
        let mut body = String::new();
        std::io::stdin().read_to_string(&mut body)?;
        text = Some(body);
    }

    let mut outgoing = Outgoing::new(state);
    for path in &args.attach {
        let mut file = tokio::fs::File::open(path)
            .await
            .map_err(|e| Error::InvalidRequest(format!("cannot read {}: {e}", path.display())))?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let content_type = mime_guess::from_path(path)
            .first_or_octet_stream()
            .to_string();
        let mut writer = outgoing.attachment(&name, &content_type).await?;
        let mut buf = vec![0u8; CHUNK_SIZE];
        loop {
            let n = file.read(&mut buf).await?;
            if n == 0 {
                break;
            }
            writer.write(&buf[..n]).await?;
        }
        outgoing.finish_attachment(writer).await?;
    }
    let id = outgoing.id().to_owned();
    let message_id = outgoing
        .send(Draft {
            from: Mailbox {
                name: user.name.clone(),
                address: user.email.clone(),
            },
            sender_user_id: Some(user.id),
            to,
            cc,
            subject: args.subject.clone(),
            text,
            html,
            protection: if args.do_not_forward {
                Protection::DoNotForward
            } else {
                Protection::EncryptOnly
            },
            expires_at: args.expires_in.map(|d| store::now() + d.as_secs() as i64),
            in_reply_to: None,
            language: args.language,
            read_receipt: args.read_receipt || user.read_receipts,
        })
        .await?;
    println!("{message_id}");
    // The message and its mails are stored; one try now, so that without a
    // running server the mail still leaves. What the relay does not take
    // stays queued for `sealmail serve`: a warning, not a failure.
    let tally = deliver_message(state, &id).await?;
    if tally.deferred > 0 {
        eprintln!(
            "warning: {} notification(s) could not be sent yet and stay queued; \
             `sealmail serve` retries them (see `sealmail status --message-id {message_id}`)",
            tally.deferred
        );
    }
    if tally.bounced + tally.gave_up > 0 {
        eprintln!(
            "warning: the relay refused {} notification(s) for good \
             (see `sealmail status --message-id {message_id}`)",
            tally.bounced + tally.gave_up
        );
    }
    Ok(())
}

/// Parses `addr@host` or `Name <addr@host>`.
pub fn parse_address(text: &str) -> Result<Mailbox> {
    let parsed: lettre::message::Mailbox = text
        .trim()
        .parse()
        .map_err(|_| Error::InvalidRequest(format!("`{text}` is not an email address")))?;
    Ok(Mailbox {
        name: parsed.name,
        address: parsed.email.to_string(),
    })
}
