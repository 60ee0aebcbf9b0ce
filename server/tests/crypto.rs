//! Sealing: tampering, a wrong key, moved or reordered or truncated chunks all
//! fail to decrypt; a revoke leaves nothing decryptable in the database file.

mod common;

use axum::http::StatusCode;
use common::*;
use http_body_util::BodyExt as _;
use sealmail::crypto::{CHUNK_SIZE, ChunkOpener, ChunkSealer, DataKey, MasterKey, TAG_LEN};
use sealmail_api::ErrorCode;

const MSG: &str = "0123456789abcdef0123456789abcdef";

#[test]
fn tampered_ciphertext_fails_to_decrypt() {
    let key = DataKey::generate();
    let sealed = key.seal_object(MSG, 0, b"hello world");
    assert_eq!(key.open_object(MSG, 0, &sealed).unwrap(), b"hello world");
    for i in 0..sealed.len() {
        let mut tampered = sealed.clone();
        tampered[i] ^= 0x01;
        assert!(
            key.open_object(MSG, 0, &tampered).is_err(),
            "flipping byte {i} went unnoticed"
        );
    }
    assert!(
        key.open_object(MSG, 0, &sealed[..sealed.len() - 1])
            .is_err()
    );
}

#[test]
fn a_wrong_data_key_or_another_message_or_object_fails_to_decrypt() {
    let key = DataKey::generate();
    let sealed = key.seal_object(MSG, 0, b"hello world");
    assert!(
        DataKey::generate().open_object(MSG, 0, &sealed).is_err(),
        "wrong key"
    );
    assert!(
        key.open_object("another-message-id", 0, &sealed).is_err(),
        "moved to another message"
    );
    assert!(
        key.open_object(MSG, 1, &sealed).is_err(),
        "moved to another object"
    );
}

#[test]
fn the_same_plaintext_in_two_objects_gives_different_ciphertext() {
    // Nonces are unique per key by construction (object index ‖ chunk index).
    let key = DataKey::generate();
    assert_ne!(
        key.seal_object(MSG, 0, b"same"),
        key.seal_object(MSG, 1, b"same")
    );
}

#[test]
fn a_wrapped_key_opens_only_with_its_master_key_and_for_its_message() {
    let master = MasterKey::from_bytes(&[7u8; 32]);
    let other = MasterKey::from_bytes(&[8u8; 32]);
    assert_ne!(master.id(), other.id());
    let key = DataKey::generate();
    let sealed = key.seal_object(MSG, 0, b"body");
    let wrapped = master.wrap(MSG, &key);
    let unwrapped = master
        .unwrap(MSG, &wrapped.0)
        .expect("its own master key opens it");
    assert_eq!(unwrapped.open_object(MSG, 0, &sealed).unwrap(), b"body");
    assert!(
        other.unwrap(MSG, &wrapped.0).is_none(),
        "a wrong master key"
    );
    assert!(
        master.unwrap("another-message-id", &wrapped.0).is_none(),
        "moved to another message"
    );
    let mut tampered = wrapped.0.clone();
    tampered[20] ^= 1;
    assert!(master.unwrap(MSG, &tampered).is_none(), "tampered");
    assert_eq!(
        format!("{key:?}"),
        "DataKey(***)",
        "Debug never shows a key"
    );
}

/// Seals `data` in uneven pieces, taking the sealed bytes out now and then
/// as the attachment writer does.
fn seal_chunks(key: &DataKey, data: &[u8]) -> Vec<u8> {
    let mut sealer = ChunkSealer::new(key, MSG, 1, Vec::new());
    let mut out = Vec::new();
    for (i, piece) in data.chunks(9_999).enumerate() {
        sealer.update(piece);
        if i % 10 == 9 {
            out.extend_from_slice(&sealer.take_sealed(Vec::new()));
        }
    }
    let (rest, size) = sealer.finish();
    assert_eq!(size, data.len() as u64);
    out.extend_from_slice(&rest);
    out
}

fn open_chunks(key: &DataKey, sealed: &[u8], size: u64) -> Result<Vec<u8>, ()> {
    let mut opener = ChunkOpener::new(key, MSG, 1, size);
    let mut rest = sealed;
    let mut plain = Vec::new();
    while let Some(len) = opener.next_sealed_len(size) {
        if rest.len() < len {
            return Err(());
        }
        let mut buf = rest[..len].to_vec();
        rest = &rest[len..];
        let n = opener.open_next(&mut buf).map_err(|_| ())?;
        plain.extend_from_slice(&buf[..n]);
    }
    if rest.is_empty() { Ok(plain) } else { Err(()) }
}

#[test]
fn chunked_objects_round_trip_and_detect_truncation_and_reordering() {
    let key = DataKey::generate();
    let data: Vec<u8> = (0..(3 * CHUNK_SIZE + 100)).map(|i| i as u8).collect();
    let sealed = seal_chunks(&key, &data);
    assert_eq!(sealed.len(), data.len() + 4 * TAG_LEN);
    assert_eq!(open_chunks(&key, &sealed, data.len() as u64).unwrap(), data);

    // Cut off the last chunk and claim the shorter size: the new "last" chunk
    // was not sealed as last, so it fails.
    let three = 3 * (CHUNK_SIZE + TAG_LEN);
    assert!(
        open_chunks(&key, &sealed[..three], (3 * CHUNK_SIZE) as u64).is_err(),
        "truncation"
    );
    // Cut a few bytes.
    assert!(open_chunks(&key, &sealed[..sealed.len() - 5], data.len() as u64).is_err());
    // Swap the first two chunks.
    let c = CHUNK_SIZE + TAG_LEN;
    let mut swapped = sealed.clone();
    swapped[..c].copy_from_slice(&sealed[c..2 * c]);
    swapped[c..2 * c].copy_from_slice(&sealed[..c]);
    assert!(
        open_chunks(&key, &swapped, data.len() as u64).is_err(),
        "reordering"
    );
    // A wrong key.
    assert!(open_chunks(&DataKey::generate(), &sealed, data.len() as u64).is_err());
}

#[tokio::test]
async fn tampered_ciphertext_in_the_database_is_an_internal_error_not_garbage() {
    let app = TestApp::new().await;
    let bob = app.bob_reading().await;
    // Flip one byte in the middle of the sealed body.
    app.sql_of(
        "UPDATE message_bodies SET ciphertext = substr(ciphertext, 1, 10) || \
         (CASE WHEN substr(ciphertext, 11, 1) = X'00' THEN X'01' ELSE X'00' END) || substr(ciphertext, 12)",
        "UPDATE message_bodies SET ciphertext = set_byte(ciphertext, 10, get_byte(ciphertext, 10) # 1)",
    )
    .await;
    let response = bob.read().response().await;
    assert_eq!(response.code(), ErrorCode::Internal);
    assert!(!String::from_utf8_lossy(&response.body).contains("TANGERINE"));
}

#[tokio::test]
async fn a_different_master_key_cannot_read_stored_messages() {
    let app = TestApp::new().await;
    let message_id = app.send(&[BOB], &[], &[]).await;
    let id = app.internal_id(&message_id).await;
    let wrapped: Vec<u8> = sealmail::store::on_db!(&app.state.db, |c| sqlx::query_scalar(
        "SELECT wrapped_key FROM message_keys"
    )
    .fetch_one(c)
    .await)
    .unwrap();
    assert!(app.state.master_key.unwrap(&id, &wrapped).is_some());
    let stranger = MasterKey::from_bytes(&[1u8; 32]);
    assert!(stranger.unwrap(&id, &wrapped).is_none());
    // The key file was created with mode 0600.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(app.data_dir().join("master.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[tokio::test]
async fn a_truncated_attachment_fails_instead_of_serving_partial_bytes() {
    let app = TestApp::new().await;
    let data: Vec<u8> = (0..(2 * CHUNK_SIZE + 10)).map(|i| (i % 13) as u8).collect();
    let bob = app
        .bob_reading_with(&[("big.bin", "application/octet-stream", &data)])
        .await;
    let view = bob.read().await;
    let id = &view.attachments[0].id;
    let sealed = app.sealed_object(id).await;
    // Drop the last chunk.
    app.replace_sealed_object(id, sealed[..2 * (CHUNK_SIZE + TAG_LEN)].to_vec())
        .await;
    let response = bob.download(&view.attachments[0].id).stream().await;
    // The first chunk is fine, so the download starts; it must then break,
    // not end as a shorter "complete" file.
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.into_body().collect().await.is_err(),
        "the truncated stream must fail"
    );

    // A damaged first chunk fails before any byte is sent.
    let mut damaged = sealed.clone();
    damaged[5] ^= 0xff;
    app.replace_sealed_object(id, damaged).await;
    let response = bob.download(&view.attachments[0].id).response().await;
    assert_eq!(response.code(), ErrorCode::Internal);
}

#[tokio::test]
async fn a_long_attachment_streams_whole_and_stops_at_a_damaged_chunk_in_a_later_batch() {
    let app = TestApp::new().await;
    // 21 chunks: six batches (4, 4, 4, 4, 4, 1), read and opened two at a
    // time ahead of the one being sent.
    let data: Vec<u8> = (0..(20 * CHUNK_SIZE + 10))
        .map(|i| (i % 251) as u8)
        .collect();
    let bob = app
        .bob_reading_with(&[("long.bin", "application/octet-stream", &data)])
        .await;
    let view = bob.read().await;
    let id = &view.attachments[0].id;
    let whole = bob.download(id).stream().await.into_body().collect().await;
    assert!(whole.unwrap().to_bytes() == data, "the bytes differ");

    let mut sealed = app.sealed_object(id).await;
    // A byte of chunk 17 (the fifth batch's second) altered.
    sealed[17 * (CHUNK_SIZE + TAG_LEN) + 100] ^= 0x01;
    app.replace_sealed_object(id, sealed).await;
    let mut body = bob.download(id).stream().await.into_body();
    let mut got = Vec::new();
    let broke = loop {
        match body.frame().await {
            Some(Ok(frame)) => got.extend_from_slice(frame.data_ref().unwrap()),
            Some(Err(_)) => break true,
            None => break false,
        }
    };
    assert!(broke, "the damaged stream must fail, not end");
    // Everything before the damaged chunk went out, and nothing after it.
    assert_eq!(got.len(), 17 * CHUNK_SIZE);
    assert!(
        got == data[..17 * CHUNK_SIZE],
        "the bytes before the damage differ"
    );
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test]
async fn after_revoke_the_ciphertext_and_wrapped_key_are_gone_from_the_database_file() {
    let app = TestApp::new().await;
    let message_id = app
        .send(&[BOB], &[], &[("a.txt", "text/plain", b"attached secret")])
        .await;
    let keep = app.send(&[CAROL], &[], &[]).await;
    let (ciphertext, wrapped): (Vec<u8>, Vec<u8>) =
        sealmail::store::on_db!(&app.state.db, |c| sqlx::query_as(
            "SELECT b.ciphertext, k.wrapped_key FROM messages m
         JOIN message_bodies b ON b.message_id = m.id JOIN message_keys k ON k.message_id = m.id
         WHERE m.message_id = $1",
        )
        .bind(&message_id)
        .fetch_one(c)
        .await)
        .unwrap();
    let db_path = app.data_dir().join("sealmail.db");
    let wal_path = app.data_dir().join("sealmail.db-wal");
    let raw = || {
        let mut bytes = std::fs::read(&db_path).unwrap();
        bytes.extend(std::fs::read(&wal_path).unwrap_or_default());
        bytes
    };
    sealmail::store::checkpoint(&app.state.db).await.unwrap();
    assert!(
        contains(&raw(), &ciphertext),
        "the check can see stored ciphertext"
    );
    assert!(
        contains(&raw(), &wrapped),
        "the check can see a stored wrapped key"
    );

    revoke(&app.state, &message_id).await.unwrap();

    let bytes = raw();
    assert!(
        !contains(&bytes, &ciphertext),
        "ciphertext still in the database file"
    );
    assert!(
        !contains(&bytes, &wrapped),
        "wrapped key still in the database file"
    );
    let rows: (i64, i64, i64) = sealmail::store::on_db!(&app.state.db, |c| sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM message_keys), (SELECT COUNT(*) FROM message_bodies), (SELECT COUNT(*) FROM attachments)",
    )
    .fetch_one(c)
    .await)
    .unwrap();
    assert_eq!(
        rows,
        (1, 1, 0),
        "only the other message keeps its key and body"
    );
    assert_eq!(app.stored_objects().await, []);
    // The other message is untouched and readable.
    let view = app.recipient(CAROL).signed_in().await.read().await;
    assert_eq!(view.message_id, keep);
    assert_eq!(
        revoke(&app.state, &message_id).await.unwrap_err().code(),
        ErrorCode::AlreadyRevoked
    );
}

#[tokio::test]
async fn after_a_master_key_rotation_old_messages_stay_readable_with_the_previous_key() {
    use base64::Engine as _;
    let b64 = |byte: u8| base64::engine::general_purpose::STANDARD.encode([byte; 32]);
    let (old_key, new_key) = (b64(1), b64(2));
    let before = TestApp::with_args(&["--master-key", &old_key]).await;
    before
        .send(&[BOB], &[], &[("a.txt", "text/plain", b"old attachment")])
        .await;
    let old_token = before.token_for(BOB);

    // Without the old key, the old message cannot be opened (an internal error, logged).
    let forgot = before.reopen(&["--master-key", &new_key]).await;
    let bob = forgot
        .recipient_with_link(BOB, &old_token)
        .signed_in()
        .await;
    assert_eq!(bob.read().code().await, ErrorCode::Internal);

    // With it listed as a previous key, it can; new messages use the new key.
    let after = before
        .reopen(&[
            "--master-key",
            &new_key,
            "--previous-master-keys",
            &format!("{},{old_key}", b64(3)),
        ])
        .await;
    let bob = after.recipient_with_link(BOB, &old_token).signed_in().await;
    let view = bob.read().await;
    assert_eq!(view.body.text.as_deref(), Some(SECRET_BODY));
    let file = bob.download(&view.attachments[0].id).await;
    assert_eq!(file, b"old attachment");
    after.send(&[CAROL], &[], &[]).await;
    let ids: Vec<String> = sealmail::store::on_db!(&after.state.db, |c| sqlx::query_scalar(
        "SELECT DISTINCT master_key_id FROM message_keys"
    )
    .fetch_all(c)
    .await)
    .unwrap();
    assert_eq!(
        ids.len(),
        2,
        "old and new messages are wrapped by different keys"
    );
    assert!(ids.contains(&after.state.master_key.id().to_owned()));
}

/// Data sealed by the sealer before it sealed in place (`tests/data/seal/`,
/// see its README): a data key wrapped by master key `[7; 32]`, a body, and
/// a three-chunk attachment of [`old_vector_plaintext`].
fn old_vector(name: &str) -> Vec<u8> {
    std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/seal")
            .join(name),
    )
    .unwrap()
}

fn old_vector_plaintext() -> Vec<u8> {
    (0..(2 * CHUNK_SIZE + 1000))
        .map(|i| (i % 251) as u8 ^ (i >> 16) as u8)
        .collect()
}

#[test]
fn data_sealed_by_the_earlier_sealer_still_opens_and_seals_to_the_same_bytes() {
    let key = MasterKey::from_bytes(&[7u8; 32])
        .unwrap(MSG, &old_vector("wrapped_key.bin"))
        .expect("the committed key unwraps");
    assert_eq!(
        key.open_object(MSG, 0, &old_vector("body.sealed")).unwrap(),
        br#"{"text":"sealed before the one-copy sealer"}"#
    );
    let plain = old_vector_plaintext();
    let sealed = old_vector("attachment.sealed");
    assert!(open_chunks(&key, &sealed, plain.len() as u64).unwrap() == plain);
    // Nonces and associated data are the same as before, so the same key
    // seals the same plaintext to the very same bytes.
    assert!(seal_chunks(&key, &plain) == sealed, "the format changed");
}
