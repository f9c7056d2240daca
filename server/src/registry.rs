//! The live rooms, by id. Handles are cheap to clone; the state lives in each room's actor.
//! A room that is stored but not in memory is loaded on first use.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use dashmap::DashMap;
use readyroom_protocol::{DeckChoice, ErrorCode, RoomId, RoomSettings};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tracing::Instrument;

use crate::actor::{ActorConfig, RoomActor, RoomHandle};
use crate::cluster::{Cluster, Owner, PendingLease};
use crate::room::CommandError;
use crate::storage::Storage;

/// Where a room is served.
#[derive(Debug)]
pub enum Location {
    Here(RoomHandle),
    /// By another node (several nodes on PostgreSQL), reachable at this URL.
    Elsewhere(String),
    Missing,
}

#[derive(Debug)]
pub struct Registry {
    /// Shared with the actors' tasks, which remove their room once it has stopped.
    rooms: Arc<DashMap<RoomId, RoomHandle>>,
    storage: Option<Storage>,
    /// With several nodes: who serves which room.
    cluster: Option<Arc<Cluster>>,
    max_rooms: usize,
    inbox: usize,
    actor_config: ActorConfig,
    actors: TaskTracker,
    /// Loads run one at a time, so that two joiners of an unloaded room get one actor.
    loading: tokio::sync::Mutex<()>,
    /// Rooms being created or imported: they count against `max_rooms` before they exist, so
    /// that simultaneous creations cannot overshoot it.
    reserved: AtomicUsize,
    /// Fired at shutdown's deadline: rooms stop at once, storing what they applied.
    stop_now: CancellationToken,
}

/// A place among `max_rooms` held for a room being created.
struct Reservation<'a>(&'a AtomicUsize);

impl Drop for Reservation<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A freshly created room.
#[derive(Debug)]
pub struct Created {
    pub room_id: RoomId,
    pub facilitator_token: String,
}

impl Registry {
    pub fn new(
        storage: Option<Storage>,
        cluster: Option<Arc<Cluster>>,
        max_rooms: usize,
        inbox: usize,
        actor_config: ActorConfig,
    ) -> Arc<Self> {
        Arc::new(Self {
            rooms: Arc::new(DashMap::new()),
            storage,
            cluster,
            max_rooms,
            inbox,
            actor_config,
            actors: TaskTracker::new(),
            loading: tokio::sync::Mutex::new(()),
            reserved: AtomicUsize::new(0),
            stop_now: CancellationToken::new(),
        })
    }

    /// Where rooms are stored, unless the server keeps them in memory only.
    pub fn storage(&self) -> Option<&Storage> {
        self.storage.as_ref()
    }

    /// With several nodes: this node's part.
    pub fn cluster(&self) -> Option<&Arc<Cluster>> {
        self.cluster.as_ref()
    }

    /// The room's handle, loading it from storage if it is not in memory. `Ok(None)`: no such
    /// room.
    ///
    /// # Errors
    /// The room is stored but cannot be loaded, or another node serves it.
    pub async fn get(&self, id: RoomId) -> Result<Option<RoomHandle>, CommandError> {
        match self.locate(id).await? {
            Location::Here(handle) => Ok(Some(handle)),
            Location::Missing => Ok(None),
            Location::Elsewhere(_) => Err(CommandError::new(
                ErrorCode::ServerBusy,
                "another node serves this room just now; try again in a moment",
            )),
        }
    }

    /// Where the room is served, loading it here (taking its lease, with several nodes) if
    /// nobody serves it.
    ///
    /// # Errors
    /// The room is stored but cannot be loaded.
    pub async fn locate(&self, id: RoomId) -> Result<Location, CommandError> {
        if let Some(handle) = self.live(id) {
            return Ok(Location::Here(handle));
        }
        let Some(storage) = &self.storage else {
            return Ok(Location::Missing);
        };
        let _one_at_a_time = self.loading.lock().await;
        if let Some(handle) = self.live(id) {
            return Ok(Location::Here(handle));
        }
        // A room that is unloading must finish storing before it is loaded again, or two
        // actors would write the same room.
        self.wait_until_stopped(id).await;
        let lease = match &self.cluster {
            None => None,
            Some(cluster) => match cluster
                .acquire(id)
                .await
                .map_err(|error| unreachable_database(&error))?
            {
                Owner::Me(token) => Some(PendingLease::new(cluster, id, token)),
                Owner::Node { url, .. } => return Ok(Location::Elsewhere(url)),
                Owner::NoSuchRoom => return Ok(Location::Missing),
            },
        };
        // Unless the room starts, the lease goes back (also if this future is dropped).
        Ok(match self.load(id, storage).await? {
            Some(actor) => Location::Here(self.spawn(id, actor, lease.map(PendingLease::keep))),
            None => Location::Missing,
        })
    }

    async fn load(&self, id: RoomId, storage: &Storage) -> Result<Option<RoomActor>, CommandError> {
        let stored = storage
            .load(id, self.actor_config.replay_window)
            .await
            .map_err(|error| {
                tracing::error!(room = %id, %error, "cannot read a room");
                CommandError::new(ErrorCode::Internal, "the room cannot be read from storage")
            })?;
        let Some(stored) = stored else {
            return Ok(None);
        };
        let actor = RoomActor::restore(id, stored, storage.clone(), self.actor_config).map_err(
            |error| {
                tracing::error!(%error, "cannot restore a room");
                CommandError::new(
                    ErrorCode::Internal,
                    "the room's stored state is damaged; it was left untouched",
                )
            },
        )?;
        tracing::info!(room = %id, "room loaded");
        Ok(Some(actor))
    }

    /// Rooms currently in memory.
    pub fn loaded(&self) -> usize {
        self.rooms
            .iter()
            .filter(|handle| !handle.is_closed())
            .count()
    }

    /// Waits for the room's actor, if one is unloading, to have stored everything.
    async fn wait_until_stopped(&self, id: RoomId) {
        let old = self.rooms.get(&id).map(|handle| handle.clone());
        if let Some(old) = old {
            old.stopped().await;
        }
    }

    fn live(&self, id: RoomId) -> Option<RoomHandle> {
        self.rooms
            .get(&id)
            .map(|handle| handle.clone())
            .filter(|handle| !handle.is_closed())
    }

    /// Starts the room's actor; with several nodes, under the lease granted with `lease`,
    /// given back once the room has stored everything.
    fn spawn(&self, id: RoomId, actor: RoomActor, lease: Option<i64>) -> RoomHandle {
        let (handle, inbox) = RoomHandle::channel(self.inbox);
        let rooms = Arc::clone(&self.rooms);
        // Weak, so that it does not keep the room's inbox open.
        let mine = handle.downgrade();
        let leased = self.cluster.clone().zip(lease);
        let stop = match &leased {
            Some((cluster, token)) => cluster.watch(id, *token, &self.stop_now),
            None => self.stop_now.clone(),
        };
        // With `--log debug`, every log line of the room's task names the room (a span at the
        // default level would cost a lock on every poll of the task).
        let span = tracing::debug_span!("room", id = %id);
        self.actors.spawn(
            async move {
                actor.run(inbox, stop).await;
                // Forget the room once it is out of memory, unless it was loaded again meanwhile.
                rooms.remove_if(&id, |_, current| mine.is(current));
                if let Some((cluster, token)) = leased {
                    cluster.release(id, token).await;
                }
            }
            .instrument(span),
        );
        self.rooms.insert(id, handle.clone());
        handle
    }

    pub async fn create(&self, settings: RoomSettings) -> Result<Created, CommandError> {
        let _place = self.reserve()?;
        let settings = crate::room::validate_settings(settings)?;
        let room_id = RoomId(uuid::Uuid::new_v4());
        let lease = self.claim(room_id).await?;
        let (actor, facilitator_token) =
            RoomActor::create(room_id, settings, self.storage.clone(), self.actor_config).await?;
        Ok(self.open(room_id, actor, lease, facilitator_token, "room created"))
    }

    /// A new room from an export.
    pub async fn import(
        &self,
        export: readyroom_protocol::RoomExport,
    ) -> Result<Created, CommandError> {
        let _place = self.reserve()?;
        let room_id = RoomId(uuid::Uuid::new_v4());
        let lease = self.claim(room_id).await?;
        let (actor, facilitator_token) =
            RoomActor::import(room_id, export, self.storage.clone(), self.actor_config).await?;
        Ok(self.open(room_id, actor, lease, facilitator_token, "room imported"))
    }

    /// With several nodes, the lease of a room about to be created here (given back unless
    /// the room starts).
    async fn claim(&self, room_id: RoomId) -> Result<Option<PendingLease>, CommandError> {
        match &self.cluster {
            Some(cluster) => cluster
                .claim_new(room_id)
                .await
                .map(|token| Some(PendingLease::new(cluster, room_id, token)))
                .map_err(|error| unreachable_database(&error)),
            None => Ok(None),
        }
    }

    fn reserve(&self) -> Result<Reservation<'_>, CommandError> {
        let reserved = self.reserved.fetch_add(1, Ordering::AcqRel) + 1;
        let place = Reservation(&self.reserved);
        if self.rooms.len() + reserved > self.max_rooms {
            return Err(CommandError::new(
                ErrorCode::TooManyRooms,
                "this server holds as many rooms as it is allowed to; try again later",
            ));
        }
        Ok(place)
    }

    /// Starts a brand-new room's actor.
    fn open(
        &self,
        room_id: RoomId,
        actor: RoomActor,
        lease: Option<PendingLease>,
        facilitator_token: String,
        what: &'static str,
    ) -> Created {
        self.spawn(room_id, actor, lease.map(PendingLease::keep));
        tracing::info!(room = %room_id, "{what}");
        Created {
            room_id,
            facilitator_token,
        }
    }

    /// Answers `question` from the room (loading it if need be). `Ok(None)`: no such room.
    pub async fn read<T: Send + 'static>(
        &self,
        id: RoomId,
        question: impl FnOnce(&crate::room::Room) -> Result<T, CommandError> + Send + 'static,
    ) -> Result<Option<T>, CommandError> {
        match self.locate(id).await? {
            Location::Here(handle) => handle.read(question).await.transpose(),
            Location::Missing => Ok(None),
            // Another room's question (a team room's figures) while another node serves it:
            // its stored state answers, as of that node's last commit.
            Location::Elsewhere(_) => {
                let Some(storage) = &self.storage else {
                    return Ok(None);
                };
                match self.load(id, storage).await? {
                    Some(actor) => question(actor.room()).map(Some),
                    None => Ok(None),
                }
            }
        }
    }

    /// Imports a tracker's items, if `token` may write, answering once they are stored.
    /// `Ok(None)`: no such room.
    pub async fn import_items(
        &self,
        id: RoomId,
        token: String,
        batch: crate::tracker::ImportBatch,
    ) -> Result<Option<crate::room::ImportSummary>, CommandError> {
        let Some(handle) = self.get(id).await? else {
            return Ok(None);
        };
        match handle.import(token, batch).await {
            Some(result) => result.map(Some),
            None => Err(not_stored()),
        }
    }

    /// Applies a change over the API, if `token` allows `need`, answering once it is stored.
    /// `Ok(None)`: no such room.
    pub async fn api(
        &self,
        id: RoomId,
        token: String,
        need: crate::room::api::Need,
        change: crate::room::api::ApiChange,
    ) -> Result<Option<crate::room::api::ApiOutcome>, CommandError> {
        let Some(handle) = self.get(id).await? else {
            return Ok(None);
        };
        match handle.api(token, need, change).await {
            Some(result) => result.map(Some),
            None => Err(not_stored()),
        }
    }

    /// Deletes stored rooms untouched since `before`, except rooms that are in memory (someone
    /// is there, or was a moment ago). Returns how many were deleted.
    pub async fn delete_stale(&self, before: readyroom_protocol::Timestamp) -> usize {
        let Some(storage) = &self.storage else {
            return 0;
        };
        let stale = match storage.stale_rooms(before).await {
            Ok(stale) => stale,
            Err(error) => {
                tracing::warn!(%error, "cannot look for stale rooms");
                return 0;
            }
        };
        let mut deleted = 0;
        for id in stale {
            // Holding the load lock keeps a join from loading the room while it goes.
            let _one_at_a_time = self.loading.lock().await;
            if self.live(id).is_some() {
                continue;
            }
            self.wait_until_stopped(id).await;
            self.rooms.remove(&id);
            // With several nodes, only a room nobody serves goes, under its lease.
            let lease = match &self.cluster {
                None => None,
                Some(cluster) => match cluster.acquire(id).await {
                    Ok(Owner::Me(token)) => Some((cluster, token)),
                    Ok(Owner::Node { .. } | Owner::NoSuchRoom) => continue,
                    Err(error) => {
                        tracing::warn!(room = %id, %error, "cannot delete a stale room");
                        continue;
                    }
                },
            };
            let deleting = storage
                .write(crate::storage::Write::DeleteRoom { room: id })
                .await;
            if let Some((cluster, token)) = lease {
                cluster.release(id, token).await;
            }
            match deleting {
                Ok(()) => {
                    deleted += 1;
                    tracing::info!(room = %id, "room deleted after its retention period");
                }
                Err(error) => tracing::warn!(room = %id, %error, "cannot delete a stale room"),
            }
        }
        deleted
    }

    /// Drops every room handle and waits for the actors to finish what they were sent; at
    /// `deadline`, rooms that still have connections stop at once (storing what they applied).
    pub async fn shut_down(&self, deadline: tokio::time::Instant) {
        self.rooms.clear();
        self.actors.close();
        if tokio::time::timeout_at(deadline, self.actors.wait())
            .await
            .is_err()
        {
            tracing::warn!(
                "rooms still had connections at the shutdown deadline; storing them now"
            );
            self.stop_now.cancel();
            self.actors.wait().await;
        }
    }
}

/// Settings for a room created with nothing specified.
pub fn default_settings(
    name: Option<String>,
    deck: Option<DeckChoice>,
    auto_reveal: Option<bool>,
) -> RoomSettings {
    RoomSettings {
        name: name.unwrap_or_else(|| "Refinement".to_owned()),
        default_deck: deck.unwrap_or_default(),
        auto_reveal: auto_reveal.unwrap_or(false),
        anonymous_reveal: false,
        suggest_split_at: readyroom_protocol::DEFAULT_SPLIT_SUGGESTION,
        definition_of_ready: readyroom_protocol::default_definition_of_ready(),
        timebox: readyroom_protocol::RefinementTimebox::default(),
        consensus_percent: readyroom_protocol::DEFAULT_CONSENSUS_PERCENT,
    }
}

fn unreachable_database(error: &crate::storage::StorageError) -> CommandError {
    tracing::error!(%error, "cannot reach the database's leases");
    CommandError::new(
        ErrorCode::ServerBusy,
        "the database cannot be reached just now; try again in a moment",
    )
}

/// A room that stopped (or failed to store) before answering: nothing was applied.
fn not_stored() -> CommandError {
    CommandError::new(
        ErrorCode::ServerBusy,
        "the room could not store that just now; nothing was changed, send it again",
    )
}
