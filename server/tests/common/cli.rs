//! Running the built `sealmail` binary.

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// Runs `sealmail --data-dir DATA ARGS…` with `stdin`, isolated from the
/// caller's SEALMAIL_* environment.
pub fn run_sealmail(data: &Path, args: &[&str], stdin: &str) -> Output {
    let mut stores = super::pg::args(data);
    stores.extend(super::blobs::args(data));
    run_with(data, &stores, args, stdin)
}

/// [`run_sealmail`] on the data dir's own SQLite file, whatever database the
/// tests run on (unless `args` name another).
pub fn run_on_sqlite(data: &Path, args: &[&str], stdin: &str) -> Output {
    run_with(data, &[], args, stdin)
}

fn run_with(data: &Path, database: &[String], args: &[&str], stdin: &str) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_sealmail"));
    for var in [
        "SEALMAIL_DATA_DIR",
        "SEALMAIL_LISTEN",
        "SEALMAIL_PUBLIC_URL",
        "SEALMAIL_SMTP_URL",
        "SEALMAIL_MASTER_KEY",
        "SEALMAIL_PORTAL_DIR",
        "SEALMAIL_LOG",
        "SEALMAIL_LOG_FORMAT",
        "SEALMAIL_METRICS_LISTEN",
        "SEALMAIL_DEFAULT_LANGUAGE",
        "SEALMAIL_DKIM_KEY",
        "SEALMAIL_DKIM_SELECTOR",
        "SEALMAIL_DKIM_DOMAIN",
        "SEALMAIL_DATABASE_URL",
        "SEALMAIL_BLOB_URL",
    ] {
        command.env_remove(var);
    }
    let mut child = command
        .arg("--data-dir")
        .arg(data)
        .args(database)
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

/// The newest mail to `address` in DATA's outbox, as `sealmail outbox`
/// prints it, once one that `wanted` accepts is there. A running server's
/// delivery worker writes a mail just after the request that queued it was
/// answered, so this waits for it (up to 10 s).
pub fn outbox_mail_to(data: &Path, address: &str, wanted: impl Fn(&str) -> bool) -> String {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let outbox = ok(run_sealmail(data, &["outbox", "--last", "20"], ""));
        let newest = outbox
            .split("==> ")
            .filter(|mail| mail.contains(&format!("To: {address}")))
            .last()
            .map(str::to_owned);
        match newest {
            Some(mail) if wanted(&mail) => return mail,
            _ if std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(50))
            }
            _ => panic!("no such mail to {address} in the outbox:\n{outbox}"),
        }
    }
}

/// The 8-digit passcode of a mail, if it holds one on a line of its own.
pub fn passcode_in(mail: &str) -> Option<String> {
    mail.lines()
        .map(str::trim)
        .find(|l| l.len() == 8 && l.chars().all(|c| c.is_ascii_digit()))
        .map(str::to_owned)
}
