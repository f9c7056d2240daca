//! One tokio task per room. It owns the room's core exclusively, so the core needs no locks:
//! connections send it their commands over a bounded channel and it answers through their
//! outboxes. Each event is encoded once and the same bytes go to every recipient.

use std::collections::HashMap;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::extract::ws::Utf8Bytes;
use rand::SeedableRng;
use rand::rngs::StdRng;
use readyroom_protocol::{
    ClientMessage, Command, ErrorCode, EventFrame, ParticipantId, RoomSettings, ServerMessage,
    Timestamp, Welcome,
};
use tokio::sync::{mpsc, oneshot};

use crate::outbox::{Outbox, close_code};
use crate::room::secrecy::public_copy;
use crate::room::{CommandError, Ctx, Reply, Room};
use crate::wire::encode;

pub type ConnId = u64;

#[derive(Debug)]
pub enum RoomMsg {
    /// A new connection; it receives nothing until it has joined.
    Attach { conn: ConnId, outbox: Outbox },
    Message {
        conn: ConnId,
        message: ClientMessage,
    },
    /// The connection is gone. Its outbox is dropped, which lets its writer finish.
    Detach { conn: ConnId },
    Describe {
        reply: oneshot::Sender<RoomSettings>,
    },
}

struct Connection {
    outbox: Outbox,
    participant: Option<ParticipantId>,
}

pub struct RoomActor {
    room: Room,
    connections: HashMap<ConnId, Connection>,
    /// Cryptographically secure (seeded from the OS), since it mints participant tokens.
    rng: StdRng,
}

pub fn now_ms() -> Timestamp {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

impl RoomActor {
    /// Creates a room and returns its actor with the facilitator token.
    pub fn create(id: readyroom_protocol::RoomId, settings: RoomSettings) -> (Self, String) {
        let mut rng = StdRng::from_os_rng();
        let (room, token) = Room::create(
            id,
            settings,
            &mut Ctx {
                now: now_ms(),
                rng: &mut rng,
            },
        );
        (
            Self {
                room,
                connections: HashMap::new(),
                rng,
            },
            token,
        )
    }

    pub async fn run(mut self, mut inbox: mpsc::Receiver<RoomMsg>) {
        while let Some(msg) = inbox.recv().await {
            self.handle(msg);
        }
        tracing::debug!(room = %self.room.id(), "room actor stopped");
    }

    fn handle(&mut self, msg: RoomMsg) {
        match msg {
            RoomMsg::Attach { conn, outbox } => {
                self.connections.insert(
                    conn,
                    Connection {
                        outbox,
                        participant: None,
                    },
                );
            }
            RoomMsg::Message { conn, message } => self.on_message(conn, message),
            RoomMsg::Detach { conn } => self.detach(conn),
            RoomMsg::Describe { reply } => {
                let _ = reply.send(self.room.settings().clone());
            }
        }
    }

    fn on_message(&mut self, conn: ConnId, ClientMessage { cmd, command }: ClientMessage) {
        let Some(connection) = self.connections.get(&conn) else {
            return;
        };
        let now = now_ms();
        match (connection.participant, command) {
            (None, Command::Join(request)) => {
                let mut ctx = Ctx {
                    now,
                    rng: &mut self.rng,
                };
                match self.room.join(&mut ctx, &request) {
                    Ok(joined) => {
                        let welcome = ServerMessage::Welcome(Box::new(Welcome {
                            cmd,
                            protocol: readyroom_protocol::PROTOCOL_VERSION,
                            you: joined.participant_id,
                            participant_token: joined.participant_token,
                            last_cmd: joined.last_cmd,
                            room: self.room.snapshot_for(joined.participant_id),
                        }));
                        // The join's own events are already in the snapshot, so the joiner is
                        // attached to the room only after they have gone out.
                        self.fan_out(&joined.events);
                        if let Some(connection) = self.connections.get_mut(&conn) {
                            connection.participant = Some(joined.participant_id);
                            connection.outbox.push(encode(&welcome));
                        }
                    }
                    Err(error) => self.reply(conn, &error_reply(cmd, error)),
                }
            }
            (None, _) => self.reply(
                conn,
                &error_reply(
                    cmd,
                    CommandError::new(ErrorCode::NotJoined, "join the room first"),
                ),
            ),
            (Some(participant), command) => {
                let mut ctx = Ctx {
                    now,
                    rng: &mut self.rng,
                };
                let outcome = self.room.handle(&mut ctx, participant, cmd, command);
                self.fan_out(&outcome.events);
                let reply = match outcome.reply {
                    Reply::Ack { seq } => ServerMessage::Ack {
                        cmd,
                        seq,
                        duplicate: outcome.duplicate,
                    },
                    Reply::Error(error) => error_reply(cmd, error),
                };
                self.reply(conn, &reply);
            }
        }
        self.drop_closed();
    }

    fn reply(&self, conn: ConnId, message: &ServerMessage) {
        if let Some(connection) = self.connections.get(&conn) {
            connection.outbox.push(encode(message));
        }
    }

    /// Sends each event to every joined connection: once encoded for everyone, and encoded a
    /// second time only for an event that carries its owner's secret.
    fn fan_out(&mut self, events: &[EventFrame]) {
        for frame in events {
            let (owner, public, private) = match public_copy(frame) {
                Some((owner, public)) => {
                    (Some(owner), event_bytes(&public), Some(event_bytes(frame)))
                }
                None => (None, event_bytes(frame), None),
            };
            for connection in self.connections.values() {
                let Some(participant) = connection.participant else {
                    continue;
                };
                let bytes = match (&private, owner == Some(participant)) {
                    (Some(private), true) => private.clone(),
                    _ => public.clone(),
                };
                connection.outbox.push(bytes);
            }
            if let readyroom_protocol::Event::ParticipantRemoved { participant_id } = frame.event {
                self.expel(participant_id);
            }
        }
    }

    /// Closes the connections of a participant who was removed from the room.
    fn expel(&mut self, participant: ParticipantId) {
        self.connections.retain(|_, connection| {
            let removed = connection.participant == Some(participant);
            if removed {
                connection
                    .outbox
                    .close_now(close_code::REMOVED, "removed by the facilitator");
            }
            !removed
        });
    }

    fn detach(&mut self, conn: ConnId) {
        let Some(connection) = self.connections.remove(&conn) else {
            return;
        };
        if let Some(participant) = connection.participant {
            let events = self.room.disconnect(now_ms(), participant);
            self.fan_out(&events);
        }
        self.drop_closed();
    }

    /// Detaches connections that were closed for falling behind, which may in turn produce
    /// presence events, until no connection is left behind.
    fn drop_closed(&mut self) {
        loop {
            let closed: Vec<ConnId> = self
                .connections
                .iter()
                .filter(|(_, connection)| connection.outbox.is_closed())
                .map(|(conn, _)| *conn)
                .collect();
            if closed.is_empty() {
                return;
            }
            for conn in closed {
                let Some(connection) = self.connections.remove(&conn) else {
                    continue;
                };
                if let Some(participant) = connection.participant {
                    let events = self.room.disconnect(now_ms(), participant);
                    self.fan_out(&events);
                }
            }
        }
    }
}

fn event_bytes(frame: &EventFrame) -> Utf8Bytes {
    encode(&ServerMessage::Event(Box::new(frame.clone())))
}

fn error_reply(cmd: readyroom_protocol::CommandId, error: CommandError) -> ServerMessage {
    ServerMessage::Error {
        cmd: Some(cmd),
        code: error.code,
        message: error.message,
    }
}
