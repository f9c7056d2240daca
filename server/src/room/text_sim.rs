//! A seeded, deterministic convergence simulator for writing text together, on the real core:
//! five clients edit the text fields of three items at once, each the way an operational
//! transformation client does (one operation in flight per field, later edits composed into a
//! buffer, incoming operations transformed over both), while now and then someone replaces a
//! whole field with `update_item`. Messages travel through per-client queues delivered in a
//! random order (each queue in order, as a WebSocket is). After each schedule every client's
//! text of every field equals the room's.
//!
//! `READYROOM_TEXT_SCHEDULES` runs more schedules; a failure names its seed, and
//! `READYROOM_TEXT_SEED` replays that one.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test: a failed expectation is a failed test"
)]

use std::collections::{HashMap, VecDeque};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use readyroom_protocol::{
    Command, Event, EventFrame, ItemChange, ItemId, JoinRequest, NewItem, PROTOCOL_VERSION,
    ParticipantId, PendingEdits, Role, RoomId, RoomSettings, TextField, TextOp,
};

use super::{Ctx, Room};

const CLIENTS: usize = 5;
const ITEMS: usize = 3;
const FIELDS: [TextField; 2] = [TextField::Description, TextField::AcceptanceCriteria];

/// One client's copy of one field.
#[derive(Clone, Debug, Default)]
struct FieldCopy {
    /// What the client shows: the server's text with its own pending edits on top.
    text: String,
    /// The server's text at `revision`.
    server_text: String,
    revision: u64,
    pending: PendingEdits,
}

impl FieldCopy {
    /// Someone else's operation, made on `server_text`.
    fn receive(&mut self, op: &TextOp, revision: u64) {
        self.server_text = op
            .apply(&self.server_text)
            .expect("an operation that does not fit the server text");
        self.revision = revision;
        let theirs = self.pending.receive(op).unwrap();
        self.text = theirs.apply(&self.text).unwrap();
    }
}

struct Client {
    id: ParticipantId,
    fields: HashMap<(ItemId, TextField), FieldCopy>,
    /// Commands on their way to the server.
    outbound: VecDeque<Command>,
    /// Events on their way to this client.
    inbound: VecDeque<EventFrame>,
    next_cmd: u64,
}

impl Client {
    fn send(&mut self, item: ItemId, field: TextField, revision: u64, op: TextOp) {
        self.outbound.push_back(Command::EditText {
            item_id: item,
            field,
            revision,
            op,
            follows: None,
        });
    }

    fn edit(&mut self, rng: &mut StdRng, item: ItemId, field: TextField) {
        let Some(copy) = self.fields.get_mut(&(item, field)) else {
            return;
        };
        let len = u64::try_from(copy.text.chars().count()).unwrap_or(0);
        let at = rng.random_range(0..=len);
        let op = if len > at && rng.random_bool(0.3) {
            let n = rng.random_range(1..=(len - at).min(3));
            TextOp::new().retain(at).delete(n).retain(len - at - n)
        } else {
            let typed = ["a", "b", "😀", "漢", "e\u{301}", " ", "\n"][rng.random_range(0..7_usize)];
            TextOp::new().retain(at).insert(typed).retain(len - at)
        };
        copy.text = op.apply(&copy.text).unwrap();
        let revision = copy.revision;
        if let Some(op) = copy.pending.edit(op).unwrap() {
            self.send(item, field, revision, op);
        }
    }

    /// An event from the room, in order.
    fn receive(&mut self, frame: &EventFrame) {
        match &frame.event {
            Event::TextEdited {
                item_id,
                field,
                revision,
                op,
                ..
            } => {
                if frame.actor == Some(self.id) {
                    let Some(copy) = self.fields.get_mut(&(*item_id, *field)) else {
                        return;
                    };
                    // Ours, applied as it was sent (transformed, it is the same change).
                    copy.server_text = op.apply(&copy.server_text).unwrap();
                    copy.revision = *revision;
                    if let Some(next) = copy.pending.acknowledged() {
                        self.send(*item_id, *field, *revision, next);
                    }
                } else if let Some(copy) = self.fields.get_mut(&(*item_id, *field)) {
                    copy.receive(op, *revision);
                }
            }
            Event::ItemUpdated { item_id, change } => {
                let Some(field) = change.text_field() else {
                    return;
                };
                let (ItemChange::Description(new) | ItemChange::AcceptanceCriteria(new)) = change
                else {
                    return;
                };
                if let Some(copy) = self.fields.get_mut(&(*item_id, field)) {
                    let op = TextOp::replace(&copy.server_text, new);
                    let revision = copy.revision + 1;
                    copy.receive(&op, revision);
                }
            }
            _ => {}
        }
    }
}

fn schedule(seed: u64) {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut room_rng = StdRng::seed_from_u64(seed ^ 0x5eed);
    let mut now = 1_767_268_800_000_u64;
    let settings = RoomSettings {
        name: "Simulated".into(),
        default_deck: readyroom_protocol::DeckChoice::default(),
        auto_reveal: false,
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
    for n in 0..CLIENTS {
        let request = JoinRequest {
            protocol: PROTOCOL_VERSION,
            name: format!("C{n}"),
            role: Role::Voter,
            facilitator_token: (n == 0).then(|| facilitator_token.clone()),
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
                None,
            )
            .unwrap_or_else(|e| panic!("seed {seed}: join: {e:?}"));
        clients.push(Client {
            id: joined.participant_id,
            fields: HashMap::new(),
            outbound: VecDeque::new(),
            inbound: VecDeque::new(),
            next_cmd: 0,
        });
    }
    let mut items = Vec::new();
    for n in 0..ITEMS {
        let Some(first) = clients.first() else { return };
        let outcome = room.handle(
            &mut Ctx {
                now,
                rng: &mut room_rng,
            },
            first.id,
            1_000 + u64::try_from(n).unwrap_or(0),
            Command::CreateItem(NewItem {
                title: format!("Item {n}"),
                ..NewItem::default()
            }),
        );
        let Some(Event::ItemCreated { item }) = outcome.events.first().map(|e| &e.event) else {
            panic!("seed {seed}: no item");
        };
        items.push(item.id);
    }
    for client in &mut clients {
        client.next_cmd = 2_000;
        for item in &items {
            for field in FIELDS {
                client.fields.insert((*item, field), FieldCopy::default());
            }
        }
    }

    let steps = rng.random_range(20..120);
    for _ in 0..steps {
        let who = rng.random_range(0..CLIENTS);
        let item = items[rng.random_range(0..ITEMS)];
        let field = FIELDS[rng.random_range(0..FIELDS.len())];
        match rng.random_range(0..10) {
            0..=3 => clients[who].edit(&mut rng, item, field),
            4 => {
                let value = ["", "fresh", "😀 new"][rng.random_range(0..3_usize)].to_owned();
                let change = match field {
                    TextField::Description => ItemChange::Description(value),
                    _ => ItemChange::AcceptanceCriteria(value),
                };
                clients[who].outbound.push_back(Command::UpdateItem {
                    item_id: item,
                    change,
                });
            }
            5..=7 => deliver_to_room(&mut room, &mut clients, who, &mut room_rng, &mut now, seed),
            _ => {
                if let Some(frame) = clients[who].inbound.pop_front() {
                    clients[who].receive(&frame);
                }
            }
        }
    }
    // Everything still travelling arrives.
    loop {
        let mut moved = false;
        for who in 0..CLIENTS {
            if !clients[who].outbound.is_empty() {
                deliver_to_room(&mut room, &mut clients, who, &mut room_rng, &mut now, seed);
                moved = true;
            }
            while let Some(frame) = clients[who].inbound.pop_front() {
                clients[who].receive(&frame);
                moved = true;
            }
        }
        if !moved {
            break;
        }
    }
    room.check_invariants()
        .unwrap_or_else(|e| panic!("seed {seed}: {e}"));
    let Some(first) = clients.first() else { return };
    let snapshot = room.snapshot_for(first.id);
    for item in &snapshot.items {
        for field in FIELDS {
            for (n, client) in clients.iter().enumerate() {
                let copy = &client.fields[&(item.id, field)];
                assert_eq!(
                    copy.text,
                    item.text(field),
                    "seed {seed}: client {n}'s {field:?} of {} differs",
                    item.title
                );
                assert_eq!(copy.revision, item.revisions.of(field), "seed {seed}");
            }
        }
    }
}

/// The room takes the next command of client `who`; everyone gets the events in order.
fn deliver_to_room(
    room: &mut Room,
    clients: &mut [Client],
    who: usize,
    rng: &mut StdRng,
    now: &mut u64,
    seed: u64,
) {
    let Some(command) = clients[who].outbound.pop_front() else {
        return;
    };
    *now += 250;
    clients[who].next_cmd += 1;
    let outcome = room.handle(
        &mut Ctx { now: *now, rng },
        clients[who].id,
        clients[who].next_cmd,
        command,
    );
    if let super::Reply::Error(error) = &outcome.reply {
        panic!("seed {seed}: refused: {error:?}");
    }
    for client in clients.iter_mut() {
        client.inbound.extend(outcome.events.iter().cloned());
    }
}

#[test]
fn clients_writing_text_together_always_converge() {
    if let Some(seed) = std::env::var("READYROOM_TEXT_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
    {
        schedule(seed);
        return;
    }
    let schedules: u64 = std::env::var("READYROOM_TEXT_SCHEDULES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000);
    for seed in 0..schedules {
        schedule(seed);
    }
}
