//! One simulated participant: a WebSocket connection from one of several loopback source
//! addresses, speaking the real protocol, with a small state machine for the scenarios (edit
//! once a second, vote when a round starts, and for the facilitator: start, reveal, accept).
//!
//! Edits type a few characters into an item's long description, either as text operations
//! (`edit_text`, with a real client's state per description: one operation in flight, the rest
//! buffered, incoming operations transformed over both) or as the whole new description
//! (`update_item`), which is what every edit cost before operations existed.

use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use anyhow::{Context, bail};
use futures::{SinkExt, StreamExt};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use readyroom_protocol::{CommandId, ItemId, PendingEdits, RoundId, TextOp};
use tokio::net::{TcpSocket, TcpStream};
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

use crate::dialect::{self, Seen, Target};
use crate::metrics::{Tally, record};

/// Anything slower than this is broken, not slow.
const REPLY_TIMEOUT: Duration = Duration::from_secs(60);
/// Meeting: how long voters take to pick a card, and how long the facilitator waits for
/// stragglers before revealing anyway.
const THINKING: std::ops::Range<u64> = 500..3000;
const VOTING_DEADLINE: Duration = Duration::from_secs(6);
/// Meeting: the pause after a reveal before accepting, and after accepting before the next
/// round.
const DISCUSSION: Duration = Duration::from_secs(1);
const EDIT_EVERY: Duration = Duration::from_secs(1);
/// Meeting: one tick in this many moves an item instead of editing one.
const MOVE_ONE_IN: u32 = 20;
const CARDS: [&str; 3] = ["3", "5", "8"];
/// Past this many characters more than it started with, typing into a description replaces
/// as many characters as it adds, so that long runs stay within the server's limit.
const DESCRIPTION_GROWTH: u64 = 3_000;

/// How the meeting's edits reach the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edits {
    /// `edit_text`: the characters typed, as an operation on the revision last seen.
    TextOps,
    /// `update_item`: the whole new description every time.
    Replace,
}

/// A meeting's initial description: plain sentences without `~`, so that only markers have one.
pub fn description(chars: usize) -> String {
    const SENTENCE: &str = "As a facilitator I want every item refined before the meeting, so \
        that the estimates are quick and nobody has to read the ticket twice. ";
    SENTENCE.chars().cycle().take(chars).collect()
}

/// A client's side of one description, in lengths only: transforming operations needs no text,
/// and applying them to thousands of characters would measure the load generator.
#[derive(Debug)]
struct Description {
    /// The server's text, at `revision`.
    len: u64,
    revision: u64,
    /// The client's text: the server's with its pending edits on top.
    local_len: u64,
    pending: PendingEdits,
    /// The command carrying the operation in flight, and the length that operation makes (the
    /// baseline relays it as it was sent).
    in_flight: Option<(CommandId, u64)>,
}

impl Description {
    fn new(len: u64) -> Self {
        Self {
            len,
            revision: 0,
            local_len: len,
            pending: PendingEdits::default(),
            in_flight: None,
        }
    }
}

type Socket = WebSocketStream<TcpStream>;

/// Microseconds since the load generator started: the clock every client shares, so that a
/// receiver can time a frame another client sent.
pub fn now_us() -> u64 {
    static START: OnceLock<std::time::Instant> = OnceLock::new();
    let start = START.get_or_init(std::time::Instant::now);
    u64::try_from(start.elapsed().as_micros()).unwrap_or(u64::MAX)
}

/// What every client of a run shares.
#[derive(Debug)]
pub struct Run {
    pub target: Target,
    pub sources: Vec<Ipv4Addr>,
    /// Rates count only while this is set (not during warm-up).
    pub measuring: AtomicBool,
    /// The measured window in [`now_us`]: a latency is recorded when what it times was sent
    /// inside it, however late it arrives (the slowest deliveries are the ones that matter).
    pub window_start_us: AtomicU64,
    pub window_end_us: AtomicU64,
    /// Storm: members who have seen every vote of their room's round, so that the reveal
    /// storm starts on a quiet server, not in the tail of the votes' fan-out.
    pub all_votes_seen: AtomicUsize,
    /// Storm: reveal results received by room members.
    pub reveals_seen: AtomicUsize,
    /// A meeting's edits; its rooms' items then get `description`.
    pub edits: Option<Edits>,
    pub description: String,
    /// `description`'s length in characters.
    pub description_chars: u64,
}

impl Run {
    pub fn new(
        target: Target,
        sources: Vec<Ipv4Addr>,
        edits: Option<Edits>,
        description_chars: usize,
    ) -> Self {
        let description = if edits.is_some() {
            description(description_chars)
        } else {
            String::new()
        };
        Self {
            target,
            sources,
            edits,
            description_chars: description.chars().count() as u64,
            description,
            measuring: AtomicBool::new(false),
            window_start_us: AtomicU64::new(u64::MAX),
            window_end_us: AtomicU64::new(u64::MAX),
            all_votes_seen: AtomicUsize::new(0),
            reveals_seen: AtomicUsize::new(0),
        }
    }

    /// Opens the measured window.
    pub fn start_measuring(&self) {
        self.window_end_us.store(u64::MAX, Ordering::Relaxed);
        self.window_start_us.store(now_us(), Ordering::Relaxed);
        self.measuring.store(true, Ordering::Relaxed);
    }

    /// Closes it: what was sent before now is still timed when it arrives.
    pub fn stop_measuring(&self) {
        self.measuring.store(false, Ordering::Relaxed);
        self.window_end_us.store(now_us(), Ordering::Relaxed);
    }

    fn in_window(&self, sent_us: u64) -> bool {
        (self.window_start_us.load(Ordering::Relaxed)..self.window_end_us.load(Ordering::Relaxed))
            .contains(&sent_us)
    }
}

/// What the members of one room share.
#[derive(Debug)]
pub struct Room {
    pub id: String,
    /// The node that serves it (clients connect there).
    pub addr: SocketAddr,
    pub facilitator_token: Option<String>,
    pub size: usize,
    pub items: OnceLock<Vec<ItemId>>,
    /// When the facilitator sent the last `reveal` ([`now_us`]).
    pub reveal_sent_us: AtomicU64,
}

impl Room {
    pub fn new(
        id: String,
        addr: SocketAddr,
        facilitator_token: Option<String>,
        size: usize,
    ) -> Self {
        Self {
            id,
            addr,
            facilitator_token,
            size,
            items: OnceLock::new(),
            reveal_sent_us: AtomicU64::new(0),
        }
    }
}

/// What the orchestrator tells a running client.
#[derive(Debug, Clone, Copy)]
pub enum Control {
    /// Edit, move, vote and (the facilitator) run rounds on its own.
    Meeting,
    /// The facilitator: start a round (or a re-vote of the last one); everyone votes at once.
    StormRound,
    /// The facilitator: reveal at this instant.
    RevealAt(Instant),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Next {
    StartRound,
    Reveal,
    Accept,
}

#[derive(Debug)]
pub struct Client {
    index: usize,
    facilitator: bool,
    run: Arc<Run>,
    room: Arc<Room>,
    socket: Socket,
    last_cmd: CommandId,
    pub tally: Tally,
    rng: SmallRng,
    meeting: bool,
    round: Option<RoundId>,
    rounds_started: usize,
    votes: usize,
    revealing: bool,
    next_edit: Option<Instant>,
    next_vote: Option<Instant>,
    next_step: Option<(Instant, Next)>,
    /// The participant id from the `welcome` (Ready Room only): tells this client's own
    /// `text_edited` events from others'.
    you: Option<String>,
    /// One per item of the room, made when first needed (the items exist by then).
    descriptions: Vec<Description>,
    /// Frames to send once the frame being read is handled.
    outgoing: Vec<String>,
}

impl Client {
    /// Connects and joins; records the time from `started` to the `welcome`.
    pub async fn join(
        run: Arc<Run>,
        room: Arc<Room>,
        index: usize,
        facilitator: bool,
        started: Instant,
    ) -> anyhow::Result<Self> {
        let source = run
            .sources
            .get(index % run.sources.len().max(1))
            .copied()
            .unwrap_or(Ipv4Addr::LOCALHOST);
        let socket = connect(room.addr, source, &room.id).await?;
        let mut client = Self {
            index,
            facilitator,
            run,
            socket,
            last_cmd: 0,
            tally: Tally::default(),
            rng: SmallRng::from_os_rng(),
            meeting: false,
            round: None,
            rounds_started: 0,
            votes: 0,
            revealing: false,
            next_edit: None,
            next_vote: None,
            next_step: None,
            you: None,
            descriptions: Vec::new(),
            outgoing: Vec::new(),
            room,
        };
        let token = facilitator
            .then(|| client.room.facilitator_token.clone())
            .flatten();
        client.last_cmd = 1;
        client
            .send(dialect::join(1, format!("Load {index}"), token))
            .await?;
        loop {
            let text = client.next_text().await?;
            match dialect::classify(client.run.target, &text) {
                Seen::Welcome => {
                    client.you = dialect::you(&text).map(str::to_owned);
                    break;
                }
                Seen::Error => bail!("join refused: {text}"),
                _ => {}
            }
        }
        record(
            &mut client.tally.join,
            u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
        );
        Ok(client)
    }

    pub fn is_facilitator(&self) -> bool {
        self.facilitator
    }

    /// The facilitator, before anyone else joins: creates the room's items and turns
    /// auto-reveal off (the facilitator reveals, as in the scenarios).
    pub async fn prepare_room(&mut self, items: usize) -> anyhow::Result<()> {
        let mut ids = Vec::with_capacity(items);
        for number in 0..items {
            let cmd = self.next_cmd();
            let title = format!("Load item {number}");
            self.send(dialect::create_item(
                cmd,
                title,
                self.run.description.clone(),
            ))
            .await?;
            match self.wait_for_reply(cmd).await? {
                Some(id) => ids.push(id.parse().context("an item id that is not a uuid")?),
                None => ids.push(ItemId::from_random_bytes(self.rng.random())),
            }
        }
        let cmd = self.next_cmd();
        self.send(dialect::manual_reveal(cmd)).await?;
        self.wait_for_reply(cmd).await?;
        let _ = self.room.items.set(ids);
        Ok(())
    }

    /// Waits for the answer to `cmd`; returns the id of an item created meanwhile by this
    /// client, where the server says it.
    async fn wait_for_reply(&mut self, cmd: CommandId) -> anyhow::Result<Option<String>> {
        let mut created = None;
        loop {
            let text = self.next_text().await?;
            if self.run.target.is_relay() && dialect::relayed_cmd(&text) == Some(cmd) {
                return Ok(None);
            }
            match dialect::classify(self.run.target, &text) {
                Seen::ItemCreated(id) if !id.is_empty() => created = Some(id.to_owned()),
                Seen::Reply(replied) if replied == cmd => return Ok(created),
                Seen::Error => bail!("setting up the room: {text}"),
                _ => {}
            }
        }
    }

    /// Runs until the control channel closes; returns what it counted.
    pub async fn run(mut self, mut controls: mpsc::UnboundedReceiver<Control>) -> Tally {
        loop {
            let wake = [
                self.next_edit,
                self.next_vote,
                self.next_step.map(|(at, _)| at),
            ]
            .into_iter()
            .flatten()
            .min();
            tokio::select! {
                control = controls.recv() => match control {
                    Some(control) => self.obey(control),
                    None => break,
                },
                frame = self.socket.next() => match frame {
                    Some(Ok(Message::Text(text))) => {
                        self.receive(&text);
                        if let Err(error) = self.flush().await {
                            self.tally.error(&format!("sending: {error}"));
                        }
                    }
                    Some(Ok(Message::Close(_)) | Err(_)) | None => {
                        self.tally.disconnects += 1;
                        // Wait for the end of the phase, so the orchestrator's view of who is
                        // still there stays simple.
                        while controls.recv().await.is_some() {}
                        return self.tally;
                    }
                    Some(Ok(_)) => {}
                },
                () = sleep_until(wake), if wake.is_some() => {
                    if let Err(error) = self.act().await {
                        self.tally.error(&format!("sending: {error}"));
                    }
                }
            }
        }
        let _ = self.socket.close(None).await;
        self.tally
    }

    fn obey(&mut self, control: Control) {
        match control {
            Control::Meeting => {
                self.meeting = true;
                let offset = self.rng.random_range(0..1000);
                self.next_edit = Some(Instant::now() + Duration::from_millis(offset));
                if self.facilitator {
                    self.next_step = Some((Instant::now() + DISCUSSION, Next::StartRound));
                }
            }
            Control::StormRound => self.next_step = Some((Instant::now(), Next::StartRound)),
            Control::RevealAt(at) => self.next_step = Some((at, Next::Reveal)),
        }
    }

    fn receive(&mut self, text: &str) {
        let seen = dialect::classify(self.run.target, text);
        let measuring = self.run.measuring.load(Ordering::Relaxed);
        if measuring && !matches!(seen, Seen::Reply(_) | Seen::Welcome | Seen::Error) {
            self.tally.events += 1;
        }
        match seen {
            Seen::Error => self.tally.error(text),
            Seen::Edit => self.time_edit(text, measuring),
            Seen::TextEdit => {
                self.time_edit(text, measuring);
                if let Err(error) = self.follow_text_edit(text) {
                    self.tally.error(&format!("{error:#}: {text}"));
                }
            }
            Seen::RoundStarted(id) => {
                self.round = Some(match id {
                    Some(id) => id.parse().unwrap_or(RoundId::from_random_bytes([0; 16])),
                    None => RoundId::from_random_bytes([0; 16]),
                });
                self.votes = 0;
                self.revealing = false;
                let thinking = if self.meeting {
                    Duration::from_millis(self.rng.random_range(THINKING))
                } else {
                    Duration::ZERO
                };
                self.next_vote = Some(Instant::now() + thinking);
                if self.facilitator && self.meeting {
                    self.next_step = Some((Instant::now() + VOTING_DEADLINE, Next::Reveal));
                }
            }
            Seen::VoteCast => {
                self.votes += 1;
                if self.votes == self.room.size {
                    if self.meeting && self.facilitator {
                        self.next_step = Some((Instant::now(), Next::Reveal));
                    } else if !self.meeting {
                        self.run.all_votes_seen.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
            Seen::Revealed => {
                if !self.facilitator {
                    let sent_us = self.room.reveal_sent_us.load(Ordering::Relaxed);
                    if sent_us > 0 && self.run.in_window(sent_us) {
                        record(&mut self.tally.reveal, now_us().saturating_sub(sent_us));
                    }
                    self.run.reveals_seen.fetch_add(1, Ordering::Relaxed);
                } else if self.meeting {
                    self.next_step = Some((Instant::now() + DISCUSSION, Next::Accept));
                }
            }
            Seen::EstimateAccepted if self.facilitator && self.meeting => {
                self.next_step = Some((Instant::now() + DISCUSSION, Next::StartRound));
            }
            _ => {}
        }
    }

    /// Whatever is due now.
    async fn act(&mut self) -> anyhow::Result<()> {
        let now = Instant::now();
        if self.next_edit.is_some_and(|at| at <= now) {
            self.next_edit = self.next_edit.map(|at| at + EDIT_EVERY);
            self.edit_or_move().await?;
        }
        if self.next_vote.is_some_and(|at| at <= now) {
            self.next_vote = None;
            if let Some(round) = self.round {
                let card = CARDS
                    .get(self.rng.random_range(0..CARDS.len()))
                    .copied()
                    .unwrap_or("5");
                let cmd = self.next_cmd();
                self.command(dialect::vote(cmd, round, card)).await?;
            }
        }
        if let Some((at, step)) = self.next_step
            && at <= now
        {
            self.next_step = None;
            self.step(step).await?;
        }
        Ok(())
    }

    async fn edit_or_move(&mut self) -> anyhow::Result<()> {
        let Some(at) = self.random_item_index() else {
            return Ok(());
        };
        let Some(&item) = self.room.items.get().and_then(|items| items.get(at)) else {
            return Ok(());
        };
        if self.rng.random_range(0..MOVE_ONE_IN) == 0 {
            let cmd = self.next_cmd();
            return self.command(dialect::move_to_top(cmd, item)).await;
        }
        let marker = dialect::marker(self.seat(), now_us());
        match self.run.edits {
            Some(Edits::TextOps) => {
                self.type_into(at, item, &marker)?;
                self.flush().await
            }
            Some(Edits::Replace) | None => {
                let cmd = self.next_cmd();
                let text = format!("{}{marker}", self.run.description);
                self.command(dialect::replace_description(cmd, item, text))
                    .await
            }
        }
    }

    /// Types `marker` somewhere into the item's description; sends it now unless an earlier
    /// edit of that description is still on its way (then it waits, composed with any others,
    /// for that edit's event).
    fn type_into(&mut self, at: usize, item: ItemId, marker: &str) -> anyhow::Result<()> {
        self.ensure_descriptions();
        let Some(text) = self.descriptions.get_mut(at) else {
            return Ok(());
        };
        let len = text.local_len;
        let place = self.rng.random_range(0..=len);
        let typed = TextOp::new().retain(place).insert(marker);
        let marker_len = marker.chars().count() as u64;
        let grown = len > self.run.description_chars + DESCRIPTION_GROWTH;
        let op = if grown && len - place >= marker_len {
            typed.delete(marker_len).retain(len - place - marker_len)
        } else {
            typed.retain(len - place)
        };
        text.local_len = op.target_len();
        if let Some(op) = text.pending.edit(op)? {
            self.send_text_op(at, item, op);
        }
        Ok(())
    }

    fn send_text_op(&mut self, at: usize, item: ItemId, op: TextOp) {
        let cmd = self.next_cmd();
        let Some(text) = self.descriptions.get_mut(at) else {
            return;
        };
        let revision = text.revision;
        text.in_flight = Some((cmd, op.target_len()));
        if self.run.measuring.load(Ordering::Relaxed) {
            self.tally.commands += 1;
        }
        self.outgoing
            .push(dialect::edit_text(cmd, item, revision, op));
    }

    /// Keeps this client's state of a description in step with an operation received, and
    /// sends what it had buffered once its own operation is through. Its own operation is
    /// recognised by the event (Ready Room: its actor and `cmd`; the baseline relays its frames
    /// back unchanged: its markers), never by the ack.
    fn follow_text_edit(&mut self, frame: &str) -> anyhow::Result<()> {
        if self.run.edits != Some(Edits::TextOps) {
            return Ok(());
        }
        let seat = self.seat();
        let relay = self.run.target.is_relay();
        // The baseline relays others' operations as they were made, on revisions of their
        // own: only this client's own come back to it, as an ack would.
        if relay
            && dialect::markers(frame)
                .next()
                .is_none_or(|(s, _)| s != seat)
        {
            return Ok(());
        }
        let edit = dialect::text_edit(frame).context("an unreadable text operation")?;
        let items = self.room.items.get().map_or(&[][..], Vec::as_slice);
        let item: ItemId = edit
            .item_id
            .parse()
            .context("an item id that is not a uuid")?;
        let at = items
            .iter()
            .position(|known| *known == item)
            .context("an operation on an unknown item")?;
        self.ensure_descriptions();
        let Some(text) = self.descriptions.get_mut(at) else {
            return Ok(());
        };
        if relay {
            let (_, len) = text
                .in_flight
                .take()
                .context("an own edit with none in flight")?;
            text.len = len;
            text.revision += 1;
        } else {
            if edit.op.base_len() != text.len {
                anyhow::bail!(
                    "an operation for {} characters on {}",
                    edit.op.base_len(),
                    text.len
                );
            }
            text.len = edit.op.target_len();
            text.revision = edit.revision;
            let own = edit.actor.is_some()
                && edit.actor == self.you.as_deref()
                && edit.cmd.is_some()
                && edit.cmd == text.in_flight.map(|(cmd, _)| cmd);
            if !own {
                text.local_len = text.pending.receive(&edit.op)?.target_len();
                return Ok(());
            }
            text.in_flight = None;
        }
        if let Some(next) = text.pending.acknowledged() {
            self.send_text_op(at, item, next);
        }
        Ok(())
    }

    /// Records the delivery of every marker others typed, and the frame's size.
    fn time_edit(&mut self, frame: &str, measuring: bool) {
        let seat = self.seat();
        let mut others = false;
        for (sender, sent_us) in dialect::markers(frame) {
            if sender == seat {
                continue;
            }
            others = true;
            if self.run.in_window(sent_us) {
                record(&mut self.tally.fanout, now_us().saturating_sub(sent_us));
            }
        }
        if others && measuring {
            self.tally.edit_events += 1;
            self.tally.edit_bytes += frame.len() as u64;
        }
    }

    fn ensure_descriptions(&mut self) {
        let items = self.room.items.get().map_or(0, Vec::len);
        while self.descriptions.len() < items {
            self.descriptions
                .push(Description::new(self.run.description_chars));
        }
    }

    /// This client's place in its room (markers carry it: it is short).
    fn seat(&self) -> usize {
        self.index % self.room.size.max(1)
    }

    /// Sends what handling a frame or a tick queued.
    async fn flush(&mut self) -> anyhow::Result<()> {
        for frame in std::mem::take(&mut self.outgoing) {
            self.send(frame).await?;
        }
        Ok(())
    }

    async fn step(&mut self, step: Next) -> anyhow::Result<()> {
        let cmd = self.next_cmd();
        match (step, self.round) {
            (Next::StartRound, Some(round)) if !self.meeting => {
                self.command(dialect::revote(cmd, round)).await
            }
            (Next::StartRound, _) => {
                let items = self.room.items.get().map_or(&[][..], Vec::as_slice);
                let Some(&item) = items.get(self.rounds_started % items.len().max(1)) else {
                    return Ok(());
                };
                self.rounds_started += 1;
                self.command(dialect::start_round(cmd, item)).await
            }
            (Next::Reveal, Some(round)) if !self.revealing => {
                self.revealing = true;
                self.room.reveal_sent_us.store(now_us(), Ordering::Relaxed);
                self.command(dialect::reveal(cmd, round)).await
            }
            (Next::Accept, Some(round)) => self.command(dialect::accept(cmd, round, "5")).await,
            _ => Ok(()),
        }
    }

    fn random_item_index(&mut self) -> Option<usize> {
        let items = self.room.items.get()?.len();
        (items > 0).then(|| self.rng.random_range(0..items))
    }

    fn next_cmd(&mut self) -> CommandId {
        self.last_cmd += 1;
        self.last_cmd
    }

    /// Sends a command of the scenario, counted while measuring.
    async fn command(&mut self, frame: String) -> anyhow::Result<()> {
        if self.run.measuring.load(Ordering::Relaxed) {
            self.tally.commands += 1;
        }
        self.send(frame).await
    }

    async fn send(&mut self, frame: String) -> anyhow::Result<()> {
        self.socket.send(Message::text(frame)).await?;
        Ok(())
    }

    async fn next_text(&mut self) -> anyhow::Result<String> {
        readyroom_bench::next_text(&mut self.socket, REPLY_TIMEOUT).await
    }

    pub async fn close(mut self) {
        let _ = self.socket.close(None).await;
    }
}

async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// A WebSocket from `source`, with no Nagle delay (as browsers) and a small read buffer, so
/// that tens of thousands of clients fit in the load generator's memory.
async fn connect(server: SocketAddr, source: Ipv4Addr, room: &str) -> anyhow::Result<Socket> {
    let socket = TcpSocket::new_v4()?;
    socket
        .bind(SocketAddrV4::new(source, 0).into())
        .with_context(|| format!("cannot bind to {source}"))?;
    let stream = socket.connect(server).await?;
    stream.set_nodelay(true)?;
    let config = WebSocketConfig::default()
        .read_buffer_size(4 * 1024)
        .write_buffer_size(0);
    let url = format!("ws://{server}/ws/rooms/{room}");
    let (socket, _) = tokio_tungstenite::client_async_with_config(url, stream, Some(config))
        .await
        .context("WebSocket handshake")?;
    Ok(socket)
}
