//! `sealmail outbox`

use crate::config::{Config, OutboxArgs};
use crate::error::Result;
use crate::mail::list_outbox;

/// Prints the newest `--last` mails of the local outbox, oldest first.
pub fn run(config: &Config, args: &OutboxArgs) -> Result<()> {
    let dir = config.data_dir.join("outbox");
    let files = list_outbox(&dir)?;
    if files.is_empty() {
        eprintln!("the outbox ({}) is empty", dir.display());
        return Ok(());
    }
    let newest = &files[files.len().saturating_sub(args.last)..];
    for (i, path) in newest.iter().enumerate() {
        if i > 0 {
            println!();
        }
        println!(
            "==> {} <==",
            path.file_name().unwrap_or_default().to_string_lossy()
        );
        let bytes = std::fs::read(path)?;
        print!("{}", readable(&bytes));
    }
    Ok(())
}

/// The mail as a person reads it: the headers that say who, what and
/// when, then the text part decoded (it can be base64 on disk). A mail
/// that does not parse is printed as it is.
fn readable(bytes: &[u8]) -> String {
    let raw = || String::from_utf8_lossy(bytes).replace("\r\n", "\n");
    let Some(message) = mail_parser::MessageParser::default().parse(bytes) else {
        return raw();
    };
    let Some(text) = message.body_text(0) else {
        return raw();
    };
    let mut out = String::new();
    for name in [
        "From",
        "To",
        "Subject",
        "Date",
        "Message-ID",
        "Content-Language",
    ] {
        // The subject decoded (a Japanese one is RFC 2047 on disk).
        let value = match name {
            "Subject" => message.subject(),
            _ => message.header_raw(name).map(str::trim),
        };
        if let Some(value) = value {
            out.push_str(&format!("{name}: {value}\n"));
        }
    }
    out.push('\n');
    out.push_str(&text.replace("\r\n", "\n"));
    if message.html_body_count() > 0 {
        out.push_str("\n(an HTML part with the same content is not shown)\n");
    }
    out
}
