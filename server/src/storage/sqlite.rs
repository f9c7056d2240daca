//! The embedded SQLite backend: WAL mode, one writer thread, readers beside it.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use readyroom_protocol::{RoomId, Timestamp};
use rusqlite::{Connection, OptionalExtension, params};

use super::deliveries::{DeliveryLog, QueuedDelivery};
use super::schema::{MIGRATIONS, current_version};
use super::segment_log::{LogReader, LoggedOutbox, Position, SegmentLog};
use super::sqlite_deliveries;
use super::touches::Touches;
use super::{Backend, LoggedInput, StorageError, StoredRoom, Write};

/// Where a log segment ends and the next begins, unless configured otherwise.
pub const DEFAULT_SEGMENT_BYTES: u64 = 64 * 1024 * 1024;

/// Page cache per connection (SQLite's default is 2 MiB). It was 16 MiB while inputs were
/// rows here (the writer re-read and spilled log pages mid-commit with less); rooms and
/// snapshots alone need far less, and every page of it stays resident.
const CACHE_KIB: u32 = 4 * 1024;
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

/// The input log as one connection sees it: the writer appends, readers read.
#[derive(Debug)]
enum LogSide {
    Writer(SegmentLog),
    Reader(LogReader),
}

/// Rooms and their snapshots, the webhook queue, and (through [`SegmentLog`]) the rooms'
/// inputs. A group commit appends the inputs to the log and syncs it; the database's own
/// transaction is synced too only when it holds something that must outlive a power cut on
/// its own (a new or deleted room, webhook queue changes) or when log segments are to be
/// deleted (then it runs, and writes, even with nothing else to store). Snapshots need no sync
/// of their own: the log keeps what they cover until a synced transaction has followed them.
#[derive(Debug)]
pub struct SqliteBackend {
    conn: Connection,
    path: std::path::PathBuf,
    log: LogSide,
    sync: bool,
    /// Whether the connection is set to sync its next commit.
    syncing_commits: bool,
    touched: Touches,
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

impl SqliteBackend {
    /// Opens and, if needed, migrates the database, and opens the input log in `log` beside
    /// it, with segments of the default size. `sync` chooses durable commits (the log synced
    /// every group commit, the database when a commit needs it: the safe default) or leaving
    /// all flushing to the OS.
    ///
    /// # Errors
    /// A damaged file or log, a newer schema, or an I/O failure.
    pub fn open(path: &Path, sync: bool) -> Result<Self, StorageError> {
        Self::open_with(path, sync, DEFAULT_SEGMENT_BYTES)
    }

    /// [`Self::open`] with log segments of `segment_bytes`.
    ///
    /// # Errors
    /// A damaged file or log, a newer schema, or an I/O failure.
    pub fn open_with(path: &Path, sync: bool, segment_bytes: u64) -> Result<Self, StorageError> {
        let mut conn = connect(path, sync)?;
        let applied: Option<Position> = conn
            .query_row(
                "SELECT segment, end_offset FROM log_applied WHERE id = 1",
                [],
                |row| {
                    Ok(Position {
                        segment: from_sql(row.get(0)?),
                        offset: from_sql(row.get(1)?),
                    })
                },
            )
            .optional()?;
        let (mut log, outbox) = SegmentLog::open(&log_dir(path), sync, segment_bytes, applied)?;
        let rooms = log_starts(&conn)?;
        log.retain(|room| rooms.get(&room).copied());
        apply_logged_outbox(&mut conn, log.end(), applied, outbox, &rooms)?;
        Ok(Self::over(conn, path, LogSide::Writer(log), sync))
    }

    /// Another connection to the same database, reading the log this one writes.
    ///
    /// # Errors
    /// The database cannot be opened again.
    pub fn reader(&self) -> Result<Self, StorageError> {
        let conn = connect(&self.path, self.sync)?;
        Ok(Self::over(
            conn,
            &self.path,
            LogSide::Reader(self.log_reader()),
            self.sync,
        ))
    }

    fn over(conn: Connection, path: &Path, log: LogSide, sync: bool) -> Self {
        Self {
            conn,
            path: path.to_owned(),
            log,
            sync,
            syncing_commits: false,
            touched: Touches::default(),
            wal_path: path.with_extension("sqlite3-wal"),
            wal_limit: WAL_LIMIT_BYTES,
            last_size_check: std::time::Instant::now(),
            oversized_since: None,
            checkpointed_at: None,
        }
    }

    /// What a crash right after the log's sync leaves: the inputs in the log, nothing of the
    /// group in the database.
    #[cfg(test)]
    pub(super) fn append_to_log_only(&mut self, writes: &[Write]) {
        if let LogSide::Writer(log) = &mut self.log {
            if let Ok(Some(appended)) = log.append(writes) {
                log.publish(appended);
            }
        }
    }

    fn log_reader(&self) -> LogReader {
        match &self.log {
            LogSide::Writer(log) => log.reader(),
            LogSide::Reader(reader) => reader.clone(),
        }
    }

    /// Sets whether the next commits sync the database (when syncing at all).
    fn sync_commits(&mut self, on: bool) -> Result<(), StorageError> {
        if self.sync && self.syncing_commits != on {
            self.conn.execute_batch(if on {
                "PRAGMA synchronous = FULL;"
            } else {
                "PRAGMA synchronous = NORMAL;"
            })?;
            self.syncing_commits = on;
        }
        Ok(())
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
}

/// The input log's directory beside the database file.
fn log_dir(path: &Path) -> std::path::PathBuf {
    path.with_file_name("log")
}

/// Opens one connection, checks the file and migrates it.
fn connect(path: &Path, sync: bool) -> Result<Connection, StorageError> {
    let shown = path.display().to_string();
    let corrupt = |detail: String| StorageError::Corrupt {
        path: shown.clone(),
        detail,
    };
    let mut conn = Connection::open(path).map_err(|e| corrupt(e.to_string()))?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    let mode: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
        .map_err(|e| corrupt(e.to_string()))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(corrupt(format!(
            "cannot use write-ahead logging (journal mode {mode})"
        )));
    }
    // NORMAL: a commit is synced only when `sync_commits` asks for it (checkpoints always
    // are); the input log is synced on every group commit instead.
    conn.execute_batch(if sync {
        "PRAGMA synchronous = NORMAL;"
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
    migrate(&mut conn, version)?;
    Ok(conn)
}

fn migrate(conn: &mut Connection, from: i64) -> Result<(), StorageError> {
    let start = usize::try_from(from).unwrap_or(0);
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(start) {
        let tx = conn.transaction()?;
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

/// Each stored room with the first input it needs from the log.
fn log_starts(conn: &Connection) -> Result<HashMap<RoomId, u64>, StorageError> {
    let mut statement = conn.prepare("SELECT room_id, log_from_n FROM rooms")?;
    let rows = statement.query_map([], |row| Ok((row.get::<_, String>(0)?, row.get(1)?)))?;
    let mut rooms = HashMap::new();
    for row in rows {
        let (id, from): (String, i64) = row?;
        if let Ok(room) = id.parse() {
            rooms.insert(room, from_sql(from));
        }
    }
    Ok(rooms)
}

/// Webhook queue changes are stored with the inputs that caused them, in the log; the
/// database's copy is committed just after. After a crash between the two, the log has
/// them and the database does not: they are applied now (queueing is idempotent), for rooms
/// that exist.
///
/// Records the log's `end` as applied whenever anything was, and also when the database's
/// record lies past it: without sync, a crash can cut the log back behind what the database
/// recorded, and groups written from here on must not look applied already.
fn apply_logged_outbox(
    conn: &mut Connection,
    end: Position,
    applied: Option<Position>,
    outbox: LoggedOutbox,
    rooms: &HashMap<RoomId, u64>,
) -> Result<(), StorageError> {
    if outbox.is_empty() && applied.is_none_or(|applied| applied <= end) {
        return Ok(());
    }
    let tx = conn.transaction()?;
    let mut recovered = 0;
    for (room, changes) in outbox {
        if rooms.contains_key(&room) {
            sqlite_deliveries::apply(&tx, room, &changes)?;
            recovered += changes.len();
        }
    }
    record_applied(&tx, end)?;
    tx.commit()?;
    if recovered > 0 {
        tracing::info!(
            recovered,
            "webhook queue changes recovered from the input log"
        );
    }
    Ok(())
}

fn record_applied(conn: &Connection, end: Position) -> Result<(), StorageError> {
    conn.prepare_cached(
        "INSERT INTO log_applied (id, segment, end_offset) VALUES (1, ?1, ?2)
         ON CONFLICT (id) DO UPDATE SET segment = excluded.segment, end_offset = excluded.end_offset",
    )?
    .execute(params![as_sql(end.segment), as_sql(end.offset)])?;
    Ok(())
}

pub(super) fn as_sql(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

pub(super) fn from_sql(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

impl SqliteBackend {
    /// The database's part of a group commit; answers the rooms whose `touched_at` it wrote.
    ///
    /// With `log_end`, the transaction also records how far the log's webhook queue changes
    /// are applied (all of them, once it commits): it then always writes, so that a synced
    /// one makes everything before it durable (an empty transaction writes and syncs nothing).
    fn commit_database(
        &mut self,
        writes: &[Write],
        log_end: Option<Position>,
    ) -> Result<Vec<(RoomId, Timestamp)>, StorageError> {
        let mut touches = Vec::new();
        if log_end.is_none() && !writes.iter().any(|write| self.needs_database(write)) {
            // Most group commits: inputs only, all in the log.
            return Ok(touches);
        }
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
                    room, now, outbox, ..
                } => {
                    sqlite_deliveries::apply(&tx, *room, outbox)?;
                    if self.touched.due(*room, *now) {
                        tx.prepare_cached("UPDATE rooms SET touched_at = ?2 WHERE room_id = ?1")?
                            .execute(params![room.to_string(), as_sql(*now)])?;
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
                        "UPDATE rooms SET snapshot = ?2, snapshot_n = ?3, log_from_n = ?4 WHERE room_id = ?1",
                        params![id, snapshot, as_sql(*snapshot_n), as_sql(*keep_from_n)],
                    )?;
                    // Inputs older builds stored here.
                    tx.execute(
                        "DELETE FROM inputs WHERE room_id = ?1 AND n < ?2",
                        params![id, as_sql(*keep_from_n)],
                    )?;
                }
                Write::Outbox { room, changes } => sqlite_deliveries::apply(&tx, *room, changes)?,
                Write::Attempted(attempt) => sqlite_deliveries::record(&tx, attempt)?,
                Write::DeleteRoom { room } => {
                    sqlite_deliveries::forget_room(&tx, *room)?;
                    let id = room.to_string();
                    tx.execute("DELETE FROM inputs WHERE room_id = ?1", params![id])?;
                    tx.execute("DELETE FROM rooms WHERE room_id = ?1", params![id])?;
                }
            }
        }
        if let Some(end) = log_end {
            record_applied(&tx, end)?;
        }
        tx.commit()?;
        Ok(touches)
    }

    /// Whether `write` has anything for the database: not an append of inputs alone whose
    /// room's `touched_at` is recent enough.
    fn needs_database(&self, write: &Write) -> bool {
        match write {
            Write::Append {
                room, now, outbox, ..
            } => !outbox.is_empty() || self.touched.due(*room, *now),
            _ => true,
        }
    }
}

impl Write {
    /// Whether the database's transaction must be synced for this write to be durable: the
    /// log holds inputs, not rooms' existence nor the webhook queue.
    fn needs_database_sync(&self) -> bool {
        match self {
            Self::Append { outbox, .. } => !outbox.is_empty(),
            Self::CreateRoom { .. }
            | Self::DeleteRoom { .. }
            | Self::Outbox { .. }
            | Self::Attempted(_) => true,
            Self::Snapshot { .. } => false,
        }
    }
}

impl Backend for SqliteBackend {
    /// The inputs go to the log first, synced; then the database's transaction. If that
    /// fails, the log is cut back: all or nothing. A crash between the two leaves inputs in
    /// the log that no one was told of (kept: they were applied in order) and webhook queue
    /// changes the database lacks (applied when the server starts again).
    fn commit(&mut self, writes: &[Write]) -> Result<(), StorageError> {
        let LogSide::Writer(log) = &mut self.log else {
            return Err(StorageError::WriterGone);
        };
        let appended = log.append(writes)?;
        // Segments whose rooms' snapshots (or deletion) an earlier transaction stored: this
        // one is synced so that those are durable before the segments go.
        let releasing = log.take_releasable();
        let sync_database = !releasing.is_empty() || writes.iter().any(Write::needs_database_sync);
        // A synced transaction always writes (see `commit_database`); every earlier group's
        // queue changes are in the database by now, and this group's are in this transaction.
        let log_end = sync_database.then(|| log.end());
        let committed = self
            .sync_commits(sync_database)
            .and_then(|()| self.commit_database(writes, log_end));
        let LogSide::Writer(log) = &mut self.log else {
            return Err(StorageError::WriterGone);
        };
        let touches = match committed {
            Ok(touches) => touches,
            Err(error) => {
                if let Some(appended) = &appended {
                    log.undo(appended);
                }
                log.keep_releasable(releasing);
                return Err(error);
            }
        };
        if let Some(appended) = appended {
            log.publish(appended);
        }
        for write in writes {
            match write {
                Write::Snapshot {
                    room, keep_from_n, ..
                } => log.trim(*room, *keep_from_n),
                Write::DeleteRoom { room } => {
                    log.forget(*room);
                    self.touched.forget(*room);
                }
                _ => {}
            }
        }
        log.delete(releasing);
        if sync_database && self.sync {
            crate::metrics::get().fsyncs.increment(1);
        }
        self.touched.remember(touches);
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
        // Read before the database: a snapshot stored meanwhile finds its inputs still here.
        let logged = self.log_reader().read(room)?;
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
        let mut inputs = Vec::new();
        {
            let mut rows =
                tx.prepare("SELECT n, input, events FROM inputs WHERE room_id = ?1 ORDER BY n")?;
            let mut query = rows.query(params![id])?;
            while let Some(row) = query.next()? {
                inputs.push(LoggedInput {
                    n: from_sql(row.get(0)?),
                    input: row.get(1)?,
                    events: row.get(2)?,
                });
            }
        }
        tx.commit()?;
        // Older builds' inputs come first; the log holds everything after them.
        let stored_up_to = inputs.last().map_or(0, |input| input.n);
        inputs.extend(logged.into_iter().filter(|input| input.n > stored_up_to));
        StoredRoom::assemble(epoch, snapshot, from_sql(snapshot_n), inputs, replay_window).map(Some)
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

    /// Inputs go to the log; snapshots are what the database's WAL still takes.
    fn append(backend: &mut SqliteBackend, room: RoomId, n: u64) {
        let write = Write::Snapshot {
            room,
            snapshot: n.to_string().repeat(2000),
            snapshot_n: n,
            keep_from_n: n,
        };
        backend.commit(std::slice::from_ref(&write)).unwrap();
    }

    fn create(room: RoomId) -> Write {
        Write::CreateRoom {
            room,
            epoch: "e".to_owned(),
            snapshot: "{}".to_owned(),
            now: 1,
        }
    }

    fn input(room: RoomId, n: u64) -> Write {
        Write::Append {
            room,
            inputs: vec![LoggedInput {
                n,
                input: format!("input {n}"),
                events: "[]".to_owned(),
            }],
            now: 1,
            outbox: Vec::new(),
        }
    }

    fn tail(backend: &mut SqliteBackend, room: RoomId) -> Vec<String> {
        let stored = backend.load(room, 10).unwrap().unwrap();
        stored.tail.into_iter().map(|input| input.input).collect()
    }

    /// All or nothing: when the database's part of a group commit fails, the inputs already
    /// in the log are taken out again, and the log goes on from there.
    #[test]
    fn a_failed_database_commit_takes_the_groups_inputs_out_of_the_log() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("readyroom.sqlite3");
        let mut backend = SqliteBackend::open(&path, true).unwrap();
        let (room, other) = (
            RoomId::from_random_bytes([1; 16]),
            RoomId::from_random_bytes([2; 16]),
        );
        backend.commit(&[create(room), input(room, 1)]).unwrap();
        // Creating a room that exists fails inside the transaction.
        assert!(backend.commit(&[input(room, 2), create(room)]).is_err());
        assert_eq!(tail(&mut backend, room), ["input 1"]);
        backend.commit(&[input(room, 2), create(other)]).unwrap();
        assert_eq!(tail(&mut backend, room), ["input 1", "input 2"]);
        drop(backend);
        let mut backend = SqliteBackend::open(&path, true).unwrap();
        assert_eq!(tail(&mut backend, room), ["input 1", "input 2"]);
    }

    /// A room is loaded from its snapshot and the log after it; after a restart, inputs the
    /// snapshot covers are not handed back, and neither is anything of a deleted room.
    #[test]
    fn rooms_come_back_from_snapshot_and_log_after_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("readyroom.sqlite3");
        let mut backend = SqliteBackend::open_with(&path, true, 1024).unwrap();
        let (room, deleted) = (
            RoomId::from_random_bytes([3; 16]),
            RoomId::from_random_bytes([4; 16]),
        );
        backend.commit(&[create(room), create(deleted)]).unwrap();
        for n in 1..=30 {
            backend
                .commit(&[input(room, n), input(deleted, n)])
                .unwrap();
        }
        let snapshot = Write::Snapshot {
            room,
            snapshot: "{\"at\":25}".to_owned(),
            snapshot_n: 25,
            keep_from_n: 20,
        };
        let first_segment = dir.path().join("log").join("000000000001.seg");
        assert!(first_segment.exists());
        backend
            .commit(&[snapshot, Write::DeleteRoom { room: deleted }])
            .unwrap();
        // The next commit, inputs alone, still runs a synced transaction (the snapshot must be
        // durable before the segments go), then deletes.
        backend.commit(&[input(room, 31)]).unwrap();
        backend.commit(&[input(room, 32)]).unwrap();
        assert!(!first_segment.exists(), "a segment nobody needs is deleted");
        drop(backend);
        let mut backend = SqliteBackend::open_with(&path, true, 1024).unwrap();
        let stored = backend.load(room, 100).unwrap().unwrap();
        assert_eq!(stored.snapshot_n, 25);
        let numbers: Vec<u64> = stored.tail.iter().map(|input| input.n).collect();
        assert_eq!(numbers, (26..=32).collect::<Vec<_>>());
        assert!(backend.load(deleted, 10).unwrap().is_none());
    }

    /// A snapshot is committed without a sync; the segments it makes unneeded go only after a
    /// later transaction that is synced and writes (an empty one would sync nothing), even
    /// when that later group commit is inputs alone.
    #[test]
    fn segments_go_only_after_a_synced_transaction_that_writes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("readyroom.sqlite3");
        let mut backend = SqliteBackend::open_with(&path, true, 1024).unwrap();
        let room = RoomId::from_random_bytes([5; 16]);
        backend.commit(&[create(room)]).unwrap();
        for n in 1..=30 {
            backend.commit(&[input(room, n)]).unwrap();
        }
        let snapshot = Write::Snapshot {
            room,
            snapshot: "{}".to_owned(),
            snapshot_n: 30,
            keep_from_n: 31,
        };
        backend.commit(&[snapshot]).unwrap();
        let first_segment = dir.path().join("log").join("000000000001.seg");
        assert!(first_segment.exists(), "not before a synced transaction");
        let applied = |backend: &SqliteBackend| {
            backend
                .conn
                .query_row("SELECT segment, end_offset FROM log_applied", [], |row| {
                    Ok((row.get::<_, i64>(0)?, row.get::<_, i64>(1)?))
                })
                .unwrap()
        };
        let before = applied(&backend);
        backend.commit(&[input(room, 31)]).unwrap();
        assert!(!first_segment.exists());
        assert!(applied(&backend) > before, "the transaction wrote");
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
