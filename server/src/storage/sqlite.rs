//! The embedded SQLite backend: WAL mode, one writer thread, readers beside it.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use readyroom_protocol::{EventFrame, RoomId, Timestamp};
use rusqlite::{Connection, OptionalExtension, params};

use super::deliveries::{DeliveryLog, QueuedDelivery};
use super::schema::{MIGRATIONS, current_version};
use super::sqlite_deliveries;
use super::{Backend, LoggedInput, StorageError, StoredRoom, Write};

/// Page cache per connection (SQLite's default is 2 MiB).
const CACHE_KIB: u32 = 16 * 1024;
/// How often the checkpointer thread copies the WAL into the database. More often measured
/// worse: each checkpoint's fsync of the database delays the commits' own fsyncs.
const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_secs(1);
/// How often the writer looks at the WAL file's size (see `after_commit`).
const WAL_SIZE_CHECK_EVERY: std::time::Duration = std::time::Duration::from_secs(1);
/// A WAL file past this size has not been starting over: the writer checkpoints it itself,
/// when no write is queued or at the latest after [`CHECKPOINT_OVERDUE`]. A restarted WAL
/// file is also cut back to this size.
const WAL_LIMIT_BYTES: u64 = 64 * 1024 * 1024;
const CHECKPOINT_OVERDUE: std::time::Duration = std::time::Duration::from_secs(5);

/// How stale a room's `touched_at` may be. It only decides retention (whole days from the
/// command line; a retention shorter than this would delete rooms up to this much early), and
/// rewriting the room's row (snapshot included) on every append was a large share of the
/// writer's work with a thousand rooms busy at once (loadgen, meeting scenario).
const TOUCH_EVERY_MS: Timestamp = 60_000;

#[derive(Debug)]
pub struct SqliteBackend {
    conn: Connection,
    /// When each room's `touched_at` was last written by this connection.
    touched: HashMap<RoomId, Timestamp>,
    /// Size of `touched` past which entries too old to matter are dropped.
    prune_touched_at: usize,
    wal_path: std::path::PathBuf,
    wal_limit: u64,
    last_size_check: std::time::Instant,
    /// Since when the WAL file has been past `wal_limit`, if it is.
    oversized_since: Option<std::time::Instant>,
    /// When the checkpointer thread last finished a pass (ms since the Unix epoch), if there
    /// is one: right after a pass, little is left for the writer's own checkpoint.
    checkpointed_at: Option<Arc<AtomicU64>>,
}

/// How recent the checkpointer's pass must be for the writer to finish the job cheaply.
const FRESH_PASS_MS: u64 = 100;

const MIN_PRUNE_AT: usize = 10_000;

impl SqliteBackend {
    /// Opens and, if needed, migrates the database. `sync` chooses fsync on every commit
    /// (`synchronous=FULL`, the safe default) or leaving it to the OS (`OFF`).
    ///
    /// # Errors
    /// A damaged file, a newer schema, or an I/O failure.
    pub fn open(path: &Path, sync: bool) -> Result<Self, StorageError> {
        let shown = path.display().to_string();
        let corrupt = |detail: String| StorageError::Corrupt {
            path: shown.clone(),
            detail,
        };
        let conn = Connection::open(path).map_err(|e| corrupt(e.to_string()))?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        let mode: String = conn
            .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
            .map_err(|e| corrupt(e.to_string()))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(corrupt(format!(
                "cannot use write-ahead logging (journal mode {mode})"
            )));
        }
        conn.execute_batch(if sync {
            "PRAGMA synchronous = FULL;"
        } else {
            "PRAGMA synchronous = OFF;"
        })?;
        // Measured with the load generator (1,000 rooms appending at once): with SQLite's 2 MiB
        // default the writer re-read pages from the OS and spilled dirty ones mid-transaction,
        // and the automatic checkpoint ran inside commits, stalling every room for up to
        // 300 ms. Checkpoints run on their own thread instead (`spawn_checkpointer`).
        conn.execute_batch(&format!(
            "PRAGMA cache_size = -{CACHE_KIB}; PRAGMA wal_autocheckpoint = 0; \
             PRAGMA journal_size_limit = {WAL_LIMIT_BYTES};"
        ))?;
        let check: String = conn
            .query_row("PRAGMA quick_check", [], |row| row.get(0))
            .map_err(|e| corrupt(e.to_string()))?;
        if check != "ok" {
            return Err(corrupt(check));
        }
        let version: i64 = conn.query_row("PRAGMA user_version", [], |row| row.get(0))?;
        if version > current_version() {
            return Err(StorageError::NewerSchema {
                path: shown,
                found: version,
                known: current_version(),
            });
        }
        let mut backend = Self {
            conn,
            touched: HashMap::new(),
            prune_touched_at: MIN_PRUNE_AT,
            wal_path: path.with_extension("sqlite3-wal"),
            wal_limit: WAL_LIMIT_BYTES,
            last_size_check: std::time::Instant::now(),
            oversized_since: None,
            checkpointed_at: None,
        };
        backend.migrate(version)?;
        Ok(backend)
    }

    /// Copies committed WAL frames into the database every [`CHECKPOINT_EVERY`], beside the
    /// writer (a passive checkpoint never blocks it), until `stop` disconnects. Runs a last
    /// checkpoint on the way out.
    pub fn spawn_checkpointer(
        &mut self,
        path: &Path,
        stop: std::sync::mpsc::Receiver<()>,
    ) -> Option<std::thread::JoinHandle<()>> {
        let path = path.to_owned();
        let finished = Arc::new(AtomicU64::new(0));
        self.checkpointed_at = Some(Arc::clone(&finished));
        let spawned = std::thread::Builder::new()
            .name("storage-checkpoint".into())
            .spawn(move || {
                let conn = match Connection::open(&path) {
                    Ok(conn) => conn,
                    Err(error) => {
                        tracing::error!(%error, "cannot open the database for checkpoints");
                        return;
                    }
                };
                let _ = conn.busy_timeout(std::time::Duration::from_secs(10));
                loop {
                    let stopping = !matches!(
                        stop.recv_timeout(CHECKPOINT_EVERY),
                        Err(std::sync::mpsc::RecvTimeoutError::Timeout)
                    );
                    match conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
                        Ok(()) => finished.store(crate::clock::now_ms(), Ordering::Relaxed),
                        Err(error) => {
                            tracing::warn!(%error, "checkpoint failed; the WAL keeps everything");
                        }
                    }
                    if stopping {
                        return;
                    }
                }
            });
        spawned
            .map_err(|error| tracing::error!(%error, "cannot start the checkpointer"))
            .ok()
    }

    fn migrate(&mut self, from: i64) -> Result<(), StorageError> {
        let start = usize::try_from(from).unwrap_or(0);
        for (index, sql) in MIGRATIONS.iter().enumerate().skip(start) {
            let tx = self.conn.transaction()?;
            tx.execute_batch(sql)?;
            tx.pragma_update(
                None,
                "user_version",
                i64::try_from(index + 1).unwrap_or(i64::MAX),
            )?;
            tx.commit()?;
            tracing::info!(version = index + 1, "database migrated");
        }
        Ok(())
    }
}

fn decode_events(text: &str) -> Result<Vec<EventFrame>, StorageError> {
    serde_json::from_str(text).map_err(|e| StorageError::Decode(format!("events: {e}")))
}

pub(super) fn as_sql(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

pub(super) fn from_sql(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

impl Backend for SqliteBackend {
    fn commit(&mut self, writes: &[Write]) -> Result<(), StorageError> {
        let mut touches = Vec::new();
        let tx = self.conn.transaction()?;
        for write in writes {
            match write {
                Write::CreateRoom {
                    room,
                    epoch,
                    snapshot,
                    now,
                } => {
                    tx.execute(
                        "INSERT INTO rooms (room_id, epoch, created_at, touched_at, snapshot, snapshot_n) VALUES (?1, ?2, ?3, ?3, ?4, 0)",
                        params![room.to_string(), epoch, as_sql(*now), snapshot],
                    )?;
                    touches.push((*room, *now));
                }
                Write::Append {
                    room,
                    inputs,
                    now,
                    outbox,
                } => {
                    sqlite_deliveries::apply(&tx, *room, outbox)?;
                    let id = room.to_string();
                    let mut insert = tx.prepare_cached(
                        "INSERT INTO inputs (room_id, n, input, events) VALUES (?1, ?2, ?3, ?4)",
                    )?;
                    for input in inputs {
                        insert.execute(params![id, as_sql(input.n), input.input, input.events])?;
                    }
                    let due = self
                        .touched
                        .get(room)
                        .is_none_or(|&last| now.saturating_sub(last) >= TOUCH_EVERY_MS);
                    if due {
                        tx.execute(
                            "UPDATE rooms SET touched_at = ?2 WHERE room_id = ?1",
                            params![id, as_sql(*now)],
                        )?;
                        touches.push((*room, *now));
                    }
                }
                Write::Snapshot {
                    room,
                    snapshot,
                    snapshot_n,
                    keep_from_n,
                } => {
                    let id = room.to_string();
                    tx.execute(
                        "UPDATE rooms SET snapshot = ?2, snapshot_n = ?3 WHERE room_id = ?1",
                        params![id, snapshot, as_sql(*snapshot_n)],
                    )?;
                    tx.execute(
                        "DELETE FROM inputs WHERE room_id = ?1 AND n < ?2",
                        params![id, as_sql(*keep_from_n)],
                    )?;
                }
                Write::Outbox { room, changes } => sqlite_deliveries::apply(&tx, *room, changes)?,
                Write::Attempted(attempt) => sqlite_deliveries::record(&tx, attempt)?,
                Write::DeleteRoom { room } => {
                    self.touched.remove(room);
                    sqlite_deliveries::forget_room(&tx, *room)?;
                    let id = room.to_string();
                    tx.execute("DELETE FROM inputs WHERE room_id = ?1", params![id])?;
                    tx.execute("DELETE FROM rooms WHERE room_id = ?1", params![id])?;
                }
            }
        }
        tx.commit()?;
        // Only what is committed counts as touched: a failed transaction retries them all.
        if let Some(&(_, now)) = touches.last() {
            self.touched.extend(touches);
            if self.touched.len() > self.prune_touched_at {
                // An entry older than the interval would be written again anyway.
                self.touched
                    .retain(|_, last| now.saturating_sub(*last) < TOUCH_EVERY_MS);
                self.prune_touched_at = (2 * self.touched.len()).max(MIN_PRUNE_AT);
            }
        }
        Ok(())
    }

    /// The checkpointer thread copies the WAL beside the writer, but SQLite starts the WAL
    /// over only when a write transaction begins with every frame copied, which never happens
    /// while commits keep coming (the WAL grew without bound under load). When the WAL file
    /// outgrows its limit, the writer runs a passive checkpoint itself, between commits: it
    /// copies only what the checkpointer has not yet, and the next transaction restarts the
    /// log. It waits for a moment with no write queued (a reveal storm should not wait behind
    /// it) just after a pass of the checkpointer (so that little is left to copy), or
    /// [`CHECKPOINT_OVERDUE`] at most. Checkpointing every second on the writer instead made
    /// p99 latency 7× worse (loadgen, 300 rooms).
    fn after_commit(&mut self, idle: bool) {
        if self.oversized_since.is_none() {
            if self.last_size_check.elapsed() < WAL_SIZE_CHECK_EVERY {
                return;
            }
            self.last_size_check = std::time::Instant::now();
            let size = std::fs::metadata(&self.wal_path).map_or(0, |meta| meta.len());
            if size <= self.wal_limit {
                return;
            }
            self.oversized_since = Some(std::time::Instant::now());
        }
        let overdue = self
            .oversized_since
            .is_some_and(|since| since.elapsed() >= CHECKPOINT_OVERDUE);
        let fresh = self.checkpointed_at.as_ref().is_none_or(|at| {
            crate::clock::now_ms().saturating_sub(at.load(Ordering::Relaxed)) <= FRESH_PASS_MS
        });
        let due = overdue || (idle && fresh);
        if !due {
            return;
        }
        self.oversized_since = None;
        let started = std::time::Instant::now();
        match self
            .conn
            .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
        {
            Ok(()) => tracing::debug!(elapsed = ?started.elapsed(), overdue, "writer checkpoint"),
            Err(error) => tracing::warn!(%error, "checkpoint failed; the WAL keeps everything"),
        }
    }

    fn load(
        &mut self,
        room: RoomId,
        replay_window: usize,
    ) -> Result<Option<StoredRoom>, StorageError> {
        let id = room.to_string();
        let tx = self.conn.transaction()?;
        let head: Option<(String, String, i64)> = tx
            .query_row(
                "SELECT epoch, snapshot, snapshot_n FROM rooms WHERE room_id = ?1",
                params![id],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
            )
            .optional()?;
        let Some((epoch, snapshot, snapshot_n)) = head else {
            return Ok(None);
        };
        let mut tail = Vec::new();
        let mut recent: Vec<EventFrame> = Vec::new();
        {
            let mut rows =
                tx.prepare("SELECT n, input, events FROM inputs WHERE room_id = ?1 ORDER BY n")?;
            let mut query = rows.query(params![id])?;
            while let Some(row) = query.next()? {
                let n = from_sql(row.get(0)?);
                let events: String = row.get(2)?;
                recent.extend(decode_events(&events)?);
                if n > from_sql(snapshot_n) {
                    tail.push(LoggedInput {
                        n,
                        input: row.get(1)?,
                        events,
                    });
                }
            }
        }
        tx.commit()?;
        let skip = recent.len().saturating_sub(replay_window);
        recent.drain(..skip);
        Ok(Some(StoredRoom {
            epoch,
            snapshot,
            snapshot_n: from_sql(snapshot_n),
            tail,
            recent_events: recent,
        }))
    }

    fn due_deliveries(
        &mut self,
        now: Timestamp,
        limit: usize,
        per_room: usize,
    ) -> Result<Vec<QueuedDelivery>, StorageError> {
        sqlite_deliveries::due(&self.conn, now, limit, per_room)
    }

    fn next_delivery_at(&mut self) -> Result<Option<Timestamp>, StorageError> {
        sqlite_deliveries::next_due(&self.conn)
    }

    fn delivery_log(
        &mut self,
        room: RoomId,
        webhook_id: uuid::Uuid,
    ) -> Result<DeliveryLog, StorageError> {
        sqlite_deliveries::log(&self.conn, room, webhook_id)
    }

    fn stale_rooms(&mut self, before: Timestamp) -> Result<Vec<RoomId>, StorageError> {
        let mut statement = self
            .conn
            .prepare("SELECT room_id FROM rooms WHERE touched_at < ?1")?;
        let ids = statement
            .query_map(params![as_sql(before)], |row| row.get::<_, String>(0))?
            .filter_map(|id| id.ok().and_then(|id| id.parse().ok()))
            .collect();
        Ok(ids)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn append(backend: &mut SqliteBackend, room: RoomId, n: u64) {
        let write = Write::Append {
            room,
            inputs: vec![LoggedInput {
                n,
                input: "x".repeat(2000),
                events: "[]".to_owned(),
            }],
            now: 1,
            outbox: Vec::new(),
        };
        backend.commit(std::slice::from_ref(&write)).unwrap();
    }

    /// With automatic checkpoints off, the WAL starts over only because the writer finishes a
    /// checkpoint between commits once the file outgrows its limit; without that the file
    /// grows for as long as writes come. A restarted log overwrites its file from the start.
    #[test]
    fn the_writers_checkpoint_lets_the_wal_start_over() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("readyroom.sqlite3");
        let wal_size = || {
            std::fs::metadata(path.with_extension("sqlite3-wal"))
                .unwrap()
                .len()
        };
        let mut backend = SqliteBackend::open(&path, false).unwrap();
        backend.wal_limit = 256 * 1024;
        let room = RoomId::from_random_bytes([7; 16]);
        let create = Write::CreateRoom {
            room,
            epoch: "e".to_owned(),
            snapshot: "{}".to_owned(),
            now: 1,
        };
        backend.commit(std::slice::from_ref(&create)).unwrap();
        let mut n = 0;
        let mut appends = |backend: &mut SqliteBackend, count: u64, idle: bool| {
            for _ in 0..count {
                n += 1;
                append(backend, room, n);
                // As if a second had passed: the writer looks at the file every time.
                backend.last_size_check = std::time::Instant::now() - WAL_SIZE_CHECK_EVERY;
                backend.after_commit(idle);
            }
        };
        // Writes always queued, not yet overdue: no checkpoint, the file grows past its limit.
        appends(&mut backend, 200, false);
        let busy = wal_size();
        assert!(busy > 4 * backend.wal_limit, "{busy}");

        // A moment without writes: the writer checkpoints, and later commits reuse the file.
        backend.after_commit(true);
        appends(&mut backend, 20, true);
        assert_eq!(wal_size(), busy, "the log started over");
    }
}
