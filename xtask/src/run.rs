//! `cargo xtask run`: build everything and start Sealmail with demo data.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::postgres;
use crate::s3;
use crate::shell::{self, Result, heading};
use crate::tools::{Needs, Tools};

const LISTEN: &str = "127.0.0.1:8080";
/// The demo's SMTP listener: mail sent here from this machine (trusted, no
/// AUTH needed) goes through the mail-flow rules.
const SMTP_LISTEN: &str = "127.0.0.1:2525";
const ORG_DOMAIN: &str = "sealmail.test";
const PUBLIC_URL: &str = "http://127.0.0.1:8080";
const DEMO_SENDER: &str = "alice@sealmail.test";
const DEMO_ADMIN: &str = "admin@sealmail.test";
const DEMO_RECIPIENT: &str = "bob@example.net";

/// `--scale`: the second replica's address.
const LISTEN_B: &str = "127.0.0.1:8081";
/// `--scale`: the bucket both replicas keep attachments in.
const SCALE_BUCKET: &str = "sealmail-scale";

/// `--scale`: the variables that give every `sealmail` command of this run
/// the shared database and bucket.
static SHARED: std::sync::OnceLock<Vec<(&'static str, String)>> = std::sync::OnceLock::new();

pub fn run(args: &[String]) -> Result {
    let scale = match args {
        [] => false,
        [flag] if flag == "--scale" => true,
        [arg, ..] => {
            return Err(format!(
                "`cargo xtask run` takes only `--scale` (got `{arg}`)"
            ));
        }
    };
    // Fail before a long build if a port is taken (an earlier run still going?).
    let ports: &[&str] = if scale {
        &[LISTEN, LISTEN_B, SMTP_LISTEN]
    } else {
        &[LISTEN, SMTP_LISTEN]
    };
    for &address in ports {
        TcpListener::bind(address).map_err(|e| {
            format!(
                "cannot listen on {address}: {e}. Is Sealmail (or something else) already running there?"
            )
        })?;
    }
    let tools = Tools::setup(Needs::Build)?;
    build_portal(&tools)?;
    heading("Building the server (release)");
    shell::run(tools.cargo().args(["build", "--release", "-p", "sealmail"]))?;
    if scale {
        // Built now (minutes the first time), not once the cluster is up.
        Tools::s3_server()?;
    }

    // --scale: PostgreSQL and an S3 store (a new cluster and a new bucket
    // folder each run, so the demo data is new too) and a second replica on
    // the same database, bucket and data dir.
    let backends = if scale {
        heading("Starting PostgreSQL (Debian's package, loopback only)");
        let cluster = postgres::Cluster::start("scale", false)?;
        // Throwaway like the cluster: objects kept from an earlier run would
        // belong to messages no database knows.
        heading(
            "Starting the S3-compatible store (s3s-serve: s3s-fs's file system, loopback only)",
        );
        let store = s3::Store::start("scale", SCALE_BUCKET)?;
        let mut shared = vec![("SEALMAIL_DATABASE_URL", cluster.url())];
        shared.extend(store.server_env());
        SHARED
            .set(shared)
            .map_err(|_| "the shared backends were set twice")?;
        Some((cluster, store))
    } else {
        None
    };
    let data_dir = shell::root().join(if scale {
        "sealmail-scale-data"
    } else {
        "sealmail-data"
    });
    if scale {
        let _ = std::fs::remove_dir_all(&data_dir);
    }
    let demo = Demo::load_or_create(&data_dir)?;
    heading("Sealmail is starting");
    println!("portal:          {PUBLIC_URL}/");
    println!("sign in:         {PUBLIC_URL}/signin (Sent, Compose; Admin for the admin)");
    println!("demo message:    {}", demo.link);
    println!("demo sender:     {DEMO_SENDER} / {}", demo.sender_password);
    println!("demo admin:      {DEMO_ADMIN} / {}", demo.admin_password);
    println!(
        "read a passcode: {} --data-dir {} outbox --last 1",
        sealmail_bin().display(),
        data_dir.display()
    );
    let _replica_b = match &backends {
        Some((cluster, store)) => {
            println!(
                "replica B:       http://{LISTEN_B}/ (the same database, bucket and data dir)"
            );
            println!("PostgreSQL:      {}", cluster.url());
            println!(
                "S3:              {} (key {}, secret {}), attachments in {}",
                store.endpoint(),
                s3::ACCESS_KEY,
                s3::SECRET_KEY,
                store.bucket_url()
            );
            println!(
                "                 its objects are the files under {}",
                store.bucket_dir().display()
            );
            println!("data (master key, outbox): {}", data_dir.display());
            Some(Replica(
                sealmail(&data_dir)
                    .args(["serve", "--listen", LISTEN_B, "--portal-dir", "dist"])
                    .spawn()
                    .map_err(|e| format!("cannot start replica B: {e}"))?,
            ))
        }
        None => {
            println!("data (SQLite, master key, outbox): {}", data_dir.display());
            None
        }
    };
    println!(
        "SMTP:            {SMTP_LISTEN} (127.0.0.0/8 may send as an account; inside: @{ORG_DOMAIN})"
    );
    println!(
        "  send a protected mail from a mail client's point of view (\"[secure]\" in the subject):"
    );
    println!("  {}", smtp_example());
    println!(
        "  then: {} --data-dir {} outbox --last 1   (Bob's notification)",
        sealmail_bin().display(),
        data_dir.display()
    );
    println!("stop with Ctrl-C\n");
    shell::run_until_ctrl_c(
        sealmail(&data_dir)
            .args(["serve", "--listen", LISTEN, "--portal-dir", "dist"])
            .args([
                "--smtp-listen",
                SMTP_LISTEN,
                "--smtp-trusted-networks",
                "127.0.0.0/8",
                "--org-domains",
                ORG_DOMAIN,
            ]),
    )
}

/// A Python one-liner (standard library only) that submits a `[secure]` mail
/// from the demo sender to the demo recipient over the demo's SMTP listener.
fn smtp_example() -> String {
    let (host, port) = SMTP_LISTEN.split_once(':').expect("host:port");
    format!(
        "python3 -c \"import smtplib; from email.message import EmailMessage; m = EmailMessage(); \
         m['From'] = '{DEMO_SENDER}'; m['To'] = '{DEMO_RECIPIENT}'; \
         m['Subject'] = '[secure] Sent from a mail client'; m.set_content('Protected on its way.'); \
         smtplib.SMTP('{host}', {port}).send_message(m)\""
    )
}

/// Builds the release portal into `dist/` with Trunk (offline: dependencies are fetched first).
pub fn build_portal(tools: &Tools) -> Result {
    heading("Building the portal (release wasm, Trunk)");
    shell::run(tools.cargo().args(["fetch"]))?;
    for mut build in portal_builds(tools) {
        shell::run(&mut build)?;
    }
    Ok(())
}

/// The Trunk builds of the portal's three bundles, in order: the recipient's
/// into `dist/` (Trunk replaces the folder, so it comes first), then the
/// staff's into `dist/staff/`, served under `/staff/`, and the reader's into
/// `dist/reader/`, served under `/reader/` (the server hands staff pages and
/// reading pages their bundle's index.html).
pub fn portal_builds(tools: &Tools) -> [Command; 3] {
    let trunk = || {
        let mut command = tools.command("trunk");
        // Leptos then type-erases component views instead of monomorphising
        // each: 2.9 KB less gzip on the recipient's first load (135.6 → 132.8 KB
        // measured midway through issue 16's size work). Release bundles only; the
        // end-to-end suite runs them.
        command.env("RUSTFLAGS", "--cfg erase_components");
        command
    };
    let mut recipient = trunk();
    recipient.args(["build", "index.html", "--release"]);
    let mut staff = trunk();
    staff.args([
        "build",
        "staff.html",
        "--release",
        "--dist",
        "dist/staff",
        "--public-url",
        "/staff/",
    ]);
    let mut reader = trunk();
    reader.args([
        "build",
        "reader.html",
        "--release",
        "--dist",
        "dist/reader",
        "--public-url",
        "/reader/",
    ]);
    [recipient, staff, reader]
}

/// The release server just built (under `CARGO_TARGET_DIR` when that is set).
fn sealmail_bin() -> PathBuf {
    shell::target_dir().join("release/sealmail")
}

fn sealmail(data_dir: &Path) -> Command {
    let mut command = Command::new(sealmail_bin());
    command
        .arg("--data-dir")
        .arg(data_dir)
        .args(["--public-url", PUBLIC_URL]);
    if let Some(shared) = SHARED.get() {
        command.envs(shared.iter().map(|(name, value)| (name, value)));
    }
    command
}

/// A second `sealmail serve`, stopped (by its own pid) with the run.
struct Replica(std::process::Child);

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The demo data made on the first run, and what is printed on every run.
struct Demo {
    sender_password: String,
    admin_password: String,
    link: String,
}

impl Demo {
    /// Reads `demo.txt` (`key=value` lines), creating whatever it lacks: an older
    /// data dir without an administrator gains one.
    fn load_or_create(data_dir: &Path) -> Result<Demo> {
        let saved = data_dir.join("demo.txt");
        let text = std::fs::read_to_string(&saved).unwrap_or_default();
        let value = |key: &str| {
            text.lines()
                .find_map(|line| line.strip_prefix(&format!("{key}=")))
                .map(str::to_owned)
        };
        let (mut sender_password, mut admin_password, mut link) = (
            value("sender_password"),
            value("admin_password"),
            value("link"),
        );
        if sender_password.is_none() || link.is_none() {
            heading("Creating demo data (first run)");
            std::fs::create_dir_all(data_dir)
                .map_err(|e| format!("cannot create {}: {e}", data_dir.display()))?;
            let password = random_password()?;
            add_user(data_dir, DEMO_SENDER, "Alice Demo", &password, false)?;
            link = Some(send_demo_message(data_dir)?);
            sender_password = Some(password);
        }
        if admin_password.is_none() {
            let password = random_password()?;
            add_user(data_dir, DEMO_ADMIN, "Admin Demo", &password, true)?;
            admin_password = Some(password);
        }
        let demo = Demo {
            sender_password: sender_password.expect("set above"),
            admin_password: admin_password.expect("set above"),
            link: link.expect("set above"),
        };
        write_private(
            &saved,
            &format!(
                "sender_password={}\nadmin_password={}\nlink={}\n",
                demo.sender_password, demo.admin_password, demo.link
            ),
        )?;
        Ok(demo)
    }
}

/// Sends the demo message to the demo recipient; returns the link in its notification.
fn send_demo_message(data_dir: &Path) -> Result<String> {
    let files = write_demo_files(data_dir)?;
    shell::run(
        sealmail(data_dir)
            .args(["send", "--from", DEMO_SENDER, "--to", DEMO_RECIPIENT])
            .args(["--subject", "Welcome to Sealmail: the quarterly figures"])
            .arg("--body-file")
            .arg(&files.body)
            .arg("--attach")
            .arg(&files.attachment)
            .args(["--expires-in", "30d"]),
    )?;
    let outbox = shell::output(sealmail(data_dir).args(["outbox", "--last", "1"]))
        .ok_or("`sealmail outbox --last 1` failed")?;
    find_link(&outbox).ok_or_else(|| "the demo notification mail holds no /m/ link".into())
}

fn add_user(data_dir: &Path, email: &str, name: &str, password: &str, admin: bool) -> Result {
    let mut command = sealmail(data_dir);
    command.args([
        "user",
        "add",
        "--email",
        email,
        "--name",
        name,
        "--password-stdin",
    ]);
    if admin {
        command.arg("--admin");
    }
    let mut child = command
        .stdin(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start sealmail: {e}"))?;
    let mut stdin = child.stdin.take().expect("stdin is piped");
    stdin
        .write_all(format!("{password}\n").as_bytes())
        .map_err(|e| format!("cannot pass the password: {e}"))?;
    drop(stdin);
    let status = child.wait().map_err(|e| e.to_string())?;
    status
        .success()
        .then_some(())
        .ok_or(format!("`sealmail user add --email {email}` failed"))
}

struct DemoFiles {
    body: PathBuf,
    attachment: PathBuf,
}

fn write_demo_files(data_dir: &Path) -> Result<DemoFiles> {
    let dir = data_dir.join("demo");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let body = dir.join("body.txt");
    let attachment = dir.join("quarterly-figures.csv");
    std::fs::write(
        &body,
        "Hello Bob,\n\nAttached are the quarterly figures we discussed. They are confidential \
         until the results are published, so this message is protected by Sealmail.\n\n\
         Best regards,\nAlice\n",
    )
    .map_err(|e| e.to_string())?;
    std::fs::write(
        &attachment,
        "quarter,revenue,costs\nQ1,1200000,800000\nQ2,1350000,820000\nQ3,1500000,870000\n",
    )
    .map_err(|e| e.to_string())?;
    Ok(DemoFiles { body, attachment })
}

/// The first `…/m/<token>` link in a mail, undoing quoted-printable soft line breaks.
fn find_link(mail: &str) -> Option<String> {
    let unfolded = mail.replace("=\r\n", "").replace("=\n", "");
    let start = unfolded.find(&format!("{PUBLIC_URL}/m/"))?;
    let link: String = unfolded[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || ":/._-~".contains(*c))
        .collect();
    Some(link)
}

fn random_password() -> Result<String> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 16];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .map_err(|e| format!("cannot read /dev/urandom: {e}"))?;
    Ok(bytes
        .iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect())
}

/// Writes a file only its owner can read (it holds the demo password).
fn write_private(path: &Path, text: &str) -> Result {
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    file.write_all(text.as_bytes()).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_link_split_by_quoted_printable() {
        let mail = "Open it:\r\nhttp://127.0.0.1:8080/m/abc=\r\nDEF_-9\r\nthanks";
        assert_eq!(
            find_link(mail).as_deref(),
            Some("http://127.0.0.1:8080/m/abcDEF_-9")
        );
        assert_eq!(find_link("no link here"), None);
    }

    #[test]
    fn passwords_are_random_and_unambiguous() {
        let (a, b) = (random_password().unwrap(), random_password().unwrap());
        assert_eq!(a.len(), 16);
        assert_ne!(a, b);
        assert!(!a.contains(['0', 'O', 'l', '1', 'I']));
    }
}
