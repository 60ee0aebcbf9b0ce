//! `sealmail dkim generate`

use std::io::Write as _;
use std::path::Path;

use crate::config::{Config, DkimGenerateArgs};
use crate::error::{Error, Result};
use crate::mail::dkim;

/// Writes a new private key (mode 0600, never over an existing file) and
/// prints the DNS record that publishes its public half.
pub fn generate(config: &Config, args: &DkimGenerateArgs) -> Result<()> {
    let out = match &args.out {
        Some(path) => path.clone(),
        None => {
            crate::state::create_private_dir(&config.data_dir)?;
            config.data_dir.join(format!("dkim-{}.key", args.selector))
        }
    };
    let key = dkim::generate(args.algorithm)?;
    // Checks the selector and the domain before anything is written.
    dkim::DkimSigner::from_pem(&key.private_pem, &args.selector, &args.domain)?;
    write_private(&out, key.private_pem.as_bytes())?;
    let domain = args.domain.trim_end_matches('.');
    println!(
        "Wrote the private key to {} (readable by its owner only).\n\n\
         Publish this DNS record (zone-file syntax; a DNS console that asks for\n\
         the text alone wants the quoted parts joined, without the quotes):\n\n\
         {}\n\n\
         Then start Sealmail with\n\n  \
         SEALMAIL_DKIM_KEY={} SEALMAIL_DKIM_SELECTOR={} SEALMAIL_DKIM_DOMAIN={domain}\n\n\
         and check the record with `dig +short TXT {}._domainkey.{domain}`.",
        out.display(),
        key.zone_record(&args.selector, domain),
        out.display(),
        args.selector,
        args.selector,
    );
    Ok(())
}

/// Creates `path` with mode 0600 from the start (not chmod afterwards, which
/// would leave a moment when others could read the key).
fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists => Error::InvalidRequest(format!(
            "{} exists already: choose another --out (or a new --selector)",
            path.display()
        )),
        _ => Error::InvalidRequest(format!("cannot create {}: {e}", path.display())),
    })?;
    file.write_all(bytes)?;
    file.sync_all()?;
    Ok(())
}
