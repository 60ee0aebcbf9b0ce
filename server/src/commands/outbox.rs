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
        print!("{}", String::from_utf8_lossy(&bytes).replace("\r\n", "\n"));
    }
    Ok(())
}
