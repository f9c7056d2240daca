#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test code: a failed expectation is a failed test"
)]

use super::*;

const SMALL_SEGMENT: u64 = 4096;

fn room(byte: u8) -> RoomId {
    RoomId::from_random_bytes([byte; 16])
}

fn append(room: RoomId, from: u64, count: u64) -> Write {
    Write::Append {
        room,
        inputs: (from..from + count)
            .map(|n| LoggedInput {
                n,
                input: format!("{{\"input\":{n},\"padding\":\"{}\"}}", "p".repeat(200)),
                events: format!("[{n}]"),
            })
            .collect(),
        now: 1,
        outbox: Vec::new(),
    }
}

fn open(dir: &Path) -> SegmentLog {
    SegmentLog::open(dir, true, SMALL_SEGMENT, None).unwrap().0
}

fn commit(log: &mut SegmentLog, writes: &[Write]) {
    let appended = log.append(writes).unwrap().expect("inputs appended");
    log.publish(appended);
}

fn numbers(log: &SegmentLog, room: RoomId) -> Vec<u64> {
    log.reader()
        .read(room)
        .unwrap()
        .iter()
        .map(|input| input.n)
        .collect()
}

fn segment_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    files.sort();
    files
}

#[test]
fn rooms_read_back_their_inputs_in_order_across_segments_and_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (room(1), room(2));
    let mut log = open(dir.path());
    for group in 0..20 {
        commit(
            &mut log,
            &[append(a, group * 3 + 1, 3), append(b, group + 1, 1)],
        );
    }
    assert!(segment_files(dir.path()).len() > 3, "the log rolled over");
    let expected_a: Vec<u64> = (1..=60).collect();
    let expected_b: Vec<u64> = (1..=20).collect();
    assert_eq!(numbers(&log, a), expected_a);
    assert_eq!(numbers(&log, b), expected_b);
    let input = &log.reader().read(a).unwrap()[41];
    assert_eq!(input.events, "[42]");
    drop(log);

    let mut log = open(dir.path());
    assert_eq!(
        numbers(&log, a),
        expected_a,
        "the index is rebuilt on start"
    );
    assert_eq!(numbers(&log, b), expected_b);
    commit(&mut log, &[append(b, 21, 1)]);
    assert_eq!(numbers(&log, b).last(), Some(&21));
}

/// A crash can cut the last group commit's write at any byte: the groups before it are read
/// back whole, the torn group is cut off entirely (none of it was acknowledged, and a batch's
/// webhook queue changes ride on its last record), and appending goes on from there.
#[test]
fn a_group_torn_at_any_byte_is_cut_off_whole_and_what_came_before_survives() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (room(3), room(13));
    let mut log = SegmentLog::open(dir.path(), false, u64::MAX, None)
        .unwrap()
        .0;
    commit(&mut log, &[append(a, 1, 2)]);
    let whole = log.end().offset;
    commit(&mut log, &[append(a, 3, 2), append(b, 1, 2)]);
    let end = log.end().offset;
    drop(log);
    let path = recovery::segment_path(dir.path(), 1);
    let bytes = std::fs::read(&path).unwrap();
    for cut in whole..end {
        std::fs::write(&path, &bytes[..usize::try_from(cut).unwrap()]).unwrap();
        let mut log = SegmentLog::open(dir.path(), false, u64::MAX, None)
            .unwrap()
            .0;
        assert_eq!(numbers(&log, a), [1, 2], "cut at {cut}");
        assert!(numbers(&log, b).is_empty(), "cut at {cut}");
        assert_eq!(std::fs::metadata(&path).unwrap().len(), whole);
        commit(&mut log, &[append(a, 3, 1)]);
        drop(log);
        let log = SegmentLog::open(dir.path(), false, u64::MAX, None)
            .unwrap()
            .0;
        assert_eq!(
            numbers(&log, a),
            [1, 2, 3],
            "appended after the cut at {cut}"
        );
    }
}

/// A crash can also leave the file longer than what was written: zeros where the last group
/// should be. They are no record, and are cut off like a torn one.
#[test]
fn zeros_after_the_last_group_are_cut_off() {
    let dir = tempfile::tempdir().unwrap();
    let a = room(14);
    let mut log = SegmentLog::open(dir.path(), false, u64::MAX, None)
        .unwrap()
        .0;
    commit(&mut log, &[append(a, 1, 2)]);
    let whole = log.end().offset;
    drop(log);
    let path = recovery::segment_path(dir.path(), 1);
    let mut bytes = std::fs::read(&path).unwrap();
    bytes.extend([0; 4096]);
    std::fs::write(&path, bytes).unwrap();
    let log = SegmentLog::open(dir.path(), false, u64::MAX, None)
        .unwrap()
        .0;
    assert_eq!(numbers(&log, a), [1, 2]);
    assert_eq!(std::fs::metadata(&path).unwrap().len(), whole);
}

#[test]
fn damage_inside_a_full_segment_refuses_to_start() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = open(dir.path());
    for group in 0..20 {
        commit(&mut log, &[append(room(4), group + 1, 1)]);
    }
    drop(log);
    let first = recovery::segment_path(dir.path(), 1);
    let mut bytes = std::fs::read(&first).unwrap();
    bytes[100] ^= 1;
    std::fs::write(&first, bytes).unwrap();
    let error = SegmentLog::open(dir.path(), true, SMALL_SEGMENT, None).unwrap_err();
    assert!(matches!(error, StorageError::Corrupt { .. }), "{error}");
}

/// Segments go once no room needs them; one a room still needs stays, however old.
#[test]
fn segments_are_deleted_once_every_room_in_them_is_trimmed_past_them() {
    let dir = tempfile::tempdir().unwrap();
    let (busy, quiet) = (room(5), room(6));
    let mut log = open(dir.path());
    commit(&mut log, &[append(quiet, 1, 1)]);
    for group in 0..40 {
        commit(&mut log, &[append(busy, group * 2 + 1, 2)]);
    }
    let before = segment_files(dir.path()).len();
    log.trim(busy, 80);
    let released = log.take_releasable();
    assert!(
        !released.contains(&1),
        "the quiet room still needs the first segment"
    );
    assert_eq!(
        released.len(),
        before - 2,
        "all but the first and the current"
    );
    log.delete(released);
    assert_eq!(segment_files(dir.path()).len(), 2);
    assert_eq!(numbers(&log, busy), [80]);
    assert_eq!(numbers(&log, quiet), [1]);

    log.forget(quiet);
    let released = log.take_releasable();
    log.delete(released);
    assert_eq!(
        segment_files(dir.path()).len(),
        1,
        "only the current segment"
    );
    drop(log);
    let mut log = open(dir.path());
    log.retain(|room| (room == busy).then_some(80));
    assert_eq!(numbers(&log, busy), [80]);
    assert!(numbers(&log, quiet).is_empty());
}

/// On start, the database says which rooms exist and from where they need the log.
#[test]
fn on_start_the_log_keeps_only_what_stored_rooms_still_need() {
    let dir = tempfile::tempdir().unwrap();
    let (kept, gone) = (room(7), room(8));
    let mut log = open(dir.path());
    for group in 0..30 {
        commit(
            &mut log,
            &[append(kept, group + 1, 1), append(gone, group + 1, 1)],
        );
    }
    drop(log);
    let mut log = open(dir.path());
    log.retain(|room| (room == kept).then_some(29));
    assert_eq!(numbers(&log, kept), [29, 30]);
    assert!(numbers(&log, gone).is_empty());
    let released = log.take_releasable();
    assert!(!released.is_empty());
    log.delete(released);
    assert!(segment_files(dir.path()).len() <= 2);
}
