//! Every input in the corpus (seeds and what AFL++ kept) replays without a panic.

use std::path::Path;

fn replay(target: &str, run: fn(&[u8])) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("corpus")
        .join(target);
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap_or_else(|e| panic!("{e}")).path();
        let data = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        run(&data);
        count += 1;
    }
    assert!(count > 0, "the {target} corpus is empty");
}

#[test]
fn the_frames_corpus_replays() {
    replay("frames", readyroom_fuzz::frames);
}

#[test]
fn the_room_corpus_replays() {
    replay("room", readyroom_fuzz::room);
}

#[test]
fn the_csv_corpus_replays() {
    replay("csv", readyroom_fuzz::csv);
}
