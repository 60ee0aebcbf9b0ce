//! What the schema itself promises, checked on the database the tests run
//! on (`cargo xtask test` runs it again on PostgreSQL).

mod common;

use common::TestApp;
use sealmail::store::Db;

/// PostgreSQL compares two text columns in the non-default collation of the
/// two, and an index answers only comparisons in its own: a column pointing
/// at `messages.id` (byte-ordered, `COLLATE "C"`) in the default collation
/// cannot be joined to it through its index (the message view read all of
/// `recipients`, `message_keys` and `message_bodies` for each view). SQLite
/// compares them all as BINARY.
#[tokio::test]
async fn every_column_pointing_at_a_message_compares_as_the_messages_id_does() {
    let app = TestApp::new().await;
    let Db::Postgres(pool) = &app.state.db else {
        return;
    };
    let mismatched: Vec<String> = sqlx::query_scalar(
        "SELECT c.conrelid::regclass::text || '.' || a.attname
         FROM pg_constraint c
         JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
         JOIN pg_attribute t ON t.attrelid = c.confrelid
                            AND t.attnum = c.confkey[array_position(c.conkey, a.attnum)]
         WHERE c.contype = 'f' AND c.confrelid = 'messages'::regclass
           AND a.attcollation <> t.attcollation
         ORDER BY 1",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    assert_eq!(mismatched, Vec::<String>::new());
}
