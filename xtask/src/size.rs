//! `cargo xtask size`: what the portal's first load costs, gzipped.

use std::io::Write;

use flate2::Compression;
use flate2::write::GzEncoder;

use crate::run::build_portal;
use crate::shell::{self, Result, heading};
use crate::tools::{Needs, Tools};

/// Budget for wasm + JS + CSS together, gzipped (issue: ≤ 100 KB).
const BUDGET_BYTES: u64 = 100 * 1024;

pub fn size() -> Result {
    let tools = Tools::setup(Needs::Build)?;
    build_portal(&tools)?;
    heading("Portal first load (dist/), gzip -9");
    let dist = shell::root().join("dist");
    let mut files: Vec<_> = std::fs::read_dir(&dist)
        .map_err(|e| format!("cannot read {}: {e}", dist.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    let mut budgeted = 0;
    println!("{:>10} {:>10}  file", "raw", "gzip");
    for path in &files {
        let bytes =
            std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let gz = gzip_len(&bytes);
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        println!("{:>10} {:>10}  {name}", bytes.len(), gz);
        if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("wasm" | "js" | "css")
        ) {
            budgeted += gz;
        }
    }
    println!(
        "wasm + JS + CSS: {budgeted} bytes gzip ({:.1} KB), budget {} KB: {}",
        budgeted as f64 / 1024.0,
        BUDGET_BYTES / 1024,
        if budgeted <= BUDGET_BYTES {
            "within"
        } else {
            "OVER"
        }
    );
    Ok(())
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
