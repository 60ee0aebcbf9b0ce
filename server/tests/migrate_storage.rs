//! `sealmail migrate-storage`: an installation on SQLite copied into a new
//! database — PostgreSQL when the tests run on it, another SQLite file
//! otherwise — and every message read back from the copy.

mod common;

use common::cli::{ok, run_on_sqlite};

const ALICE: &str = "alice@sealmail.test";

fn on_sqlite(data: &std::path::Path, args: &[&str]) -> String {
    ok(run_on_sqlite(data, args, ""))
}

#[test]
fn an_installation_on_sqlite_moves_to_a_new_database_and_reads_back_from_it() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    ok(run_on_sqlite(
        &data,
        &["user", "add", "--email", ALICE, "--password-stdin"],
        "demo-password\n",
    ));
    let body = dir.path().join("body.txt");
    std::fs::write(&body, "The plan, in full").unwrap();
    let file = dir.path().join("plan.bin");
    std::fs::write(&file, vec![7u8; 200_000]).unwrap();
    let send = |to: &str| {
        let out = on_sqlite(
            &data,
            &[
                "send",
                "--from",
                ALICE,
                "--to",
                to,
                "--subject",
                "Moving",
                "--body-file",
                body.to_str().unwrap(),
                "--attach",
                file.to_str().unwrap(),
            ],
        );
        out.lines()
            .find(|l| l.starts_with('<'))
            .unwrap_or_else(|| panic!("no Message-ID in {out}"))
            .trim()
            .to_owned()
    };
    let kept = send("bob@example.net");
    let revoked = send("carol@example.org");
    on_sqlite(&data, &["revoke", "--message-id", &revoked]);

    let target_dir = dir.path().join("target");
    let _database = common::pg::Database::create(&target_dir);
    let target = common::pg::database_url(&target_dir)
        .unwrap_or_else(|| format!("sqlite://{}", dir.path().join("target.db").display()));
    let report = on_sqlite(&data, &["migrate-storage", "--to-database", &target]);
    assert!(
        report.contains("1 messages and 200000 bytes of attachments read back"),
        "{report}"
    );
    assert!(
        report.contains("messages                      2 rows"),
        "{report}"
    );

    // The copy answers as the original did.
    let status = |id: &str| {
        on_sqlite(
            &data,
            &["--database-url", &target, "status", "--message-id", id],
        )
    };
    assert!(
        status(&kept).contains("Revoked : False"),
        "{}",
        status(&kept)
    );
    assert!(
        status(&revoked).contains("Revoked : True"),
        "{}",
        status(&revoked)
    );

    // A target that already holds data is refused, and left as it is.
    let again = run_on_sqlite(&data, &["migrate-storage", "--to-database", &target], "");
    assert!(!again.status.success());
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("the target database is not empty"),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    assert!(status(&kept).contains("Revoked : False"));
}

#[tokio::test]
async fn the_copy_names_every_table_of_the_schema() {
    let dir = tempfile::tempdir().unwrap();
    let db = sealmail::store::open(&dir.path().join("schema.db"))
        .await
        .unwrap();
    let pool = db.as_sqlite().unwrap();
    let mut tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table'
           AND name NOT IN ('sqlite_sequence', '_sqlx_migrations')",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    tables.sort();
    let mut copied: Vec<String> = sealmail::store::copy::table_names()
        .into_iter()
        .map(str::to_owned)
        .collect();
    copied.sort();
    assert_eq!(copied, tables);
}

#[test]
fn attachments_move_from_the_folder_to_a_bucket_and_read_back_from_it() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    ok(run_on_sqlite(
        &data,
        &["user", "add", "--email", ALICE, "--password-stdin"],
        "demo-password\n",
    ));
    let file = dir.path().join("plan.bin");
    let plain: Vec<u8> = (0..3_000_000u32).map(|i| (i % 253) as u8).collect();
    std::fs::write(&file, &plain).unwrap();
    on_sqlite(
        &data,
        &[
            "send",
            "--from",
            ALICE,
            "--to",
            "bob@example.net",
            "--subject",
            "Moving",
            "--attach",
            file.to_str().unwrap(),
        ],
    );

    let s3 = common::blobs::S3Server::start("sealed");
    let to = "s3://sealed/moved";
    // The endpoint and credentials, without --blob-url (the source is the folder).
    let endpoint = s3.args("sealed/moved").split_off(2);
    let mut args = vec!["migrate-storage", "--to-blobs", to];
    args.extend(endpoint.iter().map(String::as_str));
    let report = on_sqlite(&data, &args);
    assert!(
        report.contains("copied 1 attachments") && report.contains("to s3://sealed/moved"),
        "{report}"
    );
    assert!(
        report.contains("1 messages and 3000000 bytes of attachments read back"),
        "{report}"
    );

    // The object in the bucket is the sealed file, byte for byte.
    let objects = s3.objects("sealed/moved");
    let [object] = &objects[..] else {
        panic!("{objects:?}")
    };
    let message = object.parent().unwrap().file_name().unwrap();
    let attachment = object.file_name().unwrap();
    let local = data.join("attachments").join(message).join(attachment);
    assert!(std::fs::read(object).unwrap() == std::fs::read(local).unwrap());
}
