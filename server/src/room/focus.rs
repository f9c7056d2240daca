//! Where the room's attention went: each stretch of time an item was the current item, and
//! each refinement session's start and end. Kept so that a session's summary can say how long
//! each item took and insights can draw the session's timeline; bounded, oldest first out.

use std::collections::VecDeque;

use readyroom_protocol::{ItemId, Timestamp};
use serde::{Deserialize, Serialize};

/// The stretches kept: a long meeting moves on a few hundred times at most.
pub const MAX_FOCUS_SPANS: usize = 1_000;
/// The sessions kept: two a sprint for four years.
pub const MAX_SESSIONS: usize = 200;

/// An item was the current item from `from` to `to`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FocusSpan {
    pub item_id: ItemId,
    pub from: Timestamp,
    pub to: Timestamp,
}

impl FocusSpan {
    /// The part of this stretch between `from` and `to`, if any.
    #[must_use]
    pub fn within(&self, from: Timestamp, to: Timestamp) -> Option<Self> {
        (self.to > from && self.from < to).then(|| Self {
            item_id: self.item_id,
            from: self.from.max(from),
            to: self.to.min(to),
        })
    }
}

/// A refinement session, ended or (with `ended_at` absent) under way.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionSpan {
    pub started_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_at: Option<Timestamp>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Focus {
    /// The current item and since when (absent for rooms older than this record).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    current: Option<(ItemId, Timestamp)>,
    #[serde(default)]
    spans: VecDeque<FocusSpan>,
    #[serde(default)]
    sessions: VecDeque<SessionSpan>,
}

impl Focus {
    /// The current item changed (to nothing, for `None`).
    pub fn moved(&mut self, to: Option<ItemId>, now: Timestamp) {
        if let Some((item_id, from)) = self.current.take() {
            if now > from {
                push_bounded(
                    &mut self.spans,
                    FocusSpan {
                        item_id,
                        from,
                        to: now,
                    },
                    MAX_FOCUS_SPANS,
                );
            }
        }
        self.current = to.map(|item_id| (item_id, now));
    }

    pub fn session_started(&mut self, now: Timestamp) {
        self.session_ended(now);
        push_bounded(
            &mut self.sessions,
            SessionSpan {
                started_at: now,
                ended_at: None,
            },
            MAX_SESSIONS,
        );
    }

    pub fn session_ended(&mut self, now: Timestamp) {
        if let Some(open) = self.sessions.back_mut().filter(|s| s.ended_at.is_none()) {
            open.ended_at = Some(now);
        }
    }

    /// Every stretch up to `now`, the one under way included, oldest first.
    #[must_use]
    pub fn spans(&self, now: Timestamp) -> Vec<FocusSpan> {
        let mut spans: Vec<FocusSpan> = self.spans.iter().copied().collect();
        if let Some((item_id, from)) = self.current.filter(|(_, from)| now > *from) {
            spans.push(FocusSpan {
                item_id,
                from,
                to: now,
            });
        }
        spans
    }

    #[must_use]
    pub fn sessions(&self) -> Vec<SessionSpan> {
        self.sessions.iter().copied().collect()
    }
}

fn push_bounded<T>(queue: &mut VecDeque<T>, value: T, max: usize) {
    if queue.len() == max {
        queue.pop_front();
    }
    queue.push_back(value);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u8) -> ItemId {
        ItemId::from_random_bytes([n; 16])
    }

    #[test]
    fn stretches_add_up_and_stay_bounded() {
        let mut focus = Focus::default();
        focus.moved(Some(id(1)), 1_000);
        focus.moved(Some(id(2)), 61_000);
        focus.moved(None, 91_000);
        focus.moved(Some(id(1)), 100_000);
        let spans = focus.spans(130_000);
        let on = |n| {
            spans
                .iter()
                .filter(|s| s.item_id == id(n))
                .map(|s| s.to - s.from)
                .sum::<u64>()
        };
        assert_eq!(
            (on(1), on(2)),
            (90_000, 30_000),
            "the stretch under way counts"
        );
        for step in 0..2 * MAX_FOCUS_SPANS as u64 {
            focus.moved(Some(id(3)), 200_000 + step);
        }
        assert_eq!(focus.spans(0).len(), MAX_FOCUS_SPANS);
    }

    #[test]
    fn sessions_open_and_close() {
        let mut focus = Focus::default();
        focus.session_started(10);
        focus.session_started(20);
        focus.session_ended(30);
        assert_eq!(
            focus.sessions(),
            [
                SessionSpan {
                    started_at: 10,
                    ended_at: Some(20)
                },
                SessionSpan {
                    started_at: 20,
                    ended_at: Some(30)
                },
            ]
        );
    }
}
