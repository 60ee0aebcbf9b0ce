//! What Sealmail keeps on disk is for its own user only: the data dir 0700,
//! the master key 0600, the outbox and its mails 0700/0600 — also when the
//! operator made the dir or the key by hand with looser modes.

#![cfg(unix)]

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use common::cli::{ok, run_sealmail as sealmail, user_add};

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn loose_modes_made_by_hand_are_tightened_on_start() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();
    // A master key written by hand, readable by everyone on the machine.
    let key = data.join("master.key");
    std::fs::write(&key, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n").unwrap();
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();

    let added = user_add(&data, "alice@sealmail.test", &[], "correct horse battery");
    ok(added.clone());
    assert_eq!(mode(&data), 0o700);
    assert_eq!(mode(&key), 0o600);
    let said = String::from_utf8_lossy(&added.stderr);
    assert!(
        said.contains("master.key"),
        "a warning names the key: {said}"
    );
}

#[test]
fn outbox_mails_are_private() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    ok(user_add(
        &data,
        "alice@sealmail.test",
        &[],
        "correct horse battery",
    ));
    ok(sealmail(
        &data,
        &[
            "send",
            "--from",
            "alice@sealmail.test",
            "--to",
            "bob@example.net",
            "--subject",
            "Hi",
        ],
        "body on stdin",
    ));
    let outbox = data.join("outbox");
    assert_eq!(mode(&outbox), 0o700);
    let mails: Vec<_> = std::fs::read_dir(&outbox)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert!(!mails.is_empty());
    for mail in mails {
        assert_eq!(mode(&mail), 0o600, "{}", mail.display());
    }
}
