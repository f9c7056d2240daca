//! The wall clock, in the protocol's unit. Rooms, storage and retention all read it here.

use std::time::{SystemTime, UNIX_EPOCH};

use readyroom_protocol::Timestamp;

pub fn now_ms() -> Timestamp {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}
