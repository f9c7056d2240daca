//! Durable rooms. The room actors talk to storage only through [`Storage`]: append what a batch
//! of inputs produced (committed before anyone hears of it), save snapshots, load a room.
//! SQLite is the embedded default; another backend (PostgreSQL for several nodes) would
//! implement [`Backend`] and nothing else would change.

pub mod deliveries;
mod postgres;
mod schema;
mod segment_log;
mod sqlite;
mod sqlite_deliveries;
mod touches;

use std::path::Path;
use std::sync::{Arc, Mutex};

use readyroom_protocol::{EventFrame, RoomId, Timestamp};
use tokio::sync::oneshot;

pub use deliveries::{
    AfterAttempt, Attempt, DeliveryLog, NewDelivery, OutboxChange, QueuedDelivery,
};
pub use postgres::{DatabaseUrl, Fences, PostgresBackend, open_client as open_postgres_client};
pub use sqlite::{DEFAULT_SEGMENT_BYTES, SqliteBackend};

/// What went wrong in storage. Startup errors are shown to the operator as they are.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error(
        "the database at {path} was written by a newer Ready Room (schema {found}, this build knows up to {known}); refusing to touch it"
    )]
    NewerSchema {
        path: String,
        found: i64,
        known: i64,
    },
    #[error("database error: {0}")]
    Postgres(#[from] tokio_postgres::Error),
    #[error(
        "cannot connect to the {database}: {detail} (a server with a certificate this machine does not trust needs its CA installed, or `sslmode=disable` on a trusted network)"
    )]
    Connect { database: String, detail: String },
    #[error("this node no longer holds the lease of {} room(s); another node serves them", rooms.len())]
    Fenced { rooms: Vec<RoomId> },
    #[error("the input log at {path}: {detail}")]
    Log { path: String, detail: String },
    #[error("the database at {path} is damaged: {detail}")]
    Corrupt { path: String, detail: String },
    #[error("stored data could not be read: {0}")]
    Decode(String),
    #[error("cannot create the data directory {path}: {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    #[error("the storage writer has stopped")]
    WriterGone,
}

/// One input the room applied, with what it produced, in the order applied.
#[derive(Debug, Clone)]
pub struct LoggedInput {
    /// 1-based, per room, without gaps.
    pub n: u64,
    /// The input as JSON (see `actor::input::LoggedInput`); storage does not look inside.
    pub input: String,
    /// The events it produced, as a JSON array: encoded once by the room's task, which also
    /// sizes its replay window with it, rather than again on the single writer thread.
    pub events: String,
}

/// A room as storage hands it back.
#[derive(Debug)]
pub struct StoredRoom {
    pub epoch: String,
    /// The room's core state as JSON, as of input `snapshot_n`.
    pub snapshot: String,
    pub snapshot_n: u64,
    /// Inputs after the snapshot, in order: replaying them gives the current state.
    pub tail: Vec<LoggedInput>,
    /// The most recent events (at most the replay window), oldest first, for resuming clients.
    pub recent_events: Vec<EventFrame>,
}

impl StoredRoom {
    /// A room from its stored row and its inputs in order: those after the snapshot replay to
    /// the current state, and the latest events of all of them fill the replay window.
    fn assemble(
        epoch: String,
        snapshot: String,
        snapshot_n: u64,
        inputs: Vec<LoggedInput>,
        replay_window: usize,
    ) -> Result<Self, StorageError> {
        let mut tail = Vec::new();
        let mut recent: Vec<EventFrame> = Vec::new();
        for input in inputs {
            let events: Vec<EventFrame> = serde_json::from_str(&input.events)
                .map_err(|e| StorageError::Decode(format!("events: {e}")))?;
            recent.extend(events);
            if input.n > snapshot_n {
                tail.push(input);
            }
        }
        let skip = recent.len().saturating_sub(replay_window);
        recent.drain(..skip);
        Ok(Self {
            epoch,
            snapshot,
            snapshot_n,
            tail,
            recent_events: recent,
        })
    }
}

/// Writes for one room in one group commit.
#[derive(Debug)]
pub enum Write {
    CreateRoom {
        room: RoomId,
        epoch: String,
        snapshot: String,
        now: Timestamp,
    },
    Append {
        room: RoomId,
        inputs: Vec<LoggedInput>,
        now: Timestamp,
        /// The webhook deliveries these inputs called for: queued if and only if the inputs
        /// are stored.
        outbox: Vec<OutboxChange>,
    },
    /// Queue changes of their own (a ping, a retry by hand).
    Outbox {
        room: RoomId,
        changes: Vec<OutboxChange>,
    },
    Attempted(Attempt),
    /// Replaces the snapshot and forgets inputs older than `keep_from_n` (kept for replay).
    Snapshot {
        room: RoomId,
        snapshot: String,
        snapshot_n: u64,
        keep_from_n: u64,
    },
    DeleteRoom {
        room: RoomId,
    },
}

/// The operations a storage engine provides. Called from one writer thread (writes) and from
/// blocking tasks (reads).
pub trait Backend: Send + 'static {
    /// Applies every write in one transaction: all or nothing.
    fn commit(&mut self, writes: &[Write]) -> Result<(), StorageError>;
    /// Housekeeping after a commit's writers have had their answers (for SQLite, letting the
    /// write-ahead log start over); `idle` when no write is waiting.
    fn after_commit(&mut self, _idle: bool) {}
    fn load(
        &mut self,
        room: RoomId,
        replay_window: usize,
    ) -> Result<Option<StoredRoom>, StorageError>;
    /// Rooms untouched since `before`.
    fn stale_rooms(&mut self, before: Timestamp) -> Result<Vec<RoomId>, StorageError>;
    /// Webhook deliveries due by `now`, oldest first, at most `per_room` of one room.
    fn due_deliveries(
        &mut self,
        now: Timestamp,
        limit: usize,
        per_room: usize,
    ) -> Result<Vec<QueuedDelivery>, StorageError>;
    /// When the next pending delivery is due.
    fn next_delivery_at(&mut self) -> Result<Option<Timestamp>, StorageError>;
    /// A webhook's latest deliveries, the last attempted (or queued) first.
    fn delivery_log(
        &mut self,
        room: RoomId,
        webhook_id: uuid::Uuid,
    ) -> Result<DeliveryLog, StorageError>;
}

impl Write {
    /// The room whose state this writes (a delivery attempt belongs to the queue, not to a
    /// room's state).
    fn room(&self) -> Option<RoomId> {
        match self {
            Self::CreateRoom { room, .. }
            | Self::Append { room, .. }
            | Self::Outbox { room, .. }
            | Self::Snapshot { room, .. }
            | Self::DeleteRoom { room } => Some(*room),
            Self::Attempted(_) => None,
        }
    }

    fn changes_deliveries(&self) -> bool {
        match self {
            Self::Append { outbox, .. } => !outbox.is_empty(),
            Self::Outbox { .. } | Self::Attempted(_) => true,
            Self::CreateRoom { .. } | Self::Snapshot { .. } | Self::DeleteRoom { .. } => false,
        }
    }
}

type Reply = oneshot::Sender<Result<(), Arc<StorageError>>>;

/// What the writer thread is sent.
enum Op {
    Write(Write, Reply),
    /// Finish what came before, close the database, then answer.
    Close(oneshot::Sender<()>),
}

/// The handle the server uses: cheap to clone, safe to share.
#[derive(Clone, Debug)]
pub struct Storage {
    writes: std::sync::mpsc::Sender<Op>,
    reader: Arc<Mutex<Box<dyn Backend>>>,
    /// Dropping it tells the checkpointer to finish (taken by [`Storage::close`]).
    checkpoints: Arc<Mutex<Option<std::sync::mpsc::Sender<()>>>>,
    checkpointer: Arc<Mutex<Option<std::thread::JoinHandle<()>>>>,
    /// Told after every commit that changed the webhook queue.
    deliveries_changed: Arc<tokio::sync::Notify>,
}

/// Creates the database file readable by its owner only, if it does not exist yet: it holds
/// everything people wrote. SQLite gives its journal files the same permissions.
fn create_private(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(error) => Err(error),
    }
}

/// What reads find once storage is closed.
struct Closed;

impl Backend for Closed {
    fn commit(&mut self, _writes: &[Write]) -> Result<(), StorageError> {
        Err(StorageError::WriterGone)
    }

    fn load(&mut self, _room: RoomId, _window: usize) -> Result<Option<StoredRoom>, StorageError> {
        Err(StorageError::WriterGone)
    }

    fn stale_rooms(&mut self, _before: Timestamp) -> Result<Vec<RoomId>, StorageError> {
        Err(StorageError::WriterGone)
    }

    fn due_deliveries(
        &mut self,
        _: Timestamp,
        _: usize,
        _: usize,
    ) -> Result<Vec<QueuedDelivery>, StorageError> {
        Err(StorageError::WriterGone)
    }

    fn next_delivery_at(&mut self) -> Result<Option<Timestamp>, StorageError> {
        Err(StorageError::WriterGone)
    }

    fn delivery_log(&mut self, _: RoomId, _: uuid::Uuid) -> Result<DeliveryLog, StorageError> {
        Err(StorageError::WriterGone)
    }
}

impl std::fmt::Debug for dyn Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Backend")
    }
}

/// After a group was refused for rooms this node no longer holds: those rooms' writes are
/// refused, and the rest are committed without them (again, if more rooms turn out lost).
/// Answers whether the queue changed.
fn commit_unfenced(
    writer: &mut dyn Backend,
    mut writes: Vec<Write>,
    mut replies: Vec<Reply>,
    fenced: Vec<RoomId>,
) -> Result<bool, Arc<StorageError>> {
    let mut fenced = fenced;
    loop {
        crate::metrics::get()
            .fencing_refusals
            .increment(u64::try_from(fenced.len()).unwrap_or(u64::MAX));
        tracing::warn!(rooms = ?fenced, "writes refused: this node no longer holds these rooms");
        let refused = Arc::new(StorageError::Fenced {
            rooms: fenced.clone(),
        });
        let (kept, dropped): (Vec<_>, Vec<_>) = writes
            .into_iter()
            .zip(replies)
            .partition(|(write, _)| write.room().is_none_or(|room| !fenced.contains(&room)));
        let progress = !dropped.is_empty();
        for (_, reply) in dropped {
            let _ = reply.send(Err(Arc::clone(&refused)));
        }
        (writes, replies) = kept.into_iter().unzip();
        if !progress {
            // Refused for rooms none of these writes is for: they are refused too, rather
            // than tried again for ever.
            for reply in replies {
                let _ = reply.send(Err(Arc::clone(&refused)));
            }
            return Err(refused);
        }
        if writes.is_empty() {
            return Ok(false);
        }
        match writer.commit(&writes) {
            Err(StorageError::Fenced { rooms }) => fenced = rooms,
            result => {
                let result = result.map_err(Arc::new);
                for reply in replies {
                    let _ = reply.send(result.clone());
                }
                return result.map(|()| writes.iter().any(Write::changes_deliveries));
            }
        }
    }
}

impl Storage {
    /// Opens (creating if needed) the SQLite database in `dir`, and the input log beside it
    /// (`log/`, in segments of `segment_bytes`).
    ///
    /// # Errors
    /// A data directory that cannot be created, a damaged database or log, or a database from
    /// a newer build.
    pub fn open_sqlite(dir: &Path, sync: bool, segment_bytes: u64) -> Result<Self, StorageError> {
        std::fs::create_dir_all(dir).map_err(|source| StorageError::DataDir {
            path: dir.display().to_string(),
            source,
        })?;
        let path = dir.join("readyroom.sqlite3");
        create_private(&path).map_err(|source| StorageError::DataDir {
            path: path.display().to_string(),
            source,
        })?;
        let mut writer = SqliteBackend::open_with(&path, sync, segment_bytes)?;
        let reader = writer.reader()?;
        let (checkpoints, stop_checkpoints) = std::sync::mpsc::channel();
        let checkpointer = writer.spawn_checkpointer(&path, stop_checkpoints);
        Ok(Self {
            checkpoints: Arc::new(Mutex::new(Some(checkpoints))),
            checkpointer: Arc::new(Mutex::new(checkpointer)),
            ..Self::with_backends(Box::new(writer), Box::new(reader))
        })
    }

    /// The storage `config` asks for: PostgreSQL with a database URL, else SQLite in the data
    /// directory, else none (rooms in memory only).
    ///
    /// # Errors
    /// As [`Self::open_postgres`] and [`Self::open_sqlite`].
    pub async fn open(
        config: &crate::Config,
        fences: Option<Fences>,
    ) -> Result<Option<Self>, StorageError> {
        if let Some(url) = &config.database_url {
            return Self::open_postgres(url, config.sync, fences)
                .await
                .map(Some);
        }
        config
            .data_dir
            .as_ref()
            .map(|dir| Self::open_sqlite(dir, config.sync, config.log_segment_bytes))
            .transpose()
    }

    /// Connects to (and, if needed, migrates) the PostgreSQL database at `url`: a writing
    /// connection and a reading one.
    ///
    /// # Errors
    /// The database cannot be reached, or was migrated by a newer build.
    pub async fn open_postgres(
        url: &DatabaseUrl,
        sync: bool,
        fences: Option<Fences>,
    ) -> Result<Self, StorageError> {
        let writer = PostgresBackend::connect(url, sync, fences).await?;
        let reader = writer.reader().await?;
        Ok(Self::with_backends(Box::new(writer), Box::new(reader)))
    }

    /// Finishes every write already sent, then closes the database on every thread, so that
    /// once this returns nothing of this process holds it. Later writes and reads fail.
    pub async fn close(&self) {
        let (closed, done) = oneshot::channel();
        if self.writes.send(Op::Close(closed)).is_ok() {
            let _ = done.await;
        }
        if let Ok(mut reader) = self.reader.lock() {
            *reader = Box::new(Closed);
        }
        if let Ok(mut checkpoints) = self.checkpoints.lock() {
            checkpoints.take();
        }
        let checkpointer = self
            .checkpointer
            .lock()
            .ok()
            .and_then(|mut slot| slot.take());
        if let Some(checkpointer) = checkpointer {
            let _ = tokio::task::spawn_blocking(move || checkpointer.join()).await;
        }
    }

    /// Starts the writer thread over `writer`; `reader` serves loads.
    pub fn with_backends(mut writer: Box<dyn Backend>, reader: Box<dyn Backend>) -> Self {
        let (tx, rx) = std::sync::mpsc::channel::<Op>();
        let deliveries_changed = Arc::new(tokio::sync::Notify::new());
        let tell_dispatcher = Arc::clone(&deliveries_changed);
        std::thread::Builder::new()
            .name("storage-writer".into())
            .spawn(move || {
                // Group commit: everything that queued up while the last commit ran goes into
                // the next transaction together, so one fsync serves many rooms.
                let mut waiting = None;
                let mut close = None;
                while let Some(first) = waiting.take().or_else(|| rx.recv().ok()) {
                    let mut batch = Vec::new();
                    let mut next = Some(first);
                    while let Some(op) = next.take() {
                        match op {
                            Op::Write(write, reply) => batch.push((write, reply)),
                            Op::Close(done) => {
                                close = Some(done);
                                break;
                            }
                        }
                        next = rx.try_recv().ok();
                    }
                    let (writes, replies): (Vec<Write>, Vec<Reply>) = batch.into_iter().unzip();
                    let started = std::time::Instant::now();
                    let result = if writes.is_empty() {
                        Ok(())
                    } else {
                        writer.commit(&writes)
                    };
                    let elapsed = started.elapsed();
                    tracing::debug!(writes = writes.len(), ?elapsed, "group commit");
                    if !writes.is_empty() {
                        let metrics = crate::metrics::get();
                        metrics.commits.increment(1);
                        metrics.commit_seconds.record(elapsed.as_secs_f64());
                        metrics
                            .commit_writes
                            .record(crate::metrics::count(writes.len()));
                    }
                    let answered = match result {
                        Err(StorageError::Fenced { rooms }) => {
                            commit_unfenced(writer.as_mut(), writes, replies, rooms)
                        }
                        result => {
                            let result = result.map_err(Arc::new);
                            let changed = writes.iter().any(Write::changes_deliveries);
                            for reply in replies {
                                let _ = reply.send(result.clone());
                            }
                            result.map(|()| changed)
                        }
                    };
                    match answered {
                        Err(error) => tracing::error!(%error, "storage commit failed"),
                        Ok(true) => tell_dispatcher.notify_one(),
                        Ok(false) => {}
                    }
                    if close.is_some() {
                        break;
                    }
                    waiting = rx.try_recv().ok();
                    writer.after_commit(waiting.is_none());
                }
                drop(writer);
                if let Some(done) = close {
                    let _ = done.send(());
                }
            })
            .map_or_else(
                |error| tracing::error!(%error, "cannot start the storage writer"),
                |_| (),
            );
        Self {
            writes: tx,
            reader: Arc::new(Mutex::new(reader)),
            checkpoints: Arc::new(Mutex::new(None)),
            checkpointer: Arc::new(Mutex::new(None)),
            deliveries_changed,
        }
    }

    /// Notified after each commit that changed the webhook queue.
    #[must_use]
    pub fn deliveries_changed(&self) -> Arc<tokio::sync::Notify> {
        Arc::clone(&self.deliveries_changed)
    }

    /// Commits a write; returns once it is durable (as durable as the sync setting makes it).
    ///
    /// # Errors
    /// The write failed; nothing of it was applied.
    pub async fn write(&self, write: Write) -> Result<(), Arc<StorageError>> {
        self.submit(write).await
    }

    /// Hands a write to the writer now (writes are stored in the order submitted); the future
    /// answers once it is durable.
    pub fn submit(
        &self,
        write: Write,
    ) -> impl Future<Output = Result<(), Arc<StorageError>>> + Send + 'static {
        let (reply, done) = oneshot::channel();
        let sent = self.writes.send(Op::Write(write, reply));
        async move {
            sent.map_err(|_| Arc::new(StorageError::WriterGone))?;
            done.await.map_err(|_| Arc::new(StorageError::WriterGone))?
        }
    }

    /// # Errors
    /// The database could not be read or holds undecodable data.
    pub async fn load(
        &self,
        room: RoomId,
        replay_window: usize,
    ) -> Result<Option<StoredRoom>, StorageError> {
        self.read(move |backend| backend.load(room, replay_window))
            .await
    }

    /// # Errors
    /// The database could not be read.
    pub async fn stale_rooms(&self, before: Timestamp) -> Result<Vec<RoomId>, StorageError> {
        self.read(move |backend| backend.stale_rooms(before)).await
    }

    /// # Errors
    /// The database could not be read.
    pub async fn due_deliveries(
        &self,
        now: Timestamp,
        limit: usize,
        per_room: usize,
    ) -> Result<Vec<QueuedDelivery>, StorageError> {
        self.read(move |backend| backend.due_deliveries(now, limit, per_room))
            .await
    }

    /// # Errors
    /// The database could not be read.
    pub async fn next_delivery_at(&self) -> Result<Option<Timestamp>, StorageError> {
        self.read(|backend| backend.next_delivery_at()).await
    }

    /// Each of `webhooks`' latest deliveries, the last attempted (or queued) first.
    ///
    /// # Errors
    /// The database could not be read.
    pub async fn delivery_logs(
        &self,
        room: RoomId,
        webhooks: Vec<uuid::Uuid>,
    ) -> Result<Vec<DeliveryLog>, StorageError> {
        self.read(move |backend| {
            webhooks
                .into_iter()
                .map(|webhook| backend.delivery_log(room, webhook))
                .collect()
        })
        .await
    }

    /// Runs `read` on the reading connection, off the async threads.
    async fn read<T: Send + 'static>(
        &self,
        read: impl FnOnce(&mut dyn Backend) -> Result<T, StorageError> + Send + 'static,
    ) -> Result<T, StorageError> {
        let reader = Arc::clone(&self.reader);
        tokio::task::spawn_blocking(move || {
            let mut backend = reader.lock().map_err(|_| StorageError::WriterGone)?;
            read(backend.as_mut())
        })
        .await
        .map_err(|_| StorageError::WriterGone)?
    }
}
