//! `cargo xtask size`: what the portal's first load costs, gzipped.

use std::io::Write;

use flate2::Compression;
use flate2::write::GzEncoder;

use crate::run::build_portal;
use crate::shell::{self, Result, heading};
use crate::tools::{Needs, Tools};

/// The recipient's first load (wasm + JS + CSS together, gzipped) should stay
/// within this (issue 16's goal)...
pub const GOAL_BYTES: u64 = 100 * 1024;
/// ...and `cargo xtask test` fails above this.
pub const BUDGET_BYTES: u64 = 120 * 1024;

pub fn size() -> Result {
    let tools = Tools::setup(Needs::Build)?;
    build_portal(&tools)?;
    heading("Portal first load: the recipient bundle (dist/), gzip -9");
    let recipient = measure()?;
    print_files(&recipient);
    let budgeted = recipient.first_load_gzip;
    println!(
        "wasm + JS + CSS: {budgeted} bytes gzip ({:.1} KB), goal {} KB, budget {} KB: {}",
        budgeted as f64 / 1024.0,
        GOAL_BYTES / 1024,
        BUDGET_BYTES / 1024,
        if budgeted <= GOAL_BYTES {
            "within the goal"
        } else if budgeted <= BUDGET_BYTES {
            "over the goal, within the budget"
        } else {
            "OVER BUDGET"
        }
    );
    heading("The reader bundle (dist/reader/), gzip -9: loaded after the passcode, not budgeted");
    print_unbudgeted(&measure_dir(&shell::root().join("dist/reader"))?);
    heading("The staff bundle (dist/staff/), gzip -9: signed-in pages only, not budgeted");
    print_unbudgeted(&measure_dir(&shell::root().join("dist/staff"))?);
    Ok(())
}

/// `cargo xtask test`'s budget step: the recipient bundle already built in
/// `dist/` must stay within [`BUDGET_BYTES`], so the first load cannot creep
/// back over unnoticed.
pub fn check_budget() -> Result {
    let measured = measure()?;
    // A failed build leaves nothing to weigh: that must not pass as "within".
    if !measured.files.iter().any(|f| f.name.ends_with(".wasm")) {
        return Err("no recipient bundle in dist/ to measure (did its build fail?)".into());
    }
    let first_load = measured.first_load_gzip;
    println!(
        "recipient first load (wasm + JS + CSS): {first_load} bytes gzip ({:.1} KB), goal {} KB, budget {} KB",
        first_load as f64 / 1024.0,
        GOAL_BYTES / 1024,
        BUDGET_BYTES / 1024
    );
    if first_load <= BUDGET_BYTES {
        Ok(())
    } else {
        Err(format!(
            "the recipient's first load is over budget by {} bytes (`cargo xtask size` lists the files)",
            first_load - BUDGET_BYTES
        ))
    }
}

/// A bundle's files and its wasm + JS + CSS total, with no budget beside it.
fn print_unbudgeted(measured: &PortalSize) {
    print_files(measured);
    println!(
        "wasm + JS + CSS: {} bytes gzip ({:.1} KB)",
        measured.first_load_gzip,
        measured.first_load_gzip as f64 / 1024.0
    );
}

fn print_files(measured: &PortalSize) {
    println!("{:>10} {:>10}  file", "raw", "gzip");
    for file in &measured.files {
        println!("{:>10} {:>10}  {}", file.raw, file.gzip, file.name);
    }
}

/// One file of the built portal.
pub struct PortalFile {
    pub name: String,
    pub raw: u64,
    pub gzip: u64,
}

/// What a built bundle weighs.
pub struct PortalSize {
    pub files: Vec<PortalFile>,
    /// wasm + JS + CSS, gzipped: what the first load costs.
    pub first_load_gzip: u64,
}

/// Measures the recipient bundle already built in `dist/` (no build): what a
/// recipient's browser loads first.
pub fn measure() -> Result<PortalSize> {
    measure_dir(&shell::root().join("dist"))
}

/// Measures the files directly in `dist` (not its subfolders).
fn measure_dir(dist: &std::path::Path) -> Result<PortalSize> {
    let mut paths: Vec<_> = std::fs::read_dir(dist)
        .map_err(|e| format!("cannot read {}: {e}", dist.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.is_file())
        .collect();
    paths.sort();
    let mut files = Vec::new();
    let mut first_load_gzip = 0;
    for path in &paths {
        let bytes =
            std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let gzip = gzip_len(&bytes);
        if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("wasm" | "js" | "css")
        ) {
            first_load_gzip += gzip;
        }
        files.push(PortalFile {
            name: path
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned(),
            raw: bytes.len() as u64,
            gzip,
        });
    }
    Ok(PortalSize {
        files,
        first_load_gzip,
    })
}

fn gzip_len(bytes: &[u8]) -> u64 {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    encoder
        .write_all(bytes)
        .expect("writing to a Vec cannot fail");
    encoder
        .finish()
        .expect("writing to a Vec cannot fail")
        .len() as u64
}
