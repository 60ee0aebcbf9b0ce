//! Attachments in an S3-compatible bucket (`--blob-url s3://…`), against a
//! real S3 server (`s3s-fs`, started by each test on loopback): they go up
//! sealed, come back byte for byte in ranged reads, break cleanly where the
//! stored object is damaged, and leave the bucket when their message ends.
//! The bucket is checked on the S3 server's own disk, not through our client.

mod common;

use common::blobs::S3Server;
use common::*;
use http_body_util::BodyExt as _;
use sealmail::crypto::{CHUNK_SIZE, TAG_LEN};
use sealmail_api::ErrorCode;

const BUCKET: &str = "sealed";

async fn app_on(s3: &S3Server, prefix: &str) -> TestApp {
    let args = s3.args(&format!("{BUCKET}/{prefix}"));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    TestApp::with_args(&args).await
}

fn pattern(len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| (i % 251) as u8 ^ (i / 251) as u8)
        .collect()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test]
async fn a_large_attachment_goes_up_in_parts_and_comes_back_byte_for_byte() {
    let s3 = S3Server::start(BUCKET);
    let app = app_on(&s3, "tenant-a").await;
    // 7 MiB and a bit: more than one 5 MiB part, 113 chunks, 29 batches.
    let data = pattern(7 * 1024 * 1024 + 12_345);
    let small = b"a small one, in one PUT".to_vec();
    let bob = app
        .bob_reading_with(&[
            ("big.bin", "application/octet-stream", &data),
            ("small.txt", "text/plain", &small),
        ])
        .await;
    let view = bob.read().await;

    // In the bucket, under the prefix, sealed: one object per attachment,
    // of the sealed length, with no run of the plaintext in it.
    let objects = s3.objects(&format!("{BUCKET}/tenant-a"));
    assert_eq!(objects.len(), 2, "{objects:?}");
    let chunks = data.len().div_ceil(CHUNK_SIZE);
    let sealed_len = (data.len() + chunks * TAG_LEN) as u64;
    let sizes: Vec<u64> = objects
        .iter()
        .map(|p| std::fs::metadata(p).unwrap().len())
        .collect();
    assert!(sizes.contains(&sealed_len), "{sizes:?} lacks {sealed_len}");
    let big = objects
        .iter()
        .find(|p| std::fs::metadata(p).unwrap().len() == sealed_len)
        .unwrap();
    assert!(!contains(&std::fs::read(big).unwrap(), &data[1000..1064]));
    assert!(
        app.data_dir()
            .join("attachments")
            .read_dir()
            .unwrap()
            .next()
            .is_none(),
        "nothing in the local folder"
    );

    for (name, expected) in [("big.bin", &data), ("small.txt", &small)] {
        let id = &view.attachments.iter().find(|a| a.name == name).unwrap().id;
        let body = bob.download(id).stream().await.into_body();
        let got = body.collect().await.unwrap().to_bytes();
        assert!(got[..] == expected[..], "{name}: the bytes differ");
    }
}

#[tokio::test]
async fn revoking_a_message_deletes_its_objects_from_the_bucket() {
    let s3 = S3Server::start(BUCKET);
    let app = app_on(&s3, "p").await;
    let keep = app
        .send(&[CAROL], &[], &[("keep.txt", "text/plain", b"kept")])
        .await;
    let gone = app
        .send(
            &[BOB],
            &[],
            &[
                (
                    "one.bin",
                    "application/octet-stream",
                    &pattern(3 * CHUNK_SIZE),
                ),
                ("two.txt", "text/plain", b"two"),
            ],
        )
        .await;
    assert_eq!(s3.objects(&format!("{BUCKET}/p")).len(), 3);

    revoke(&app.state, &gone).await.unwrap();

    // Only the other message's object is left, on the store's own disk.
    let left = s3.objects(&format!("{BUCKET}/p"));
    assert_eq!(left.len(), 1, "{left:?}");
    let view = app.recipient(CAROL).signed_in().await.read().await;
    assert_eq!(view.message_id, keep);
    assert_eq!(app.stored_objects().await.len(), 1);
}

#[tokio::test]
async fn a_damaged_object_in_the_bucket_breaks_the_download_where_the_damage_is() {
    let s3 = S3Server::start(BUCKET);
    let app = app_on(&s3, "d").await;
    let data = pattern(20 * CHUNK_SIZE + 10);
    let bob = app
        .bob_reading_with(&[("long.bin", "application/octet-stream", &data)])
        .await;
    let view = bob.read().await;
    let id = &view.attachments[0].id;
    let objects = s3.objects(&format!("{BUCKET}/d"));
    let [object] = &objects[..] else {
        panic!("{objects:?}")
    };
    // A byte of chunk 17 (the fifth batch's second) altered on the store's disk.
    let mut sealed = std::fs::read(object).unwrap();
    sealed[17 * (CHUNK_SIZE + TAG_LEN) + 100] ^= 0x01;
    std::fs::write(object, &sealed).unwrap();

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
    assert_eq!(got.len(), 17 * CHUNK_SIZE);
    assert!(got == data[..17 * CHUNK_SIZE], "the bytes before differ");

    // A damaged first chunk fails before anything is sent.
    sealed[17 * (CHUNK_SIZE + TAG_LEN) + 100] ^= 0x01;
    sealed[5] ^= 0xff;
    std::fs::write(object, &sealed).unwrap();
    let response = bob.download(id).response().await;
    assert_eq!(response.code(), ErrorCode::Internal);
}

#[tokio::test]
async fn a_store_that_does_not_answer_stops_the_server_at_start() {
    let s3 = S3Server::start(BUCKET);
    let mut args = s3.args(&format!("{BUCKET}/x"));
    // The right store, the wrong secret.
    let last = args.len() - 1;
    args[last] = "wrong-secret".to_owned();
    let out = common::blobs::status_with(&args);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("attachment store"), "{stderr}");
}

#[tokio::test]
async fn an_abandoned_upload_is_aborted_and_leaves_no_parts() {
    let s3 = S3Server::start(BUCKET);
    let app = app_on(&s3, "cut").await;
    // s3s-fs keeps an upload's parts as `.upload_id-…` files in its root
    // until it is completed or aborted.
    let parts = || {
        std::fs::read_dir(s3.root())
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .starts_with(".upload_id-")
            })
            .count()
    };
    let mut outgoing = sealmail::messages::Outgoing::new(&app.state);
    let mut writer = outgoing
        .attachment("big.bin", "application/octet-stream")
        .await
        .unwrap();
    // Past the first 5 MiB part: a multipart upload is under way.
    for _ in 0..7 {
        writer.write(&pattern(1024 * 1024)).await.unwrap();
    }
    let started = std::time::Instant::now();
    while parts() == 0 && started.elapsed().as_secs() < 5 {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(parts() > 0, "a part went up");

    // The sender goes away (a broken upload, a refused message).
    drop(writer);
    drop(outgoing);
    let started = std::time::Instant::now();
    while parts() > 0 && started.elapsed().as_secs() < 5 {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(parts(), 0, "the upload's parts are gone");
    assert_eq!(
        s3.objects(&format!("{BUCKET}/cut")),
        Vec::<std::path::PathBuf>::new()
    );
}

#[tokio::test]
async fn the_sweep_takes_from_the_bucket_what_nothing_points_at_and_spares_a_writer_in_progress() {
    let s3 = S3Server::start(BUCKET);
    let app = app_on(&s3, "sweep").await;
    app.send(&[BOB], &[], &[("a.txt", "text/plain", b"kept")])
        .await;
    let kept = app.stored_objects().await.remove(0);
    let ended = app
        .send(&[CAROL], &[], &[("b.txt", "text/plain", b"revoked")])
        .await;
    let ended_id = app
        .stored_objects()
        .await
        .into_iter()
        .find(|o| o.message != kept.message)
        .unwrap()
        .message;
    revoke(&app.state, &ended).await.unwrap();
    let blobs = &app.state.blobs;
    // What a failed delete, a crash and a writer still uploading leave:
    // an ended message's object, a stray beside a stored message's, and
    // objects of messages with no row, one old, one new.
    blobs.put(&ended_id, "left", b"x".to_vec()).await.unwrap();
    blobs
        .put(&kept.message, "stray", b"x".to_vec())
        .await
        .unwrap();
    blobs.put("deadwriter", "a1", b"x".to_vec()).await.unwrap();
    blobs.put("livewriter", "a1", b"x".to_vec()).await.unwrap();
    let old = s3.root().join(BUCKET).join("sweep/deadwriter/a1");
    let touched = std::process::Command::new("touch")
        .args(["-d", "2 days ago"])
        .arg(&old)
        .status()
        .unwrap();
    assert!(touched.success());

    assert_eq!(
        sealmail::messages::sweep_orphans(&app.state).await.unwrap(),
        3
    );

    let mut left: Vec<(String, String)> = app
        .stored_objects()
        .await
        .into_iter()
        .map(|o| (o.message, o.attachment))
        .collect();
    left.sort();
    let mut expected = vec![
        (kept.message.clone(), kept.attachment.clone()),
        ("livewriter".to_owned(), "a1".to_owned()),
    ];
    expected.sort();
    assert_eq!(left, expected);
}
