//! The input log: what every room applied, appended from all rooms to one file in order, with
//! one `write` and one `fdatasync` per group commit. Storing the same inputs as rows of a
//! B-tree rewrote a 4 KiB page per room per commit (and checkpointed them again); appending
//! writes each byte once.
//!
//! The log is a directory of segments (`000000000001.seg`, …). The writer appends to the last
//! one and starts the next once it passes its size. An in-memory index, rebuilt by reading the
//! segments when the server starts, says where each room's inputs since its snapshot are. A
//! group cut short by a crash can only be at the end of the last segment (a new segment is
//! started only after the previous one is synced, whatever `--sync` says): it was never
//! acknowledged, and is cut off whole.
//! A segment is deleted once no room needs any record in it, after the snapshots that made
//! them unneeded are durable (the caller says when: see [`SegmentLog::take_releasable`]).

mod record;
mod recovery;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use readyroom_protocol::RoomId;

use super::{LoggedInput, StorageError, Write};

pub use recovery::LoggedOutbox;

/// Where a segment ends: the log holds everything before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    pub segment: u64,
    pub offset: u64,
}

/// Where one input's record is.
#[derive(Clone, Copy, Debug)]
struct Entry {
    n: u64,
    segment: u64,
    offset: u64,
}

#[derive(Debug)]
struct Segment {
    file: Arc<File>,
    /// Index entries pointing into it.
    live: usize,
}

/// Shared by the writer and the readers.
#[derive(Debug, Default)]
struct Index {
    rooms: HashMap<RoomId, VecDeque<Entry>>,
    segments: BTreeMap<u64, Segment>,
}

impl Index {
    /// Forgets `entries`; returns the segments no entry points into any more.
    fn drop_entries(&mut self, entries: impl IntoIterator<Item = Entry>) -> Vec<u64> {
        let mut emptied = Vec::new();
        for entry in entries {
            if let Some(segment) = self.segments.get_mut(&entry.segment) {
                segment.live = segment.live.saturating_sub(1);
                if segment.live == 0 {
                    emptied.push(entry.segment);
                }
            }
        }
        emptied
    }
}

/// Reads rooms' inputs from the log; cheap to clone, used beside the writer.
#[derive(Clone, Debug)]
pub struct LogReader {
    index: Arc<Mutex<Index>>,
}

impl LogReader {
    /// Every input of `room` the log holds, oldest first.
    ///
    /// # Errors
    /// A segment that cannot be read or a record that does not match its checksum.
    pub fn read(&self, room: RoomId) -> Result<Vec<LoggedInput>, StorageError> {
        // Read outside the lock: the files stay readable even if deleted meanwhile.
        let wanted: Vec<(Entry, Arc<File>)> = {
            let index = self.index.lock().map_err(|_| StorageError::WriterGone)?;
            let Some(entries) = index.rooms.get(&room) else {
                return Ok(Vec::new());
            };
            entries
                .iter()
                .filter_map(|entry| {
                    let segment = index.segments.get(&entry.segment)?;
                    Some((*entry, Arc::clone(&segment.file)))
                })
                .collect()
        };
        wanted
            .iter()
            .map(|(entry, file)| read_record(file, *entry))
            .collect()
    }
}

fn read_record(file: &File, entry: Entry) -> Result<LoggedInput, StorageError> {
    let damaged = |detail: &str| {
        StorageError::Decode(format!(
            "the log record of input {} in segment {} at {}: {detail}",
            entry.n, entry.segment, entry.offset
        ))
    };
    let mut head = [0; record::HEADER_BYTES];
    file.read_exact_at(&mut head, entry.offset)
        .map_err(|e| damaged(&e.to_string()))?;
    let (len, crc) = record::header(&head).ok_or_else(|| damaged("no header"))?;
    let mut payload = vec![0; len];
    file.read_exact_at(&mut payload, entry.offset + record::HEADER_BYTES as u64)
        .map_err(|e| damaged(&e.to_string()))?;
    if crc32fast::hash(&payload) != crc {
        return Err(damaged("checksum mismatch"));
    }
    let parts = record::parts(&payload).ok_or_else(|| damaged("malformed"))?;
    if parts.n != entry.n {
        return Err(damaged("another input's record"));
    }
    parts.logged_input()
}

/// What one group commit appended, published to readers once the rest of the commit is done.
#[derive(Debug)]
pub struct Appended {
    entries: Vec<(RoomId, Entry)>,
    /// Where the segment ended before: a failed commit cuts it back there.
    start: Position,
}

/// The writing side: owned by the storage writer thread.
#[derive(Debug)]
pub struct SegmentLog {
    dir: PathBuf,
    sync: bool,
    segment_bytes: u64,
    /// The segment appended to, and its length.
    current: u64,
    file: Arc<File>,
    len: u64,
    index: Arc<Mutex<Index>>,
    /// Segments no room needs, waiting to be deleted.
    releasable: Vec<u64>,
    /// Set when a write or sync failed and could not be undone: what is on disk is unknown
    /// (after a failed fsync Linux may have dropped the dirty pages), so nothing more is
    /// appended until a restart reads the log again.
    broken: bool,
}

impl SegmentLog {
    /// Opens the log in `dir` (creating it), reading every segment: a torn last record is cut
    /// off. Returns the records after `applied` that carry webhook queue changes, for the
    /// caller to apply if its own commit of them was lost.
    ///
    /// # Errors
    /// A directory that cannot be made or read, or a damaged segment other than the last.
    pub fn open(
        dir: &Path,
        sync: bool,
        segment_bytes: u64,
        applied: Option<Position>,
    ) -> Result<(Self, LoggedOutbox), StorageError> {
        let recovered = recovery::read_dir(dir, sync, applied)?;
        let mut index = Index::default();
        for (number, file, entries) in recovered.segments {
            index.segments.insert(
                number,
                Segment {
                    file: Arc::new(file),
                    live: entries.len(),
                },
            );
            for (room, entry) in entries {
                index.rooms.entry(room).or_default().push_back(entry);
            }
        }
        let (current, len) = recovered.last;
        let file = index
            .segments
            .get(&current)
            .map(|segment| Arc::clone(&segment.file))
            .ok_or_else(|| recovery::io_error(dir, &std::io::Error::other("no segment")))?;
        Ok((
            Self {
                dir: dir.to_owned(),
                sync,
                segment_bytes: segment_bytes.max(1),
                current,
                file,
                len,
                index: Arc::new(Mutex::new(index)),
                releasable: Vec::new(),
                broken: false,
            },
            recovered.outbox,
        ))
    }

    /// Where the log ends now.
    #[must_use]
    pub fn end(&self) -> Position {
        Position {
            segment: self.current,
            offset: self.len,
        }
    }

    #[must_use]
    pub fn reader(&self) -> LogReader {
        LogReader {
            index: Arc::clone(&self.index),
        }
    }

    /// Keeps, of each room, only the inputs from `log_from(room)` on, and nothing of rooms it
    /// answers `None` for (deleted, or never committed).
    pub fn retain(&mut self, log_from: impl Fn(RoomId) -> Option<u64>) {
        let Ok(mut index) = self.index.lock() else {
            return;
        };
        let mut dropped = Vec::new();
        index.rooms.retain(|room, entries| {
            let from = log_from(*room);
            let keep_from = from.unwrap_or(u64::MAX);
            while entries.front().is_some_and(|entry| entry.n < keep_from) {
                dropped.extend(entries.pop_front());
            }
            from.is_some() && !entries.is_empty()
        });
        // Every segment nothing points into any more, including those that held no entry.
        index.drop_entries(dropped);
        let unreferenced: Vec<u64> = index
            .segments
            .iter()
            .filter(|(_, segment)| segment.live == 0)
            .map(|(number, _)| *number)
            .collect();
        drop(index);
        for segment in unreferenced {
            self.release(segment);
        }
    }

    /// Appends the inputs of every `Write::Append` in `writes` and makes them durable (if
    /// syncing). Readers see them only once [`Self::publish`]ed.
    ///
    /// # Errors
    /// The log could not be written or synced. The group is cut off again; if even that
    /// fails, the log takes no more writes until a restart, which may then find the group.
    pub fn append(&mut self, writes: &[Write]) -> Result<Option<Appended>, StorageError> {
        let appends: Vec<_> = writes
            .iter()
            .filter_map(|write| match write {
                Write::Append {
                    room,
                    inputs,
                    outbox,
                    ..
                } if !inputs.is_empty() => Some((*room, inputs, outbox)),
                _ => None,
            })
            .collect();
        if appends.is_empty() {
            return Ok(None);
        }
        if self.broken {
            return Err(self.error(&std::io::Error::other(
                "an earlier write failed; restart to read the log again",
            )));
        }
        if self.len >= self.segment_bytes {
            self.roll_over()?;
        }
        let start = self.end();
        // Sized once: growing it record by record showed up as the writer's `realloc`.
        let size: usize = appends
            .iter()
            .flat_map(|(_, inputs, _)| inputs.iter())
            .map(|input| record::OVERHEAD_BYTES + input.input.len() + input.events.len())
            .sum();
        let mut buf = Vec::with_capacity(size);
        let mut entries = Vec::new();
        let last_append = appends.len().saturating_sub(1);
        for (a, (room, inputs, outbox)) in appends.into_iter().enumerate() {
            let last = inputs.len().saturating_sub(1);
            for (i, input) in inputs.iter().enumerate() {
                let offset = self.len + buf.len() as u64;
                // The batch's queue changes ride on its last input: stored with all of it.
                let changes = if i == last { outbox.as_slice() } else { &[] };
                let flags = if a == last_append && i == last {
                    record::ENDS_GROUP
                } else {
                    0
                };
                record::encode(&mut buf, room, input, changes, flags)?;
                entries.push((
                    room,
                    Entry {
                        n: input.n,
                        segment: self.current,
                        offset,
                    },
                ));
            }
        }
        if let Err(error) = self.file.write_all_at(&buf, self.len) {
            self.cut_back(start);
            return Err(self.error(&error));
        }
        if self.sync {
            if let Err(error) = self.file.sync_data() {
                // Linux may have dropped the pages it failed to write: what the file holds is
                // not known any more, so nothing more is built on it. The group is cut off as
                // far as that still works, lest it come back after a restart.
                self.cut_back(start);
                self.broken = true;
                return Err(self.error(&error));
            }
            crate::metrics::get().fsyncs.increment(1);
        }
        self.len += buf.len() as u64;
        Ok(Some(Appended { entries, start }))
    }

    /// Lets readers see what `appended` added.
    pub fn publish(&mut self, appended: Appended) {
        let Ok(mut index) = self.index.lock() else {
            return;
        };
        for (room, entry) in appended.entries {
            if let Some(segment) = index.segments.get_mut(&entry.segment) {
                segment.live += 1;
            }
            index.rooms.entry(room).or_default().push_back(entry);
        }
    }

    /// Takes `appended` back out of the log: the rest of its commit failed.
    pub fn undo(&mut self, appended: &Appended) {
        self.cut_back(appended.start);
    }

    /// Forgets `room`'s inputs before `keep_from_n` (a snapshot covers them).
    pub fn trim(&mut self, room: RoomId, keep_from_n: u64) {
        self.drop_room_entries(room, keep_from_n);
    }

    /// Forgets all of `room`.
    pub fn forget(&mut self, room: RoomId) {
        self.drop_room_entries(room, u64::MAX);
    }

    fn drop_room_entries(&mut self, room: RoomId, before_n: u64) {
        let Ok(mut index) = self.index.lock() else {
            return;
        };
        let mut dropped = Vec::new();
        if let Some(entries) = index.rooms.get_mut(&room) {
            while entries.front().is_some_and(|entry| entry.n < before_n) {
                dropped.extend(entries.pop_front());
            }
            if entries.is_empty() {
                index.rooms.remove(&room);
            }
        }
        let emptied = index.drop_entries(dropped);
        drop(index);
        for segment in emptied {
            self.release(segment);
        }
    }

    fn release(&mut self, segment: u64) {
        if segment != self.current && !self.releasable.contains(&segment) {
            self.releasable.push(segment);
        }
    }

    /// Segments no room needs. The caller deletes them with [`Self::delete`] once what made
    /// them unneeded (snapshots, deleted rooms) is durable, or hands them back.
    pub fn take_releasable(&mut self) -> Vec<u64> {
        std::mem::take(&mut self.releasable)
    }

    /// Hands segments taken with [`Self::take_releasable`] back, not deleted.
    pub fn keep_releasable(&mut self, segments: Vec<u64>) {
        for segment in segments {
            self.release(segment);
        }
    }

    /// Deletes segments no room needs. A deletion lost in a crash is harmless: the segment is
    /// read again at the next start, and nothing in it is wanted.
    pub fn delete(&mut self, segments: Vec<u64>) {
        for segment in segments {
            let still_unneeded = self.index.lock().is_ok_and(|mut index| {
                let unneeded = index
                    .segments
                    .get(&segment)
                    .is_some_and(|held| held.live == 0);
                if unneeded {
                    index.segments.remove(&segment);
                }
                unneeded
            });
            if !still_unneeded {
                continue;
            }
            let path = recovery::segment_path(&self.dir, segment);
            match std::fs::remove_file(&path) {
                Ok(()) => tracing::debug!(segment, "log segment deleted"),
                Err(error) => {
                    tracing::warn!(%error, path = %path.display(), "cannot delete a log segment");
                }
            }
        }
    }

    /// Syncs the full segment and starts the next. Synced even without `--sync` (once a
    /// segment, so nearly free): a damaged record can then only be at the end of the last
    /// segment, where a crash leaves it, and never stops the server from starting.
    fn roll_over(&mut self) -> Result<(), StorageError> {
        let next = self.current + 1;
        self.file.sync_data().map_err(|e| self.error(&e))?;
        let file = recovery::create_segment(&self.dir, next, true)?;
        let file = Arc::new(file);
        let emptied = {
            let mut index = self.index.lock().map_err(|_| StorageError::WriterGone)?;
            index.segments.insert(
                next,
                Segment {
                    file: Arc::clone(&file),
                    live: 0,
                },
            );
            index
                .segments
                .get(&self.current)
                .is_some_and(|segment| segment.live == 0)
        };
        let previous = self.current;
        self.current = next;
        self.file = file;
        self.len = 0;
        if emptied {
            self.release(previous);
        }
        tracing::debug!(segment = next, "log segment started");
        Ok(())
    }

    /// Cuts the current segment back to `start` after a failed write or commit; if even that
    /// fails, the log takes no more writes.
    fn cut_back(&mut self, start: Position) {
        if start.segment != self.current {
            self.broken = true;
            return;
        }
        let cut = self.file.set_len(start.offset).and_then(|()| {
            if self.sync {
                self.file.sync_all()
            } else {
                Ok(())
            }
        });
        match cut {
            Ok(()) => self.len = start.offset,
            Err(error) => {
                tracing::error!(%error, "cannot cut the log back after a failed commit");
                self.broken = true;
            }
        }
    }

    fn error(&self, error: &std::io::Error) -> StorageError {
        recovery::io_error(&recovery::segment_path(&self.dir, self.current), error)
    }
}
