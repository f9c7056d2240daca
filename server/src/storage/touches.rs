//! When each room's `touched_at` was last written. It only decides retention (whole days from
//! the command line), and rewriting a room's row on every append was a large share of the
//! writer's work with a thousand rooms busy at once (loadgen, meeting scenario): a backend
//! writes it again only once it is [`TOUCH_EVERY_MS`] old.

use std::collections::HashMap;

use readyroom_protocol::{RoomId, Timestamp};

/// How stale a room's `touched_at` may be (a retention shorter than this would delete rooms
/// up to this much early).
pub const TOUCH_EVERY_MS: Timestamp = 60_000;

const MIN_PRUNE_AT: usize = 10_000;

#[derive(Debug)]
pub struct Touches {
    written: HashMap<RoomId, Timestamp>,
    /// Size of `written` past which entries too old to matter are dropped.
    prune_at: usize,
}

impl Default for Touches {
    fn default() -> Self {
        Self {
            written: HashMap::new(),
            prune_at: MIN_PRUNE_AT,
        }
    }
}

impl Touches {
    /// Whether `room`'s `touched_at` should be written as `now`.
    pub fn due(&self, room: RoomId, now: Timestamp) -> bool {
        self.written
            .get(&room)
            .is_none_or(|&last| now.saturating_sub(last) >= TOUCH_EVERY_MS)
    }

    /// Only what is committed counts as written: a failed transaction retries them all.
    pub fn remember(&mut self, touches: Vec<(RoomId, Timestamp)>) {
        if let Some(&(_, now)) = touches.last() {
            self.written.extend(touches);
            if self.written.len() > self.prune_at {
                // An entry older than the interval would be written again anyway.
                self.written
                    .retain(|_, last| now.saturating_sub(*last) < TOUCH_EVERY_MS);
                self.prune_at = (2 * self.written.len()).max(MIN_PRUNE_AT);
            }
        }
    }

    pub fn forget(&mut self, room: RoomId) {
        self.written.remove(&room);
    }
}
