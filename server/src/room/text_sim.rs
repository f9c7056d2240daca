//! A seeded, deterministic convergence simulator on the real room core: five clients type into
//! the two long-text fields of three items at once, the way an operational-transformation client
//! does (one operation in flight per field, later edits composed into a buffer, incoming
//! operations transformed over both: protocol's `PendingEdits`), while others replace whole
//! fields with `update_item`, set status, labels and estimates, and move items.
//!
//! # The network
//!
//! It is modelled on what the shell (`actor/`) and the web client (`web/js/main.js`) do, because
//! that is where the rules below have to hold:
//!
//! - Each client holds at most one connection: a queue up (client → server) and one down,
//!   each in order (a WebSocket), delivered in a random interleaving; now and then a queue is
//!   held back for a while.
//! - Commands carry ids (`cmd`) rising per participant. A client keeps every unanswered command
//!   in its outbox and sends it again, under the same id, after `resumed` and when it is overdue
//!   (the web client's `resendOverdue`). The room answers an id it has processed as a duplicate.
//! - A command frame going up may be lost (and is then answered only once resent) or delivered
//!   twice (the second copy somewhere later in the same queue). A `join` is neither: one that
//!   never arrives is a connection that never joins, which a break already covers. Down frames
//!   are never lost on a live connection.
//! - A connection may break: everything in flight on it is lost both ways. The server notices
//!   at once or later (possibly after the client's next join: the participant then briefly has
//!   two connections). The client reconnects, joins with `resume` from the last event it
//!   applied, gets `resumed`, the missed events from the room's events since that seq (the
//!   actor's replay window; it holds everything here, schedules are short), then live events
//!   (from the join's `seq` on, as `skip_through` does).
//!
//! # Which `text_edited` is my own, and what the ack means (the rule a client must follow)
//!
//! A client recognises its own operation **by the event, never by the ack**: a `text_edited`
//! whose `actor` is the client itself and whose `cmd` is that of the operation it has in flight
//! on that field *is* that operation (the server's transformed copy of it). The client then
//! applies the event's `op` to its copy of the server text, takes the event's `revision`, and
//! sends its buffer, if any, as the next operation (based on that revision). Any other
//! `text_edited` (another tab of the same person has other ids) or text `item_updated` is
//! someone else's and is transformed over the in-flight operation and the buffer.
//!
//! The `ack` (fresh or `duplicate: true`) of an `edit_text` changes nothing in the OT state; it
//! only takes the command out of the outbox. It always comes after the event it names: live,
//! the command's events precede its ack; after a reconnect, a resent command that had been
//! applied is answered as a duplicate after the replay, which contains its event. So by the time
//! any ack arrives, its `seq` (and a fresh ack's `revision`) is the event already taken as the
//! client's own: the simulator checks exactly that.
//!
//! Waiting for the ack instead, as ot.js does, would be wrong here: a duplicate ack arrives after
//! the whole replay, so the operations replayed after the client's own would have been
//! transformed over an in-flight operation the server had in fact applied before them.
//!
//! A resent `edit_text` is the frame as first sent (same `cmd`, same `revision`, same `op`),
//! never the in-flight operation as transformed since: if the first copy was applied, the resend
//! is only answered; if not, the server transforms the original over the same operations the
//! client transformed its in-flight copy over, and the results agree.
//!
//! The event's `cmd` is what makes the rule exact: `actor` alone does not tell two tabs of one
//! person typing into one field apart, and the ack, which would, comes too late (after the
//! replay). The simulator's clients hold one connection each, so it also checks that every
//! `text_edited` of their own is the one they have in flight.
//!
//! Not simulated: a `welcome` instead of `resumed` (the replay window here never runs out), and
//! so `follows`, which a client needs only then.
//!
//! # What is checked
//!
//! The room applies every command id once (a resend is answered as a duplicate); no command is
//! refused. At the end, after everything is delivered and every client has settled (reconnected,
//! resent what was unanswered, received every event), every client's text, revision, rank,
//! status, labels and estimate of every item equal the room's, and its outbox and pending edits
//! are empty. Every character typed is a fresh code point (private use areas, in and beyond the
//! Basic Multilingual Plane, so that positions count scalar values, not UTF-16 units), so it can
//! be traced: one that no client deleted and no replacement removed is in its field exactly
//! once, and one that was deleted is nowhere. The server never deletes a character no client
//! deleted.
//!
//! `READYROOM_TEXT_SCHEDULES` runs more schedules (10,000 by default); a failure prints its seed,
//! and `READYROOM_TEXT_SEED=<seed>` replays exactly that one.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test: a failed expectation is a failed test"
)]

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use readyroom_protocol::{
    ClientMessage, Command, CommandId, Event, EventFrame, ItemChange, ItemId, ItemStatus,
    JoinRequest, NewItem, PROTOCOL_VERSION, ParticipantId, PendingEdits, Resume, Role, RoomId,
    RoomSettings, Seq, ServerMessage, TextField, TextOp,
};

use super::{Ctx, Reply, Room, tokens};

const CLIENTS: usize = 5;
const ITEMS: usize = 3;
const FIELDS: [TextField; 2] = [TextField::Description, TextField::AcceptanceCriteria];
const EPOCH: &str = "simulated-epoch";

/// Chances per delivered up frame.
const DROP: f64 = 0.04;
const DUPLICATE: f64 = 0.04;

fn chars_of(text: &str) -> u64 {
    u64::try_from(text.chars().count()).unwrap()
}

fn field_index(field: TextField) -> usize {
    FIELDS.iter().position(|f| *f == field).unwrap()
}

/// A character typed into a text field: fresh code points, alternately in the Basic
/// Multilingual Plane's private use area (one UTF-16 unit) and in plane 15's (two).
fn tag(n: u32) -> char {
    let base = if n % 2 == 0 { 0xE000 } else { 0xF_0000 };
    char::from_u32(base + n / 2).unwrap()
}

fn is_tag(c: char) -> bool {
    matches!(u32::from(c), 0xE000..=0xF8FF | 0xF_0000..=0xF_FFFD)
}

/// Who typed what, and what was deleted: for the final check that nothing typed was lost.
#[derive(Default)]
struct Chars {
    next: u32,
    /// Each character typed, with the (item, field) it was typed into.
    typed: HashMap<char, (usize, usize)>,
    /// Characters a client deleted or a replacement removed.
    deleted: HashSet<char>,
}

impl Chars {
    fn fresh(&mut self, item: usize, field: usize) -> char {
        let c = tag(self.next);
        self.next += 1;
        self.typed.insert(c, (item, field));
        c
    }

    fn delete(&mut self, text: &str) {
        self.deleted.extend(text.chars().filter(|c| is_tag(*c)));
    }
}

/// What happened over the schedules, so that a change that quietly stops exercising a case
/// shows.
#[derive(Default, Debug)]
struct Stats {
    edits_applied: u64,
    dropped: u64,
    duplicated: u64,
    breaks: u64,
    resumes: u64,
    late_detaches: u64,
    overdue_resends: u64,
    duplicate_acks: u64,
    /// An `edit_text` whose own event the client first saw in a replay after a reconnect.
    own_edits_replayed: u64,
    /// An `edit_text` answered as a duplicate: applied before, its ack lost or overtaken.
    edits_acked_as_duplicates: u64,
    moves: u64,
    replacements: u64,
}

impl Stats {
    fn add(&mut self, other: &Self) {
        self.edits_applied += other.edits_applied;
        self.dropped += other.dropped;
        self.duplicated += other.duplicated;
        self.breaks += other.breaks;
        self.resumes += other.resumes;
        self.late_detaches += other.late_detaches;
        self.overdue_resends += other.overdue_resends;
        self.duplicate_acks += other.duplicate_acks;
        self.own_edits_replayed += other.own_edits_replayed;
        self.edits_acked_as_duplicates += other.edits_acked_as_duplicates;
        self.moves += other.moves;
        self.replacements += other.replacements;
    }
}

/// One client's copy of one field.
#[derive(Clone, Debug, Default)]
struct FieldCopy {
    /// What the client shows: the server's text with its own pending edits on top.
    text: String,
    /// The server's text at `revision`.
    server_text: String,
    revision: u64,
    pending: PendingEdits,
    /// The command carrying the operation in flight.
    in_flight: Option<CommandId>,
}

impl FieldCopy {
    /// Someone else's operation, made on `server_text`.
    fn receive(&mut self, op: &TextOp, revision: u64) {
        assert_eq!(revision, self.revision + 1, "a revision skipped");
        self.server_text = op
            .apply(&self.server_text)
            .expect("an operation that does not fit the server text");
        self.revision = revision;
        let theirs = self.pending.receive(op).unwrap();
        self.text = theirs.apply(&self.text).unwrap();
    }
}

#[derive(Clone, Debug)]
struct ItemCopy {
    id: ItemId,
    rank: String,
    status: ItemStatus,
    labels: Vec<String>,
    estimate: Option<String>,
    fields: [FieldCopy; 2],
}

struct Unanswered {
    cmd: CommandId,
    command: Command,
    sends: u32,
}

/// One connection, both ends.
struct Link {
    up: VecDeque<ClientMessage>,
    down: VecDeque<ServerMessage>,
    /// The server took the join: events reach it.
    attached: bool,
    /// Events up to this are in the join's replay, not sent live.
    skip_through: Seq,
    /// The client got `resumed`: it may send commands.
    joined: bool,
    /// The last seq of the replay that followed `resumed`.
    replayed_through: Seq,
    up_held_until: usize,
    down_held_until: usize,
}

impl Link {
    fn new() -> Self {
        Self {
            up: VecDeque::new(),
            down: VecDeque::new(),
            attached: false,
            skip_through: 0,
            joined: false,
            replayed_through: 0,
            up_held_until: 0,
            down_held_until: 0,
        }
    }
}

struct Client {
    id: ParticipantId,
    /// The participant token as the shell hands it to the core (shielded).
    token: String,
    items: Vec<ItemCopy>,
    /// The last event applied.
    seq: Seq,
    outbox: Vec<Unanswered>,
    last_cmd: CommandId,
    link: Option<Link>,
    /// The event (seq and revision) taken as each of its `edit_text`s, by `cmd`.
    own_events: BTreeMap<CommandId, (Seq, u64)>,
    /// Commands issued, to check each was applied exactly once.
    issued: u64,
}

impl Client {
    fn item_index(&self, id: ItemId) -> usize {
        self.items.iter().position(|item| item.id == id).unwrap()
    }

    /// Takes a new command into the outbox and sends it if connected.
    fn issue(&mut self, command: Command) -> CommandId {
        self.last_cmd += 1;
        self.issued += 1;
        let cmd = self.last_cmd;
        let mut entry = Unanswered {
            cmd,
            command,
            sends: 0,
        };
        if let Some(link) = self.link.as_mut().filter(|link| link.joined) {
            link.up.push_back(ClientMessage {
                cmd,
                command: entry.command.clone(),
            });
            entry.sends += 1;
        }
        self.outbox.push(entry);
        cmd
    }

    /// Sends every unanswered command again, in order, under its id.
    fn resend_all(&mut self) {
        let Some(link) = self.link.as_mut().filter(|link| link.joined) else {
            return;
        };
        for entry in &mut self.outbox {
            link.up.push_back(ClientMessage {
                cmd: entry.cmd,
                command: entry.command.clone(),
            });
            entry.sends += 1;
        }
    }

    fn type_text(&mut self, rng: &mut StdRng, chars: &mut Chars, item: usize, field: usize) {
        let copy = &mut self.items[item].fields[field];
        let len = chars_of(&copy.text);
        let at = rng.random_range(0..=len);
        let op = if len > at && rng.random_bool(0.3) {
            let n = rng.random_range(1..=(len - at).min(3));
            let gone: String = copy
                .text
                .chars()
                .skip(usize::try_from(at).unwrap())
                .take(usize::try_from(n).unwrap())
                .collect();
            chars.delete(&gone);
            TextOp::new().retain(at).delete(n).retain(len - at - n)
        } else {
            let mut typed = String::new();
            for _ in 0..rng.random_range(1..=3) {
                if rng.random_bool(0.15) {
                    // Untraced, but they keep the counting of scalar values honest.
                    typed.push_str(["e\u{301}", "\n", "😀"][rng.random_range(0..3_usize)]);
                } else {
                    typed.push(chars.fresh(item, field));
                }
            }
            TextOp::new().retain(at).insert(&typed).retain(len - at)
        };
        copy.text = op.apply(&copy.text).unwrap();
        let revision = copy.revision;
        if let Some(op) = copy.pending.edit(op).unwrap() {
            self.send_edit(item, field, revision, op);
        }
    }

    fn send_edit(&mut self, item: usize, field: usize, revision: u64, op: TextOp) {
        let cmd = self.issue(Command::EditText {
            item_id: self.items[item].id,
            field: FIELDS[field],
            revision,
            op,
            follows: None,
        });
        self.items[item].fields[field].in_flight = Some(cmd);
    }

    /// A move of `item` between two neighbours as this client sees the backlog.
    fn move_item(&mut self, rng: &mut StdRng, item: usize) {
        let mut order: Vec<&ItemCopy> = self
            .items
            .iter()
            .filter(|i| i.id != self.items[item].id)
            .collect();
        order.sort_by(|a, b| a.rank.as_bytes().cmp(b.rank.as_bytes()));
        let (after, before) = if rng.random_bool(0.1) {
            (None, None)
        } else {
            let at = rng.random_range(0..=order.len());
            (
                at.checked_sub(1).and_then(|i| order.get(i)).map(|i| i.id),
                order.get(at).map(|i| i.id),
            )
        };
        self.issue(Command::MoveItem {
            item_id: self.items[item].id,
            after,
            before,
        });
    }

    fn on_message(&mut self, message: ServerMessage, stats: &mut Stats) {
        match message {
            ServerMessage::Resumed(resumed) => {
                assert_eq!(resumed.from_seq, self.seq, "resumed from another seq");
                assert_eq!(resumed.you, self.id);
                self.last_cmd = self.last_cmd.max(resumed.last_cmd);
                let link = self.link.as_mut().unwrap();
                link.joined = true;
                link.replayed_through = resumed.seq;
                stats.resumes += 1;
                self.resend_all();
            }
            ServerMessage::Event(frame) => self.on_event(&frame, stats),
            ServerMessage::Ack {
                cmd,
                seq,
                duplicate,
                revision,
            } => self.on_ack(cmd, seq, duplicate, revision, stats),
            other => panic!("unexpected from the server: {other:?}"),
        }
    }

    fn on_ack(
        &mut self,
        cmd: CommandId,
        seq: Option<Seq>,
        duplicate: bool,
        revision: Option<u64>,
        stats: &mut Stats,
    ) {
        if let Some((own_seq, own_revision)) = self.own_events.get(&cmd) {
            assert_eq!(
                seq,
                Some(*own_seq),
                "command {cmd} is acked with another seq than the event taken as its own"
            );
            assert!(
                revision.is_none_or(|r| r == *own_revision),
                "command {cmd} is acked with another revision than its event's"
            );
        }
        if duplicate {
            stats.duplicate_acks += 1;
        }
        let Some(at) = self.outbox.iter().position(|e| e.cmd == cmd) else {
            // A second answer (a duplicated frame, a resend that crossed its ack).
            return;
        };
        let entry = self.outbox.remove(at);
        // The web client takes a duplicate ack of a command it sent once for another tab's use
        // of the id, and sends it again under a new one: that must never be a lost ack of ours.
        assert!(
            !duplicate || entry.sends > 1,
            "command {cmd}, sent once, was answered as a duplicate"
        );
        if let Command::EditText { .. } = entry.command {
            assert!(
                self.own_events.contains_key(&cmd),
                "edit_text {cmd} was acked before its event arrived"
            );
            if duplicate {
                stats.edits_acked_as_duplicates += 1;
            }
        }
    }

    fn on_event(&mut self, frame: &EventFrame, stats: &mut Stats) {
        assert_eq!(frame.seq, self.seq + 1, "a gap in the events");
        self.seq = frame.seq;
        match &frame.event {
            Event::TextEdited {
                item_id,
                field,
                revision,
                op,
                cmd: made_by,
            } => {
                let (item, field) = (self.item_index(*item_id), field_index(*field));
                let copy = &mut self.items[item].fields[field];
                let own =
                    frame.actor == Some(self.id) && made_by.is_some() && *made_by == copy.in_flight;
                if !own {
                    // One connection per client: an edit of its own is always the one in flight.
                    assert!(
                        frame.actor != Some(self.id),
                        "an edit of ours not in flight"
                    );
                    copy.receive(op, *revision);
                    return;
                }
                // Ours: the one in flight on this field, as the server transformed it.
                let cmd = copy.in_flight.take().unwrap();
                assert_eq!(*revision, copy.revision + 1, "a revision skipped");
                copy.server_text = op.apply(&copy.server_text).unwrap();
                copy.revision = *revision;
                let next = copy.pending.acknowledged();
                assert!(
                    self.own_events
                        .insert(cmd, (frame.seq, *revision))
                        .is_none()
                );
                if self
                    .link
                    .as_ref()
                    .is_some_and(|link| frame.seq <= link.replayed_through)
                {
                    stats.own_edits_replayed += 1;
                }
                if let Some(next) = next {
                    self.send_edit(item, field, *revision, next);
                }
            }
            Event::ItemUpdated { item_id, change } => {
                let at = self.item_index(*item_id);
                let item = &mut self.items[at];
                match change {
                    ItemChange::Description(new) | ItemChange::AcceptanceCriteria(new) => {
                        let field = field_index(change.text_field().unwrap());
                        let copy = &mut item.fields[field];
                        let op = TextOp::replace(&copy.server_text, new);
                        let revision = copy.revision + 1;
                        copy.receive(&op, revision);
                    }
                    ItemChange::Status(status) => item.status = *status,
                    ItemChange::Labels(labels) => item.labels.clone_from(labels),
                    ItemChange::Estimate(estimate) => item.estimate.clone_from(estimate),
                    other => panic!("unexpected change {other:?}"),
                }
            }
            Event::ItemMoved { item_id, rank } => {
                let at = self.item_index(*item_id);
                self.items[at].rank.clone_from(rank);
            }
            Event::ItemsReranked { ranks } => {
                for rank in ranks {
                    let at = self.item_index(rank.item_id);
                    self.items[at].rank.clone_from(&rank.rank);
                }
            }
            _ => {}
        }
    }
}

struct World {
    rng: StdRng,
    room_rng: StdRng,
    now: u64,
    room: Room,
    clients: Vec<Client>,
    /// Every event so far (seq n at n - 1): the actor's replay window, never short of events.
    log: Vec<EventFrame>,
    /// The room's texts as the events tell them, to see what each event deletes.
    truth: Vec<[String; 2]>,
    /// Connections a client lost that the server has not noticed yet (by client).
    unnoticed: Vec<usize>,
    /// (client, cmd) applied by the room.
    applied: HashSet<(usize, CommandId)>,
    chars: Chars,
    stats: Stats,
    step: usize,
}

impl World {
    /// The room's clock moves on with every input.
    fn tick(&mut self) -> u64 {
        self.now += 250;
        self.now
    }

    fn item_index(&self, id: ItemId) -> usize {
        self.clients[0].item_index(id)
    }

    /// The room's events go to every attached connection, in order.
    fn fan_out(&mut self, events: Vec<EventFrame>) {
        for frame in events {
            assert_eq!(frame.seq, u64::try_from(self.log.len()).unwrap() + 1);
            match &frame.event {
                Event::TextEdited {
                    item_id, field, op, ..
                } => {
                    let text =
                        &mut self.truth[self.clients[0].item_index(*item_id)][field_index(*field)];
                    for component in op.invert(text).components() {
                        if let readyroom_protocol::TextComponent::Insert(gone) = component {
                            assert!(
                                gone.chars()
                                    .all(|c| !is_tag(c) || self.chars.deleted.contains(&c)),
                                "the server deleted {gone:?}, which no client deleted"
                            );
                        }
                    }
                    *text = op.apply(text).unwrap();
                }
                Event::ItemUpdated { item_id, change } => {
                    if let (
                        Some(field),
                        ItemChange::Description(new) | ItemChange::AcceptanceCriteria(new),
                    ) = (change.text_field(), change)
                    {
                        let item = self.item_index(*item_id);
                        let text = &mut self.truth[item][field_index(field)];
                        self.chars.delete(text);
                        text.clone_from(new);
                    }
                }
                _ => {}
            }
            for client in &mut self.clients {
                if let Some(link) = client.link.as_mut().filter(|l| l.attached) {
                    if frame.seq > link.skip_through {
                        link.down
                            .push_back(ServerMessage::Event(Box::new(frame.clone())));
                    }
                }
            }
            self.log.push(frame);
        }
    }

    /// The server takes the next frame from `who`'s connection.
    fn deliver_up(&mut self, who: usize, lossy: bool) {
        let Some(link) = self.clients[who].link.as_mut() else {
            return;
        };
        let Some(message) = link.up.pop_front() else {
            return;
        };
        let ClientMessage { cmd, command } = message;
        let command = match command {
            Command::Join(request) => return self.join(who, cmd, &request),
            command => command,
        };
        if lossy && self.rng.random_bool(DROP) {
            self.stats.dropped += 1;
            return;
        }
        if lossy && self.rng.random_bool(DUPLICATE) {
            let at = self.rng.random_range(0..=link.up.len());
            link.up.insert(
                at,
                ClientMessage {
                    cmd,
                    command: command.clone(),
                },
            );
            self.stats.duplicated += 1;
        }
        let is_edit = matches!(command, Command::EditText { .. });
        let id = self.clients[who].id;
        let now = self.tick();
        let ctx = &mut Ctx {
            now,
            rng: &mut self.room_rng,
        };
        let outcome = self.room.handle(ctx, id, cmd, command);
        if let Reply::Error(error) = &outcome.reply {
            panic!("client {who}'s command {cmd} was refused: {error:?}");
        }
        if !outcome.duplicate {
            assert!(
                self.applied.insert((who, cmd)),
                "command {cmd} of client {who} applied twice"
            );
            if is_edit {
                self.stats.edits_applied += 1;
            }
        }
        let seq = match outcome.reply {
            Reply::Ack { seq } => seq,
            Reply::Error(_) => unreachable!(),
        };
        // As the actor does: an edit applied now names the revision it made.
        let revision = outcome.events.iter().find_map(|frame| match frame.event {
            Event::TextEdited {
                revision,
                cmd: Some(made_by),
                ..
            } if made_by == cmd => Some(revision),
            _ => None,
        });
        self.fan_out(outcome.events);
        if let Some(link) = self.clients[who].link.as_mut() {
            link.down.push_back(ServerMessage::Ack {
                cmd,
                seq,
                duplicate: outcome.duplicate,
                revision,
            });
        }
    }

    /// The actor's join with `resume`: `resumed`, the missed events, then live ones.
    fn join(&mut self, who: usize, cmd: CommandId, request: &JoinRequest) {
        let now = self.tick();
        let ctx = &mut Ctx {
            now,
            rng: &mut self.room_rng,
        };
        let joined = self
            .room
            .join(ctx, request, None)
            .unwrap_or_else(|e| panic!("client {who}'s join was refused: {e:?}"));
        assert_eq!(joined.participant_id, self.clients[who].id);
        self.fan_out(joined.events);
        let seq = self.room.seq();
        let from_seq = request.resume.as_ref().unwrap().seq;
        let link = self.clients[who].link.as_mut().unwrap();
        link.down.push_back(ServerMessage::Resumed(Box::new(
            readyroom_protocol::Resumed {
                cmd,
                protocol: PROTOCOL_VERSION,
                you: joined.participant_id,
                last_cmd: joined.last_cmd,
                epoch: EPOCH.into(),
                from_seq,
                seq,
            },
        )));
        let missed = &self.log[usize::try_from(from_seq).unwrap()..];
        link.down.extend(
            missed
                .iter()
                .map(|frame| ServerMessage::Event(Box::new(frame.clone()))),
        );
        link.attached = true;
        link.skip_through = seq;
    }

    /// The server notices a connection is gone.
    fn detach(&mut self, who: usize) {
        let id = self.clients[who].id;
        let now = self.tick();
        let events = self.room.disconnect(now, id);
        self.fan_out(events);
    }

    fn break_link(&mut self, who: usize) {
        let Some(link) = self.clients[who].link.take() else {
            return;
        };
        self.stats.breaks += 1;
        if link.attached {
            if self.rng.random_bool(0.5) {
                self.detach(who);
            } else {
                self.unnoticed.push(who);
                self.stats.late_detaches += 1;
            }
        }
    }

    fn connect(&mut self, who: usize) {
        let client = &mut self.clients[who];
        if client.link.is_some() {
            return;
        }
        let mut link = Link::new();
        client.last_cmd += 1;
        link.up.push_back(ClientMessage {
            cmd: client.last_cmd,
            command: Command::Join(JoinRequest {
                protocol: PROTOCOL_VERSION,
                name: String::new(),
                role: Role::Voter,
                facilitator_token: None,
                participant_token: Some(client.token.clone()),
                resume: Some(Resume {
                    epoch: EPOCH.into(),
                    seq: client.seq,
                }),
            }),
        });
        client.link = Some(link);
    }

    fn deliver_down(&mut self, who: usize) {
        let client = &mut self.clients[who];
        let Some(message) = client.link.as_mut().and_then(|link| link.down.pop_front()) else {
            return;
        };
        client.on_message(message, &mut self.stats);
    }

    fn hold(&mut self, who: usize) {
        let until = self.step + self.rng.random_range(3..20);
        let up = self.rng.random_bool(0.5);
        if let Some(link) = self.clients[who].link.as_mut() {
            if up {
                link.up_held_until = until;
            } else {
                link.down_held_until = until;
            }
        }
    }

    fn random_step(&mut self) {
        let who = self.rng.random_range(0..CLIENTS);
        let item = self.rng.random_range(0..ITEMS);
        let field = self.rng.random_range(0..FIELDS.len());
        let step = self.step;
        match self.rng.random_range(0..40) {
            0..=9 => self.clients[who].type_text(&mut self.rng, &mut self.chars, item, field),
            10 => {
                let value = ["", "fresh", "😀 new"][self.rng.random_range(0..3_usize)].to_owned();
                let change = match FIELDS[field] {
                    TextField::Description => ItemChange::Description(value),
                    _ => ItemChange::AcceptanceCriteria(value),
                };
                let item_id = self.clients[who].items[item].id;
                self.clients[who].issue(Command::UpdateItem { item_id, change });
                self.stats.replacements += 1;
            }
            11 => {
                let change = match self.rng.random_range(0..3) {
                    // Not `ready`: that takes a complete Definition of Ready, which the
                    // simulated items never have.
                    0 => ItemChange::Status(
                        [
                            ItemStatus::New,
                            ItemStatus::NeedsInfo,
                            ItemStatus::NeedsSplitting,
                        ][self.rng.random_range(0..3_usize)],
                    ),
                    1 => ItemChange::Labels(
                        ["api", "ux", "bug"]
                            .into_iter()
                            .filter(|_| self.rng.random_bool(0.5))
                            .map(str::to_owned)
                            .collect(),
                    ),
                    // Not the estimate: only the facilitator sets that by hand.
                    _ => ItemChange::Labels(vec!["sim".to_owned()]),
                };
                let item_id = self.clients[who].items[item].id;
                self.clients[who].issue(Command::UpdateItem { item_id, change });
            }
            12 => {
                self.clients[who].move_item(&mut self.rng, item);
                self.stats.moves += 1;
            }
            13..=22 => {
                if self.clients[who]
                    .link
                    .as_ref()
                    .is_some_and(|l| l.up_held_until <= step)
                {
                    self.deliver_up(who, true);
                }
            }
            23..=34 => {
                if self.clients[who]
                    .link
                    .as_ref()
                    .is_some_and(|l| l.down_held_until <= step)
                {
                    self.deliver_down(who);
                }
            }
            35 => {
                if self.clients[who].link.is_some() {
                    self.break_link(who);
                } else {
                    self.connect(who);
                }
            }
            36 => self.connect(who),
            37 => self.hold(who),
            38 => {
                if !self.unnoticed.is_empty() {
                    let at = self.rng.random_range(0..self.unnoticed.len());
                    let late = self.unnoticed.remove(at);
                    self.detach(late);
                }
            }
            _ => {
                if !self.clients[who].outbox.is_empty() {
                    self.stats.overdue_resends += 1;
                    self.clients[who].resend_all();
                }
            }
        }
        self.step += 1;
    }

    /// Everyone reconnects, everything in flight arrives and whatever was lost is resent,
    /// until nothing is left to do.
    fn settle(&mut self) {
        for round in 0.. {
            assert!(round < 100, "the clients do not settle");
            while let Some(late) = self.unnoticed.pop() {
                self.detach(late);
            }
            for who in 0..CLIENTS {
                self.connect(who);
            }
            loop {
                let mut moved = false;
                for who in 0..CLIENTS {
                    let Some(link) = self.clients[who].link.as_ref() else {
                        continue;
                    };
                    if !link.up.is_empty() {
                        self.deliver_up(who, false);
                        moved = true;
                    }
                    if self.clients[who]
                        .link
                        .as_ref()
                        .is_some_and(|l| !l.down.is_empty())
                    {
                        self.deliver_down(who);
                        moved = true;
                    }
                }
                if !moved {
                    break;
                }
            }
            if self.clients.iter().all(|c| c.outbox.is_empty()) {
                return;
            }
            for client in &mut self.clients {
                // What is still unanswered was lost on the way: the web client resends it
                // once it is overdue.
                client.resend_all();
            }
        }
    }

    fn check(&self) {
        self.room.check_invariants().unwrap();
        let Some(first) = self.clients.first() else {
            return;
        };
        let snapshot = self.room.snapshot_for(first.id);
        let order: Vec<ItemId> = snapshot.items.iter().map(|item| item.id).collect();
        for (n, client) in self.clients.iter().enumerate() {
            assert_eq!(client.seq, self.room.seq(), "client {n} missed events");
            assert!(
                client.outbox.is_empty(),
                "client {n} has unanswered commands"
            );
            let applied = self.applied.iter().filter(|(who, _)| *who == n).count();
            assert_eq!(
                u64::try_from(applied).unwrap(),
                client.issued,
                "client {n}'s commands were not all applied once"
            );
            let mut own: Vec<&ItemCopy> = client.items.iter().collect();
            own.sort_by(|a, b| a.rank.as_bytes().cmp(b.rank.as_bytes()));
            assert_eq!(
                own.iter().map(|item| item.id).collect::<Vec<_>>(),
                order,
                "client {n} orders the backlog otherwise"
            );
        }
        for (i, item) in snapshot.items.iter().enumerate() {
            let at = self.item_index(item.id);
            for (n, client) in self.clients.iter().enumerate() {
                let copy = &client.items[at];
                assert_eq!(copy.rank, item.rank, "client {n}'s rank of item {i}");
                assert_eq!(copy.status, item.status, "client {n}'s status of item {i}");
                assert_eq!(copy.labels, item.labels, "client {n}'s labels of item {i}");
                assert_eq!(
                    copy.estimate, item.estimate,
                    "client {n}'s estimate of item {i}"
                );
            }
            for (f, field) in FIELDS.into_iter().enumerate() {
                let text = item.text(field);
                assert_eq!(
                    self.truth[at][f], text,
                    "the events do not tell the room's text"
                );
                for (n, client) in self.clients.iter().enumerate() {
                    let copy = &client.items[at].fields[f];
                    assert!(copy.pending.is_settled() && copy.in_flight.is_none());
                    assert_eq!(
                        copy.text, text,
                        "client {n}'s {field:?} of item {at} differs from the room's"
                    );
                    assert_eq!(copy.server_text, text);
                    assert_eq!(
                        copy.revision,
                        item.revisions.of(field),
                        "client {n}'s revision"
                    );
                }
                let mut present = HashSet::new();
                for c in text.chars().filter(|c| is_tag(*c)) {
                    assert!(
                        present.insert(c),
                        "{c:?} is twice in {field:?} of item {at}"
                    );
                    assert_eq!(
                        self.chars.typed.get(&c),
                        Some(&(at, f)),
                        "{c:?} is in a field it was not typed into"
                    );
                    assert!(
                        !self.chars.deleted.contains(&c),
                        "{c:?} was deleted but is in {field:?} of item {at}"
                    );
                }
                for (c, place) in &self.chars.typed {
                    if *place == (at, f) && !self.chars.deleted.contains(c) {
                        assert!(
                            present.contains(c),
                            "{c:?}, typed into {field:?} of item {at} and never deleted, is lost"
                        );
                    }
                }
            }
        }
    }
}

/// Sets up a room with five connected clients and three items, as if each had just had its
/// `welcome`.
fn world(seed: u64) -> World {
    let mut room_rng = StdRng::seed_from_u64(seed ^ 0x5eed);
    let now = 1_767_268_800_000_u64;
    let settings = RoomSettings {
        name: "Simulated".into(),
        default_deck: readyroom_protocol::DeckChoice::default(),
        auto_reveal: false,
        anonymous_reveal: false,
        suggest_split_at: readyroom_protocol::DEFAULT_SPLIT_SUGGESTION,
        definition_of_ready: readyroom_protocol::default_definition_of_ready(),
        timebox: readyroom_protocol::RefinementTimebox::default(),
        consensus_percent: readyroom_protocol::DEFAULT_CONSENSUS_PERCENT,
    };
    let (mut room, facilitator_token) = Room::create(
        RoomId::from_random_bytes([3; 16]),
        settings,
        &mut Ctx {
            now,
            rng: &mut room_rng,
        },
    );
    let mut clients = Vec::new();
    let mut log = Vec::new();
    for n in 0..CLIENTS {
        let token = tokens::shield(&format!("token-{n}"));
        let request = JoinRequest {
            protocol: PROTOCOL_VERSION,
            name: format!("C{n}"),
            role: Role::Voter,
            facilitator_token: (n == 0).then(|| tokens::shield(&facilitator_token)),
            participant_token: None,
            resume: None,
        };
        let joined = room
            .join(
                &mut Ctx {
                    now,
                    rng: &mut room_rng,
                },
                &request,
                Some(&token),
            )
            .unwrap();
        log.extend(joined.events);
        let mut link = Link::new();
        link.attached = true;
        link.joined = true;
        clients.push(Client {
            id: joined.participant_id,
            token,
            items: Vec::new(),
            seq: 0,
            outbox: Vec::new(),
            last_cmd: 0,
            link: Some(link),
            own_events: BTreeMap::new(),
            issued: 0,
        });
    }
    for n in 0..ITEMS {
        let outcome = room.handle(
            &mut Ctx {
                now,
                rng: &mut room_rng,
            },
            clients[0].id,
            1_000 + u64::try_from(n).unwrap(),
            Command::CreateItem(NewItem {
                title: format!("Item {n}"),
                ..NewItem::default()
            }),
        );
        assert!(matches!(outcome.reply, Reply::Ack { .. }));
        log.extend(outcome.events);
    }
    let snapshot = room.snapshot_for(clients[0].id);
    let items: Vec<ItemCopy> = snapshot
        .items
        .iter()
        .map(|item| ItemCopy {
            id: item.id,
            rank: item.rank.clone(),
            status: item.status,
            labels: item.labels.clone(),
            estimate: item.estimate.clone(),
            fields: Default::default(),
        })
        .collect();
    for client in &mut clients {
        client.items = items.clone();
        client.seq = room.seq();
        client.last_cmd = 2_000;
        if let Some(link) = client.link.as_mut() {
            link.skip_through = room.seq();
        }
    }
    World {
        rng: StdRng::seed_from_u64(seed),
        room_rng,
        now,
        room,
        clients,
        log,
        truth: vec![[String::new(), String::new()]; ITEMS],
        unnoticed: Vec::new(),
        applied: HashSet::new(),
        chars: Chars::default(),
        stats: Stats::default(),
        step: 0,
    }
}

/// Runs one schedule; returns what it did and every event, for replays to compare.
fn schedule(seed: u64) -> (Stats, Vec<EventFrame>) {
    let mut world = world(seed);
    let steps = world.rng.random_range(40..200);
    for _ in 0..steps {
        world.random_step();
    }
    world.settle();
    world.check();
    (world.stats, world.log)
}

/// Runs a schedule, naming its seed if it fails.
fn run(seed: u64) -> (Stats, Vec<EventFrame>) {
    std::panic::catch_unwind(|| schedule(seed)).unwrap_or_else(|panic| {
        eprintln!(
            "text simulation failed on seed {seed}; replay it with READYROOM_TEXT_SEED={seed}"
        );
        std::panic::resume_unwind(panic)
    })
}

fn env(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|s| s.parse().ok())
}

#[test]
fn clients_writing_text_together_always_converge() {
    if let Some(seed) = env("READYROOM_TEXT_SEED") {
        let (stats, _) = run(seed);
        eprintln!("seed {seed}: {stats:?}");
        return;
    }
    let schedules = env("READYROOM_TEXT_SCHEDULES").unwrap_or(10_000);
    let mut total = Stats::default();
    for seed in 0..schedules {
        total.add(&run(seed).0);
    }
    eprintln!("{schedules} schedules: {total:?}");
    if schedules >= 1_000 {
        // The cases this simulator exists for must keep happening.
        for (what, count) in [
            ("dropped frames", total.dropped),
            ("duplicated frames", total.duplicated),
            ("late detaches", total.late_detaches),
            ("own edits seen in a replay", total.own_edits_replayed),
            ("edits acked as duplicates", total.edits_acked_as_duplicates),
            ("moves", total.moves),
        ] {
            assert!(count > 0, "no {what} in {schedules} schedules");
        }
    }
}

#[test]
fn a_schedule_replays_exactly_from_its_seed() {
    for seed in [7, 1_234, 99_999] {
        assert_eq!(schedule(seed).1, schedule(seed).1, "seed {seed}");
    }
}
