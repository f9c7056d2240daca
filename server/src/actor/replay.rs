//! The room's most recent events, kept so that a client back from a short disconnection gets
//! only what it missed instead of the whole room.

use std::collections::VecDeque;

use readyroom_protocol::{EventFrame, Seq};

#[derive(Debug)]
pub struct ReplayWindow {
    /// Events with their approximate encoded sizes, oldest first.
    recent: VecDeque<(EventFrame, usize)>,
    bytes: usize,
    max_events: usize,
    max_bytes: usize,
    /// The most missed events one resume replays; more would overflow the connection's queue,
    /// so such a client gets a fresh `welcome` instead.
    max_replay: usize,
}

impl ReplayWindow {
    pub fn new(max_events: usize, max_bytes: usize, max_replay: usize) -> Self {
        Self {
            recent: VecDeque::new(),
            bytes: 0,
            max_events,
            max_bytes,
            max_replay,
        }
    }

    /// Adds events, dropping the oldest past the bounds. `bytes` is their encoded size
    /// together, shared out evenly: close enough for a memory bound.
    pub fn remember(&mut self, events: &[EventFrame], bytes: usize) {
        let size = bytes / events.len().max(1);
        for event in events {
            self.recent.push_back((event.clone(), size));
            self.bytes += size;
            while self.recent.len() > self.max_events || self.bytes > self.max_bytes {
                let Some((_, dropped)) = self.recent.pop_front() else {
                    break;
                };
                self.bytes -= dropped;
            }
        }
    }

    /// Every event after `seq` up to the room's `current` seq, if the window still holds them
    /// all and they are few enough to replay.
    pub fn events_after(&self, seq: Seq, current: Seq) -> Option<Vec<EventFrame>> {
        if seq == current {
            return Some(Vec::new());
        }
        let oldest = self.recent.front()?.0.seq;
        let missed = current.saturating_sub(seq);
        if seq + 1 < oldest || missed > u64::try_from(self.max_replay).unwrap_or(u64::MAX) {
            return None;
        }
        Some(
            self.recent
                .iter()
                .filter(|(event, _)| event.seq > seq)
                .map(|(event, _)| event.clone())
                .collect(),
        )
    }
}
