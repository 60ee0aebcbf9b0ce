//! Running commands: echoed before they run, failures turned into messages.

use std::path::{Path, PathBuf};
use std::process::Command;

pub type Result<T = ()> = std::result::Result<T, String>;

/// The workspace root (the folder above `xtask/`).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

/// Where cargo puts what it builds (`CARGO_TARGET_DIR`, or `target/`).
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if Path::new(&dir).is_absolute() => PathBuf::from(dir),
        Some(dir) => root().join(dir),
        None => root().join("target"),
    }
}

/// Prints a step's heading, so the output of a long run can be scanned.
pub fn heading(text: &str) {
    println!("\n==> {text}");
}

/// Runs `command` in the workspace root with its output shown; fails if it fails.
pub fn run(command: &mut Command) -> Result {
    println!("$ {}", describe(command));
    let status = command
        .current_dir(root())
        .status()
        .map_err(|e| format!("could not start `{}`: {e}", describe(command)))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{}` failed ({status})", describe(command)))
    }
}

/// Runs `command` in the workspace root until it ends, as [`run`] does, but
/// outlives a Ctrl-C: the terminal sends it to this whole process group, so
/// `command` stops on it, and this process then returns and drops (stops)
/// whatever else it started, instead of dying with them still running.
pub fn run_until_ctrl_c(command: &mut Command) -> Result {
    println!("$ {}", describe(command));
    let mut child = command
        .current_dir(root())
        .spawn()
        .map_err(|e| format!("could not start `{}`: {e}", describe(command)))?;
    // Only now: a child started after this would inherit the ignoring.
    ignore_ctrl_c();
    let status = child.wait().map_err(|e| e.to_string())?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{}` failed ({status})", describe(command)))
    }
}

/// Ignores SIGINT in this process (libc's `signal`, which std links anyway:
/// not worth a crate in this tiny one).
fn ignore_ctrl_c() {
    const SIGINT: i32 = 2;
    const SIG_IGN: usize = 1;
    unsafe extern "C" {
        fn signal(signum: i32, handler: usize) -> usize;
    }
    // SAFETY: SIG_IGN is a valid disposition for SIGINT; no handler code runs.
    unsafe {
        signal(SIGINT, SIG_IGN);
    }
}

/// Runs `command` quietly and returns its standard output, or `None` if it
/// cannot be started or fails (used to ask a tool for its version).
pub fn output(command: &mut Command) -> Option<String> {
    let out = command.current_dir(root()).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// `cargo`, as the one that runs this xtask (so the same toolchain is used).
pub fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

fn describe(command: &Command) -> String {
    let mut text = command.get_program().to_string_lossy().into_owned();
    for arg in command.get_args() {
        text.push(' ');
        text.push_str(&arg.to_string_lossy());
    }
    text
}
