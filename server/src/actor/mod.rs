//! One tokio task per room. It owns the room's core exclusively, so the core needs no locks:
//! connections send it their messages over a bounded channel ([`RoomHandle`]) and it answers
//! through their outboxes. Each event is encoded once and the same bytes go to every recipient.
//!
//! Durability: the actor applies a batch of messages (whatever queued up), logs every input
//! that produced events, commits the batch to storage, and only then sends anything out. So a
//! client never hears of an event, or gets an ack, that a crash could take back. Commits are
//! pipelined: while one batch is stored the room applies the next. HTTP reads (exports, the
//! backlog over the API) are answered from the room as applied, which may include a batch still
//! being stored; HTTP changes, like commands, are answered only once stored.
//!
//! - `handle`: the handle and the task's messages.
//! - `log`: group commit and snapshots. `replay`: the window of recent events for resumes.
//! - `delivery`: the connections, and what each batch owes them.
//! - `presence`: carets, which pass through the room without being logged.

mod delivery;
mod handle;
mod log;
mod presence;
mod replay;

use rand::rngs::StdRng;
use rand::{RngCore, SeedableRng};
use readyroom_protocol::{
    ClientMessage, Command, CommandId, ErrorCode, EventFrame, RoomId, RoomSettings, Seq,
    ServerMessage,
};
use tokio_util::sync::CancellationToken;

pub use handle::{RoomHandle, RoomInbox};
pub use log::LoadError;

use self::delivery::{Deferred, Delivery};
use self::handle::RoomMsg;
use self::log::{Committing, RoomLog};
use self::presence::Carets;
use self::replay::ReplayWindow;
use crate::clock::now_ms;
use crate::journal::{self, Applied, Entry, Input};
use crate::outbox::{Reservation, close_code};
use crate::rate::TokenBucket;
use crate::room::api::{ApiChange, Need};
use crate::room::{CommandError, Joined, Reply, Room, tokens};
use crate::storage::{OutboxChange, Storage, StoredRoom};
use crate::wire::encode;

pub type ConnId = u64;

/// Messages taken in at once; a batch waiting behind the commit under way takes in more only
/// while it holds fewer inputs than this.
const MAX_BATCH: usize = 256;

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
    /// The same for a room nobody has entered since it was loaded.
    pub unvisited_unload: std::time::Duration,
    /// What the room may write to its log at once and per second (estimated from the size
    /// of the commands it is sent).
    pub room_bytes_burst: u32,
    pub room_bytes_per_second: u32,
}

#[derive(Debug)]
pub struct RoomActor {
    room: Room,
    epoch: String,
    delivery: Delivery,
    /// Cryptographically secure (seeded from the OS): it seeds each input's randomness, which
    /// mints participant tokens.
    rng: StdRng,
    log: RoomLog,
    replay: ReplayWindow,
    config: ActorConfig,
    /// The room's allowance of stored bytes: legal but huge edits must not crowd out the
    /// other rooms' commits.
    stored_bytes: TokenBucket,
    /// The size of the last `welcome` sent, to turn a join away before applying it when the
    /// server cannot send another that large now.
    last_welcome_bytes: usize,
    /// Whether a connection has attached since the room was loaded.
    visited: bool,
    /// It stopped because nobody had been connected for a while.
    unloaded_idle: bool,
    /// Where people's carets are: ephemeral, never logged.
    carets: Carets,
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
        let epoch = log::store_new(storage.as_ref(), &room, now).await?;
        Ok((Self::new(room, epoch, storage, config, 1), token))
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
        let epoch = log::store_new(storage.as_ref(), &room, now).await?;
        Ok((Self::new(room, epoch, storage, config, 1), token))
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
        room.digest_tokens();
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
            actor.replay.remember(std::slice::from_ref(event), bytes);
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
            delivery: Delivery::default(),
            rng: StdRng::from_os_rng(),
            log: RoomLog::new(storage, next_n, config.snapshot_every, config.replay_window),
            replay: ReplayWindow::new(config.replay_window, config.replay_bytes, config.max_replay),
            stored_bytes: TokenBucket::new(
                config.room_bytes_burst,
                f64::from(config.room_bytes_per_second),
            ),
            config,
            last_welcome_bytes: 0,
            visited: false,
            unloaded_idle: false,
            carets: Carets::default(),
        }
    }

    /// The room as restored, for answering a question without running it.
    pub fn room(&self) -> &Room {
        &self.room
    }

    /// Runs until every handle is dropped, `stop` fires (shutdown's deadline) or, for a stored
    /// room, nobody has been connected for `idle_unload`. Marks the inbox stopped when
    /// everything is stored.
    pub async fn run(mut self, inbox: RoomInbox, stop: CancellationToken) {
        let RoomInbox { mut rx, stopped } = inbox;
        if self.serve(&mut rx, &stop).await {
            // Whatever was still queued when the room closed is answered before it goes; a
            // connection that arrives now is turned away (dropping its outbox closes it) and
            // its client reconnects to the room loaded afresh.
            rx.close();
            while let Ok(msg) = rx.try_recv() {
                if !matches!(msg, RoomMsg::Attach { .. }) {
                    self.handle(msg);
                }
            }
            if self.commit().await {
                self.delivery.release();
            }
            // After a shutdown, clients resume from the replay window; a room unloaded for
            // idleness has nobody to resume, and its log segments can go.
            self.log
                .save_snapshot(&self.room, !self.unloaded_idle)
                .await;
        }
        let _ = stopped.send(true);
        tracing::debug!(room = %self.room.id(), "room actor stopped");
    }

    /// The room's loop. Returns false after a failed commit: then nothing more may be
    /// applied or written, and the room reloads from what was committed.
    ///
    /// Commits are pipelined: while one batch is being stored, the room goes on applying what
    /// arrives, and that becomes the next batch, sent to storage as soon as the one before is
    /// durable. Nothing a batch caused leaves the room before that batch is durable.
    async fn serve(
        &mut self,
        inbox: &mut tokio::sync::mpsc::Receiver<RoomMsg>,
        stop: &CancellationToken,
    ) -> bool {
        // Nobody is connected to a room that was just loaded, whatever its snapshot says.
        self.log_input(Input::ResetPresence);
        if !self.commit().await {
            return false;
        }
        // Made once: each one registers a waiter under the token's lock.
        let stopping = stop.cancelled();
        tokio::pin!(stopping);
        // The batch being stored, and where its share of what is owed ends.
        let mut storing: Option<(Committing, usize)> = None;
        loop {
            let idle = storing.is_none() && self.delivery.is_empty() && self.log.is_durable();
            // A room nobody has entered since it was loaded (created, looked up, or probed by
            // a socket that never joined) leaves memory sooner: it must not hold a place
            // among the server's live rooms for long.
            let unload_after = if self.visited {
                self.config.idle_unload
            } else {
                self.config.idle_unload.min(self.config.unvisited_unload)
            };
            let next = async {
                if idle {
                    tokio::time::timeout(unload_after, inbox.recv()).await
                } else {
                    Ok(inbox.recv().await)
                }
            };
            // While a batch is being stored, the next one grows to a batch's worth at most;
            // then the inbox fills and holds the senders back, as it does without pipelining,
            // so a slow disk cannot make the room hold ever more.
            let taking = storing.is_none() || self.log.pending_len() < MAX_BATCH;
            let stored = async {
                match storing.as_mut() {
                    Some((committing, _)) => committing.as_mut().await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                biased;
                () = &mut stopping => return self.finish_storing(storing.take()).await,
                stored = stored => {
                    let sealed = storing.take().map_or(0, |(_, sealed)| sealed);
                    if stored.is_err() {
                        self.log.fail();
                        self.fail_batch();
                        return false;
                    }
                    self.released(sealed);
                }
                msg = next, if taking => match msg {
                    Ok(Some(msg)) => {
                        self.handle(msg);
                        for _ in 1..MAX_BATCH {
                            match inbox.try_recv() {
                                Ok(msg) => self.handle(msg),
                                Err(_) => break,
                            }
                        }
                    }
                    Ok(None) => return self.finish_storing(storing.take()).await,
                    Err(_) => {
                        tracing::debug!(room = %self.room.id(), "unloading an idle room");
                        self.unloaded_idle = true;
                        return true;
                    }
                },
            }
            if storing.is_none() {
                // What no input caused (a refusal before the room, carets) goes out at once.
                if !self.log.has_pending() && self.delivery.owes() {
                    self.released(self.delivery.seal());
                }
                if self.log.has_pending() {
                    let sealed = self.delivery.seal();
                    storing = Some((self.log.start_commit(&self.room), sealed));
                }
            }
        }
    }

    /// Sends what a stored batch owes, then lets connections closed while sending (too slow,
    /// gone) leave, which is an input of its own, logged for the next batch.
    fn released(&mut self, sealed: usize) {
        self.delivery.release_through(sealed);
        for conn in self.delivery.closed() {
            self.detach(conn);
        }
    }

    /// Waits for the batch being stored before the room stops (`run` stores the rest).
    /// Returns false if it failed.
    async fn finish_storing(&mut self, storing: Option<(Committing, usize)>) -> bool {
        let Some((committing, sealed)) = storing else {
            return true;
        };
        if committing.await.is_err() {
            self.log.fail();
            self.fail_batch();
            return false;
        }
        self.released(sealed);
        true
    }

    fn handle(&mut self, msg: RoomMsg) {
        match msg {
            RoomMsg::Attach { conn, outbox } => {
                self.visited = true;
                self.delivery.attach(conn, outbox);
            }
            RoomMsg::Message {
                conn,
                message,
                bytes,
            } => self.on_message(conn, message, bytes),
            RoomMsg::Detach { conn } => self.detach(conn),
            RoomMsg::Describe { reply } => {
                let _ = reply.send(self.room.settings().clone());
            }
            RoomMsg::Read(question) => (question.0)(&self.room),
            RoomMsg::Import {
                token,
                batch,
                reply,
            } => {
                if let Err(error) = self.room.require(&token, Need::Write) {
                    let _ = reply.send(Err(error));
                    return;
                }
                if let Applied::Imported(result, events) = self.log_input(Input::Import { batch }) {
                    self.answer_after(events, move || {
                        let _ = reply.send(result);
                    });
                }
            }
            RoomMsg::Api {
                token,
                need,
                change,
                reply,
            } => {
                if let Err(error) = self.room.require(&token, need) {
                    let _ = reply.send(Err(error));
                    return;
                }
                let deleted = match &change {
                    ApiChange::DeleteWebhook { id } => Some(*id),
                    _ => None,
                };
                if let Applied::Api(result, events) = self.log_input(Input::Api { change }) {
                    if let (Some(webhook_id), Ok(_)) = (deleted, &result) {
                        self.log.push_outbox(OutboxChange::Forget { webhook_id });
                    }
                    self.answer_after(events, move || {
                        let _ = reply.send(result);
                    });
                }
            }
        }
    }

    /// Sends `events` and then an HTTP request's answer, once the batch is stored.
    fn answer_after(&mut self, events: Vec<EventFrame>, answer: impl FnOnce() + Send + 'static) {
        self.visited = true;
        self.delivery.defer(Deferred::Events(events));
        self.delivery
            .defer(Deferred::Answer(delivery::Answer(Box::new(answer))));
    }

    /// Applies an input now and logs it if it changed the room.
    fn log_input(&mut self, input: Input) -> Applied {
        let mut seed = [0u8; 32];
        self.rng.fill_bytes(&mut seed);
        let entry = Entry {
            now: now_ms(),
            seed,
            input,
            rules: journal::RULES,
        };
        let applied = journal::apply(&mut self.room, &entry);
        let events = applied.events();
        for gone in self.carets.after(events, &self.room) {
            self.defer_caret(gone, None, None);
        }
        if self.log.is_durable() {
            for call in self.room.webhook_calls(events) {
                self.log
                    .push_outbox(OutboxChange::Enqueue(crate::webhooks::delivery(
                        self.room.id(),
                        call,
                    )));
            }
        }
        // Every command is logged, even one that changed nothing or was refused: its reply is
        // remembered, and that memory must survive a crash like everything else. So is every
        // join and disconnect: each moves a participant's count of connections, which later
        // inputs depend on (who is offline, who can be forgotten) even when it shows nobody.
        if !events.is_empty() || !matches!(entry.input, Input::ResetPresence) {
            // Inputs and events are plain data; failing to encode them would be a bug, and
            // logging it loudly beats losing the room.
            match (serde_json::to_string(&entry), serde_json::to_string(events)) {
                (Ok(input), Ok(encoded)) => {
                    self.replay.remember(events, encoded.len());
                    self.log.push(input, encoded);
                }
                (Err(error), _) | (_, Err(error)) => {
                    tracing::error!(%error, "an input could not be encoded");
                }
            }
        }
        applied
    }

    fn on_message(
        &mut self,
        conn: ConnId,
        ClientMessage { cmd, command }: ClientMessage,
        bytes: usize,
    ) {
        let Some(connection) = self.delivery.connections.get(&conn) else {
            return;
        };
        if connection.detached {
            return;
        }
        crate::metrics::get().commands.increment(1);
        match (connection.participant, command) {
            (None, Command::Join(mut request)) => {
                // A resume the replay window can answer sends no snapshot, so it needs no share.
                let resumable = request.participant_token.is_some()
                    && request.resume.as_ref().is_some_and(|resume| {
                        resume.epoch == self.epoch
                            && self
                                .replay
                                .events_after(resume.seq, self.room.seq())
                                .is_some()
                    });
                let welcome_size = if resumable {
                    0
                } else {
                    self.last_welcome_bytes
                };
                let Some(reservation) = connection.outbox.reserve(welcome_size) else {
                    return self.refuse(
                        conn,
                        cmd,
                        ErrorCode::RateLimited,
                        "the server is busy sending large rooms; join again in a moment",
                    );
                };
                let resume = request
                    .resume
                    .clone()
                    .filter(|_| request.participant_token.is_some());
                // The token the participant holds: the one presented, or a new one. Only
                // digests reach the core and the log.
                let (token, minted) = match request.participant_token.take() {
                    Some(presented) => {
                        request.participant_token = Some(tokens::shield(&presented));
                        (presented, None)
                    }
                    None => {
                        let token = mint_token();
                        let minted = tokens::shield(&token);
                        (token, Some(minted))
                    }
                };
                request.facilitator_token =
                    request.facilitator_token.as_deref().map(tokens::shield);
                let Applied::Joined(result) = self.log_input(Input::Join { request, minted })
                else {
                    return;
                };
                match result {
                    Ok(joined) => self.welcome(conn, cmd, joined, token, resume, reservation),
                    Err(error) => self.delivery.defer_message(conn, &error_reply(cmd, error)),
                }
            }
            (None, _) => self.refuse(conn, cmd, ErrorCode::NotJoined, "join the room first"),
            // Answered here, never logged: its tokens must not reach storage, and a join's id
            // is not part of the participant's sequence.
            (Some(actor), Command::SetCaret { caret }) => self.move_caret(conn, cmd, actor, caret),
            (Some(_), Command::Join(_)) => self.refuse(
                conn,
                cmd,
                ErrorCode::AlreadyJoined,
                "this connection has already joined",
            ),
            (Some(actor), mut command) => {
                if let Command::ClaimFacilitator { facilitator_token } = &mut command {
                    *facilitator_token = tokens::shield(facilitator_token);
                }
                // A stored command costs about its own size twice: the input and its event.
                let cost = 2.0 * f64::from(u32::try_from(bytes).unwrap_or(u32::MAX));
                if self.log.is_durable() && !self.stored_bytes.take_n(cost) {
                    // Not applied and not remembered: the same command may be sent again.
                    return self.refuse(
                        conn,
                        cmd,
                        ErrorCode::RateLimited,
                        "this room is writing more than the server allows; slow down",
                    );
                }
                let Applied::Command(outcome) = self.log_input(Input::Command {
                    actor,
                    cmd,
                    command,
                }) else {
                    return;
                };
                let revision = outcome.events.iter().find_map(|frame| match frame.event {
                    readyroom_protocol::Event::TextEdited {
                        revision,
                        cmd: Some(made_by),
                        ..
                    } if made_by == cmd => Some(revision),
                    _ => None,
                });
                self.delivery.defer(Deferred::Events(outcome.events));
                for participant in outcome.removed {
                    self.delivery.defer(Deferred::Expel(participant));
                }
                let reply = match outcome.reply {
                    Reply::Ack { seq } => ServerMessage::Ack {
                        cmd,
                        seq,
                        duplicate: outcome.duplicate,
                        revision,
                    },
                    Reply::Error(error) => error_reply(cmd, error),
                };
                self.delivery.defer_message(conn, &reply);
            }
        }
    }

    /// Passes a caret on to everyone else, without logging it. Over its connection's rate it
    /// is dropped: the client's next one (it sends the latest when it may) corrects it.
    fn move_caret(
        &mut self,
        conn: ConnId,
        cmd: CommandId,
        actor: readyroom_protocol::ParticipantId,
        caret: Option<readyroom_protocol::Caret>,
    ) {
        let Some(connection) = self.delivery.connections.get_mut(&conn) else {
            return;
        };
        if !connection.carets.take() {
            return;
        }
        if let Some(caret) = &caret {
            if let Err(error) = self.room.check_caret(actor, caret) {
                return self.delivery.defer_message(conn, &error_reply(cmd, error));
            }
        }
        if self.carets.set(actor, conn, caret) {
            self.defer_caret(actor, caret, None);
        }
    }

    /// Sends where a participant's caret is to everyone else, or to one connection.
    fn defer_caret(
        &mut self,
        participant: readyroom_protocol::ParticipantId,
        caret: Option<readyroom_protocol::Caret>,
        to: Option<ConnId>,
    ) {
        let frame = encode(&ServerMessage::CaretMoved {
            participant_id: participant,
            caret,
        });
        self.delivery.defer(Deferred::Caret {
            from: participant,
            to,
            frame,
        });
    }

    fn refuse(&mut self, conn: ConnId, cmd: CommandId, code: ErrorCode, message: &str) {
        self.delivery
            .defer_message(conn, &error_reply(cmd, CommandError::new(code, message)));
    }

    /// Answers a successful join: missed events only, if the client's copy can be brought up
    /// to date from the replay window, else the whole room.
    fn welcome(
        &mut self,
        conn: ConnId,
        cmd: CommandId,
        joined: Joined,
        token: String,
        resume: Option<readyroom_protocol::Resume>,
        reservation: Reservation,
    ) {
        let seq = self.room.seq();
        let participant = joined.participant_id;
        let resuming = resume.is_some();
        let missed = resume
            .filter(|resume| resume.epoch == self.epoch && resume.seq <= seq)
            .and_then(|resume| {
                self.replay
                    .events_after(resume.seq, seq)
                    .map(|events| (resume.seq, events))
            });
        // Others hear of the join; this connection gets it inside its welcome or replay.
        self.delivery.defer(Deferred::Events(joined.events));
        for forgotten in joined.removed {
            self.delivery.defer(Deferred::Expel(forgotten));
        }
        let metrics = crate::metrics::get();
        match (&missed, resuming) {
            (Some(_), _) => metrics.replay_hits.increment(1),
            (None, true) => metrics.replay_misses.increment(1),
            (None, false) => {}
        }
        match missed {
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
                self.delivery.defer_message(conn, &resumed);
                self.delivery.defer(Deferred::Replay {
                    conn,
                    participant,
                    events,
                });
            }
            None => {
                let frame = encode(&ServerMessage::Welcome(Box::new(
                    readyroom_protocol::Welcome {
                        cmd,
                        protocol: readyroom_protocol::PROTOCOL_VERSION,
                        you: participant,
                        participant_token: token,
                        last_cmd: joined.last_cmd,
                        epoch: self.epoch.clone(),
                        max_frame_bytes: readyroom_protocol::limits::MAX_FRAME_BYTES,
                        room: self.room.snapshot_for(participant),
                    },
                )));
                self.last_welcome_bytes = frame.len();
                let Some(connection) = self.delivery.connections.get(&conn) else {
                    return;
                };
                match connection.outbox.prepare_reserved(frame, reservation) {
                    Ok(frame) => self.delivery.defer(Deferred::Prepared { conn, frame }),
                    // Joined, but its room cannot be sent now: it rejoins in a moment.
                    Err(_) => connection.outbox.close_busy(),
                }
            }
        }
        if let Some(connection) = self.delivery.connections.get_mut(&conn) {
            connection.participant = Some(participant);
            connection.skip_through = seq;
            connection.outbox.mark_joined();
        }
        let others: Vec<_> = self
            .carets
            .shown()
            .filter(|(owner, _)| *owner != participant)
            .collect();
        for (owner, caret) in others {
            self.defer_caret(owner, Some(caret), Some(conn));
        }
    }

    /// The connection's reader is done. Its participant goes offline now; the connection
    /// itself stays until the batch is released, so that it still gets every reply it is owed.
    fn detach(&mut self, conn: ConnId) {
        if !self.delivery.detach(conn) {
            return;
        }
        let participant = self
            .delivery
            .connections
            .get(&conn)
            .and_then(|connection| connection.participant);
        if let Some(owner) = self.carets.left(conn) {
            self.defer_caret(owner, None, None);
        }
        if let Some(participant) = participant {
            if let Applied::Events(events) = self.log_input(Input::Disconnect { participant }) {
                self.delivery.defer(Deferred::Events(events));
            }
        }
    }

    /// Makes the logged inputs durable. On failure nothing of the batch was acknowledged:
    /// every connection is closed (clients reconnect and find the room as last committed).
    async fn commit(&mut self) -> bool {
        if self.log.commit(&self.room).await.is_ok() {
            return true;
        }
        self.fail_batch();
        false
    }

    /// Nothing of what is owed happened: every connection is closed (clients reconnect and
    /// find the room as last committed).
    fn fail_batch(&mut self) {
        self.delivery.discard();
        self.delivery.close_all(
            close_code::STORAGE_FAILED,
            "the server could not store changes; reconnect",
        );
    }
}

/// A new participant token: 128 bits from the OS's generator, drawn apart from the seeds that
/// are logged with each input.
pub(crate) fn mint_token() -> String {
    let mut bytes = [0_u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    crate::room::hex(&bytes)
}

fn error_reply(cmd: CommandId, error: CommandError) -> ServerMessage {
    ServerMessage::Error {
        cmd: Some(cmd),
        code: error.code,
        message: error.message,
    }
}
