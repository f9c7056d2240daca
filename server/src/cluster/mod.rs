//! Several Ready Room nodes sharing one PostgreSQL database. Each live room is served by
//! exactly one node: the holder of its lease in `room_leases`, granted with a fencing token
//! that grows with every grant. A node renews its leases every third of `--lease-seconds`; one
//! that cannot (dead, paused, cut off) loses them when they run out, and the next node asked
//! for the room takes it over. A node that finds its lease gone, or cannot renew in time,
//! stops the room at once; whatever it still tries to write carries an old token and is
//! refused by the database (`storage::Fences`). A node stopping gracefully stores its rooms
//! and gives their leases back, so that another takes them over without waiting.
//!
//! Requests for a room another node serves are forwarded to it (`http::proxy`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use readyroom_protocol::RoomId;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::storage::{DatabaseUrl, Fences, StorageError};

mod db;

/// Who serves this node, as flags give it.
#[derive(Clone, Debug)]
pub struct ClusterConfig {
    /// Unique among the nodes sharing a database; a node restarted with the same id takes its
    /// rooms back at once.
    pub node_id: String,
    /// Where the other nodes reach this one (`http://host:port`).
    pub advertise_url: String,
    /// How long a lease lasts without renewal: the longest a room waits for a dead node.
    pub lease: Duration,
}

/// Who serves a room.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Owner {
    /// This node, with this fencing token.
    Me(i64),
    /// Another node, reachable at `url`.
    Node { node: String, url: String },
    /// No such room is stored.
    NoSuchRoom,
}

#[derive(Debug)]
pub struct Cluster {
    db: db::LeaseDb,
    config: ClusterConfig,
    fences: Fences,
    /// Each served room's stop switch, fired when its lease is lost.
    stops: Mutex<HashMap<RoomId, (i64, CancellationToken)>>,
}

/// Margin kept between the last renewal and the lease's end: rooms stop this much before the
/// database could grant them to another node.
const SAFETY_MARGIN: f64 = 0.2;

impl Cluster {
    /// Connects to the database and starts renewing this node's leases until `stop` fires.
    ///
    /// # Errors
    /// The database cannot be reached.
    pub async fn start(
        url: &DatabaseUrl,
        config: ClusterConfig,
        fences: Fences,
        stop: CancellationToken,
    ) -> Result<Arc<Self>, StorageError> {
        let cluster = Arc::new(Self {
            db: db::LeaseDb::connect(url, config.lease).await?,
            config,
            fences,
            stops: Mutex::default(),
        });
        let keeper = Arc::clone(&cluster);
        tokio::spawn(async move { keeper.keep_leases(stop).await });
        tracing::info!(
            node = %cluster.config.node_id,
            address = %cluster.config.advertise_url,
            lease = ?cluster.config.lease,
            "serving rooms as one node of several"
        );
        Ok(cluster)
    }

    #[must_use]
    pub fn node_id(&self) -> &str {
        &self.config.node_id
    }

    #[must_use]
    pub fn advertise_url(&self) -> &str {
        &self.config.advertise_url
    }

    #[must_use]
    pub fn rooms_owned(&self) -> usize {
        self.fences.count()
    }

    fn count_owned(&self) {
        crate::metrics::get()
            .rooms_owned
            .set(crate::metrics::count(self.rooms_owned()));
    }

    fn stops(&self) -> std::sync::MutexGuard<'_, HashMap<RoomId, (i64, CancellationToken)>> {
        self.stops
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Takes the room's lease if it is free, run out, or this node's own (an earlier run of
    /// it); otherwise says who serves it.
    ///
    /// # Errors
    /// The database cannot be reached.
    pub async fn acquire(&self, room: RoomId) -> Result<Owner, StorageError> {
        let owner = self.db.acquire(room, &self.config, false).await?;
        self.granted(room, &owner);
        Ok(owner)
    }

    /// The lease of a room being created here.
    ///
    /// # Errors
    /// The database cannot be reached.
    pub async fn claim_new(&self, room: RoomId) -> Result<i64, StorageError> {
        let owner = self.db.acquire(room, &self.config, true).await?;
        self.granted(room, &owner);
        match owner {
            Owner::Me(token) => Ok(token),
            Owner::Node { .. } | Owner::NoSuchRoom => {
                Err(StorageError::Fenced { rooms: vec![room] })
            }
        }
    }

    fn granted(&self, room: RoomId, owner: &Owner) {
        if let Owner::Me(token) = owner {
            self.fences.grant(room, *token);
            self.count_owned();
        }
    }

    /// The switch that stops the room's actor if its lease (granted with `token`) is lost: a
    /// child of `parent` (shutdown's deadline).
    pub fn watch(&self, room: RoomId, token: i64, parent: &CancellationToken) -> CancellationToken {
        let stop = parent.child_token();
        self.stops().insert(room, (token, stop.clone()));
        stop
    }

    /// Gives the lease back once the room has stored everything and left memory.
    pub async fn release(&self, room: RoomId, token: i64) {
        {
            let mut stops = self.stops();
            if stops.get(&room).is_some_and(|(held, _)| *held == token) {
                stops.remove(&room);
            }
        }
        if self.fences.revoke(room, token) {
            if let Err(error) = self.db.release(room, self.node_id(), token).await {
                // It runs out by itself.
                tracing::warn!(room = %room, %error, "cannot give a lease back");
            }
            self.count_owned();
        }
    }

    /// Stops serving `room` at once: its lease is gone.
    fn lose(&self, room: RoomId, token: i64) {
        self.fences.revoke(room, token);
        self.count_owned();
        let stop = {
            let mut stops = self.stops();
            match stops.get(&room) {
                Some((held, _)) if *held == token => stops.remove(&room).map(|(_, stop)| stop),
                _ => None,
            }
        };
        if let Some(stop) = stop {
            stop.cancel();
        }
        tracing::warn!(room = %room, "lease lost: the room stops here");
    }

    /// Renews every third of the lease. Rooms stop here once the last renewal that worked is
    /// [`SAFETY_MARGIN`] short of a lease ago (paused, or the database out of reach): the
    /// database may hand them to another node any moment after. A renewal that hangs is given
    /// up at that deadline, not awaited.
    async fn keep_leases(&self, stop: CancellationToken) {
        let every = self.config.lease / 3;
        let within = self.config.lease.mul_f64(1.0 - SAFETY_MARGIN);
        let mut renewed_at = Instant::now();
        let mut tried_at = renewed_at;
        loop {
            let deadline = renewed_at + within;
            tokio::select! {
                () = stop.cancelled() => return,
                () = tokio::time::sleep_until((tried_at + every).min(deadline)) => {}
            }
            let now = Instant::now();
            let held = self.fences.held();
            if held.is_empty() {
                renewed_at = now;
                tried_at = now;
                continue;
            }
            if now >= deadline {
                for &(room, token) in &held {
                    self.lose(room, token);
                }
                // Rooms granted from now on count from now.
                renewed_at = now;
                tried_at = now;
                continue;
            }
            tried_at = now;
            match tokio::time::timeout_at(deadline, self.db.renew(&held, &self.config)).await {
                Ok(Ok(kept)) => {
                    renewed_at = now;
                    let kept: std::collections::HashSet<(RoomId, i64)> = kept.into_iter().collect();
                    for (room, token) in held {
                        if !kept.contains(&(room, token)) {
                            self.lose(room, token);
                        }
                    }
                }
                Ok(Err(error)) => tracing::warn!(%error, "cannot renew leases"),
                Err(_) => tracing::warn!("renewing leases took too long"),
            }
        }
    }
}

/// A lease granted for a room not yet running: given back if whatever was to start the room
/// is dropped half-way (a request whose client hung up), so that no lease is renewed for a
/// room nobody serves.
#[derive(Debug)]
pub struct PendingLease {
    cluster: Arc<Cluster>,
    room: RoomId,
    token: i64,
    armed: bool,
}

impl PendingLease {
    #[must_use]
    pub fn new(cluster: &Arc<Cluster>, room: RoomId, token: i64) -> Self {
        Self {
            cluster: Arc::clone(cluster),
            room,
            token,
            armed: true,
        }
    }

    /// The room runs under it now: its actor gives it back.
    #[must_use]
    pub fn keep(mut self) -> i64 {
        self.armed = false;
        self.token
    }
}

impl Drop for PendingLease {
    fn drop(&mut self) {
        if self.armed {
            let cluster = Arc::clone(&self.cluster);
            let (room, token) = (self.room, self.token);
            tokio::spawn(async move { cluster.release(room, token).await });
        }
    }
}
