//! Sealing throughput of the attachment path against `openssl speed` on the same machine.
//!
//! In memory: the server's `ChunkSealer`/`ChunkOpener` (64 KiB chunks, AES-256-GCM
//! through ring). To disk: the real compose path (`Outgoing::attachment` →
//! `AttachmentWriter::write` → `finish_attachment`, which fsyncs) and the real read
//! path (`open_attachment` → `next_chunk`), on a fresh data dir. The reference is
//! `openssl speed -evp aes-256-gcm` on 16384-byte buffers, one core, like ours;
//! writing to disk is bound by the disk, so its goal is judged against a plain
//! write + fsync of the same bytes, measured here too. Each path comes with a
//! breakdown of what bounds it: a plain copy of the same bytes for sealing in
//! memory (the sealer copies the plaintext once, into its buffer, and seals
//! it there), plain reads of the same file and the same reads and opens on
//! one thread for opening from disk.

use std::process::Command;
use std::time::Instant;

use sealmail::crypto::{CHUNK_SIZE, ChunkOpener, ChunkSealer, DataKey, TAG_LEN};
use sealmail::messages::{Outgoing, open_attachment};

use crate::report::{Figure, Goal, median};
use crate::seed;

const RUNS: usize = 3;
/// Bytes per run: large enough to dwarf set-up, small enough for this machine.
const IN_MEMORY_BYTES: usize = 256 << 20;
const ON_DISK_BYTES: usize = 256 << 20;
/// The size of the writes the upload handler passes on (multipart frames vary; 64 KiB is typical).
const WRITE_SIZE: usize = 64 << 10;
/// Sealed bytes the attachment writer takes from the sealer at a time.
const TAKE_SIZE: usize = 1 << 20;
/// Sealed chunks per read on the read path (`messages::read`'s batches).
const READ_CHUNKS: usize = 4;
/// The plain reference's writes: as large as the sealed path's batches.
const PLAIN_WRITE_SIZE: usize = 1 << 20;

pub async fn run() -> Result<Vec<Figure>, String> {
    let openssl_enc = openssl_runs(false)?;
    let openssl_dec = openssl_runs(true)?;
    let InMemory {
        enc: mem_enc,
        dec: mem_dec,
        copies: mem_copies,
        frames: mem_frames,
    } = in_memory();
    let OnDisk {
        enc: disk_enc,
        dec: disk_dec,
        reads: disk_reads,
        one_thread: disk_one_thread,
    } = on_disk().await?;
    let disk_plain = plain_disk_writes().await?;

    let mut figures = vec![
        Figure::median_of(
            "crypto: openssl speed aes-256-gcm encrypt (16 KB)",
            &openssl_enc,
            "MB/s",
        ),
        Figure::median_of(
            "crypto: openssl speed aes-256-gcm decrypt (16 KB)",
            &openssl_dec,
            "MB/s",
        ),
    ];
    let reference = |decrypt: bool| median(if decrypt { &openssl_dec } else { &openssl_enc });
    for (label, runs, decrypt, goal) in [
        ("in memory, encrypt", &mem_enc, false, Goal::AtLeast(0.8)),
        ("in memory, decrypt", &mem_dec, true, Goal::AtLeast(0.8)),
        // Bound by the disk, not the cipher: judged against the plain write below.
        (
            "to disk, encrypt (seal + write + fsync)",
            &disk_enc,
            false,
            Goal::None,
        ),
        (
            "from disk, decrypt (read + open)",
            &disk_dec,
            true,
            Goal::AtLeast(0.8),
        ),
    ] {
        figures.push(Figure::median_of(format!("crypto: {label}"), runs, "MB/s"));
        let ratios: Vec<f64> = runs.iter().map(|r| r / reference(decrypt)).collect();
        let name = if goal == Goal::None {
            format!("crypto: {label} / openssl (disk-bound: goal is vs plain disk)")
        } else {
            format!("crypto: {label} / openssl")
        };
        figures.push(Figure::median_of(name, &ratios, "x").goal(goal));
    }
    // The device's own speed bounds the to-disk path: the same bytes written
    // and fsynced the fastest plain way (1 MiB writes from a blocking thread,
    // as the sealed path now does), no crypto. The to-disk goal is judged here.
    figures.push(Figure::median_of(
        "crypto: plain disk write + fsync, 1 MiB writes, no crypto (reference)",
        &disk_plain,
        "MB/s",
    ));
    let ratios: Vec<f64> = disk_enc.iter().map(|r| r / median(&disk_plain)).collect();
    figures.push(
        Figure::median_of(
            "crypto: to disk, encrypt / plain disk write (the to-disk goal)",
            &ratios,
            "x",
        )
        .goal(Goal::AtLeast(0.8)),
    );
    // What bounds sealing in memory: the sealer copies the 256 MiB of
    // plaintext once, into its buffer, and seals it there in place (as the
    // in-memory decrypt opens in place); the copy alone costs this much.
    figures.push(Figure::median_of(
        "crypto: in memory, a plain copy of the same bytes, no crypto (encrypt's breakdown)",
        &mem_copies,
        "MB/s",
    ));
    // The same sealer fed as the upload path feeds it, with nothing streaming
    // through memory: one 64 KiB frame again and again (a frame just read
    // from the network is in cache), the sealed bytes taken 1 MiB at a time
    // into two buffers in turn, as the attachment writer does.
    figures.push(Figure::median_of(
        "crypto: in memory, encrypt in the upload path's sizes (64 KiB frames, 1 MiB batches)",
        &mem_frames,
        "MB/s",
    ));
    figures.push(Figure::ratio_of(
        "crypto: in memory, encrypt in the upload path's sizes / openssl",
        &mem_frames,
        &openssl_enc,
    ));
    // What bounds opening from disk: reading the file (the kernel copies it
    // out of the page cache) and opening it, one after the other in each
    // batch's trip to the blocking pool (two batches at once). The same reads
    // alone, then the same reads and opens on one thread with no trips and
    // no async: what one core can give (two can give up to twice that).
    figures.push(Figure::median_of(
        format!(
            "crypto: from disk, the same reads ({READ_CHUNKS} chunks each) without crypto (decrypt's breakdown)"
        ),
        &disk_reads,
        "MB/s",
    ));
    figures.push(Figure::median_of(
        "crypto: from disk, the same reads and opens on one thread, no async (one core's ceiling)",
        &disk_one_thread,
        "MB/s",
    ));
    figures.push(Figure::ratio_of(
        "crypto: from disk, one core's ceiling / openssl",
        &disk_one_thread,
        &openssl_dec,
    ));
    Ok(figures)
}

async fn plain_disk_writes() -> Result<Vec<f64>, String> {
    let dir = tempfile::tempdir_in(seed::scratch_dir()).map_err(|e| e.to_string())?;
    let mut runs = Vec::new();
    for run in 0..RUNS {
        let path = dir.path().join(format!("plain{run}"));
        let piece = seed::pattern(PLAIN_WRITE_SIZE);
        let started = Instant::now();
        let write = tokio::task::spawn_blocking(move || -> std::io::Result<()> {
            use std::io::Write as _;
            let mut file = std::fs::File::create(&path)?;
            for _ in 0..ON_DISK_BYTES / PLAIN_WRITE_SIZE {
                file.write_all(&piece)?;
            }
            file.sync_all()?;
            drop(file);
            std::fs::remove_file(&path)
        });
        write
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())?;
        runs.push(mb_per_s(ON_DISK_BYTES, started));
    }
    Ok(runs)
}

fn mb_per_s(bytes: usize, started: Instant) -> f64 {
    bytes as f64 / 1e6 / started.elapsed().as_secs_f64()
}

/// Runs of the in-memory paths, in MB/s.
struct InMemory {
    enc: Vec<f64>,
    dec: Vec<f64>,
    /// A plain copy of the same bytes into the same buffer (the breakdown).
    copies: Vec<f64>,
    /// Sealing one frame again and again, taking 1 MiB batches.
    frames: Vec<f64>,
}

fn in_memory() -> InMemory {
    let plaintext = seed::pattern(IN_MEMORY_BYTES);
    let key = DataKey::generate();
    let message = "bench0000000000000000000000000000";
    let capacity = IN_MEMORY_BYTES + IN_MEMORY_BYTES / CHUNK_SIZE * TAG_LEN + 64;
    // Written once before the runs, so no run pays for the kernel's first
    // touch of 256 MiB (the server's write buffers are reused the same way).
    let mut sealed = vec![1u8; capacity];
    let (mut enc, mut dec, mut copies, mut frames) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..RUNS {
        let started = Instant::now();
        let mut sealer = ChunkSealer::new(&key, message, 1, sealed);
        for piece in plaintext.chunks(WRITE_SIZE) {
            sealer.update(piece);
        }
        let size;
        (sealed, size) = sealer.finish();
        enc.push(mb_per_s(IN_MEMORY_BYTES, started));
        assert_eq!(size, IN_MEMORY_BYTES as u64);

        // Opened in place, chunk by chunk, as the read path does (on a copy, made untimed).
        let mut work = sealed.clone();
        let started = Instant::now();
        let size = IN_MEMORY_BYTES as u64;
        let mut opener = ChunkOpener::new(&key, message, 1, size);
        let mut at = 0;
        while let Some(len) = opener.next_sealed_len(size) {
            opener
                .open_next(&mut work[at..at + len])
                .expect("our own ciphertext opens");
            at += len;
        }
        dec.push(mb_per_s(IN_MEMORY_BYTES, started));

        // The copy the sealer makes, alone: the same pieces into the same buffer.
        work.clear();
        let started = Instant::now();
        for piece in plaintext.chunks(WRITE_SIZE) {
            work.extend_from_slice(piece);
        }
        std::hint::black_box(&work);
        copies.push(mb_per_s(IN_MEMORY_BYTES, started));

        let frame = &plaintext[..WRITE_SIZE];
        let buffer = || Vec::with_capacity(TAKE_SIZE + 2 * (CHUNK_SIZE + TAG_LEN));
        let mut spare = buffer();
        let started = Instant::now();
        let mut sealer = ChunkSealer::new(&key, message, 1, buffer());
        for _ in 0..IN_MEMORY_BYTES / WRITE_SIZE {
            sealer.update(frame);
            if sealer.sealed_len() >= TAKE_SIZE {
                spare = std::hint::black_box(sealer.take_sealed(spare));
            }
        }
        std::hint::black_box(sealer.finish());
        frames.push(mb_per_s(IN_MEMORY_BYTES, started));
    }
    InMemory {
        enc,
        dec,
        copies,
        frames,
    }
}

/// Runs of the to-disk and from-disk paths, in MB/s.
struct OnDisk {
    enc: Vec<f64>,
    dec: Vec<f64>,
    /// The read path's reads alone.
    reads: Vec<f64>,
    /// The read path's reads and opens on one thread, no async.
    one_thread: Vec<f64>,
}

async fn on_disk() -> Result<OnDisk, String> {
    let dir = tempfile::Builder::new()
        .prefix("sealmail-bench-crypto-")
        .tempdir_in(seed::scratch_dir())
        .map_err(|e| e.to_string())?;
    let (state, _mailer) = seed::open_state(dir.path(), "http://127.0.0.1:1").await?;
    let plaintext = seed::pattern(WRITE_SIZE);
    let (mut enc, mut dec, mut reads, mut one_thread) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..RUNS {
        let started = Instant::now();
        let mut outgoing = Outgoing::new(&state);
        let mut writer = outgoing
            .attachment("big.bin", "application/octet-stream")
            .await
            .map_err(|e| e.to_string())?;
        for _ in 0..ON_DISK_BYTES / WRITE_SIZE {
            writer.write(&plaintext).await.map_err(|e| e.to_string())?;
        }
        outgoing
            .finish_attachment(writer)
            .await
            .map_err(|e| e.to_string())?;
        enc.push(mb_per_s(ON_DISK_BYTES, started));
        let internal_id = outgoing.id().to_owned();
        outgoing
            .send(seed::draft(
                "bob@example.net",
                None,
                "crypto bench",
                "x".into(),
            ))
            .await
            .map_err(|e| e.to_string())?;

        let row = sealmail::store::messages::attachments(&state.db, &internal_id)
            .await
            .map_err(|e| e.to_string())?
            .remove(0);
        let started = Instant::now();
        let mut stream = open_attachment(&state, &internal_id, &row)
            .await
            .map_err(|e| e.to_string())?;
        let mut total = 0;
        while let Some(chunk) = stream.next_chunk().await.map_err(|e| e.to_string())? {
            total += chunk.len();
        }
        assert_eq!(total, ON_DISK_BYTES);
        dec.push(mb_per_s(ON_DISK_BYTES, started));

        let path = dir
            .path()
            .join("attachments")
            .join(&internal_id)
            .join(&row.id);
        // The breakdown: the same reads as the read path (4 sealed chunks,
        // about 256 KiB, per read, into one buffer used again), without
        // crypto, then with the same opens right after each read.
        let reads_only = read_batches(path.clone(), None);
        reads.push(reads_only.await.map_err(|e| e.to_string())??);
        let key = message_key(&state, &internal_id).await?;
        let opener = ChunkOpener::new(&key, &internal_id, 1, ON_DISK_BYTES as u64);
        let with_opens = read_batches(path, Some(opener));
        one_thread.push(with_opens.await.map_err(|e| e.to_string())??);
        // Free the space before the next run.
        let message =
            sealmail::messages::find(&state, &internal_message_id(&state, &internal_id).await?)
                .await
                .map_err(|e| e.to_string())?;
        let actor = sealmail::audit::Actor::command_line("sealmail-bench");
        sealmail::messages::revoke_and_audit(&state, &message, None, &actor)
            .await
            .map_err(|e| e.to_string())?;
    }
    Ok(OnDisk {
        enc,
        dec,
        reads,
        one_thread,
    })
}

/// Reads the sealed file at `path` as the read path does, on one blocking
/// thread, opening each batch right after reading it if given an opener;
/// MB/s of plaintext.
fn read_batches(
    path: std::path::PathBuf,
    mut opener: Option<ChunkOpener>,
) -> tokio::task::JoinHandle<Result<f64, String>> {
    tokio::task::spawn_blocking(move || {
        use std::io::Read as _;
        let started = Instant::now();
        let mut file = std::fs::File::open(&path).map_err(|e| e.to_string())?;
        let sealed_chunk = CHUNK_SIZE + TAG_LEN;
        let mut buf = vec![0u8; READ_CHUNKS * sealed_chunk];
        for _ in 0..ON_DISK_BYTES / CHUNK_SIZE / READ_CHUNKS {
            file.read_exact(&mut buf).map_err(|e| e.to_string())?;
            if let Some(opener) = &mut opener {
                for chunk in buf.chunks_mut(sealed_chunk) {
                    opener.open_next(chunk).map_err(|e| e.to_string())?;
                }
            }
        }
        Ok(mb_per_s(ON_DISK_BYTES, started))
    })
}

/// The data key of message `id` (internal id), unwrapped by the current master key.
async fn message_key(state: &sealmail::AppState, id: &str) -> Result<DataKey, String> {
    let (_, wrapped) = sealmail::store::messages::wrapped_key(&state.db, id)
        .await
        .map_err(|e| e.to_string())?
        .ok_or("the bench's own message has no key")?;
    state
        .master_key
        .unwrap(id, &wrapped)
        .ok_or_else(|| "the bench's own message key does not unwrap".to_owned())
}

async fn internal_message_id(state: &sealmail::AppState, id: &str) -> Result<String, String> {
    sealmail::store::on_db!(&state.db, |c| sqlx::query_scalar(
        "SELECT message_id FROM messages WHERE id = $1"
    )
    .bind(id)
    .fetch_one(c)
    .await)
    .map_err(|e| e.to_string())
}

fn openssl_runs(decrypt: bool) -> Result<Vec<f64>, String> {
    (0..RUNS)
        .map(|_| {
            let mut command = Command::new("openssl");
            command.args(["speed", "-seconds", "2", "-bytes", "16384"]);
            if decrypt {
                command.arg("-decrypt");
            }
            let out = command
                .args(["-evp", "aes-256-gcm"])
                .output()
                .map_err(|e| format!("cannot run openssl: {e}"))?;
            parse_openssl_speed(&String::from_utf8_lossy(&out.stdout))
                .ok_or_else(|| "no 16384-byte figure in `openssl speed`'s output".to_owned())
        })
        .collect()
}

/// MB/s (10^6 bytes) from `openssl speed`'s table: the `16384 bytes` column of
/// the AES-256-GCM row, which openssl gives in 1000s of bytes per second.
pub fn parse_openssl_speed(output: &str) -> Option<f64> {
    let header = output.lines().find(|l| l.starts_with("type"))?;
    let sizes: Vec<&str> = header
        .trim_start_matches("type")
        .split("bytes")
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    let column = sizes.iter().position(|s| *s == "16384")?;
    let row = output
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with("aes-256-gcm"))?;
    let value = row.split_whitespace().nth(1 + column)?;
    let thousands: f64 = value.trim_end_matches('k').parse().ok()?;
    Some(thousands / 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_16384_byte_column() {
        let all_sizes = "The 'numbers' are in 1000s of bytes per second processed.\n\
type             16 bytes     64 bytes    256 bytes   1024 bytes   8192 bytes  16384 bytes\n\
AES-256-GCM     512345.00k  1234567.00k  2345678.00k  3000000.00k  3400000.00k  3532355.17k\n";
        assert_eq!(parse_openssl_speed(all_sizes), Some(3532.35517));
        let one_size = "type          16384 bytes\nAES-256-GCM    3448941.23k\n";
        assert_eq!(parse_openssl_speed(one_size), Some(3448.94123));
        assert_eq!(
            parse_openssl_speed("type 16 bytes\nAES-256-GCM 1.0k\n"),
            None
        );
    }
}
