//! The fencing tokens this node writes with, by room: the tokens of the leases it holds (see
//! `cluster`). Every group commit takes a shared advisory lock per room it writes, then
//! checks, inside its own transaction, that each room is still leased to this node with this
//! token. A node taking a room over holds the same lock exclusively while it changes the
//! lease: it waits for commits under way, and every commit that follows the takeover is
//! refused. So two nodes can never both append to a room, whatever their clocks, pauses or
//! network say. (Locking the lease rows `FOR SHARE` instead wrote to them on every commit and
//! cost 1.5 ms of a 3.5 ms commit in `durability`.)

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use readyroom_protocol::RoomId;

#[derive(Clone, Debug)]
pub struct Fences {
    node: Arc<str>,
    lease: std::time::Duration,
    tokens: Arc<Mutex<HashMap<RoomId, i64>>>,
}

impl Fences {
    /// For `node`, whose leases last `lease` without renewal.
    #[must_use]
    pub fn new(node: &str, lease: std::time::Duration) -> Self {
        Self {
            node: node.into(),
            lease,
            tokens: Arc::default(),
        }
    }

    #[must_use]
    pub fn lease(&self) -> std::time::Duration {
        self.lease
    }

    #[must_use]
    pub fn node(&self) -> &str {
        &self.node
    }

    fn tokens(&self) -> std::sync::MutexGuard<'_, HashMap<RoomId, i64>> {
        // A panic elsewhere while holding the lock leaves a map that is still consistent.
        self.tokens
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub fn grant(&self, room: RoomId, token: i64) {
        self.tokens().insert(room, token);
    }

    /// Forgets the room's token if it is still `token` (a newer grant stays).
    pub fn revoke(&self, room: RoomId, token: i64) -> bool {
        let mut tokens = self.tokens();
        if tokens.get(&room) == Some(&token) {
            tokens.remove(&room);
            true
        } else {
            false
        }
    }

    #[must_use]
    pub fn token(&self, room: RoomId) -> Option<i64> {
        self.tokens().get(&room).copied()
    }

    /// Rooms held.
    #[must_use]
    pub fn count(&self) -> usize {
        self.tokens().len()
    }

    #[must_use]
    pub fn held(&self) -> Vec<(RoomId, i64)> {
        self.tokens()
            .iter()
            .map(|(&room, &token)| (room, token))
            .collect()
    }
}
