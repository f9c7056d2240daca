//! One tokio task per room. It owns the room's core exclusively, so the core needs no locks:
//! connections send it their messages over a bounded channel and it answers through their
//! outboxes. Each event is encoded once and the same bytes go to every recipient.
//!
//! Durability: the actor applies a batch of messages (whatever queued up), logs every input
//! that produced events, commits the batch to storage, and only then sends anything out. So a
//! client never hears of an event, or gets an ack, that a crash could take back.

use std::collections::{HashMap, VecDeque};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::extract::ws::Utf8Bytes;
use rand::rngs::StdRng;
use rand::{RngCore, SeedableRng};
use readyroom_protocol::{
    ClientMessage, Command, ErrorCode, Event, EventFrame, ParticipantId, RoomId, RoomSettings, Seq,
    ServerMessage, Timestamp,
};
use tokio::sync::{mpsc, oneshot, watch};

use crate::journal::{self, Applied, Entry, Input};
use crate::outbox::{Outbox, close_code};
use crate::room::secrecy::public_copy;
use crate::room::{CommandError, Joined, Reply, Room};
use crate::storage::{LoggedInput, Storage, StoredRoom, Write};
use crate::wire::encode;

pub type ConnId = u64;

/// Messages taken in before one commit, at most.
const MAX_BATCH: usize = 256;

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
    /// The room as a portable document, for the holder of the facilitator token.
    Export {
        token: String,
        reply: oneshot::Sender<Result<readyroom_protocol::RoomExport, CommandError>>,
    },
}

#[derive(Debug)]
struct Connection {
    outbox: Outbox,
    participant: Option<ParticipantId>,
    /// Events up to this one are already in what the connection was given at join.
    skip_through: Seq,
}

/// Something to send once the batch that caused it is durable.
#[derive(Debug)]
enum Deferred {
    Events(Vec<EventFrame>),
    Send {
        conn: ConnId,
        frame: Utf8Bytes,
    },
    /// Missed events for a resuming connection, shown as its participant may see them.
    Replay {
        conn: ConnId,
        participant: ParticipantId,
        events: Vec<EventFrame>,
    },
}

/// Tunables the actor takes from the server's configuration.
#[derive(Clone, Copy, Debug)]
pub struct ActorConfig {
    pub replay_window: usize,
    /// The most missed events a resume replays; more would overflow the connection's queue,
    /// so such a client gets a fresh `welcome` instead.
    pub max_replay: usize,
    /// Bytes of events the replay window may hold (events can carry whole descriptions).
    pub replay_bytes: usize,
    pub snapshot_every: u64,
    /// A stored room nobody has been connected to for this long leaves memory.
    pub idle_unload: std::time::Duration,
}

#[derive(Debug)]
pub struct RoomActor {
    room: Room,
    epoch: String,
    connections: HashMap<ConnId, Connection>,
    /// Cryptographically secure (seeded from the OS): it seeds each input's randomness, which
    /// mints participant tokens.
    rng: StdRng,
    storage: Option<Storage>,
    config: ActorConfig,
    /// The number the next logged input gets.
    next_n: u64,
    since_snapshot: u64,
    /// The most recent events, for resuming clients, with their approximate sizes.
    recent: VecDeque<(EventFrame, usize)>,
    recent_bytes: usize,
    to_log: Vec<LoggedInput>,
    deferred: Vec<Deferred>,
}

pub fn now_ms() -> Timestamp {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// Why a stored room could not be brought back.
#[derive(Debug, thiserror::Error)]
#[error("room {room} cannot be loaded: {detail}")]
pub struct LoadError {
    room: RoomId,
    detail: String,
}

impl RoomActor {
    /// A new room with `settings`. Returns the actor and the facilitator token.
    ///
    /// # Errors
    /// Storage refused the room.
    pub async fn create(
        id: RoomId,
        settings: RoomSettings,
        storage: Option<Storage>,
        config: ActorConfig,
    ) -> Result<(Self, String), CommandError> {
        let mut rng = StdRng::from_os_rng();
        let now = now_ms();
        let (room, token) =
            Room::create(id, settings, &mut crate::room::Ctx { now, rng: &mut rng });
        Ok((Self::store_new(room, now, storage, config).await?, token))
    }

    /// A new room made from an export. Returns the actor and the facilitator token.
    ///
    /// # Errors
    /// The export breaks a rule, or storage refused the room.
    pub async fn import(
        id: RoomId,
        export: readyroom_protocol::RoomExport,
        storage: Option<Storage>,
        config: ActorConfig,
    ) -> Result<(Self, String), CommandError> {
        let mut rng = StdRng::from_os_rng();
        let now = now_ms();
        let (room, token) = Room::import(id, export, &mut crate::room::Ctx { now, rng: &mut rng })?;
        Ok((Self::store_new(room, now, storage, config).await?, token))
    }

    /// Stores a brand-new room (with a fresh epoch) before anyone can learn of it.
    async fn store_new(
        room: Room,
        now: Timestamp,
        storage: Option<Storage>,
        config: ActorConfig,
    ) -> Result<Self, CommandError> {
        let epoch = uuid::Uuid::new_v4().to_string();
        if let Some(storage) = &storage {
            let stored = match serde_json::to_string(&room) {
                Ok(snapshot) => storage
                    .write(Write::CreateRoom {
                        room: room.id(),
                        epoch: epoch.clone(),
                        snapshot,
                        now,
                    })
                    .await
                    .map_err(|error| error.to_string()),
                Err(error) => Err(error.to_string()),
            };
            stored.map_err(|error| {
                tracing::error!(%error, "cannot store a new room");
                CommandError::new(ErrorCode::Internal, "the room could not be stored")
            })?;
        }
        Ok(Self::new(room, epoch, storage, config, 1))
    }

    /// Rebuilds a stored room: its snapshot, then every input logged after it.
    ///
    /// # Errors
    /// The stored data does not decode or does not replay to what was logged.
    pub fn restore(
        id: RoomId,
        stored: StoredRoom,
        storage: Storage,
        config: ActorConfig,
    ) -> Result<Self, LoadError> {
        let fail = |detail: String| LoadError { room: id, detail };
        let mut room: Room =
            serde_json::from_str(&stored.snapshot).map_err(|e| fail(format!("snapshot: {e}")))?;
        let mut next_n = stored.snapshot_n + 1;
        for logged in &stored.tail {
            if logged.n != next_n {
                return Err(fail(format!("input {next_n} is missing from the log")));
            }
            let entry: Entry = serde_json::from_str(&logged.input)
                .map_err(|e| fail(format!("input {}: {e}", logged.n)))?;
            let applied = journal::apply(&mut room, &entry);
            let replayed: Vec<Seq> = applied.events().iter().map(|e| e.seq).collect();
            let logged_events: Vec<EventFrame> = serde_json::from_str(&logged.events)
                .map_err(|e| fail(format!("events of input {}: {e}", logged.n)))?;
            let recorded: Vec<Seq> = logged_events.iter().map(|e| e.seq).collect();
            if replayed != recorded {
                return Err(fail(format!(
                    "input {} replays to other events than were logged",
                    logged.n
                )));
            }
            next_n += 1;
        }
        room.check_invariants()
            .map_err(|e| fail(format!("restored state is inconsistent: {e}")))?;
        let mut actor = Self::new(room, stored.epoch, Some(storage), config, next_n);
        for event in &stored.recent_events {
            let bytes = serde_json::to_vec(event).map_or(0, |json| json.len());
            actor.remember(std::slice::from_ref(event), bytes);
        }
        Ok(actor)
    }

    fn new(
        room: Room,
        epoch: String,
        storage: Option<Storage>,
        config: ActorConfig,
        next_n: u64,
    ) -> Self {
        Self {
            room,
            epoch,
            connections: HashMap::new(),
            rng: StdRng::from_os_rng(),
            storage,
            config,
            next_n,
            since_snapshot: 0,
            recent: VecDeque::new(),
            recent_bytes: 0,
            to_log: Vec::new(),
            deferred: Vec::new(),
        }
    }

    /// Runs until the registry drops the room (shutdown) or, for a stored room, until nobody
    /// has been connected for `idle_unload`. Sets `stopped` when everything is stored.
    pub async fn run(mut self, mut inbox: mpsc::Receiver<RoomMsg>, stopped: watch::Sender<bool>) {
        self.serve(&mut inbox).await;
        // Whatever was still queued when the room closed is answered before it goes; a
        // connection that arrives now is turned away (dropping its outbox closes it) and its
        // client reconnects to the room loaded afresh.
        inbox.close();
        while let Ok(msg) = inbox.try_recv() {
            if !matches!(msg, RoomMsg::Attach { .. }) {
                self.handle(msg);
            }
        }
        if self.commit().await {
            self.release();
        }
        self.save_snapshot().await;
        let _ = stopped.send(true);
        tracing::debug!(room = %self.room.id(), "room actor stopped");
    }

    async fn serve(&mut self, inbox: &mut mpsc::Receiver<RoomMsg>) {
        // Nobody is connected to a room that was just loaded, whatever its snapshot says.
        self.log_input(Input::ResetPresence);
        if !self.commit().await {
            return;
        }
        loop {
            let idle = self.connections.is_empty() && self.storage.is_some();
            let msg = if idle {
                match tokio::time::timeout(self.config.idle_unload, inbox.recv()).await {
                    Ok(msg) => msg,
                    Err(_) => {
                        tracing::debug!(room = %self.room.id(), "unloading an idle room");
                        return;
                    }
                }
            } else {
                inbox.recv().await
            };
            let Some(msg) = msg else { return };
            self.handle(msg);
            for _ in 1..MAX_BATCH {
                match inbox.try_recv() {
                    Ok(msg) => self.handle(msg),
                    Err(_) => break,
                }
            }
            loop {
                if !self.commit().await {
                    return;
                }
                self.release();
                // Connections closed while sending (too slow, gone) leave now, which is an
                // input of its own, logged like any other.
                let closed = self.closed_connections();
                if closed.is_empty() {
                    break;
                }
                for conn in closed {
                    self.detach(conn);
                }
            }
        }
    }

    fn handle(&mut self, msg: RoomMsg) {
        match msg {
            RoomMsg::Attach { conn, outbox } => {
                self.connections.insert(
                    conn,
                    Connection {
                        outbox,
                        participant: None,
                        skip_through: 0,
                    },
                );
            }
            RoomMsg::Message { conn, message } => self.on_message(conn, message),
            RoomMsg::Detach { conn } => self.detach(conn),
            RoomMsg::Describe { reply } => {
                let _ = reply.send(self.room.settings().clone());
            }
            RoomMsg::Export { token, reply } => {
                let export = if self.room.is_facilitator_token(&token) {
                    Ok(self.room.export(now_ms()))
                } else {
                    Err(CommandError::new(
                        ErrorCode::InvalidToken,
                        "that is not this room's facilitator token",
                    ))
                };
                let _ = reply.send(export);
            }
        }
    }

    /// Applies an input now and logs it if it changed the room.
    fn log_input(&mut self, input: Input) -> Applied {
        let mut seed = [0u8; 32];
        self.rng.fill_bytes(&mut seed);
        let entry = Entry {
            now: now_ms(),
            seed,
            input,
        };
        let applied = journal::apply(&mut self.room, &entry);
        let events = applied.events();
        // Every command is logged, even one that changed nothing or was refused: its reply is
        // remembered, and that memory must survive a crash like everything else.
        if !events.is_empty() || matches!(entry.input, Input::Command { .. }) {
            // Inputs and events are plain data; failing to encode them would be a bug, and
            // logging it loudly beats losing the room.
            match (serde_json::to_string(&entry), serde_json::to_string(events)) {
                (Ok(input), Ok(encoded)) => {
                    self.remember(events, encoded.len());
                    self.to_log.push(LoggedInput {
                        n: self.next_n,
                        input,
                        events: encoded,
                    });
                    self.next_n += 1;
                }
                (Err(error), _) | (_, Err(error)) => {
                    tracing::error!(%error, "an input could not be encoded");
                }
            }
        }
        applied
    }

    /// Adds events to the replay window, dropping the oldest past its bounds. `bytes` is
    /// their encoded size together, shared out evenly: close enough for a memory bound.
    fn remember(&mut self, events: &[EventFrame], bytes: usize) {
        let count = events.len().max(1);
        for event in events {
            let size = bytes / count;
            self.recent.push_back((event.clone(), size));
            self.recent_bytes += size;
            while self.recent.len() > self.config.replay_window
                || self.recent_bytes > self.config.replay_bytes
            {
                let Some((_, dropped)) = self.recent.pop_front() else {
                    break;
                };
                self.recent_bytes -= dropped;
            }
        }
    }

    fn on_message(&mut self, conn: ConnId, ClientMessage { cmd, command }: ClientMessage) {
        let Some(connection) = self.connections.get(&conn) else {
            return;
        };
        match (connection.participant, command) {
            (None, Command::Join(request)) => {
                let resume = request
                    .resume
                    .clone()
                    .filter(|_| request.participant_token.is_some());
                let Applied::Joined(result) = self.log_input(Input::Join { request }) else {
                    return;
                };
                match result {
                    Ok(joined) => self.welcome(conn, cmd, joined, resume),
                    Err(error) => self.defer_reply(conn, &error_reply(cmd, error)),
                }
            }
            (None, _) => self.defer_reply(
                conn,
                &error_reply(
                    cmd,
                    CommandError::new(ErrorCode::NotJoined, "join the room first"),
                ),
            ),
            (Some(actor), command) => {
                let Applied::Command(outcome) = self.log_input(Input::Command {
                    actor,
                    cmd,
                    command,
                }) else {
                    return;
                };
                self.deferred.push(Deferred::Events(outcome.events));
                let reply = match outcome.reply {
                    Reply::Ack { seq } => ServerMessage::Ack {
                        cmd,
                        seq,
                        duplicate: outcome.duplicate,
                    },
                    Reply::Error(error) => error_reply(cmd, error),
                };
                self.defer_reply(conn, &reply);
            }
        }
    }

    /// Answers a successful join: missed events only, if the client's copy can be brought up
    /// to date from the replay window, else the whole room.
    fn welcome(
        &mut self,
        conn: ConnId,
        cmd: readyroom_protocol::CommandId,
        joined: Joined,
        resume: Option<readyroom_protocol::Resume>,
    ) {
        let seq = self.room.seq();
        let participant = joined.participant_id;
        let missed = resume
            .filter(|resume| resume.epoch == self.epoch && resume.seq <= seq)
            .and_then(|resume| {
                self.events_after(resume.seq)
                    .map(|events| (resume.seq, events))
            });
        // Others hear of the join; this connection gets it inside its welcome or replay.
        self.deferred.push(Deferred::Events(joined.events));
        let frame = match missed {
            Some((from_seq, events)) => {
                let resumed = ServerMessage::Resumed(Box::new(readyroom_protocol::Resumed {
                    cmd,
                    protocol: readyroom_protocol::PROTOCOL_VERSION,
                    you: participant,
                    last_cmd: joined.last_cmd,
                    epoch: self.epoch.clone(),
                    from_seq,
                    seq,
                }));
                self.deferred.push(Deferred::Send {
                    conn,
                    frame: encode(&resumed),
                });
                self.deferred.push(Deferred::Replay {
                    conn,
                    participant,
                    events,
                });
                None
            }
            None => Some(encode(&ServerMessage::Welcome(Box::new(
                readyroom_protocol::Welcome {
                    cmd,
                    protocol: readyroom_protocol::PROTOCOL_VERSION,
                    you: participant,
                    participant_token: joined.participant_token,
                    last_cmd: joined.last_cmd,
                    epoch: self.epoch.clone(),
                    room: self.room.snapshot_for(participant),
                },
            )))),
        };
        if let Some(frame) = frame {
            self.deferred.push(Deferred::Send { conn, frame });
        }
        if let Some(connection) = self.connections.get_mut(&conn) {
            connection.participant = Some(participant);
            connection.skip_through = seq;
        }
    }

    /// Every event after `seq`, if the replay window still holds them all.
    fn events_after(&self, seq: Seq) -> Option<Vec<EventFrame>> {
        if seq == self.room.seq() {
            return Some(Vec::new());
        }
        let oldest = self.recent.front()?.0.seq;
        let missed = self.room.seq().saturating_sub(seq);
        if seq + 1 < oldest || missed > u64::try_from(self.config.max_replay).unwrap_or(u64::MAX) {
            return None;
        }
        Some(
            self.recent
                .iter()
                .filter(|(e, _)| e.seq > seq)
                .map(|(e, _)| e.clone())
                .collect(),
        )
    }

    fn defer_reply(&mut self, conn: ConnId, message: &ServerMessage) {
        self.deferred.push(Deferred::Send {
            conn,
            frame: encode(message),
        });
    }

    fn detach(&mut self, conn: ConnId) {
        let Some(connection) = self.connections.remove(&conn) else {
            return;
        };
        if let Some(participant) = connection.participant {
            if let Applied::Events(events) = self.log_input(Input::Disconnect { participant }) {
                self.deferred.push(Deferred::Events(events));
            }
        }
    }

    /// Makes the logged inputs durable. On failure nothing of the batch was acknowledged:
    /// every connection is closed (clients reconnect and find the room as last committed) and
    /// the actor stops.
    async fn commit(&mut self) -> bool {
        if self.to_log.is_empty() {
            return true;
        }
        let inputs = std::mem::take(&mut self.to_log);
        let Some(storage) = &self.storage else {
            return true;
        };
        let count = u64::try_from(inputs.len()).unwrap_or(u64::MAX);
        let write = Write::Append {
            room: self.room.id(),
            inputs,
            now: now_ms(),
        };
        if let Err(error) = storage.write(write).await {
            tracing::error!(room = %self.room.id(), %error, "cannot store the room's changes; closing it");
            for connection in self.connections.values() {
                connection.outbox.close_now(
                    close_code::STORAGE_FAILED,
                    "the server could not store changes; reconnect",
                );
            }
            return false;
        }
        self.since_snapshot += count;
        if self.since_snapshot >= self.config.snapshot_every {
            self.save_snapshot().await;
        }
        true
    }

    async fn save_snapshot(&mut self) {
        let Some(storage) = &self.storage else { return };
        let snapshot_n = self.next_n - 1;
        let snapshot = match serde_json::to_string(&self.room) {
            Ok(snapshot) => snapshot,
            Err(error) => {
                tracing::error!(%error, "cannot encode a snapshot");
                return;
            }
        };
        // Inputs stay a while after the snapshot: they hold the replay window's events.
        let keep = u64::try_from(self.config.replay_window).unwrap_or(u64::MAX);
        let write = Write::Snapshot {
            room: self.room.id(),
            snapshot,
            snapshot_n,
            keep_from_n: snapshot_n.saturating_sub(keep),
        };
        match storage.write(write).await {
            Ok(()) => self.since_snapshot = 0,
            Err(error) => {
                tracing::warn!(room = %self.room.id(), %error, "snapshot not saved; the log still has everything");
            }
        }
    }

    /// Sends everything the committed batch produced, in order.
    fn release(&mut self) {
        for deferred in std::mem::take(&mut self.deferred) {
            match deferred {
                Deferred::Events(events) => self.fan_out(&events),
                Deferred::Send { conn, frame } => {
                    if let Some(connection) = self.connections.get(&conn) {
                        connection.outbox.push(frame);
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
                        let shown = match public_copy(frame) {
                            Some((owner, public)) if owner != participant => public,
                            _ => frame.clone(),
                        };
                        connection.outbox.push(event_bytes(&shown));
                    }
                }
            }
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
                if frame.seq <= connection.skip_through {
                    continue;
                }
                let bytes = match (&private, owner == Some(participant)) {
                    (Some(private), true) => private.clone(),
                    _ => public.clone(),
                };
                connection.outbox.push(bytes);
            }
            if let Event::ParticipantRemoved { participant_id } = frame.event {
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

    fn closed_connections(&self) -> Vec<ConnId> {
        self.connections
            .iter()
            .filter(|(_, c)| c.outbox.is_closed())
            .map(|(conn, _)| *conn)
            .collect()
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
