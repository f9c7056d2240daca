//! The room's connections and what is owed to them. Nothing is sent while a batch is being
//! applied: replies and events wait here until the batch is durable, then go out in order.

use std::collections::HashMap;

use axum::extract::ws::Utf8Bytes;
use readyroom_protocol::{EventFrame, ParticipantId, Seq, ServerMessage};

use super::ConnId;
use crate::outbox::Outbox;
use crate::rate::TokenBucket;
use crate::room::secrecy;
use crate::wire::encode;

/// Carets a connection may pass on: a short burst, then ten a second (a client sends at most
/// that many while someone types).
const CARETS_BURST: u32 = 10;
const CARETS_PER_SECOND: f64 = 10.0;

#[derive(Debug)]
pub struct Connection {
    pub outbox: Outbox,
    pub participant: Option<ParticipantId>,
    /// Events up to this one are already in what the connection was given at join.
    pub skip_through: Seq,
    /// Its reader has finished: it still gets what was owed when it finished, then leaves.
    pub detached: bool,
    /// Once detached: how many of the things owed (from the front) it still waits for.
    owed_until: usize,
    /// Carets it may pass on (ten a second): the rest are dropped, not refused.
    pub carets: TokenBucket,
}

/// Something to send once the batch that caused it is durable.
#[derive(Debug)]
pub enum Deferred {
    Events(Vec<EventFrame>),
    Send {
        conn: ConnId,
        frame: Utf8Bytes,
    },
    /// A frame that already holds its share of the server's large-frame budget.
    Prepared {
        conn: ConnId,
        frame: Utf8Bytes,
    },
    /// The room forgot this participant: its connections close (after the events before).
    Expel(ParticipantId),
    /// Someone's caret, for everyone else or for one newcomer (`to`). Presence is dropped
    /// for a connection that has fallen behind, before anything that matters.
    Caret {
        from: ParticipantId,
        to: Option<ConnId>,
        frame: Utf8Bytes,
    },
    /// Missed events for a resuming connection, shown as its participant may see them.
    Replay {
        conn: ConnId,
        participant: ParticipantId,
        events: Vec<EventFrame>,
    },
    /// The answer to an HTTP request that changed the room (an import, an API change).
    Answer(Answer),
}

/// Sends an HTTP request's answer, once what it changed is stored.
pub struct Answer(pub Box<dyn FnOnce() + Send>);

impl std::fmt::Debug for Answer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Answer")
    }
}

#[derive(Debug, Default)]
pub struct Delivery {
    pub connections: HashMap<ConnId, Connection>,
    deferred: Vec<Deferred>,
}

impl Delivery {
    pub fn attach(&mut self, conn: ConnId, outbox: Outbox) {
        self.connections.insert(
            conn,
            Connection {
                outbox,
                participant: None,
                skip_through: 0,
                detached: false,
                owed_until: 0,
                carets: TokenBucket::new(CARETS_BURST, CARETS_PER_SECOND),
            },
        );
    }

    pub fn defer(&mut self, deferred: Deferred) {
        self.deferred.push(deferred);
    }

    pub fn defer_message(&mut self, conn: ConnId, message: &ServerMessage) {
        self.defer(Deferred::Send {
            conn,
            frame: encode(message),
        });
    }

    /// Whether anyone is (still) connected; detached connections count until released.
    pub fn is_empty(&self) -> bool {
        self.connections.is_empty()
    }

    /// Where the batch about to be committed ends: [`Self::release_through`] with it sends
    /// that batch's part, not what later batches add meanwhile.
    pub fn seal(&self) -> usize {
        self.deferred.len()
    }

    /// Whether anything waits to be sent.
    pub fn owes(&self) -> bool {
        !self.deferred.is_empty()
    }

    /// Sends everything owed so far (see [`Self::release_through`]).
    pub fn release(&mut self) {
        self.release_through(self.deferred.len());
    }

    /// Sends what the batches committed so far produced (the first `sealed` things owed), in
    /// order, and lets go of detached connections that have had everything owed to them.
    pub fn release_through(&mut self, sealed: usize) {
        let sealed = sealed.min(self.deferred.len());
        let owed: Vec<Deferred> = self.deferred.drain(..sealed).collect();
        for deferred in owed {
            match deferred {
                Deferred::Events(events) => self.fan_out(&events),
                Deferred::Send { conn, frame } => {
                    if let Some(connection) = self.connections.get(&conn) {
                        connection.outbox.push(frame);
                    }
                }
                Deferred::Prepared { conn, frame } => {
                    if let Some(connection) = self.connections.get(&conn) {
                        connection.outbox.push_prepared(frame);
                    }
                }
                Deferred::Expel(participant) => self.expel(participant),
                Deferred::Caret { from, to, frame } => {
                    let others = |connection: &&Connection| {
                        connection.participant.is_some_and(|p| p != from)
                    };
                    match to {
                        Some(conn) => {
                            if let Some(connection) = self.connections.get(&conn).filter(others) {
                                connection.outbox.push_droppable(frame);
                            }
                        }
                        None => {
                            for connection in self.connections.values().filter(others) {
                                connection.outbox.push_droppable(frame.clone());
                            }
                        }
                    }
                }
                Deferred::Replay {
                    conn,
                    participant,
                    events,
                } => {
                    let Some(connection) = self.connections.get(&conn) else {
                        continue;
                    };
                    for frame in &events {
                        connection
                            .outbox
                            .push(event_bytes(&secrecy::view_for(frame, participant)));
                    }
                }
                Deferred::Answer(Answer(send)) => send(),
            }
        }
        // A detached connection leaves once everything owed when it detached has gone out,
        // not when nothing at all is owed (in a busy room, something always is).
        self.connections.retain(|_, connection| {
            connection.owed_until = connection.owed_until.saturating_sub(sealed);
            !connection.detached || connection.owed_until > 0
        });
    }

    /// Marks a connection whose reader has finished; returns false if it already was.
    pub fn detach(&mut self, conn: ConnId) -> bool {
        let owed = self.deferred.len();
        match self.connections.get_mut(&conn) {
            Some(connection) if !connection.detached => {
                connection.detached = true;
                connection.owed_until = owed;
                true
            }
            _ => false,
        }
    }

    /// Forgets what a failed batch would have sent: none of it happened.
    pub fn discard(&mut self) {
        self.deferred.clear();
    }

    /// Sends each event to every joined connection: once encoded for everyone, and encoded a
    /// second time only for an event that carries its owner's secret.
    fn fan_out(&self, events: &[EventFrame]) {
        for frame in events {
            let (owner, public, private) = match secrecy::public_copy(frame) {
                Some((owner, public)) => {
                    (Some(owner), event_bytes(&public), Some(event_bytes(frame)))
                }
                None => (None, event_bytes(frame), None),
            };
            for connection in self.connections.values() {
                let Some(participant) = connection.participant else {
                    continue;
                };
                if frame.seq <= connection.skip_through {
                    continue;
                }
                let bytes = match (&private, owner == Some(participant)) {
                    (Some(private), true) => private.clone(),
                    _ => public.clone(),
                };
                connection.outbox.push(bytes);
            }
        }
    }

    /// Closes the connections of a participant who was removed from the room.
    fn expel(&mut self, participant: ParticipantId) {
        self.connections.retain(|_, connection| {
            let removed = connection.participant == Some(participant);
            if removed {
                connection.outbox.close_now(
                    crate::outbox::close_code::REMOVED,
                    "removed by the facilitator",
                );
            }
            !removed
        });
    }

    /// Connections closed while sending (too slow, gone) that have not detached yet.
    pub fn closed(&self) -> Vec<ConnId> {
        self.connections
            .iter()
            .filter(|(_, c)| !c.detached && c.outbox.is_closed())
            .map(|(conn, _)| *conn)
            .collect()
    }

    pub fn close_all(&self, code: u16, reason: &'static str) {
        for connection in self.connections.values() {
            connection.outbox.close_now(code, reason);
        }
    }
}

fn event_bytes(frame: &EventFrame) -> Utf8Bytes {
    encode(&ServerMessage::Event(Box::new(frame.clone())))
}
