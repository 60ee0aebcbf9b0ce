//! File modes: what Sealmail writes is for its own user only.

use std::path::Path;

/// Sets `path`'s mode to `mode` if it allows more (unix; elsewhere nothing),
/// and says so: a looser mode was someone's choice, or an accident.
pub fn make_private(path: &Path, mode: u32) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let now = std::fs::metadata(path)?.permissions().mode() & 0o777;
        if now & !mode != 0 {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
            tracing::warn!(
                path = %path.display(),
                was = format!("{now:o}"),
                now = format!("{mode:o}"),
                "tightened the file mode: it let other users of this machine read it"
            );
        }
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
    Ok(())
}
