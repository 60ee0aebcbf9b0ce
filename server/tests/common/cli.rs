//! Running the built `sealmail` binary.

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// Runs `sealmail --data-dir DATA ARGS…` with `stdin`, isolated from the
/// caller's SEALMAIL_* environment.
pub fn run_sealmail(data: &Path, args: &[&str], stdin: &str) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_sealmail"));
    for var in [
        "SEALMAIL_DATA_DIR",
        "SEALMAIL_LISTEN",
        "SEALMAIL_PUBLIC_URL",
        "SEALMAIL_SMTP_URL",
        "SEALMAIL_MASTER_KEY",
        "SEALMAIL_PORTAL_DIR",
        "SEALMAIL_LOG",
        "SEALMAIL_DEFAULT_LANGUAGE",
        "SEALMAIL_DKIM_KEY",
        "SEALMAIL_DKIM_SELECTOR",
        "SEALMAIL_DKIM_DOMAIN",
    ] {
        command.env_remove(var);
    }
    let mut child = command
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// `sealmail user add --email EMAIL [EXTRA…] --password-stdin`, with
/// `password` typed on stdin.
pub fn user_add(data: &Path, email: &str, extra: &[&str], password: &str) -> Output {
    let mut args = vec!["user", "add", "--email", email];
    args.extend_from_slice(extra);
    args.push("--password-stdin");
    run_sealmail(data, &args, &format!("{password}\n"))
}

/// Asserts the command succeeded; returns its stdout.
pub fn ok(output: Output) -> String {
    assert!(
        output.status.success(),
        "failed: {}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// Asserts the command failed with exactly one line on stderr; returns it.
pub fn fails(output: Output) -> String {
    assert!(
        !output.status.success(),
        "should have failed: {}",
        String::from_utf8_lossy(&output.stdout)
    );
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(
        stderr.trim_end().lines().count(),
        1,
        "one line on stderr: {stderr:?}"
    );
    stderr.trim_end().to_owned()
}
