//! A room's durable log: the inputs a batch applied, committed in one group commit before
//! anything they caused leaves the server, and snapshots that let the log be trimmed.

use readyroom_protocol::{ErrorCode, RoomId, Timestamp};

use crate::clock::now_ms;
use crate::room::{CommandError, Room};
use crate::storage::{LoggedInput, OutboxChange, Storage, Write};

/// A commit under way: `Ok` once durable, `Err` if it failed.
pub type Committing = std::pin::Pin<Box<dyn Future<Output = Result<(), ()>> + Send>>;

#[derive(Debug)]
pub struct RoomLog {
    storage: Option<Storage>,
    /// The number the next logged input gets.
    next_n: u64,
    since_snapshot: u64,
    pending: Vec<LoggedInput>,
    /// Webhook deliveries the pending inputs called for.
    outbox: Vec<OutboxChange>,
    snapshot_every: u64,
    /// Inputs kept in the log behind a snapshot: they hold the replay window's events.
    keep_behind_snapshot: u64,
    /// Set by a failed commit. The room in memory then holds changes that may never have been
    /// stored, so nothing of it is written again: it is reloaded from what was committed.
    failed: bool,
}

impl RoomLog {
    pub fn new(storage: Option<Storage>, next_n: u64, snapshot_every: u64, keep: usize) -> Self {
        Self {
            storage,
            next_n,
            since_snapshot: 0,
            pending: Vec::new(),
            outbox: Vec::new(),
            snapshot_every,
            keep_behind_snapshot: u64::try_from(keep).unwrap_or(u64::MAX),
            failed: false,
        }
    }

    pub fn is_durable(&self) -> bool {
        self.storage.is_some()
    }

    /// Queues an input (as JSON) with the events it produced (a JSON array) for the next commit.
    pub fn push(&mut self, input: String, events: String) {
        self.pending.push(LoggedInput {
            n: self.next_n,
            input,
            events,
        });
        self.next_n += 1;
    }

    /// Queues a change to the room's webhook queue, stored with the next commit's inputs.
    pub fn push_outbox(&mut self, change: OutboxChange) {
        if self.storage.is_some() {
            self.outbox.push(change);
        }
    }

    /// Whether inputs wait for a commit.
    pub fn has_pending(&self) -> bool {
        !self.pending.is_empty()
    }

    /// How many inputs wait for a commit.
    pub fn pending_len(&self) -> usize {
        self.pending.len()
    }

    /// Makes the queued inputs durable, and snapshots the room when one is due.
    pub async fn commit(&mut self, room: &Room) -> Result<(), ()> {
        let committed = self.start_commit(room).await;
        if committed.is_err() {
            self.failed = true;
        }
        committed
    }

    /// Sends the queued inputs to storage now, with a snapshot of `room` when one is due (as
    /// of those inputs: the room must not have applied anything since), and answers a future
    /// that finishes once they are durable. The room may go on applying inputs meanwhile;
    /// they wait for the next commit. After a failure (see [`Self::failed`]) nothing is sent.
    pub fn start_commit(&mut self, room: &Room) -> Committing {
        if self.failed {
            return Box::pin(std::future::ready(Err(())));
        }
        let inputs = std::mem::take(&mut self.pending);
        let outbox = std::mem::take(&mut self.outbox);
        let Some(storage) = self.storage.as_ref().filter(|_| !inputs.is_empty()) else {
            return Box::pin(std::future::ready(Ok(())));
        };
        self.since_snapshot += u64::try_from(inputs.len()).unwrap_or(u64::MAX);
        let room_id = room.id();
        let appended = storage.submit(Write::Append {
            room: room_id,
            inputs,
            now: now_ms(),
            outbox,
        });
        // Made now, as of exactly the inputs just sent, but sent only once they are stored:
        // a snapshot must never cover inputs whose commit failed.
        let snapshot = if self.since_snapshot >= self.snapshot_every {
            self.since_snapshot = 0;
            self.snapshot_write(room, true)
        } else {
            None
        };
        let storage = storage.clone();
        Box::pin(async move {
            if let Err(error) = appended.await {
                tracing::error!(room = %room_id, %error, "cannot store the room's changes; closing it");
                return Err(());
            }
            if let Some(snapshot) = snapshot {
                if let Err(error) = storage.write(snapshot).await {
                    tracing::warn!(room = %room_id, %error, "snapshot not saved; the log still has everything");
                }
            }
            Ok(())
        })
    }

    /// Marks the log failed (a commit under way did not go through): nothing more is written.
    pub fn fail(&mut self) {
        self.failed = true;
    }

    /// A snapshot of `room` as of the last logged input; the log keeps the inputs behind it
    /// that hold the replay window's events if `keep_replay`.
    fn snapshot_write(&self, room: &Room, keep_replay: bool) -> Option<Write> {
        let snapshot_n = self.next_n - 1;
        let keep_from_n = if keep_replay {
            snapshot_n.saturating_sub(self.keep_behind_snapshot)
        } else {
            snapshot_n + 1
        };
        match serde_json::to_string(room) {
            Ok(snapshot) => Some(Write::Snapshot {
                room: room.id(),
                snapshot,
                snapshot_n,
                keep_from_n,
            }),
            Err(error) => {
                tracing::error!(%error, "cannot encode a snapshot");
                None
            }
        }
    }

    /// Stores the whole room as of the last logged input, unless a commit has failed. Without
    /// `keep_replay` (nobody is connected to resume), the log keeps nothing of the room: an
    /// idle room must not hold an old log segment on disk.
    pub async fn save_snapshot(&mut self, room: &Room, keep_replay: bool) {
        if self.failed {
            return;
        }
        let Some(storage) = &self.storage else { return };
        let Some(write) = self.snapshot_write(room, keep_replay) else {
            return;
        };
        match storage.write(write).await {
            Ok(()) => self.since_snapshot = 0,
            Err(error) => {
                tracing::warn!(room = %room.id(), %error, "snapshot not saved; the log still has everything");
            }
        }
    }
}

/// Stores a brand-new room (created or imported) with a fresh epoch before anyone can learn
/// of it. Returns the epoch.
pub async fn store_new(
    storage: Option<&Storage>,
    room: &Room,
    now: Timestamp,
) -> Result<String, CommandError> {
    let epoch = uuid::Uuid::new_v4().to_string();
    let Some(storage) = storage else {
        return Ok(epoch);
    };
    let stored = match serde_json::to_string(room) {
        Ok(snapshot) => storage
            .write(Write::CreateRoom {
                room: room.id(),
                epoch: epoch.clone(),
                snapshot,
                now,
            })
            .await
            .map_err(|error| error.to_string()),
        Err(error) => Err(error.to_string()),
    };
    stored.map_err(|error| {
        tracing::error!(%error, "cannot store a new room");
        CommandError::new(ErrorCode::Internal, "the room could not be stored")
    })?;
    Ok(epoch)
}

/// Why a stored room could not be brought back.
#[derive(Debug, thiserror::Error)]
#[error("room {room} cannot be loaded: {detail}")]
pub struct LoadError {
    pub room: RoomId,
    pub detail: String,
}
