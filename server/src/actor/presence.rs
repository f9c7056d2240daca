//! Ephemeral presence: which field each person is in, and where their caret is. Passed through the room but never
//! logged, stored or replayed: a caret is worth something only while its owner is there, and
//! the next one replaces it. The room keeps the latest of each participant, so that someone
//! who joins sees the carets that are not moving, and moves them over text operations, so
//! that they stay on their character.

use std::collections::HashMap;

use readyroom_protocol::{Caret, Event, EventFrame, ItemField, ParticipantId};

use super::ConnId;
use crate::room::Room;

#[derive(Debug, Default)]
pub struct Carets {
    shown: HashMap<ParticipantId, Shown>,
}

#[derive(Debug)]
struct Shown {
    /// The connection that placed it: it goes when that connection does.
    conn: ConnId,
    caret: Caret,
}

impl Carets {
    /// Records where a participant's caret is now; returns whether that changes anything.
    pub fn set(&mut self, participant: ParticipantId, conn: ConnId, caret: Option<Caret>) -> bool {
        match caret {
            Some(caret) => {
                let previous = self.shown.insert(participant, Shown { conn, caret });
                previous.is_none_or(|shown| shown.caret != caret)
            }
            None => self.shown.remove(&participant).is_some(),
        }
    }

    /// A connection left: the caret it placed goes too. Returns whose it was.
    pub fn left(&mut self, conn: ConnId) -> Option<ParticipantId> {
        let participant = self
            .shown
            .iter()
            .find(|(_, shown)| shown.conn == conn)
            .map(|(participant, _)| *participant)?;
        self.shown.remove(&participant);
        Some(participant)
    }

    /// Follows what the room just did: carets move with others' text operations, and those
    /// that may no longer be shown (an item deleted, an editor made an observer, a person
    /// removed) go. Returns the participants whose caret went.
    pub fn after(&mut self, events: &[EventFrame], room: &Room) -> Vec<ParticipantId> {
        if events.is_empty() || self.shown.is_empty() {
            return Vec::new();
        }
        for frame in events {
            let Event::TextEdited {
                item_id,
                field,
                revision,
                op,
                ..
            } = &frame.event
            else {
                continue;
            };
            for (owner, shown) in &mut self.shown {
                let caret = &mut shown.caret;
                if caret.item_id != *item_id || caret.field != ItemField::from(*field) {
                    continue;
                }
                // The owner's own edits are already where its caret was placed.
                if frame.actor != Some(*owner) {
                    caret.anchor = op.transform_position(caret.anchor, false);
                    caret.head = op.transform_position(caret.head, false);
                }
                caret.revision = *revision;
            }
        }
        let gone: Vec<ParticipantId> = self
            .shown
            .iter()
            .filter(|(owner, shown)| room.check_caret(**owner, &shown.caret).is_err())
            .map(|(owner, _)| *owner)
            .collect();
        for owner in &gone {
            self.shown.remove(owner);
        }
        gone
    }

    pub fn shown(&self) -> impl Iterator<Item = (ParticipantId, Caret)> + '_ {
        self.shown
            .iter()
            .map(|(participant, shown)| (*participant, shown.caret))
    }
}
