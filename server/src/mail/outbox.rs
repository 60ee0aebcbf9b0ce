//! The local outbox: each mail an RFC 5322 `.eml` file in DATA_DIR/outbox/,
//! named so that names sort by time.

use std::path::{Path, PathBuf};

use lettre::address::Envelope;

use super::{MailFuture, Mailer, SendError};

/// Writes every mail into a directory instead of sending it.
pub struct OutboxMailer {
    dir: PathBuf,
}

impl OutboxMailer {
    /// An outbox in `dir` (created if missing).
    pub fn new(dir: PathBuf) -> std::io::Result<Self> {
        // The mails hold link tokens and passcodes.
        crate::state::create_private_dir(&dir)?;
        Ok(OutboxMailer { dir })
    }
}

impl Mailer for OutboxMailer {
    fn send<'a>(&'a self, _envelope: &'a Envelope, bytes: &'a [u8]) -> MailFuture<'a> {
        Box::pin(async move {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or_default();
            let name = format!(
                "{nanos:020}-{}",
                crate::crypto::hex(&crate::crypto::random_bytes::<4>())
            );
            // Written under a temporary name and renamed, so a reader never sees half a mail.
            let tmp = self.dir.join(format!(".{name}.tmp"));
            let path = self.dir.join(format!("{name}.eml"));
            // A full disk may pass: the mail stays queued and is tried again.
            let io =
                |e: std::io::Error| SendError::Transient(format!("writing to the outbox: {e}"));
            write_private(&tmp, bytes).await.map_err(io)?;
            tokio::fs::rename(&tmp, &path).await.map_err(io)?;
            tracing::info!(file = %path.file_name().unwrap_or_default().to_string_lossy(), "mail written to the outbox");
            Ok(())
        })
    }
}

/// Writes a new file that only its owner may read.
async fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use tokio::io::AsyncWriteExt as _;
    let mut options = tokio::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    options.mode(0o600);
    let mut file = options.open(path).await?;
    file.write_all(bytes).await?;
    file.flush().await
}

/// The outbox's mails, oldest first.
pub fn list_outbox(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files = match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .collect::<Vec<_>>(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(e),
    };
    files.sort();
    Ok(files)
}
