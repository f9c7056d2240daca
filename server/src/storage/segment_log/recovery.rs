//! Reading the log's directory when the server starts: every segment in order, each record
//! checked, a torn tail of the last segment cut off.

use std::fs::{File, OpenOptions};
use std::io::Read;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use readyroom_protocol::RoomId;

use super::record::{self, Frame};
use super::{Entry, Position};
use crate::storage::{OutboxChange, StorageError};

/// Webhook queue changes logged with inputs, per room, in log order.
pub type LoggedOutbox = Vec<(RoomId, Vec<OutboxChange>)>;

/// One segment as read: its number, its file and the records in it, oldest first.
pub(super) type ScannedSegment = (u64, File, Vec<(RoomId, Entry)>);

/// The segments as read.
#[derive(Debug)]
pub(super) struct Scanned {
    pub segments: Vec<ScannedSegment>,
    /// The last segment and its length.
    pub last: (u64, u64),
    /// Queue changes in records after the position the caller had applied.
    pub outbox: LoggedOutbox,
}

pub(super) fn segment_path(dir: &Path, number: u64) -> PathBuf {
    dir.join(format!("{number:012}.seg"))
}

pub(super) fn io_error(path: &Path, error: &std::io::Error) -> StorageError {
    StorageError::Log {
        path: path.display().to_string(),
        detail: error.to_string(),
    }
}

/// Creates segment `number`, readable by its owner only (it holds what people wrote); with
/// `sync`, its directory entry is made durable before anything is written to it.
pub(super) fn create_segment(dir: &Path, number: u64, sync: bool) -> Result<File, StorageError> {
    let path = segment_path(dir, number);
    // Not `create_new`: a segment left by a start that failed halfway (its directory entry
    // not synced) is empty or unacknowledged, and is started over.
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&path)
        .map_err(|e| io_error(&path, &e))?;
    if sync {
        File::open(dir)
            .and_then(|dir| dir.sync_all())
            .map_err(|e| io_error(dir, &e))?;
    }
    Ok(file)
}

pub(super) fn read_dir(
    dir: &Path,
    sync: bool,
    applied: Option<Position>,
) -> Result<Scanned, StorageError> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| io_error(dir, &e))?;
    let mut numbers: Vec<u64> = std::fs::read_dir(dir)
        .map_err(|e| io_error(dir, &e))?
        .filter_map(|entry| {
            let name = entry.ok()?.file_name();
            name.to_str()?.strip_suffix(".seg")?.parse().ok()
        })
        .collect();
    numbers.sort_unstable();
    if numbers.is_empty() {
        create_segment(dir, 1, sync)?;
        numbers.push(1);
    }
    let mut scanned = Scanned {
        segments: Vec::new(),
        last: (1, 0),
        outbox: Vec::new(),
    };
    let last_number = numbers.last().copied().unwrap_or(1);
    for number in numbers {
        let path = segment_path(dir, number);
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(&path)
            .map_err(|e| io_error(&path, &e))?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)
            .map_err(|e| io_error(&path, &e))?;
        let mut entries = Vec::new();
        let mut offset = 0;
        // The group commit being read: its records count only once its last one is read.
        let mut group = Vec::new();
        let mut group_outbox = Vec::new();
        let mut group_start = 0;
        let whole = loop {
            let (payload, len) = match record::frame_at(&bytes, offset) {
                Frame::Record { payload, len } => (payload, len),
                Frame::End => break group.is_empty(),
                Frame::Damaged => break false,
            };
            let Some(parts) = record::parts(payload) else {
                break false;
            };
            let end = Position {
                segment: number,
                offset: (offset + len) as u64,
            };
            if !parts.outbox.is_empty() && applied.is_none_or(|applied| end > applied) {
                group_outbox.push((parts.room, parts.outbox()?));
            }
            group.push((
                parts.room,
                Entry {
                    n: parts.n,
                    segment: number,
                    offset: offset as u64,
                },
            ));
            offset += len;
            if parts.ends_group {
                entries.append(&mut group);
                scanned.outbox.append(&mut group_outbox);
                group_start = offset;
            }
        };
        if !whole {
            if number != last_number {
                return Err(StorageError::Corrupt {
                    path: path.display().to_string(),
                    detail: format!("a damaged record after byte {group_start} of a full segment"),
                });
            }
            cut_torn_tail(&file, &path, group_start, bytes.len(), sync)?;
            offset = group_start;
        }
        scanned.last = (number, offset as u64);
        scanned.segments.push((number, file, entries));
    }
    Ok(scanned)
}

/// A group commit cut short at the end of the last segment was being written when the server
/// stopped: never synced, so never acknowledged. Cutting it off whole lets appends go on from
/// there.
fn cut_torn_tail(
    file: &File,
    path: &Path,
    offset: usize,
    len: usize,
    sync: bool,
) -> Result<(), StorageError> {
    // A crash mid-write leaves this; damage to records already synced would too, and cannot
    // be told apart from it: say loudly how much goes.
    tracing::error!(
        path = %path.display(),
        bytes = len - offset,
        "cutting off the end of the input log: a group commit torn by a crash"
    );
    file.set_len(offset as u64)
        .and_then(|()| if sync { file.sync_all() } else { Ok(()) })
        .map_err(|e| io_error(path, &e))
}
