//! The start-up sweep of attachment files nothing points at: it removes what
//! a dead writer or an unfinished revoke left, and leaves a message that is
//! still being written alone (its writer holds the dir's lock).

mod common;

use common::{BOB, TestApp};
use sealmail::messages::{Outgoing, sweep_orphans};

fn files_in(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[tokio::test]
async fn the_sweep_removes_what_a_dead_writer_left_and_spares_a_live_one() {
    let app = TestApp::new().await;
    let attachments = app.data_dir().join("attachments");

    // Being written (in this process): sealed, not yet stored.
    let mut outgoing = Outgoing::new(&app.state);
    let mut writer = outgoing
        .attachment("report.pdf", "application/pdf")
        .await
        .unwrap();
    writer.write(b"%PDF-1.7 ...").await.unwrap();
    outgoing.finish_attachment(writer).await.unwrap();
    let live = attachments.join(outgoing.id());

    // Left by a writer killed mid-upload: its lock file, held by nobody now.
    let dead = attachments.join("0123456789abcdef0123456789abcdef");
    std::fs::create_dir_all(&dead).unwrap();
    std::fs::write(
        attachments.join("0123456789abcdef0123456789abcdef.writing"),
        b"",
    )
    .unwrap();
    std::fs::write(dead.join("5ea1ed5ea1ed"), b"sealed bytes").unwrap();
    // Killed between making its dir and storing its first file.
    let empty = attachments.join("fedcba9876543210fedcba9876543210");
    std::fs::create_dir_all(&empty).unwrap();

    assert_eq!(sweep_orphans(&app.state).await.unwrap(), 1);
    assert!(
        !dead.exists() && !empty.exists(),
        "the dead writers' dirs are gone"
    );
    assert_eq!(files_in(&live).len(), 1, "the live one is whole: {live:?}");
    let mut top = files_in(&attachments);
    top.retain(|name| name.ends_with(".writing"));
    assert_eq!(
        top,
        [format!("{}.writing", outgoing.id())],
        "only the live lock"
    );

    // Stored: the lock goes, the attachment stays through another sweep.
    outgoing.send(app.draft(&[BOB], &[])).await.unwrap();
    assert_eq!(
        files_in(&attachments).len(),
        1,
        "no lock left: {:?}",
        files_in(&attachments)
    );
    assert_eq!(sweep_orphans(&app.state).await.unwrap(), 0);
    assert_eq!(files_in(&live).len(), 1);

    // A stray file beside it, and the files of a message ended by a revoke
    // that died before removing them.
    std::fs::write(live.join("feedfacefeed"), b"stray").unwrap();
    let ended = app
        .send(&[BOB], &[], &[("a.txt", "text/plain", b"x")])
        .await;
    let row = sealmail::messages::find(&app.state, &ended).await.unwrap();
    let ended_dir = attachments.join(&row.id);
    let kept = std::fs::read_dir(&ended_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect::<Vec<_>>();
    let copies: Vec<(std::path::PathBuf, Vec<u8>)> = kept
        .iter()
        .map(|p| (p.clone(), std::fs::read(p).unwrap()))
        .collect();
    common::revoke(&app.state, &ended).await.unwrap();
    std::fs::create_dir_all(&ended_dir).unwrap();
    for (path, bytes) in &copies {
        std::fs::write(path, bytes).unwrap();
    }
    assert_eq!(sweep_orphans(&app.state).await.unwrap(), 2);
    assert_eq!(files_in(&live).len(), 1);
    assert!(!ended_dir.exists());
}
