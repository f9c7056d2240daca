//! Unit tests of the room core.

use std::collections::HashMap;

use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use readyroom_protocol::limits::{
    MAX_CUSTOM_CARDS, MAX_DEPENDENCIES, MAX_ITEMS_PER_ROOM, MAX_LABELS, MAX_LINKS,
    MAX_LONG_TEXT_CHARS, MAX_NAME_CHARS, MAX_PARTICIPANTS_PER_ROOM, MAX_ROOM_NAME_CHARS,
    MAX_ROUNDS_IN_HISTORY, MAX_TIMER_SECONDS, MAX_TITLE_CHARS, PLACES_KEPT_FOR_FACILITATOR,
    REMEMBERED_REPLIES, TEXT_HISTORY_OPS,
};
use readyroom_protocol::{
    Command, CommandId, Confidence, DeckChoice, DeckKind, Editing, ErrorCode, Event, EventFrame,
    ItemChange, ItemField, ItemId, ItemStatus, ItemView, JoinRequest, Link, NewItem,
    PROTOCOL_VERSION, ParticipantId, RefinementTimebox, Role, RoomId, RoomSettings, RoomSnapshot,
    RoundId, RoundPhase, RoundView, SettingsChange, TextField, TextOp, Timer, Timestamp,
    WsjfDimension,
};

use super::secrecy::public_copy;
use super::{CommandError, Ctx, Joined, Outcome, Reply, Room};

mod estimation;
mod prevotes;
mod refinement;
mod timebox;
mod trash;
mod webhooks;

const NOW: Timestamp = 1_750_000_000_000;
/// Longest rank a client may ever see: 32 bytes plus the terminator, in hex.
const MAX_RANK_HEX: usize = 66;

// ---------------------------------------------------------------------------------------------
// Fixture
// ---------------------------------------------------------------------------------------------

fn settings() -> RoomSettings {
    RoomSettings {
        name: "Refinement".into(),
        default_deck: DeckChoice::default(),
        auto_reveal: false,
        anonymous_reveal: false,
        suggest_split_at: 13,
        definition_of_ready: readyroom_protocol::default_definition_of_ready(),
        timebox: RefinementTimebox::default(),
        consensus_percent: readyroom_protocol::DEFAULT_CONSENSUS_PERCENT,
    }
}

fn request(name: &str, role: Role) -> JoinRequest {
    JoinRequest {
        protocol: PROTOCOL_VERSION,
        name: name.into(),
        role,
        facilitator_token: None,
        participant_token: None,
        resume: None,
    }
}

fn new_item(title: &str) -> NewItem {
    NewItem {
        title: title.into(),
        ..NewItem::default()
    }
}

fn custom_deck(cards: &[&str]) -> DeckChoice {
    DeckChoice {
        kind: DeckKind::Custom,
        cards: cards.iter().map(|c| (*c).to_owned()).collect(),
        ..DeckChoice::default()
    }
}

fn link(url: &str) -> Link {
    Link {
        url: url.into(),
        title: String::new(),
    }
}

/// The wire name of an event, e.g. `"item_created"`.
fn kind(event: &Event) -> String {
    serde_json::to_value(event).unwrap()["type"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn kinds<'a>(events: impl IntoIterator<Item = &'a Event>) -> Vec<String> {
    events.into_iter().map(kind).collect()
}

fn frame_kinds(frames: &[EventFrame]) -> Vec<String> {
    kinds(frames.iter().map(|f| &f.event))
}

fn error_code(outcome: &Outcome) -> Option<ErrorCode> {
    match &outcome.reply {
        Reply::Error(error) => Some(error.code),
        Reply::Ack { .. } => None,
    }
}

fn random_round_id(n: u8) -> RoundId {
    RoundId::from_random_bytes([n; 16])
}

fn random_item_id(n: u8) -> ItemId {
    ItemId::from_random_bytes([n; 16])
}

/// A room plus everything a test needs to drive it. Every step it takes checks the room's
/// invariants and that the events carry the next sequence numbers, one by one.
struct Fx {
    room: Room,
    rng: StdRng,
    seed: u64,
    now: Timestamp,
    facilitator_token: String,
    tokens: HashMap<ParticipantId, String>,
    /// The last command id each participant used.
    last_cmd: HashMap<ParticipantId, CommandId>,
    /// Every event the room emitted, in order.
    log: Vec<EventFrame>,
}

impl Fx {
    fn new() -> Self {
        Self::build(settings(), 1)
    }

    fn build(settings: RoomSettings, seed: u64) -> Self {
        let mut rng = StdRng::seed_from_u64(seed);
        let id = RoomId::from_random_bytes([7; 16]);
        let (room, facilitator_token) = Room::create(
            id,
            settings,
            &mut Ctx {
                now: NOW,
                rng: &mut rng,
            },
        );
        assert_eq!(room.id(), id);
        assert_eq!(room.seq(), 0);
        Self {
            room,
            rng,
            seed,
            now: NOW,
            facilitator_token,
            tokens: HashMap::new(),
            last_cmd: HashMap::new(),
            log: Vec::new(),
        }
    }

    /// Checks one step's events and the room after it.
    fn checked(&mut self, before: u64, events: &[EventFrame]) {
        let seed = self.seed;
        for (i, frame) in (1..).zip(events) {
            assert_eq!(
                frame.seq,
                before + i,
                "seed {seed}: events are numbered one by one"
            );
            assert_eq!(
                frame.at, self.now,
                "seed {seed}: events carry the step's time"
            );
        }
        assert_eq!(
            self.room.seq(),
            before + events.len() as u64,
            "seed {seed}: seq grows by the number of events"
        );
        if let Err(broken) = self.room.check_invariants() {
            panic!("seed {seed}: invariant broken: {broken}");
        }
        self.log.extend_from_slice(events);
    }

    fn try_join(&mut self, request: &JoinRequest) -> Result<Joined, CommandError> {
        let before = self.room.seq();
        let mut ctx = Ctx {
            now: self.now,
            rng: &mut self.rng,
        };
        let result = self.room.join(&mut ctx, request, None);
        match &result {
            Ok(joined) => {
                self.checked(before, &joined.events);
                self.tokens
                    .insert(joined.participant_id, joined.token_digest.clone());
            }
            Err(_) => self.checked(before, &[]),
        }
        result
    }

    fn join(&mut self, name: &str, role: Role) -> ParticipantId {
        self.try_join(&request(name, role)).unwrap().participant_id
    }

    fn join_facilitator(&mut self, name: &str, role: Role) -> ParticipantId {
        let request = JoinRequest {
            facilitator_token: Some(self.facilitator_token.clone()),
            ..request(name, role)
        };
        self.try_join(&request).unwrap().participant_id
    }

    /// Reconnects a participant with its token (another connection).
    fn rejoin(&mut self, id: ParticipantId) -> Joined {
        let request = JoinRequest {
            participant_token: Some(self.tokens[&id].clone()),
            ..request("ignored", Role::Observer)
        };
        self.try_join(&request).unwrap()
    }

    fn disconnect(&mut self, id: ParticipantId) -> Vec<EventFrame> {
        let before = self.room.seq();
        let events = self.room.disconnect(self.now, id);
        self.checked(before, &events);
        events
    }

    /// Sends a command under an explicit command id.
    fn send(&mut self, actor: ParticipantId, cmd: CommandId, command: Command) -> Outcome {
        let before = self.room.seq();
        let mut ctx = Ctx {
            now: self.now,
            rng: &mut self.rng,
        };
        let outcome = self.room.handle(&mut ctx, actor, cmd, command);
        self.checked(before, &outcome.events);
        match (&outcome.reply, outcome.duplicate) {
            (Reply::Ack { seq }, false) => {
                assert_eq!(
                    *seq,
                    outcome.events.last().map(|e| e.seq),
                    "ack names the last seq"
                );
            }
            _ => assert!(
                outcome.events.is_empty(),
                "refusals and resends change nothing"
            ),
        }
        outcome
    }

    /// Sends a command under the actor's next command id.
    fn cmd(&mut self, actor: ParticipantId, command: Command) -> Outcome {
        let cmd = self.last_cmd.entry(actor).or_insert(0);
        *cmd += 1;
        let cmd = *cmd;
        self.send(actor, cmd, command)
    }

    /// A command that must succeed; returns its events.
    fn ok(&mut self, actor: ParticipantId, command: Command) -> Vec<Event> {
        let outcome = self.cmd(actor, command);
        if let Reply::Error(error) = &outcome.reply {
            panic!("seed {}: expected success, got {error}", self.seed);
        }
        assert!(!outcome.duplicate);
        outcome.events.into_iter().map(|f| f.event).collect()
    }

    /// A command that must fail with `code` and leave the room as it was.
    fn fail(&mut self, actor: ParticipantId, command: Command, code: ErrorCode) {
        let snapshot = self.room.snapshot_for(actor);
        let described = format!("{command:?}");
        let outcome = self.cmd(actor, command);
        assert_eq!(error_code(&outcome), Some(code), "{described}");
        assert!(!outcome.duplicate);
        assert_eq!(
            self.room.snapshot_for(actor),
            snapshot,
            "a refusal changed the room"
        );
    }

    fn snap(&self, viewer: ParticipantId) -> RoomSnapshot {
        self.room.snapshot_for(viewer)
    }

    fn item_view(&self, id: ItemId) -> ItemView {
        let items = self
            .room
            .snapshot_for(ParticipantId(uuid::Uuid::nil()))
            .items;
        items.into_iter().find(|item| item.id == id).unwrap()
    }

    fn order(&self) -> Vec<ItemId> {
        let items = self
            .room
            .snapshot_for(ParticipantId(uuid::Uuid::nil()))
            .items;
        items.iter().map(|item| item.id).collect()
    }

    fn add_item(&mut self, actor: ParticipantId, title: &str) -> ItemId {
        let events = self.ok(actor, Command::CreateItem(new_item(title)));
        match events.first() {
            Some(Event::ItemCreated { item }) => item.id,
            other => panic!("expected item_created, got {other:?}"),
        }
    }

    fn start_round(&mut self, facilitator: ParticipantId, item_id: ItemId) -> RoundId {
        let events = self.ok(
            facilitator,
            Command::StartRound {
                item_id,
                deck: None,
                dimension: None,
                timebox_seconds: None,
            },
        );
        round_started(&events)
    }

    fn vote(&mut self, voter: ParticipantId, round_id: RoundId, card: &str) -> Vec<Event> {
        self.ok(
            voter,
            Command::Vote {
                round_id,
                card: card.into(),
                confidence: None,
            },
        )
    }
}

fn round_started(events: &[Event]) -> RoundId {
    events
        .iter()
        .find_map(|e| match e {
            Event::RoundStarted { round } => Some(round.id),
            _ => None,
        })
        .unwrap()
}

/// A room with a facilitator (an observer who does not vote), two voters and an observer.
fn team() -> (Fx, [ParticipantId; 4]) {
    team_with(settings())
}

fn team_with(settings: RoomSettings) -> (Fx, [ParticipantId; 4]) {
    let mut fx = Fx::build(settings, 1);
    let f = fx.join_facilitator("Fran", Role::Observer);
    let a = fx.join("Ann", Role::Voter);
    let b = fx.join("Bob", Role::Voter);
    let o = fx.join("Oli", Role::Observer);
    (fx, [f, a, b, o])
}

fn auto_reveal_team() -> (Fx, [ParticipantId; 4]) {
    team_with(RoomSettings {
        auto_reveal: true,
        anonymous_reveal: false,
        ..settings()
    })
}

// ---------------------------------------------------------------------------------------------
// Joining
// ---------------------------------------------------------------------------------------------

#[test]
fn join_adds_an_online_participant() {
    let mut fx = Fx::new();
    let joined = fx.try_join(&request("  Ada  ", Role::Voter)).unwrap();
    let id = joined.participant_id;
    assert_eq!(joined.last_cmd, 0);
    assert!(super::tokens::is_digest(&joined.token_digest));
    assert_eq!(frame_kinds(&joined.events), ["participant_joined"]);
    assert_eq!(joined.events[0].actor, Some(id));

    let snap = fx.snap(id);
    assert_eq!(snap.seq, 1);
    assert_eq!(snap.facilitator, None);
    assert_eq!(snap.participants.len(), 1);
    let me = &snap.participants[0];
    assert_eq!(
        (me.id, me.name.as_str(), me.role, me.online),
        (id, "Ada", Role::Voter, true)
    );
    assert_eq!(me.editing, None);

    // Participants are listed in the order they arrived.
    let later: Vec<ParticipantId> = (0..5)
        .map(|i| fx.join(&format!("P{i}"), Role::Observer))
        .collect();
    let listed: Vec<ParticipantId> = fx.snap(id).participants.iter().map(|p| p.id).collect();
    assert_eq!(listed[0], id);
    assert_eq!(listed[1..], later[..]);
}

#[test]
fn rejoin_with_participant_token_is_the_same_participant() {
    let (mut fx, [_, a, ..]) = team();
    fx.ok(
        a,
        Command::Rename {
            name: "Anna".into(),
        },
    );
    fx.ok(a, Command::Ping);
    fx.ok(a, Command::Ping);

    let events = fx.disconnect(a);
    assert_eq!(frame_kinds(&events), ["participant_online"]);
    assert_eq!(events[0].actor, None);
    assert!(!fx.snap(a).participants[1].online);

    // Name and role in the request are ignored on a rejoin.
    let joined = fx.rejoin(a);
    assert_eq!(joined.participant_id, a);
    assert_eq!(joined.token_digest, fx.tokens[&a]);
    assert_eq!(joined.last_cmd, 3, "last_cmd survives the reconnect");
    assert!(matches!(
        joined.events.as_slice(),
        [EventFrame { event: Event::ParticipantOnline { online: true, .. }, actor: Some(who), .. }] if *who == a
    ));
    let me = fx.snap(a).participants[1].clone();
    assert_eq!(
        (me.name.as_str(), me.role, me.online),
        ("Anna", Role::Voter, true)
    );

    // A second tab: no presence change until the last connection closes.
    assert!(fx.rejoin(a).events.is_empty());
    assert!(fx.disconnect(a).is_empty());
    assert_eq!(frame_kinds(&fx.disconnect(a)), ["participant_online"]);
    // A disconnect without a matching connection changes nothing.
    assert!(fx.disconnect(a).is_empty());
    assert!(
        fx.disconnect(ParticipantId::from_random_bytes([9; 16]))
            .is_empty()
    );
}

#[test]
fn facilitator_token_makes_the_joiner_facilitator() {
    let mut fx = Fx::new();
    let request_with_token = JoinRequest {
        facilitator_token: Some(fx.facilitator_token.clone()),
        ..request("Fran", Role::Voter)
    };
    let joined = fx.try_join(&request_with_token).unwrap();
    let f = joined.participant_id;
    assert_eq!(
        frame_kinds(&joined.events),
        ["participant_joined", "facilitator_changed"]
    );
    assert_eq!(fx.snap(f).facilitator, Some(f));

    // Someone else with the token takes over; a rejoin with the token takes it back.
    let g = fx.join_facilitator("Gus", Role::Observer);
    assert_eq!(fx.snap(f).facilitator, Some(g));
    let back = JoinRequest {
        participant_token: Some(fx.tokens[&f].clone()),
        facilitator_token: Some(fx.facilitator_token.clone()),
        ..request("x", Role::Voter)
    };
    let joined = fx.try_join(&back).unwrap();
    assert_eq!(frame_kinds(&joined.events), ["facilitator_changed"]);
    assert_eq!(fx.snap(f).facilitator, Some(f));
    // Already the facilitator: rejoining with the token again changes nothing.
    assert!(fx.try_join(&back).unwrap().events.is_empty());
}

#[test]
fn join_refusals() {
    let mut fx = Fx::new();
    let cases = [
        (
            JoinRequest {
                facilitator_token: Some("0".repeat(32)),
                ..request("Eve", Role::Voter)
            },
            ErrorCode::InvalidToken,
        ),
        (
            JoinRequest {
                participant_token: Some("nope".into()),
                ..request("Eve", Role::Voter)
            },
            ErrorCode::InvalidToken,
        ),
        (request("", Role::Voter), ErrorCode::InvalidValue),
        (request("   ", Role::Voter), ErrorCode::InvalidValue),
        (
            request(&"x".repeat(MAX_NAME_CHARS + 1), Role::Voter),
            ErrorCode::InvalidValue,
        ),
        (request("a\u{7}b", Role::Voter), ErrorCode::InvalidValue),
        (request("a\nb", Role::Voter), ErrorCode::InvalidValue),
        (
            JoinRequest {
                protocol: PROTOCOL_VERSION + 1,
                ..request("Eve", Role::Voter)
            },
            ErrorCode::UnsupportedProtocol,
        ),
        (
            JoinRequest {
                protocol: 0,
                ..request("Eve", Role::Voter)
            },
            ErrorCode::UnsupportedProtocol,
        ),
    ];
    for (request, code) in cases {
        let error = fx.try_join(&request).unwrap_err();
        assert_eq!(error.code, code, "{request:?}");
    }
    assert_eq!(fx.room.seq(), 0);
    assert!(
        fx.snap(ParticipantId(uuid::Uuid::nil()))
            .participants
            .is_empty()
    );
    // The longest name is fine, and so are non-ASCII letters.
    fx.join(&"é".repeat(MAX_NAME_CHARS), Role::Voter);
}

/// A room with every open place taken: the facilitator and the voters who fill it.
fn full_room() -> (Fx, ParticipantId, Vec<ParticipantId>) {
    let mut fx = Fx::new();
    let f = fx.join_facilitator("Fran", Role::Observer);
    let open_places = MAX_PARTICIPANTS_PER_ROOM - PLACES_KEPT_FOR_FACILITATOR;
    let people: Vec<ParticipantId> = (1..open_places)
        .map(|i| fx.join(&format!("P{i}"), Role::Voter))
        .collect();
    (fx, f, people)
}

#[test]
fn a_full_room_forgets_whoever_has_been_gone_longest() {
    let (mut fx, _, people) = full_room();
    // Everyone is here: the next newcomer is turned away.
    let error = fx
        .try_join(&request("one too many", Role::Voter))
        .unwrap_err();
    assert_eq!(error.code, ErrorCode::RoomFull);
    // Two leave; the one gone longer makes room, and existing ones can still come back.
    fx.disconnect(people[3]);
    fx.now += 1_000;
    fx.disconnect(people[7]);
    let newcomer = fx.try_join(&request("newcomer", Role::Voter)).unwrap();
    assert!(
        newcomer.events.iter().any(|e| e.event
            == Event::ParticipantRemoved {
                participant_id: people[3]
            }),
        "{:?}",
        newcomer.events
    );
    assert!(!fx.room.participants.contains_key(&people[3]));
    assert_eq!(fx.rejoin(people[7]).participant_id, people[7]);
    fx.room.check_invariants().unwrap();
}

#[test]
fn a_vote_in_an_open_round_keeps_its_voter_in_a_full_room() {
    let (mut fx, f, people) = full_room();
    let item = fx.add_item(f, "Sized");
    let round = fx.start_round(f, item);
    fx.vote(people[0], round, "5");
    fx.disconnect(people[0]);
    fx.now += 1_000;
    fx.disconnect(people[1]);
    fx.try_join(&request("newcomer", Role::Voter)).unwrap();
    assert!(
        fx.room.participants.contains_key(&people[0]),
        "the voter stays"
    );
    assert!(!fx.room.participants.contains_key(&people[1]));
}

#[test]
fn the_facilitator_token_gets_into_a_room_filled_by_others() {
    let mut fx = Fx::new();
    let f = fx.join_facilitator("Fran", Role::Voter);
    let open_places = MAX_PARTICIPANTS_PER_ROOM - PLACES_KEPT_FOR_FACILITATOR;
    for i in 1..open_places {
        fx.join(&format!("P{i}"), Role::Voter);
    }
    assert_eq!(
        fx.try_join(&request("one too many", Role::Voter))
            .unwrap_err()
            .code,
        ErrorCode::RoomFull
    );
    // The facilitator on a second device, with everyone online.
    let token = fx.facilitator_token.clone();
    let joined = fx
        .try_join(&JoinRequest {
            facilitator_token: Some(token),
            ..request("Fran on her phone", Role::Voter)
        })
        .unwrap();
    assert_eq!(fx.room.facilitator, Some(joined.participant_id));
    assert_ne!(joined.participant_id, f);
    fx.room.check_invariants().unwrap();
}

// ---------------------------------------------------------------------------------------------
// Writing text together
// ---------------------------------------------------------------------------------------------

fn text_op(json: &str) -> TextOp {
    serde_json::from_str(json).unwrap()
}

fn edit(fx: &mut Fx, actor: ParticipantId, item_id: ItemId, revision: u64, op: &str) -> Outcome {
    fx.cmd(
        actor,
        Command::EditText {
            item_id,
            field: TextField::Description,
            revision,
            op: text_op(op),
            follows: None,
        },
    )
}

#[test]
fn concurrent_text_edits_both_survive() {
    let (mut fx, [_, a, b, _]) = team();
    let item = fx.add_item(a, "Shared");
    assert!(matches!(
        edit(&mut fx, a, item, 0, r#"["Hello"]"#).reply,
        Reply::Ack { .. }
    ));
    // Both made on revision 1 ("Hello"): Ann appends, Bob prepends.
    let ann = edit(&mut fx, a, item, 1, r#"[5, " world"]"#);
    assert!(matches!(ann.reply, Reply::Ack { .. }));
    let bob = edit(&mut fx, b, item, 1, r#"["Oh, ", 5]"#);
    assert!(matches!(bob.reply, Reply::Ack { .. }));
    assert_eq!(fx.item_view(item).description, "Oh, Hello world");
    assert_eq!(fx.item_view(item).revisions.description, 3);
    // Bob's event carries his operation as transformed: it applies to revision 2.
    assert_eq!(
        bob.events
            .iter()
            .map(|e| e.event.clone())
            .collect::<Vec<_>>(),
        [Event::TextEdited {
            item_id: item,
            field: TextField::Description,
            revision: 3,
            op: text_op(r#"["Oh, ", 11]"#),
            cmd: Some(fx.last_cmd[&b]),
        }]
    );
}

/// An edit made on top of one's own unanswered edit (a reload lost its answer) is brought up to
/// date as the client would have done, whether that edit was applied before or after others'.
#[test]
fn an_edit_that_follows_ones_own_lands_after_it() {
    let (mut fx, [_, a, b, _]) = team();
    for bob_first in [false, true] {
        let item = fx.add_item(a, "Follow");
        edit(&mut fx, a, item, 0, r#"["Hello"]"#);
        if bob_first {
            edit(&mut fx, b, item, 1, r#"["Oh, ", 5]"#);
        }
        // Ann's edit on revision 1, whose answer she never saw.
        let appended = edit(&mut fx, a, item, 1, r#"[5, " world"]"#);
        assert!(matches!(appended.reply, Reply::Ack { .. }));
        let appended_cmd = fx.last_cmd[&a];
        if !bob_first {
            edit(&mut fx, b, item, 1, r#"["Oh, ", 5]"#);
        }
        // What she typed next, made on revision 1 with her edit on top.
        let follows = fx.cmd(
            a,
            Command::EditText {
                item_id: item,
                field: TextField::Description,
                revision: 1,
                op: text_op(r#"[11, "!"]"#),
                follows: Some(appended_cmd),
            },
        );
        assert!(matches!(follows.reply, Reply::Ack { .. }), "{bob_first}");
        assert_eq!(fx.item_view(item).description, "Oh, Hello world!");
        // Following an edit the field never had is refused, and changes nothing.
        let unknown = fx.cmd(
            a,
            Command::EditText {
                item_id: item,
                field: TextField::Description,
                revision: 1,
                op: text_op(r#"[11, "?"]"#),
                follows: Some(appended_cmd + 100),
            },
        );
        assert_eq!(error_code(&unknown), Some(ErrorCode::StaleRevision));
        assert_eq!(fx.item_view(item).description, "Oh, Hello world!");
    }
}

#[test]
fn inserts_at_one_place_put_the_later_operation_first() {
    let (mut fx, [_, a, b, _]) = team();
    let item = fx.add_item(a, "Tie");
    edit(&mut fx, a, item, 0, r#"["xy"]"#);
    // Both made on revision 1, both typing after the x. Bob's, transformed over Ann's, goes
    // first: every client must order its own pending insert before an incoming one the same
    // way (`PendingEdits::receive` does), or their copies diverge.
    edit(&mut fx, a, item, 1, r#"[1, "A", 1]"#);
    edit(&mut fx, b, item, 1, r#"[1, "B", 1]"#);
    assert_eq!(fx.item_view(item).description, "xBAy");
}

#[test]
fn a_text_edit_event_is_as_big_as_its_change_not_its_field() {
    let (mut fx, [_, a, _, _]) = team();
    let mut sizes = Vec::new();
    for len in [10, 10_000] {
        let item = fx.add_item(a, "Sized");
        let replaced = fx.ok(a, update(item, ItemChange::Description("x".repeat(len))));
        let replacement = serde_json::to_string(&replaced).unwrap().len();
        assert!(replacement > len, "a whole new text carries the text");
        let typed = edit(&mut fx, a, item, 1, &format!(r#"[{len}, "typed"]"#));
        let [typed] = &typed.events[..] else {
            panic!("one event per edit")
        };
        sizes.push(serde_json::to_string(&typed.event).unwrap().len());
    }
    // A thousand times the text: only the digits of the position grow.
    assert_eq!(sizes[1] - sizes[0], 3, "{sizes:?}");
}

#[test]
fn text_edits_count_scalar_values() {
    let (mut fx, [_, a, b, _]) = team();
    let item = fx.add_item(a, "Unicode");
    edit(&mut fx, a, item, 0, r#"["😀e\u0301漢"]"#);
    // Both after the emoji, on revision 1.
    edit(&mut fx, a, item, 1, r#"[1, "A", 3]"#);
    edit(&mut fx, b, item, 1, r#"[1, -2, 1]"#);
    assert_eq!(fx.item_view(item).description, "😀A漢");
}

#[test]
fn text_edits_that_do_not_fit_or_break_a_rule_change_nothing() {
    let (mut fx, [_, a, _, o]) = team();
    let item = fx.add_item(a, "Rules");
    edit(&mut fx, a, item, 0, r#"["abc"]"#);
    let seq = fx.room.seq();
    for (actor, revision, op, code) in [
        (a, 1, "[2]", ErrorCode::InvalidValue),
        (a, 7, "[3]", ErrorCode::StaleRevision),
        (a, 1, r#"[3, "\u0007"]"#, ErrorCode::InvalidValue),
        (o, 1, r#"[3, "!"]"#, ErrorCode::Forbidden),
    ] {
        let outcome = edit(&mut fx, actor, item, revision, op);
        assert_eq!(error_code(&outcome), Some(code), "{op}");
    }
    let long = "x".repeat(MAX_LONG_TEXT_CHARS - 2);
    let too_long = edit(&mut fx, a, item, 1, &format!(r#"[3, "{long}"]"#));
    assert_eq!(error_code(&too_long), Some(ErrorCode::InvalidValue));
    // The title: one line, never blank.
    for op in [r#"[-5]"#, r#"[5, "\n"]"#] {
        let outcome = fx.cmd(
            a,
            Command::EditText {
                item_id: item,
                field: TextField::Title,
                revision: 0,
                op: text_op(op),
                follows: None,
            },
        );
        assert_eq!(error_code(&outcome), Some(ErrorCode::InvalidValue), "{op}");
    }
    assert_eq!(fx.room.seq(), seq);
    assert_eq!(fx.item_view(item).description, "abc");
}

#[test]
fn a_whole_new_text_is_a_revision_that_late_edits_are_transformed_over() {
    let (mut fx, [_, a, b, _]) = team();
    let item = fx.add_item(a, "Replace");
    edit(&mut fx, a, item, 0, r#"["one two"]"#);
    fx.ok(
        a,
        Command::UpdateItem {
            item_id: item,
            change: ItemChange::Description("three".into()),
        },
    );
    assert_eq!(fx.item_view(item).revisions.description, 2);
    // Bob typed on revision 1, inside text the replacement removed: his text survives, after
    // the new text.
    edit(&mut fx, b, item, 1, r#"[3, "!", 4]"#);
    assert_eq!(fx.item_view(item).description, "three!");
}

#[test]
fn an_edit_older_than_the_history_is_stale() {
    let (mut fx, [_, a, b, _]) = team();
    let item = fx.add_item(a, "Busy");
    let other = fx.add_item(a, "Elsewhere");
    edit(&mut fx, a, item, 0, r#"["x"]"#);
    // Edits elsewhere push this field's changes out of the room's history.
    for revision in 0..TEXT_HISTORY_OPS {
        let revision = u64::try_from(revision).unwrap();
        let op = TextOp::new().retain(revision).insert("y");
        edit(
            &mut fx,
            a,
            other,
            revision,
            &serde_json::to_string(&op).unwrap(),
        );
    }
    let late = edit(&mut fx, b, item, 0, r#"["z"]"#);
    assert_eq!(error_code(&late), Some(ErrorCode::StaleRevision));
    // On the current revision it goes through.
    let current = edit(&mut fx, b, item, 1, r#"[1, "z"]"#);
    assert!(matches!(current.reply, Reply::Ack { .. }));
    fx.ok(a, Command::DeleteItem { item_id: other });
    fx.room.check_invariants().unwrap();
}

// ---------------------------------------------------------------------------------------------
// Idempotency and sequence numbers
// ---------------------------------------------------------------------------------------------

#[test]
fn resending_a_command_returns_the_same_reply_and_applies_nothing() {
    let (mut fx, [_, a, ..]) = team();
    let first = fx.send(a, 1, Command::CreateItem(new_item("Once")));
    assert!(matches!(first.reply, Reply::Ack { seq: Some(_) }));
    let seq = fx.room.seq();

    // The resend may even carry a different command: the id is what counts.
    for command in [Command::CreateItem(new_item("Once")), Command::Ping] {
        let again = fx.send(a, 1, command);
        assert!(again.duplicate);
        assert_eq!(again.reply, first.reply);
        assert!(again.events.is_empty());
    }
    assert_eq!(fx.room.seq(), seq);
    assert_eq!(fx.order().len(), 1);

    // An errored command resent gets the same error.
    let refused = fx.send(
        a,
        2,
        Command::Vote {
            round_id: random_round_id(1),
            card: "5".into(),
            confidence: None,
        },
    );
    assert_eq!(error_code(&refused), Some(ErrorCode::NoActiveRound));
    let again = fx.send(a, 2, Command::Ping);
    assert!(again.duplicate);
    assert_eq!(again.reply, refused.reply);
}

#[test]
fn forgotten_command_ids_are_stale() {
    let (mut fx, [_, a, ..]) = team();
    let count = CommandId::try_from(REMEMBERED_REPLIES).unwrap() + 10;
    for cmd in 1..=count {
        fx.send(a, cmd, Command::Ping);
    }
    let oldest_remembered = count - CommandId::try_from(REMEMBERED_REPLIES).unwrap() + 1;
    for cmd in [oldest_remembered, count] {
        let again = fx.send(a, cmd, Command::Ping);
        assert!(again.duplicate);
        assert_eq!(again.reply, Reply::Ack { seq: None });
    }
    for cmd in [1, oldest_remembered - 1] {
        let again = fx.send(a, cmd, Command::Rename { name: "Zed".into() });
        assert!(again.duplicate);
        assert_eq!(error_code(&again), Some(ErrorCode::StaleCommand));
    }
    assert_eq!(fx.snap(a).participants[1].name, "Ann");
    // Ids may skip ahead (another tab's command overtaken on its way): an id skipped over was
    // never processed, so it is applied when it comes, and once only.
    fx.send(a, 1_000, Command::Ping);
    let overtaken = fx.send(a, 999, Command::Rename { name: "Zed".into() });
    assert!(!overtaken.duplicate);
    assert_eq!(
        overtaken.reply,
        Reply::Ack {
            seq: Some(fx.room.seq())
        }
    );
    let again = fx.send(a, 999, Command::Rename { name: "Zoe".into() });
    assert!(again.duplicate);
    assert_eq!(fx.snap(a).participants[1].name, "Zed");
    fx.disconnect(a);
    assert_eq!(fx.rejoin(a).last_cmd, 1_000);
}

#[test]
fn a_room_stored_with_plain_tokens_keeps_them_working_as_digests() {
    let mut fx = Fx::new();
    let f = fx.join_facilitator("Fran", Role::Voter);
    let a = fx.join("Ann", Role::Voter);
    // The room as a build before digests stored it: tokens as they were.
    let mut stored = serde_json::to_value(&fx.room).unwrap();
    stored["facilitator_token"] = "f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0".into();
    stored["tokens"] = serde_json::json!({
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa": f,
        "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb": a,
    });
    stored["participants"][f.to_string()]["token"] = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".into();
    stored["participants"][a.to_string()]["token"] = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb".into();
    let mut room: Room = serde_json::from_value(stored).unwrap();
    room.digest_tokens();
    room.check_invariants().unwrap();
    let text = serde_json::to_string(&room).unwrap();
    assert!(!text.contains("bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"));
    assert!(room.is_facilitator_token("f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0"));
    let mut rng = StdRng::seed_from_u64(9);
    let mut ctx = Ctx {
        now: NOW,
        rng: &mut rng,
    };
    let back = room
        .join(
            &mut ctx,
            &JoinRequest {
                participant_token: Some("bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb".into()),
                ..request("ignored", Role::Voter)
            },
            None,
        )
        .unwrap();
    assert_eq!(back.participant_id, a);
}

#[test]
fn inputs_logged_under_the_first_rules_replay_under_them() {
    let (mut fx, [_, a, ..]) = team();
    fx.send(a, 1_000, Command::Ping);
    // Then, an id below the highest was stale even if it had never been processed.
    fx.room.set_legacy_rules(true);
    let overtaken = fx.send(a, 999, Command::Rename { name: "Zed".into() });
    fx.room.set_legacy_rules(false);
    assert_eq!(error_code(&overtaken), Some(ErrorCode::StaleCommand));
    assert_eq!(fx.snap(a).participants[1].name, "Ann");
}

fn depend(fx: &mut Fx, actor: ParticipantId, item: ItemId, on: &[ItemId]) -> Outcome {
    fx.cmd(
        actor,
        Command::UpdateItem {
            item_id: item,
            change: ItemChange::Dependencies(on.to_vec()),
        },
    )
}

#[test]
fn a_dependency_cycle_is_refused_and_named() {
    let (mut fx, [_, a, ..]) = team();
    let login = fx.add_item(a, "Login");
    let profile = fx.add_item(a, "Profile");
    let avatar = fx.add_item(a, "Avatar");
    let other = fx.add_item(a, "Other");
    assert!(matches!(
        depend(&mut fx, a, profile, &[login]).reply,
        Reply::Ack { .. }
    ));
    assert!(matches!(
        depend(&mut fx, a, avatar, &[other, profile]).reply,
        Reply::Ack { .. }
    ));
    let seq = fx.room.seq();
    // Login → Avatar would close Login → Avatar → Profile → Login.
    let refused = depend(&mut fx, a, login, &[other, avatar]);
    let Reply::Error(error) = &refused.reply else {
        panic!("expected a refusal, got {:?}", refused.reply);
    };
    assert_eq!(error.code, ErrorCode::DependencyCycle);
    assert!(
        error
            .message
            .contains("“Login” → “Avatar” → “Profile” → “Login”"),
        "{}",
        error.message
    );
    assert_eq!(fx.room.seq(), seq);
    assert!(fx.item_view(login).dependencies.is_empty());
    // Depending on something that does not lead back is fine, however deep.
    assert!(matches!(
        depend(&mut fx, a, login, &[other]).reply,
        Reply::Ack { .. }
    ));
    // Logged before cycles were refused, it replays as it was applied.
    fx.room.set_rules(1);
    let legacy = depend(&mut fx, a, login, &[avatar]);
    fx.room.set_rules(crate::journal::RULES);
    assert!(matches!(legacy.reply, Reply::Ack { .. }));
    fx.room.check_invariants().unwrap();
}

#[test]
fn gaps_between_processed_ids_are_remembered_up_to_a_bound() {
    let (mut fx, [_, a, ..]) = team();
    // Every other id: a gap after each.
    for cmd in (2..=400).step_by(2) {
        fx.send(a, cmd, Command::Ping);
    }
    // A recent gap is still known to be unprocessed; an ancient one has been forgotten and
    // counts as processed (stale), never as new.
    let recent_gap = fx.send(a, 397, Command::Ping);
    assert!(!recent_gap.duplicate);
    let ancient_gap = fx.send(a, 3, Command::Ping);
    assert!(ancient_gap.duplicate);
    assert_eq!(error_code(&ancient_gap), Some(ErrorCode::StaleCommand));
}

#[test]
fn commands_from_strangers_and_second_joins_are_refused() {
    let (mut fx, [_, a, ..]) = team();
    let stranger = ParticipantId::from_random_bytes([3; 16]);
    let outcome = fx.send(stranger, 1, Command::Ping);
    assert_eq!(error_code(&outcome), Some(ErrorCode::UnknownParticipant));
    fx.fail(
        a,
        Command::Join(request("again", Role::Voter)),
        ErrorCode::AlreadyJoined,
    );
    assert!(fx.ok(a, Command::Ping).is_empty());
}

#[test]
fn sequence_numbers_count_every_event_once() {
    let (mut fx, [f, a, b, o]) = auto_reveal_team();
    let x = fx.add_item(a, "X");
    let y = fx.add_item(b, "Y");
    fx.ok(
        a,
        Command::MoveItem {
            item_id: y,
            after: None,
            before: Some(x),
        },
    );
    let round = fx.start_round(f, x);
    fx.vote(a, round, "3");
    fx.vote(b, round, "5");
    fx.ok(f, Command::Revote { round_id: round });
    fx.disconnect(o);
    fx.rejoin(o);
    fx.ok(f, Command::StartTimer { seconds: 30 });
    fx.ok(f, Command::DeleteItem { item_id: x });

    let seqs: Vec<u64> = fx.log.iter().map(|e| e.seq).collect();
    let expected: Vec<u64> = (1..=fx.log.len() as u64).collect();
    assert_eq!(seqs, expected);
    for viewer in [f, a, b, o] {
        assert_eq!(fx.snap(viewer).seq, *seqs.last().unwrap());
    }
}

// ---------------------------------------------------------------------------------------------
// Backlog items
// ---------------------------------------------------------------------------------------------

#[test]
fn create_item_keeps_its_fields_and_place() {
    let (mut fx, [f, a, ..]) = team();
    let first = fx.add_item(a, "First");
    let last = fx.add_item(f, "Last"); // a facilitator who only observes may still edit
    let events = fx.ok(
        a,
        Command::CreateItem(NewItem {
            title: "  Middle  ".into(),
            description: "  Line one\n\tLine two  ".into(),
            acceptance_criteria: "Given\r\nWhen\r\nThen".into(),
            labels: vec!["ui".into(), " ui ".into(), "api".into()],
            after: Some(first),
        }),
    );
    let [Event::ItemCreated { item }] = events.as_slice() else {
        panic!("{events:?}");
    };
    assert_eq!(item.title, "Middle");
    assert_eq!(item.description, "  Line one\n\tLine two  ");
    assert_eq!(item.acceptance_criteria, "Given\r\nWhen\r\nThen");
    assert_eq!(item.labels, ["ui", "api"]);
    assert!(item.links.is_empty() && item.dependencies.is_empty() && item.history.is_empty());
    assert_eq!(
        (item.estimate.clone(), item.status),
        (None, ItemStatus::New)
    );
    assert_eq!(item.created_at, NOW);
    assert_eq!(fx.order(), [first, item.id, last]);
    assert_eq!(fx.item_view(item.id), **item);
}

#[test]
fn create_item_refusals() {
    let (mut fx, [_, a, _, o]) = team();
    let long = |n: usize| "x".repeat(n);
    fx.fail(
        o,
        Command::CreateItem(new_item("Watcher")),
        ErrorCode::Forbidden,
    );
    let bad = [
        new_item(""),
        new_item("   "),
        new_item(&long(MAX_TITLE_CHARS + 1)),
        new_item("tab\tin title"),
        NewItem {
            description: long(MAX_LONG_TEXT_CHARS + 1),
            ..new_item("ok")
        },
        NewItem {
            description: "bell\u{7}".into(),
            ..new_item("ok")
        },
        NewItem {
            acceptance_criteria: long(MAX_LONG_TEXT_CHARS + 1),
            ..new_item("ok")
        },
        NewItem {
            labels: (0..=MAX_LABELS).map(|i| i.to_string()).collect(),
            ..new_item("ok")
        },
        NewItem {
            labels: vec![long(41)],
            ..new_item("ok")
        },
        NewItem {
            labels: vec![" ".into()],
            ..new_item("ok")
        },
    ];
    for item in bad {
        fx.fail(a, Command::CreateItem(item), ErrorCode::InvalidValue);
    }
    fx.fail(
        a,
        Command::CreateItem(NewItem {
            after: Some(random_item_id(1)),
            ..new_item("ok")
        }),
        ErrorCode::UnknownItem,
    );
    // The limits themselves are fine.
    fx.ok(
        a,
        Command::CreateItem(NewItem {
            title: long(MAX_TITLE_CHARS),
            description: long(MAX_LONG_TEXT_CHARS),
            labels: (0..MAX_LABELS).map(|i| i.to_string()).collect(),
            ..NewItem::default()
        }),
    );
}

#[test]
fn a_room_holds_at_most_1000_items() {
    let (mut fx, [_, a, ..]) = team();
    for i in 0..MAX_ITEMS_PER_ROOM {
        fx.add_item(a, &format!("Item {i}"));
    }
    fx.fail(
        a,
        Command::CreateItem(new_item("One more")),
        ErrorCode::TooManyItems,
    );
    for item in fx.snap(a).items {
        assert!(item.rank.len() <= MAX_RANK_HEX, "{}", item.rank);
    }
}

fn update(item_id: ItemId, change: ItemChange) -> Command {
    Command::UpdateItem { item_id, change }
}

#[test]
fn update_item_sets_every_field() {
    let (mut fx, [f, a, b, _]) = team();
    let x = fx.add_item(a, "X");
    let y = fx.add_item(a, "Y");
    let z = fx.add_item(a, "Z");
    let changes = [
        (
            ItemChange::Title("  New title ".into()),
            ItemChange::Title("New title".into()),
        ),
        (
            ItemChange::Description(" as typed \n".into()),
            ItemChange::Description(" as typed \n".into()),
        ),
        (
            ItemChange::AcceptanceCriteria("- works".into()),
            ItemChange::AcceptanceCriteria("- works".into()),
        ),
        (
            ItemChange::Labels(vec!["a".into(), "a ".into()]),
            ItemChange::Labels(vec!["a".into()]),
        ),
        (
            ItemChange::Links(vec![Link {
                url: " https://example.com/a?b=c ".into(),
                title: " Spec ".into(),
            }]),
            ItemChange::Links(vec![Link {
                url: "https://example.com/a?b=c".into(),
                title: "Spec".into(),
            }]),
        ),
        (
            ItemChange::Dependencies(vec![y, z, y]),
            ItemChange::Dependencies(vec![y, z]),
        ),
        (
            ItemChange::Estimate(Some(" 5 ".into())),
            ItemChange::Estimate(Some("5".into())),
        ),
        (
            ItemChange::Status(ItemStatus::NeedsInfo),
            ItemChange::Status(ItemStatus::NeedsInfo),
        ),
    ];
    for (sent, applied) in changes {
        // Estimates are the facilitator's to set by hand.
        let (b, a) = if matches!(sent, ItemChange::Estimate(_)) {
            (f, f)
        } else {
            (b, a)
        };
        let events = fx.ok(b, update(x, sent.clone()));
        assert_eq!(
            events,
            [Event::ItemUpdated {
                item_id: x,
                change: applied
            }]
        );
        // The same value again is no change at all.
        assert!(fx.ok(a, update(x, sent)).is_empty());
    }
    let item = fx.item_view(x);
    assert_eq!(item.title, "New title");
    assert_eq!(item.description, " as typed \n");
    assert_eq!(item.acceptance_criteria, "- works");
    assert_eq!(item.labels, ["a"]);
    assert_eq!(item.links[0].title, "Spec");
    assert_eq!(item.dependencies, [y, z]);
    assert_eq!(item.estimate.as_deref(), Some("5"));
    assert_eq!(item.status, ItemStatus::NeedsInfo);

    // A blank estimate clears it.
    let events = fx.ok(f, update(x, ItemChange::Estimate(Some("  ".into()))));
    assert_eq!(
        events,
        [Event::ItemUpdated {
            item_id: x,
            change: ItemChange::Estimate(None)
        }]
    );
    assert!(fx.ok(f, update(x, ItemChange::Estimate(None))).is_empty());
}

#[test]
fn update_item_refusals() {
    let (mut fx, [_, a, _, o]) = team();
    let x = fx.add_item(a, "X");
    let invalid = [
        ItemChange::Title(String::new()),
        ItemChange::Title("x".repeat(MAX_TITLE_CHARS + 1)),
        ItemChange::Description("\u{0}".into()),
        ItemChange::AcceptanceCriteria("x".repeat(MAX_LONG_TEXT_CHARS + 1)),
        ItemChange::Labels(vec![String::new()]),
        ItemChange::Links(vec![link("javascript:alert(1)")]),
        ItemChange::Links(vec![link("data:text/html,hi")]),
        ItemChange::Links(vec![link("ftp://example.com")]),
        ItemChange::Links(vec![link("https://")]),
        ItemChange::Links(vec![link("https://exa mple.com")]),
        ItemChange::Links(vec![link("example.com")]),
        ItemChange::Links(vec![link(&format!("https://{}", "x".repeat(2_000)))]),
        ItemChange::Links(vec![Link {
            url: "https://example.com".into(),
            title: "t".repeat(201),
        }]),
        ItemChange::Links(vec![link("https://example.com"); MAX_LINKS + 1]),
        ItemChange::Dependencies(vec![x]),
        ItemChange::Dependencies(vec![random_item_id(1); MAX_DEPENDENCIES + 1]),
        ItemChange::Estimate(Some("x".repeat(17))),
        ItemChange::Estimate(Some("a\u{1b}b".into())),
    ];
    for change in invalid {
        fx.fail(a, update(x, change), ErrorCode::InvalidValue);
    }
    fx.fail(
        a,
        update(x, ItemChange::Dependencies(vec![random_item_id(1)])),
        ErrorCode::UnknownItem,
    );
    fx.fail(
        a,
        update(random_item_id(1), ItemChange::Title("T".into())),
        ErrorCode::UnknownItem,
    );
    fx.fail(
        o,
        update(x, ItemChange::Title("T".into())),
        ErrorCode::Forbidden,
    );
    // The limits themselves are fine.
    fx.ok(
        a,
        update(
            x,
            ItemChange::Links(vec![link("HTTP://example.com"); MAX_LINKS]),
        ),
    );
    let f = fx.snap(a).facilitator.unwrap();
    fx.ok(f, update(x, ItemChange::Estimate(Some("1".repeat(16)))));
}

#[test]
fn delete_item_cleans_up_after_itself() {
    let (mut fx, [f, a, b, o]) = team();
    let x = fx.add_item(a, "X");
    let y = fx.add_item(a, "Y");
    let z = fx.add_item(a, "Z");
    let w = fx.add_item(a, "W");
    fx.ok(a, update(y, ItemChange::Dependencies(vec![x])));
    fx.ok(a, update(z, ItemChange::Dependencies(vec![x, y])));
    fx.ok(a, update(w, ItemChange::Dependencies(vec![x])));
    // Moving w to the top checks that dependents are reported in backlog order.
    fx.ok(
        a,
        Command::MoveItem {
            item_id: w,
            after: None,
            before: None,
        },
    );
    let editing = Editing {
        item_id: x,
        field: ItemField::Title,
    };
    fx.ok(
        a,
        Command::SetEditing {
            editing: Some(editing),
        },
    );
    fx.ok(
        f,
        Command::SetEditing {
            editing: Some(editing),
        },
    );
    let round = fx.start_round(f, x);
    fx.vote(a, round, "5");
    fx.fail(o, Command::DeleteItem { item_id: x }, ErrorCode::Forbidden);

    let events = fx.ok(b, Command::DeleteItem { item_id: x });
    assert_eq!(
        kinds(&events),
        [
            "round_cancelled",
            "current_item_changed",
            "editing_changed",
            "editing_changed",
            "item_updated",
            "item_updated",
            "item_updated",
            "item_deleted"
        ]
    );
    let editors: Vec<ParticipantId> = events
        .iter()
        .filter_map(|e| match e {
            Event::EditingChanged {
                participant_id,
                editing: None,
            } => Some(*participant_id),
            _ => None,
        })
        .collect();
    assert_eq!(editors, [f, a], "editors are reported in join order");
    let updated: Vec<(ItemId, Vec<ItemId>)> = events
        .iter()
        .filter_map(|e| match e {
            Event::ItemUpdated {
                item_id,
                change: ItemChange::Dependencies(d),
            } => Some((*item_id, d.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(updated, [(w, vec![]), (y, vec![]), (z, vec![y])]);

    let snap = fx.snap(a);
    assert_eq!(snap.round, None);
    assert_eq!(snap.current_item, None);
    assert!(snap.participants.iter().all(|p| p.editing.is_none()));
    assert_eq!(fx.order(), [w, y, z]);
    fx.fail(
        a,
        Command::DeleteItem { item_id: x },
        ErrorCode::UnknownItem,
    );

    // Deleting an item nobody is estimating leaves the round alone.
    let round = fx.start_round(f, y);
    assert_eq!(
        kinds(&fx.ok(a, Command::DeleteItem { item_id: z })),
        ["item_deleted"]
    );
    assert_eq!(fx.snap(a).round.unwrap().id, round);
}

fn move_item(item_id: ItemId, after: Option<ItemId>, before: Option<ItemId>) -> Command {
    Command::MoveItem {
        item_id,
        after,
        before,
    }
}

#[test]
fn move_item_follows_its_neighbours() {
    let (mut fx, [_, a, _, o]) = team();
    let [i0, i1, i2, i3, i4] = std::array::from_fn(|i| fx.add_item(a, &format!("I{i}")));
    let gone = fx.add_item(a, "Gone");
    fx.ok(a, Command::DeleteItem { item_id: gone });

    let events = fx.ok(a, move_item(i4, Some(i0), None));
    assert!(matches!(events.as_slice(), [Event::ItemMoved { item_id, .. }] if *item_id == i4));
    assert_eq!(fx.order(), [i0, i4, i1, i2, i3]);
    fx.ok(a, move_item(i0, None, Some(i3)));
    assert_eq!(fx.order(), [i4, i1, i2, i0, i3]);
    fx.ok(a, move_item(i3, None, None));
    assert_eq!(fx.order(), [i3, i4, i1, i2, i0]);
    fx.ok(a, move_item(i3, Some(i0), None));
    assert_eq!(fx.order(), [i4, i1, i2, i0, i3]);

    // `after` wins when the two are no longer adjacent.
    fx.ok(a, move_item(i3, Some(i4), Some(i0)));
    assert_eq!(fx.order(), [i4, i3, i1, i2, i0]);
    // A neighbour that no longer exists is ignored if the other one still does.
    fx.ok(a, move_item(i0, Some(gone), Some(i1)));
    assert_eq!(fx.order(), [i4, i3, i0, i1, i2]);
    fx.ok(a, move_item(i4, Some(i2), Some(gone)));
    assert_eq!(fx.order(), [i3, i0, i1, i2, i4]);

    // Already in place: acknowledged, nothing emitted.
    for command in [
        move_item(i0, Some(i3), None),
        move_item(i0, None, Some(i1)),
        move_item(i0, Some(i3), Some(i1)),
        move_item(i3, None, None),
        move_item(i4, Some(i2), None),
    ] {
        let outcome = fx.cmd(a, command);
        assert_eq!(outcome.reply, Reply::Ack { seq: None });
    }
    assert_eq!(fx.order(), [i3, i0, i1, i2, i4]);

    fx.fail(
        a,
        move_item(i0, Some(gone), Some(gone)),
        ErrorCode::UnknownItem,
    );
    fx.fail(a, move_item(i0, Some(gone), None), ErrorCode::UnknownItem);
    fx.fail(a, move_item(i0, None, Some(gone)), ErrorCode::UnknownItem);
    fx.fail(a, move_item(gone, Some(i0), None), ErrorCode::UnknownItem);
    fx.fail(a, move_item(i0, Some(i0), None), ErrorCode::InvalidValue);
    fx.fail(a, move_item(i0, None, Some(i0)), ErrorCode::InvalidValue);
    fx.fail(
        a,
        move_item(i0, Some(i2), Some(i0)),
        ErrorCode::InvalidValue,
    );
    fx.fail(o, move_item(i0, None, None), ErrorCode::Forbidden);
}

#[test]
fn a_lone_item_moved_to_the_top_stays() {
    let (mut fx, [_, a, ..]) = team();
    let x = fx.add_item(a, "X");
    assert!(fx.ok(a, move_item(x, None, None)).is_empty());
}

/// Where a move should put an item, computed from the order alone.
fn expected_order(
    order: &[ItemId],
    item: ItemId,
    after: Option<ItemId>,
    before: Option<ItemId>,
) -> Vec<ItemId> {
    let mut rest: Vec<ItemId> = order.iter().copied().filter(|id| *id != item).collect();
    let at = match (after, before) {
        (Some(after), _) => rest.iter().position(|id| *id == after).unwrap() + 1,
        (None, Some(before)) => rest.iter().position(|id| *id == before).unwrap(),
        (None, None) => 0,
    };
    rest.insert(at, item);
    rest
}

fn assert_ranks_sort_the_backlog(snapshot: &RoomSnapshot, context: &str) {
    let mut by_rank = snapshot.items.clone();
    by_rank.sort_by(|x, y| x.rank.as_bytes().cmp(y.rank.as_bytes()));
    let shown: Vec<ItemId> = snapshot.items.iter().map(|i| i.id).collect();
    let sorted: Vec<ItemId> = by_rank.iter().map(|i| i.id).collect();
    assert_eq!(shown, sorted, "{context}: the order is the rank order");
    for pair in by_rank.windows(2) {
        assert!(pair[0].rank < pair[1].rank, "{context}: ranks are distinct");
    }
    for item in &snapshot.items {
        assert!(
            item.rank.len() <= MAX_RANK_HEX,
            "{context}: rank {} is too long",
            item.rank
        );
    }
}

#[test]
fn random_moves_keep_the_order_in_rank_order() {
    for seed in 0..4 {
        let mut fx = Fx::build(settings(), seed);
        let a = fx.join("Ann", Role::Voter);
        let items: Vec<ItemId> = (0..25).map(|i| fx.add_item(a, &format!("I{i}"))).collect();
        let mut rng = StdRng::seed_from_u64(seed);
        for step in 0..1_500 {
            let item = *items.choose(&mut rng).unwrap();
            let others: Vec<ItemId> = items.iter().copied().filter(|i| *i != item).collect();
            let after = rng
                .random_bool(0.6)
                .then(|| *others.choose(&mut rng).unwrap());
            let before = rng
                .random_bool(0.5)
                .then(|| *others.choose(&mut rng).unwrap());
            let expected = expected_order(&fx.order(), item, after, before);
            fx.ok(a, move_item(item, after, before));
            assert_eq!(fx.order(), expected, "seed {seed} step {step}");
            assert_ranks_sort_the_backlog(&fx.snap(a), &format!("seed {seed} step {step}"));
        }
    }
}

#[test]
fn ranks_with_zero_bytes_still_have_room_between_them() {
    let (mut fx, [_, a, ..]) = team();
    for i in 0..3 {
        fx.add_item(a, &format!("I{i}"));
    }
    // Every move to the top counts the first byte of the top rank down, to zero and beyond.
    for _ in 0..300 {
        let last = *fx.order().last().unwrap();
        fx.ok(a, move_item(last, None, None));
    }
    let snap = fx.snap(a);
    assert!(
        snap.items.iter().all(|i| i.rank.starts_with("0000")),
        "{:?}",
        snap.items
    );
    // Between two ranks that share zero bytes (where fractional_index 2.0.2 overflows).
    for step in 0..50 {
        let order = fx.order();
        fx.ok(a, move_item(order[2], Some(order[0]), None));
        assert_eq!(fx.order(), [order[0], order[2], order[1]]);
        assert_ranks_sort_the_backlog(&fx.snap(a), &format!("step {step}"));
    }
}

#[test]
fn moving_into_one_gap_again_and_again_reranks() {
    let (mut fx, [_, a, ..]) = team();
    let items = [
        fx.add_item(a, "A"),
        fx.add_item(a, "B"),
        fx.add_item(a, "C"),
    ];
    let extra: Vec<ItemId> = (0..20).map(|i| fx.add_item(a, &format!("E{i}"))).collect();
    // Three items take turns: the first or last of them moves between the other two, which
    // halves the gap every time.
    let mut reranked_at = None;
    for step in 0..2_000 {
        let order: Vec<ItemId> = fx
            .order()
            .into_iter()
            .filter(|i| items.contains(i))
            .collect();
        let (item, after) = if step % 2 == 0 {
            (order[2], order[0])
        } else {
            (order[0], order[1])
        };
        let events = fx.ok(a, move_item(item, Some(after), None));
        assert_ranks_sort_the_backlog(&fx.snap(a), &format!("step {step}"));
        if let Some(Event::ItemsReranked { ranks }) = events.get(1) {
            assert_eq!(ranks.len(), 23);
            let listed: Vec<ItemId> = ranks.iter().map(|r| r.item_id).collect();
            assert_eq!(listed, fx.order(), "re-ranking lists the items in order");
            reranked_at = Some(step);
            break;
        }
    }
    let reranked_at = reranked_at.expect("a re-rank");
    assert!(
        reranked_at < 500,
        "re-ranked only after {reranked_at} moves"
    );
    let snap = fx.snap(a);
    assert!(
        snap.items.iter().all(|i| i.rank.len() <= 8),
        "fresh ranks are short"
    );
    assert!(extra.iter().all(|e| snap.items.iter().any(|i| i.id == *e)));
}

// ---------------------------------------------------------------------------------------------
// Presence and people
// ---------------------------------------------------------------------------------------------

#[test]
fn set_editing_announces_presence() {
    let (mut fx, [f, a, _, o]) = team();
    let x = fx.add_item(a, "X");
    let editing = Some(Editing {
        item_id: x,
        field: ItemField::Description,
    });
    assert_eq!(
        fx.ok(a, Command::SetEditing { editing }),
        [Event::EditingChanged {
            participant_id: a,
            editing
        }]
    );
    assert!(fx.ok(a, Command::SetEditing { editing }).is_empty());
    assert_eq!(fx.snap(o).participants[1].editing, editing);
    assert_eq!(
        kinds(&fx.ok(a, Command::SetEditing { editing: None })),
        ["editing_changed"]
    );
    fx.fail(o, Command::SetEditing { editing }, ErrorCode::Forbidden);
    assert!(fx.ok(o, Command::SetEditing { editing: None }).is_empty());
    fx.fail(
        a,
        Command::SetEditing {
            editing: Some(Editing {
                item_id: random_item_id(1),
                field: ItemField::Title,
            }),
        },
        ErrorCode::UnknownItem,
    );
    // The facilitator edits even as an observer; going offline stops editing.
    fx.ok(f, Command::SetEditing { editing });
    let events = fx.disconnect(f);
    assert_eq!(
        frame_kinds(&events),
        ["editing_changed", "participant_online"]
    );
    assert!(events.iter().all(|e| e.actor.is_none()));
    assert_eq!(fx.snap(a).participants[0].editing, None);
}

#[test]
fn rename_validates_the_name() {
    let (mut fx, [_, a, ..]) = team();
    assert_eq!(
        fx.ok(
            a,
            Command::Rename {
                name: "  Annie ".into()
            }
        ),
        [Event::ParticipantRenamed {
            participant_id: a,
            name: "Annie".into()
        }]
    );
    assert!(
        fx.ok(
            a,
            Command::Rename {
                name: "Annie".into()
            }
        )
        .is_empty()
    );
    for name in [
        String::new(),
        " ".into(),
        "x".repeat(MAX_NAME_CHARS + 1),
        "\u{0}".into(),
    ] {
        fx.fail(a, Command::Rename { name }, ErrorCode::InvalidValue);
    }
    assert_eq!(fx.snap(a).participants[1].name, "Annie");
}

#[test]
fn becoming_an_observer_retracts_the_vote_and_stops_editing() {
    let (mut fx, [f, a, b, _]) = team();
    let x = fx.add_item(a, "X");
    let editing = Some(Editing {
        item_id: x,
        field: ItemField::Title,
    });
    fx.ok(a, Command::SetEditing { editing });
    let round = fx.start_round(f, x);
    fx.vote(a, round, "8");
    fx.vote(b, round, "5");

    let events = fx.ok(
        a,
        Command::SetRole {
            role: Role::Observer,
        },
    );
    assert_eq!(
        kinds(&events),
        ["editing_changed", "vote_retracted", "role_changed"]
    );
    let snap = fx.snap(a);
    let round_view = snap.round.unwrap();
    assert_eq!(round_view.voted, [b]);
    assert_eq!(round_view.my_card, None);
    assert_eq!(snap.participants[1].role, Role::Observer);
    assert_eq!(snap.participants[1].editing, None);
    assert!(
        fx.ok(
            a,
            Command::SetRole {
                role: Role::Observer
            }
        )
        .is_empty()
    );
    fx.fail(
        a,
        Command::Vote {
            round_id: round,
            card: "8".into(),
            confidence: None,
        },
        ErrorCode::Forbidden,
    );

    assert_eq!(
        kinds(&fx.ok(a, Command::SetRole { role: Role::Voter })),
        ["role_changed"]
    );
    fx.vote(a, round, "8");

    // The facilitator keeps editing as an observer; after reveal, votes stay.
    fx.ok(f, Command::SetRole { role: Role::Voter });
    fx.ok(f, Command::SetEditing { editing });
    fx.ok(f, Command::Reveal { round_id: round });
    assert_eq!(
        kinds(&fx.ok(
            f,
            Command::SetRole {
                role: Role::Observer
            }
        )),
        ["role_changed"]
    );
    assert_eq!(fx.snap(f).participants[0].editing, editing);
    assert_eq!(fx.snap(f).round.unwrap().revealed.unwrap().votes.len(), 2);
}

// ---------------------------------------------------------------------------------------------
// Planning poker
// ---------------------------------------------------------------------------------------------

#[test]
fn start_round_opens_a_round_on_the_item() {
    let (mut fx, [f, a, b, _]) = team();
    let x = fx.add_item(a, "X");
    let y = fx.add_item(a, "Y");
    fx.fail(
        a,
        Command::StartRound {
            item_id: x,
            deck: None,
            dimension: None,
            timebox_seconds: None,
        },
        ErrorCode::Forbidden,
    );
    fx.fail(
        f,
        Command::StartRound {
            item_id: random_item_id(1),
            deck: None,
            dimension: None,
            timebox_seconds: None,
        },
        ErrorCode::UnknownItem,
    );

    let events = fx.ok(
        f,
        Command::StartRound {
            item_id: x,
            deck: None,
            dimension: None,
            timebox_seconds: None,
        },
    );
    assert_eq!(kinds(&events), ["current_item_changed", "round_started"]);
    let Event::RoundStarted { round } = &events[1] else {
        unreachable!()
    };
    assert_eq!(
        (round.item_id, round.number, round.phase),
        (x, 1, RoundPhase::Voting)
    );
    assert_eq!(round.deck.kind, DeckKind::Fibonacci);
    assert_eq!(round.deck.cards.len(), 13);
    assert_eq!(round.deck.cards.last().map(String::as_str), Some("☕"));
    assert_eq!(round.started_at, NOW);
    assert!(round.voted.is_empty() && round.my_card.is_none() && round.revealed.is_none());
    assert_eq!(fx.snap(b).current_item, Some(x));
    assert_eq!(fx.snap(b).round.as_ref(), Some(&**round));

    fx.fail(
        f,
        Command::StartRound {
            item_id: y,
            deck: None,
            dimension: None,
            timebox_seconds: None,
        },
        ErrorCode::RoundInProgress,
    );
    fx.fail(
        f,
        Command::StartRound {
            item_id: x,
            deck: None,
            dimension: None,
            timebox_seconds: None,
        },
        ErrorCode::RoundInProgress,
    );

    // Once revealed, a new round may start; on the same item it is the next number.
    fx.ok(f, Command::Reveal { round_id: round.id });
    let events = fx.ok(
        f,
        Command::StartRound {
            item_id: x,
            deck: None,
            dimension: None,
            timebox_seconds: None,
        },
    );
    let Event::RoundStarted { round } = &events[0] else {
        panic!("{events:?}")
    };
    assert_eq!(round.number, 2);
    fx.ok(f, Command::Reveal { round_id: round.id });
    let events = fx.ok(
        f,
        Command::StartRound {
            item_id: y,
            deck: None,
            dimension: None,
            timebox_seconds: None,
        },
    );
    assert_eq!(kinds(&events), ["current_item_changed", "round_started"]);
}

#[test]
fn start_round_uses_the_default_deck_or_a_valid_custom_one() {
    let (mut fx, [f, a, ..]) = team();
    let x = fx.add_item(a, "X");
    fx.ok(
        f,
        Command::UpdateSettings(SettingsChange {
            default_deck: Some(DeckChoice {
                kind: DeckKind::TShirt,
                cards: Vec::new(),
                unsure: false,
                coffee: true,
            }),
            ..SettingsChange::default()
        }),
    );
    let round = fx.start_round(f, x);
    assert_eq!(
        fx.snap(a).round.unwrap().deck.cards,
        ["XS", "S", "M", "L", "XL", "XXL", "☕"]
    );
    fx.ok(f, Command::CancelRound { round_id: round });

    let too_many: Vec<String> = (0..=MAX_CUSTOM_CARDS).map(|i| i.to_string()).collect();
    let too_many: Vec<&str> = too_many.iter().map(String::as_str).collect();
    for cards in [
        &[][..],
        &too_many[..],
        &["1", " 1"][..],
        &["1", "?"][..],
        &["☕"][..],
        &["123456789"][..],
        &[""][..],
        &["a\u{0}"][..],
    ] {
        fx.fail(
            f,
            Command::StartRound {
                item_id: x,
                deck: Some(custom_deck(cards)),
                dimension: None,
                timebox_seconds: None,
            },
            ErrorCode::InvalidValue,
        );
    }
    let events = fx.ok(
        f,
        Command::StartRound {
            item_id: x,
            deck: Some(custom_deck(&[" 1 ", "12345678", "big"])),
            dimension: None,
            timebox_seconds: None,
        },
    );
    let Event::RoundStarted { round } = &events[0] else {
        panic!("{events:?}")
    };
    assert_eq!(round.deck.kind, DeckKind::Custom);
    assert_eq!(round.deck.cards, ["1", "12345678", "big", "?", "☕"]);
}

#[test]
fn vote_rules() {
    let (mut fx, [f, a, b, o]) = team();
    let x = fx.add_item(a, "X");
    fx.fail(
        a,
        Command::Vote {
            round_id: random_round_id(1),
            card: "5".into(),
            confidence: None,
        },
        ErrorCode::NoActiveRound,
    );
    let round = fx.start_round(f, x);

    assert_eq!(
        fx.vote(a, round, "5"),
        [Event::VoteCast {
            round_id: round,
            participant_id: a,
            card: Some("5".into()),
            confidence: None,
        }]
    );
    assert!(
        fx.vote(a, round, "5").is_empty(),
        "the same card again changes nothing"
    );
    assert_eq!(kinds(&fx.vote(a, round, "?")), ["vote_cast"]);
    assert_eq!(fx.snap(a).round.unwrap().my_card.as_deref(), Some("?"));

    fx.fail(
        o,
        Command::Vote {
            round_id: round,
            card: "5".into(),
            confidence: None,
        },
        ErrorCode::Forbidden,
    );
    fx.fail(
        f,
        Command::Vote {
            round_id: round,
            card: "5".into(),
            confidence: None,
        },
        ErrorCode::Forbidden,
    );
    fx.fail(
        b,
        Command::Vote {
            round_id: random_round_id(2),
            card: "5".into(),
            confidence: None,
        },
        ErrorCode::StaleRound,
    );
    for card in ["4", "", " 5", "XL", &"5".repeat(70_000)] {
        fx.fail(
            b,
            Command::Vote {
                round_id: round,
                card: card.into(),
                confidence: None,
            },
            ErrorCode::InvalidValue,
        );
    }

    fx.ok(f, Command::Reveal { round_id: round });
    fx.fail(
        b,
        Command::Vote {
            round_id: round,
            card: "5".into(),
            confidence: None,
        },
        ErrorCode::RoundRevealed,
    );
    fx.ok(f, Command::Revote { round_id: round });
    fx.fail(
        b,
        Command::Vote {
            round_id: round,
            card: "5".into(),
            confidence: None,
        },
        ErrorCode::StaleRound,
    );
}

#[test]
fn a_refused_vote_does_not_echo_a_huge_card() {
    let (mut fx, [f, a, ..]) = team();
    let x = fx.add_item(a, "X");
    let round = fx.start_round(f, x);
    let outcome = fx.cmd(
        a,
        Command::Vote {
            round_id: round,
            card: "9".repeat(60_000),
            confidence: None,
        },
    );
    let Reply::Error(error) = outcome.reply else {
        panic!()
    };
    assert!(
        error.message.len() < 200,
        "{} bytes remembered",
        error.message.len()
    );
}

#[test]
fn retract_vote_rules() {
    let (mut fx, [f, a, b, o]) = team();
    let x = fx.add_item(a, "X");
    fx.fail(
        a,
        Command::RetractVote {
            round_id: random_round_id(1),
        },
        ErrorCode::NoActiveRound,
    );
    let round = fx.start_round(f, x);
    fx.vote(a, round, "3");
    assert_eq!(
        fx.ok(a, Command::RetractVote { round_id: round }),
        [Event::VoteRetracted {
            round_id: round,
            participant_id: a
        }]
    );
    assert!(
        fx.ok(a, Command::RetractVote { round_id: round })
            .is_empty()
    );
    assert!(
        fx.ok(o, Command::RetractVote { round_id: round })
            .is_empty()
    );
    assert!(fx.snap(a).round.unwrap().voted.is_empty());
    fx.fail(
        a,
        Command::RetractVote {
            round_id: random_round_id(2),
        },
        ErrorCode::StaleRound,
    );
    fx.vote(b, round, "3");
    fx.ok(f, Command::Reveal { round_id: round });
    fx.fail(
        b,
        Command::RetractVote { round_id: round },
        ErrorCode::RoundRevealed,
    );
}

#[test]
fn reveal_shows_every_vote_and_keeps_the_record() {
    let (mut fx, [f, a, b, o]) = team();
    let x = fx.add_item(a, "X");
    fx.fail(
        f,
        Command::Reveal {
            round_id: random_round_id(1),
        },
        ErrorCode::NoActiveRound,
    );
    let round = fx.start_round(f, x);
    fx.vote(a, round, "3");
    fx.vote(b, round, "5");
    fx.fail(a, Command::Reveal { round_id: round }, ErrorCode::Forbidden);
    fx.fail(
        f,
        Command::Reveal {
            round_id: random_round_id(2),
        },
        ErrorCode::StaleRound,
    );

    fx.now += 1_000;
    let outcome = fx.cmd(f, Command::Reveal { round_id: round });
    let [frame] = outcome.events.as_slice() else {
        panic!()
    };
    assert_eq!(frame.actor, Some(f));
    let Event::RoundRevealed {
        item_id,
        record,
        auto,
    } = &frame.event
    else {
        panic!()
    };
    assert_eq!((*item_id, *auto), (x, false));
    assert_eq!(record.round_id, round);
    assert_eq!(record.number, 1);
    assert_eq!(record.revealed_at, NOW + 1_000);
    assert_eq!(record.accepted, None);
    let votes: Vec<(ParticipantId, &str)> = record
        .votes
        .iter()
        .map(|v| (v.participant_id, v.card.as_str()))
        .collect();
    assert_eq!(votes, [(a, "3"), (b, "5")]);
    assert_eq!(record.stats.votes, 2);
    assert_eq!(record.stats.average, Some(4.0));

    let snap = fx.snap(o);
    let view = snap.round.unwrap();
    assert_eq!(view.phase, RoundPhase::Revealed);
    assert_eq!(view.revealed.as_ref(), Some(&**record));
    assert_eq!(snap.items[0].history, [(**record).clone()]);
    fx.fail(
        f,
        Command::Reveal { round_id: round },
        ErrorCode::RoundRevealed,
    );

    // A round nobody voted in reveals too.
    fx.ok(f, Command::Revote { round_id: round });
    let round = fx.snap(f).round.unwrap().id;
    fx.ok(f, Command::Reveal { round_id: round });
    assert_eq!(fx.item_view(x).history[1].stats.votes, 0);
}

#[test]
fn revote_starts_the_next_round_and_keeps_history() {
    let (mut fx, [f, a, b, _]) = team();
    let x = fx.add_item(a, "X");
    let round = fx.start_round(f, x);
    fx.fail(
        f,
        Command::Revote { round_id: round },
        ErrorCode::RoundNotRevealed,
    );
    fx.vote(a, round, "3");
    fx.ok(f, Command::Reveal { round_id: round });
    fx.fail(a, Command::Revote { round_id: round }, ErrorCode::Forbidden);
    fx.fail(
        f,
        Command::Revote {
            round_id: random_round_id(1),
        },
        ErrorCode::StaleRound,
    );

    let events = fx.ok(f, Command::Revote { round_id: round });
    let [Event::RoundStarted { round: second }] = events.as_slice() else {
        panic!("{events:?}")
    };
    assert_ne!(second.id, round);
    assert_eq!((second.number, second.item_id), (2, x));
    assert_eq!(second.phase, RoundPhase::Voting);
    assert!(second.voted.is_empty());
    assert_eq!(fx.item_view(x).history.len(), 1);
    fx.fail(
        f,
        Command::Revote { round_id: round },
        ErrorCode::StaleRound,
    );

    fx.vote(b, second.id, "5");
    fx.ok(
        f,
        Command::Reveal {
            round_id: second.id,
        },
    );
    let history = fx.item_view(x).history;
    let numbers: Vec<u32> = history.iter().map(|r| r.number).collect();
    assert_eq!(numbers, [1, 2]);
    assert_eq!(history[0].votes[0].card, "3");
    assert_eq!(history[1].votes[0].card, "5");
}

#[test]
fn history_is_capped() {
    let (mut fx, [f, a, ..]) = team();
    let x = fx.add_item(a, "X");
    let mut round = fx.start_round(f, x);
    for _ in 0..=MAX_ROUNDS_IN_HISTORY {
        fx.ok(f, Command::Reveal { round_id: round });
        round = round_started(&fx.ok(f, Command::Revote { round_id: round }));
    }
    let history = fx.item_view(x).history;
    assert_eq!(history.len(), MAX_ROUNDS_IN_HISTORY);
    assert_eq!(history[0].number, 2, "the oldest round was dropped");
    assert_eq!(fx.snap(f).round.unwrap().number, 52);
}

#[test]
fn accept_estimate_sets_the_estimate_and_closes_the_round() {
    let (mut fx, [f, a, b, _]) = team();
    let x = fx.add_item(a, "X");
    let round = fx.start_round(f, x);
    fx.vote(a, round, "8");
    fx.fail(
        f,
        Command::AcceptEstimate {
            round_id: round,
            estimate: "8".into(),
        },
        ErrorCode::RoundNotRevealed,
    );
    fx.ok(f, Command::Reveal { round_id: round });
    fx.fail(
        a,
        Command::AcceptEstimate {
            round_id: round,
            estimate: "8".into(),
        },
        ErrorCode::Forbidden,
    );
    for estimate in ["", "   ", &"9".repeat(17)] {
        fx.fail(
            f,
            Command::AcceptEstimate {
                round_id: round,
                estimate: estimate.into(),
            },
            ErrorCode::InvalidValue,
        );
    }
    fx.fail(
        f,
        Command::AcceptEstimate {
            round_id: random_round_id(1),
            estimate: "8".into(),
        },
        ErrorCode::StaleRound,
    );

    let events = fx.ok(
        f,
        Command::AcceptEstimate {
            round_id: round,
            estimate: " 8 ".into(),
        },
    );
    assert_eq!(
        events,
        [Event::EstimateAccepted {
            round_id: round,
            item_id: x,
            estimate: "8".into(),
            dimension: None,
        }]
    );
    let item = fx.item_view(x);
    assert_eq!(item.estimate.as_deref(), Some("8"));
    assert_eq!(item.history.len(), 1);
    assert_eq!(item.history[0].accepted.as_deref(), Some("8"));
    assert_eq!(fx.snap(b).round, None);
    assert_eq!(fx.snap(b).current_item, Some(x));
    fx.fail(
        b,
        Command::Vote {
            round_id: round,
            card: "8".into(),
            confidence: None,
        },
        ErrorCode::NoActiveRound,
    );
    fx.fail(
        f,
        Command::AcceptEstimate {
            round_id: round,
            estimate: "5".into(),
        },
        ErrorCode::NoActiveRound,
    );
}

#[test]
fn cancel_round_discards_unrevealed_votes() {
    let (mut fx, [f, a, b, _]) = team();
    let x = fx.add_item(a, "X");
    let round = fx.start_round(f, x);
    fx.vote(a, round, "8");
    fx.fail(
        b,
        Command::CancelRound { round_id: round },
        ErrorCode::Forbidden,
    );
    fx.fail(
        f,
        Command::CancelRound {
            round_id: random_round_id(1),
        },
        ErrorCode::StaleRound,
    );
    assert_eq!(
        fx.ok(f, Command::CancelRound { round_id: round }),
        [Event::RoundCancelled { round_id: round }]
    );
    assert_eq!(fx.snap(a).round, None);
    assert!(
        fx.item_view(x).history.is_empty(),
        "cancelled votes are never seen"
    );
    fx.fail(
        f,
        Command::CancelRound { round_id: round },
        ErrorCode::NoActiveRound,
    );

    // A revealed round can be closed without an estimate; its record stays.
    let round = fx.start_round(f, x);
    fx.ok(f, Command::Reveal { round_id: round });
    fx.ok(f, Command::CancelRound { round_id: round });
    assert_eq!(fx.item_view(x).history.len(), 1);
    assert_eq!(fx.item_view(x).estimate, None);
}

// ---------------------------------------------------------------------------------------------
// Auto-reveal
// ---------------------------------------------------------------------------------------------

fn revealed_automatically(frames: &[EventFrame]) -> bool {
    frames
        .iter()
        .any(|f| matches!(f.event, Event::RoundRevealed { auto: true, .. }) && f.actor.is_none())
}

#[test]
fn auto_reveal_fires_when_every_online_voter_has_voted() {
    let (mut fx, [f, a, b, o]) = auto_reveal_team();
    let x = fx.add_item(a, "X");
    let round = fx.start_round(f, x);
    assert_eq!(kinds(&fx.vote(a, round, "3")), ["vote_cast"]);
    // The observers (one of them the facilitator) do not hold it up.
    let outcome = fx.cmd(
        b,
        Command::Vote {
            round_id: round,
            card: "5".into(),
            confidence: None,
        },
    );
    assert_eq!(
        frame_kinds(&outcome.events),
        ["vote_cast", "round_revealed"]
    );
    assert_eq!(outcome.events[0].actor, Some(b));
    assert!(
        revealed_automatically(&outcome.events),
        "the server, not Bob, revealed"
    );
    assert_eq!(
        outcome.reply,
        Reply::Ack {
            seq: Some(outcome.events[1].seq)
        }
    );
    assert_eq!(fx.snap(o).round.unwrap().phase, RoundPhase::Revealed);
    assert_eq!(fx.snap(f).facilitator, Some(f));
}

#[test]
fn auto_reveal_ignores_offline_voters_and_needs_someone_online() {
    let (mut fx, [f, a, b, _]) = auto_reveal_team();
    let x = fx.add_item(a, "X");
    let round = fx.start_round(f, x);
    fx.disconnect(a);
    let outcome = fx.cmd(
        b,
        Command::Vote {
            round_id: round,
            card: "5".into(),
            confidence: None,
        },
    );
    assert!(
        revealed_automatically(&outcome.events),
        "offline Ann does not count"
    );

    // Nobody online to vote: nothing to reveal.
    let round = round_started(&fx.ok(f, Command::Revote { round_id: round }));
    assert!(!revealed_automatically(&fx.disconnect(b)));
    assert_eq!(fx.snap(f).round.unwrap().phase, RoundPhase::Voting);
    fx.rejoin(a);
    fx.vote(a, round, "3");
    assert_eq!(fx.snap(f).round.unwrap().phase, RoundPhase::Revealed);
}

#[test]
fn auto_reveal_fires_when_the_last_voter_without_a_vote_leaves() {
    let (mut fx, [f, a, b, _]) = auto_reveal_team();
    let x = fx.add_item(a, "X");
    let round = fx.start_round(f, x);
    fx.vote(a, round, "3");
    let events = fx.disconnect(b);
    assert_eq!(
        frame_kinds(&events),
        ["participant_online", "round_revealed"]
    );
    assert!(revealed_automatically(&events));

    // … or becomes an observer …
    fx.rejoin(b);
    let round = round_started(&fx.ok(f, Command::Revote { round_id: round }));
    fx.vote(a, round, "3");
    let outcome = fx.cmd(
        b,
        Command::SetRole {
            role: Role::Observer,
        },
    );
    assert_eq!(
        frame_kinds(&outcome.events),
        ["role_changed", "round_revealed"]
    );
    assert!(revealed_automatically(&outcome.events));

    // … or is removed.
    fx.ok(b, Command::SetRole { role: Role::Voter });
    let round = round_started(&fx.ok(f, Command::Revote { round_id: round }));
    fx.vote(a, round, "3");
    let outcome = fx.cmd(f, Command::RemoveParticipant { participant_id: b });
    assert_eq!(
        frame_kinds(&outcome.events),
        ["participant_removed", "round_revealed"]
    );
    assert!(revealed_automatically(&outcome.events));
}

#[test]
fn auto_reveal_fires_when_switched_on_but_not_when_a_voter_returns() {
    let (mut fx, [f, a, b, _]) = team();
    let x = fx.add_item(a, "X");
    let round = fx.start_round(f, x);
    fx.vote(a, round, "3");
    fx.vote(b, round, "5");
    assert_eq!(
        fx.snap(f).round.unwrap().phase,
        RoundPhase::Voting,
        "auto-reveal is off"
    );
    let outcome = fx.cmd(
        f,
        Command::UpdateSettings(SettingsChange {
            auto_reveal: Some(true),
            anonymous_reveal: None,
            ..SettingsChange::default()
        }),
    );
    assert_eq!(
        frame_kinds(&outcome.events),
        ["settings_changed", "round_revealed"]
    );
    assert!(revealed_automatically(&outcome.events));

    // Everyone left with one vote in; the voter who voted comes back. Coming back is not one of
    // the moments auto-reveal is checked (docs/protocol.md §11), so the round waits for the
    // next vote, role change, settings change, removal or departure.
    let round = round_started(&fx.ok(f, Command::Revote { round_id: round }));
    fx.vote(a, round, "3");
    fx.disconnect(a);
    assert!(!revealed_automatically(&fx.disconnect(b)));
    assert_eq!(frame_kinds(&fx.rejoin(a).events), ["participant_online"]);
    assert_eq!(fx.snap(f).round.unwrap().phase, RoundPhase::Voting);
    let outcome = fx.cmd(
        a,
        Command::Vote {
            round_id: round,
            card: "5".into(),
            confidence: None,
        },
    );
    assert_eq!(
        frame_kinds(&outcome.events),
        ["vote_cast", "round_revealed"]
    );
}

// ---------------------------------------------------------------------------------------------
// Facilitation
// ---------------------------------------------------------------------------------------------

#[test]
fn set_current_item_and_settings() {
    let (mut fx, [f, a, ..]) = team();
    let x = fx.add_item(a, "X");
    fx.fail(
        a,
        Command::SetCurrentItem { item_id: Some(x) },
        ErrorCode::Forbidden,
    );
    fx.fail(
        f,
        Command::SetCurrentItem {
            item_id: Some(random_item_id(1)),
        },
        ErrorCode::UnknownItem,
    );
    assert_eq!(
        fx.ok(f, Command::SetCurrentItem { item_id: Some(x) }),
        [Event::CurrentItemChanged { item_id: Some(x) }]
    );
    assert!(
        fx.ok(f, Command::SetCurrentItem { item_id: Some(x) })
            .is_empty()
    );
    assert_eq!(
        kinds(&fx.ok(f, Command::SetCurrentItem { item_id: None })),
        ["current_item_changed"]
    );

    let rename = |name: &str| {
        Command::UpdateSettings(SettingsChange {
            name: Some(name.into()),
            ..SettingsChange::default()
        })
    };
    fx.fail(a, rename("Mine"), ErrorCode::Forbidden);
    fx.fail(f, rename(" "), ErrorCode::InvalidValue);
    fx.fail(
        f,
        rename(&"x".repeat(MAX_ROOM_NAME_CHARS + 1)),
        ErrorCode::InvalidValue,
    );
    fx.fail(
        f,
        Command::UpdateSettings(SettingsChange {
            name: Some("Valid".into()),
            default_deck: Some(custom_deck(&[])),
            auto_reveal: Some(true),
            anonymous_reveal: None,
            suggest_split_at: None,
            definition_of_ready: None,
            timebox: None,
            consensus_percent: None,
        }),
        ErrorCode::InvalidValue,
    );
    assert!(
        fx.ok(f, rename(" Refinement ")).is_empty(),
        "no change, no event"
    );
    assert!(
        fx.ok(f, Command::UpdateSettings(SettingsChange::default()))
            .is_empty()
    );
    let events = fx.ok(f, rename("Sprint 12"));
    let expected = RoomSettings {
        name: "Sprint 12".into(),
        ..settings()
    };
    assert_eq!(
        events,
        [Event::SettingsChanged {
            settings: expected.clone()
        }]
    );
    assert_eq!(fx.snap(a).settings, expected);
    assert_eq!(fx.room.settings(), &expected);
}

#[test]
fn timer_starts_and_stops() {
    let (mut fx, [f, a, ..]) = team();
    fx.fail(a, Command::StartTimer { seconds: 60 }, ErrorCode::Forbidden);
    for seconds in [0, MAX_TIMER_SECONDS + 1, u32::MAX] {
        fx.fail(f, Command::StartTimer { seconds }, ErrorCode::InvalidValue);
    }
    let timer = Timer {
        started_at: NOW,
        ends_at: NOW + 60_000,
        item_id: None,
    };
    assert_eq!(
        fx.ok(f, Command::StartTimer { seconds: 60 }),
        [Event::TimerChanged { timer: Some(timer) }]
    );
    assert_eq!(fx.snap(a).timer, Some(timer));
    fx.now += 5;
    fx.ok(
        f,
        Command::StartTimer {
            seconds: MAX_TIMER_SECONDS,
        },
    );
    assert_eq!(
        fx.snap(a).timer,
        Some(Timer {
            started_at: NOW + 5,
            ends_at: NOW + 5 + u64::from(MAX_TIMER_SECONDS) * 1_000,
            item_id: None,
        })
    );
    fx.fail(a, Command::StopTimer, ErrorCode::Forbidden);
    assert_eq!(
        fx.ok(f, Command::StopTimer),
        [Event::TimerChanged { timer: None }]
    );
    assert!(fx.ok(f, Command::StopTimer).is_empty());
    assert_eq!(fx.snap(a).timer, None);
}

#[test]
fn a_timer_near_the_end_of_time_does_not_overflow() {
    let (mut fx, [f, ..]) = team();
    fx.now = u64::MAX - 10;
    fx.ok(f, Command::StartTimer { seconds: 60 });
    assert_eq!(fx.snap(f).timer.unwrap().ends_at, u64::MAX);
}

#[test]
fn hand_over_and_claim_the_facilitator_role() {
    let (mut fx, [f, a, b, _]) = team();
    let x = fx.add_item(a, "X");
    fx.fail(
        a,
        Command::HandOverFacilitator { participant_id: b },
        ErrorCode::Forbidden,
    );
    fx.fail(
        f,
        Command::HandOverFacilitator {
            participant_id: ParticipantId::from_random_bytes([1; 16]),
        },
        ErrorCode::UnknownParticipant,
    );
    assert!(
        fx.ok(f, Command::HandOverFacilitator { participant_id: f })
            .is_empty()
    );

    assert_eq!(
        fx.ok(f, Command::HandOverFacilitator { participant_id: a }),
        [Event::FacilitatorChanged {
            participant_id: Some(a)
        }]
    );
    assert_eq!(fx.snap(b).facilitator, Some(a));
    fx.fail(
        f,
        Command::StartRound {
            item_id: x,
            deck: None,
            dimension: None,
            timebox_seconds: None,
        },
        ErrorCode::Forbidden,
    );
    let round = fx.start_round(a, x);

    fx.fail(
        b,
        Command::ClaimFacilitator {
            facilitator_token: "guess".into(),
        },
        ErrorCode::InvalidToken,
    );
    let token = fx.facilitator_token.clone();
    assert_eq!(
        fx.ok(
            f,
            Command::ClaimFacilitator {
                facilitator_token: token.clone()
            }
        ),
        [Event::FacilitatorChanged {
            participant_id: Some(f)
        }]
    );
    assert!(
        fx.ok(
            f,
            Command::ClaimFacilitator {
                facilitator_token: token
            }
        )
        .is_empty()
    );
    fx.fail(a, Command::Reveal { round_id: round }, ErrorCode::Forbidden);
    fx.ok(f, Command::Reveal { round_id: round });
}

#[test]
fn an_observer_who_hands_over_the_role_stops_editing() {
    let (mut fx, [f, a, ..]) = team();
    let x = fx.add_item(a, "X");
    let editing = Some(Editing {
        item_id: x,
        field: ItemField::Title,
    });
    fx.ok(f, Command::SetEditing { editing });
    let events = fx.ok(f, Command::HandOverFacilitator { participant_id: a });
    assert_eq!(kinds(&events), ["facilitator_changed", "editing_changed"]);
    assert_eq!(fx.snap(f).participants[0].editing, None);
    fx.fail(
        f,
        update(x, ItemChange::Title("T".into())),
        ErrorCode::Forbidden,
    );

    // The same when someone else claims the role.
    let token = fx.facilitator_token.clone();
    fx.ok(
        f,
        Command::ClaimFacilitator {
            facilitator_token: token.clone(),
        },
    );
    fx.ok(f, Command::SetEditing { editing });
    let events = fx.ok(
        a,
        Command::ClaimFacilitator {
            facilitator_token: token,
        },
    );
    assert_eq!(kinds(&events), ["facilitator_changed", "editing_changed"]);
    assert_eq!(fx.snap(f).participants[0].editing, None);
}

#[test]
fn remove_participant_forgets_them() {
    let (mut fx, [f, a, b, o]) = team();
    let x = fx.add_item(a, "X");
    let round = fx.start_round(f, x);
    fx.vote(a, round, "3");
    fx.vote(b, round, "5");
    fx.fail(
        a,
        Command::RemoveParticipant { participant_id: b },
        ErrorCode::Forbidden,
    );
    fx.fail(
        f,
        Command::RemoveParticipant { participant_id: f },
        ErrorCode::InvalidValue,
    );
    fx.fail(
        f,
        Command::RemoveParticipant {
            participant_id: ParticipantId::from_random_bytes([1; 16]),
        },
        ErrorCode::UnknownParticipant,
    );

    // The unrevealed vote goes without a `vote_retracted`: clients drop it on removal.
    let events = fx.ok(f, Command::RemoveParticipant { participant_id: b });
    assert_eq!(events, [Event::ParticipantRemoved { participant_id: b }]);
    let snap = fx.snap(o);
    assert!(snap.participants.iter().all(|p| p.id != b));
    assert_eq!(snap.round.unwrap().voted, [a]);
    fx.fail(
        f,
        Command::RemoveParticipant { participant_id: b },
        ErrorCode::UnknownParticipant,
    );

    // Their token no longer works, their connections are gone, their commands are refused.
    let rejoin = JoinRequest {
        participant_token: Some(fx.tokens[&b].clone()),
        ..request("Bob", Role::Voter)
    };
    assert_eq!(
        fx.try_join(&rejoin).unwrap_err().code,
        ErrorCode::InvalidToken
    );
    assert!(fx.disconnect(b).is_empty());
    let outcome = fx.cmd(b, Command::Ping);
    assert_eq!(error_code(&outcome), Some(ErrorCode::UnknownParticipant));

    // Revealed votes of a removed participant stay on the record.
    fx.ok(f, Command::Reveal { round_id: round });
    fx.ok(f, Command::RemoveParticipant { participant_id: a });
    assert_eq!(fx.item_view(x).history[0].votes.len(), 1);
    assert_eq!(fx.snap(o).round.unwrap().revealed.unwrap().votes.len(), 1);
}

// ---------------------------------------------------------------------------------------------
// Vote secrecy
// ---------------------------------------------------------------------------------------------

fn check_public_copies(log: &[EventFrame]) {
    for frame in log {
        match (&frame.event, public_copy(frame)) {
            (
                Event::VoteCast {
                    round_id,
                    participant_id,
                    card: Some(_),
                    ..
                },
                Some((owner, copy)),
            ) => {
                assert_eq!(owner, *participant_id);
                assert_eq!(
                    (copy.seq, copy.at, copy.actor),
                    (frame.seq, frame.at, frame.actor)
                );
                assert_eq!(
                    copy.event,
                    Event::VoteCast {
                        round_id: *round_id,
                        participant_id: owner,
                        card: None,
                        confidence: None,
                    }
                );
            }
            (_, None) => {}
            (event, Some(_)) => panic!("{event:?} needs no redaction"),
        }
        if let Event::VoteCast { card: Some(_), .. } = frame.event {
            assert!(
                public_copy(frame).is_some(),
                "a card must never go out unredacted"
            );
        }
    }
}

#[test]
fn nobody_sees_another_participants_card_before_reveal() {
    let (mut fx, [f, a, b, o]) = team();
    let x = fx.add_item(a, "X");
    let round = fx.start_round(f, x);
    fx.vote(a, round, "13");
    fx.vote(b, round, "21");
    fx.vote(b, round, "34");
    for (viewer, own) in [(f, None), (a, Some("13")), (b, Some("34")), (o, None)] {
        let snap = fx.snap(viewer);
        let view = snap.round.unwrap();
        assert_eq!(view.my_card.as_deref(), own);
        assert_eq!(view.voted, {
            let mut both = vec![a, b];
            both.sort();
            both
        });
        assert_eq!(view.revealed, None);
        assert!(snap.items[0].history.is_empty());
    }
    check_public_copies(&fx.log);
    assert_eq!(
        fx.log.iter().filter(|f| public_copy(f).is_some()).count(),
        3
    );

    fx.ok(f, Command::Reveal { round_id: round });
    let view = fx.snap(o).round.unwrap();
    assert_eq!(view.revealed.unwrap().votes.len(), 2);
    check_public_copies(&fx.log);
}

// ---------------------------------------------------------------------------------------------
// Randomized: many participants, many commands, hostile input
// ---------------------------------------------------------------------------------------------

/// What one watching client knows, built from nothing but its welcome and the events it is sent.
struct Mirror {
    viewer: ParticipantId,
    room: RoomSnapshot,
}

impl Mirror {
    fn apply(&mut self, frame: &EventFrame, seed: u64) {
        let room = &mut self.room;
        assert_eq!(
            frame.seq,
            room.seq + 1,
            "seed {seed}: the watcher missed an event"
        );
        room.seq = frame.seq;
        match &frame.event {
            Event::ParticipantJoined { participant } => room.participants.push(participant.clone()),
            Event::ParticipantOnline {
                participant_id,
                online,
            } => {
                person(room, *participant_id).online = *online;
            }
            Event::ParticipantRenamed {
                participant_id,
                name,
            } => {
                person(room, *participant_id).name.clone_from(name);
            }
            Event::RoleChanged {
                participant_id,
                role,
            } => person(room, *participant_id).role = *role,
            Event::ParticipantRemoved { participant_id } => {
                room.participants.retain(|p| p.id != *participant_id);
                if let Some(round) = room
                    .round
                    .as_mut()
                    .filter(|r| r.phase == RoundPhase::Voting)
                {
                    round.voted.retain(|p| p != participant_id);
                }
            }
            Event::EditingChanged {
                participant_id,
                editing,
            } => {
                person(room, *participant_id).editing = *editing;
            }
            Event::FacilitatorChanged { participant_id } => room.facilitator = *participant_id,
            Event::ItemCreated { item } => room.items.push((**item).clone()),
            Event::ItemUpdated { item_id, change } => apply_change(item(room, *item_id), change),
            Event::TextEdited {
                item_id,
                field,
                revision,
                op,
                ..
            } => item(room, *item_id)
                .apply_text_edit(*field, *revision, op)
                .unwrap_or_else(|e| panic!("seed {seed}: {e}")),
            Event::ItemSplit { item_id, parts } => room.apply_item_split(*item_id, parts),
            Event::ItemDeleted { item_id } => {
                room.apply_item_deleted(*item_id, frame.at, frame.actor);
            }
            Event::ItemRestored { item } => room.apply_item_restored(item),
            Event::TrashPurged { item_ids } => room.apply_trash_purged(item_ids),
            Event::ItemMoved { item_id, rank } => item(room, *item_id).rank.clone_from(rank),
            Event::ItemsReranked { ranks } => {
                assert_eq!(
                    ranks.len(),
                    room.items.len(),
                    "seed {seed}: a re-rank names all"
                );
                for rank in ranks {
                    item(room, rank.item_id).rank.clone_from(&rank.rank);
                }
            }
            // Each item it names had its own event before it.
            Event::ItemsImported { .. } => {}
            Event::CurrentItemChanged { item_id } => room.current_item = *item_id,
            Event::SettingsChanged { settings } => room.apply_settings(settings.clone()),
            Event::CriterionChecked {
                item_id,
                criterion,
                checked,
            } => item(room, *item_id).set_checked(*criterion, *checked),
            Event::ReadyOverridden {
                item_id,
                ready_override,
            } => item(room, *item_id).ready_override = *ready_override,
            Event::RemarkAdded { item_id, remark } | Event::RemarkChanged { item_id, remark } => {
                item(room, *item_id).put_remark(remark);
            }
            Event::RemarkRemoved { item_id, remark_id } => {
                item(room, *item_id).remarks.retain(|r| r.id != *remark_id);
            }
            Event::TimerChanged { timer } => room.timer = *timer,
            Event::SessionChanged { session } => room.session = *session,
            Event::RoundStarted { round } => room.round = Some((**round).clone()),
            Event::VoteCast {
                round_id,
                participant_id,
                card,
                confidence,
            } => {
                assert_eq!(*card, None, "seed {seed}: the watcher saw someone's card");
                assert_eq!(
                    *confidence, None,
                    "seed {seed}: the watcher saw someone's confidence"
                );
                let round = round_mut(room, *round_id);
                if !round.voted.contains(participant_id) {
                    round.voted.push(*participant_id);
                    round.voted.sort();
                }
            }
            Event::VoteRetracted {
                round_id,
                participant_id,
            } => {
                round_mut(room, *round_id)
                    .voted
                    .retain(|p| p != participant_id);
            }
            Event::RoundRevealed {
                item_id, record, ..
            } => {
                let round = room.round.as_mut().unwrap();
                assert_eq!(round.id, record.round_id);
                round.phase = RoundPhase::Revealed;
                round.revealed = Some((**record).clone());
                let history = &mut item(room, *item_id).history;
                if history.len() == MAX_ROUNDS_IN_HISTORY {
                    history.remove(0);
                }
                history.push((**record).clone());
            }
            Event::RoundCancelled { round_id } => {
                assert_eq!(room.round.take().map(|r| r.id), Some(*round_id));
            }
            Event::EstimateAccepted {
                round_id,
                item_id,
                estimate,
                dimension,
            } => {
                if room.round.as_ref().is_some_and(|r| r.id == *round_id) {
                    room.round = None;
                } else {
                    let review = room.prevote_review.as_ref().unwrap();
                    assert!(
                        review
                            .results
                            .iter()
                            .any(|r| r.record.round_id == *round_id)
                    );
                }
                item(room, *item_id).accept(*round_id, estimate, *dimension);
                room.settle_review(*item_id);
            }
            Event::PrevotesOpened { prevotes } => room.prevotes = Some(prevotes.clone()),
            Event::PrevotesCancelled => room.prevotes = None,
            Event::PrevotesRevealed { review } => {
                room.prevotes = None;
                for result in &review.results {
                    let history = &mut item(room, result.item_id).history;
                    if history.len() == MAX_ROUNDS_IN_HISTORY {
                        history.remove(0);
                    }
                    history.push(result.record.clone());
                }
                room.prevote_review = Some(review.clone());
            }
            Event::PrevoteReviewDismissed => room.prevote_review = None,
            Event::SizingOpened { board } => room.sizing = Some(board.clone()),
            Event::SizingPlaced { item_id, column } => {
                room.sizing
                    .as_mut()
                    .unwrap()
                    .place(*item_id, column.clone(), frame.actor);
            }
            Event::SizingClosed { .. } => room.sizing = None,
        }
        room.items
            .sort_by(|x, y| x.rank.as_bytes().cmp(y.rank.as_bytes()));
    }
}

/// The live round or the open pre-vote round with this id.
fn round_mut(room: &mut RoomSnapshot, id: RoundId) -> &mut RoundView {
    room.round
        .iter_mut()
        .chain(room.prevotes.iter_mut().flat_map(|p| p.rounds.iter_mut()))
        .find(|round| round.id == id)
        .unwrap()
}

fn person(room: &mut RoomSnapshot, id: ParticipantId) -> &mut readyroom_protocol::ParticipantView {
    room.participants.iter_mut().find(|p| p.id == id).unwrap()
}

fn item(room: &mut RoomSnapshot, id: ItemId) -> &mut ItemView {
    room.items.iter_mut().find(|i| i.id == id).unwrap()
}

/// A Definition of Ready to propose: mostly valid, sometimes not (too many, an unknown id, an
/// automatic check twice, a blank text).
fn random_definition(rng: &mut StdRng) -> Vec<readyroom_protocol::ReadyCriterionDraft> {
    let autos = [
        None,
        Some(readyroom_protocol::AutoCheck::Estimated),
        Some(readyroom_protocol::AutoCheck::AcceptanceCriteria),
        Some(readyroom_protocol::AutoCheck::DependenciesReady),
        Some(readyroom_protocol::AutoCheck::QuestionsAnswered),
    ];
    (0..rng.random_range(0..=readyroom_protocol::limits::MAX_READY_CRITERIA + 1))
        .map(|_| readyroom_protocol::ReadyCriterionDraft {
            id: rng.random_bool(0.5).then(|| rng.random_range(1..10)),
            text: text(rng),
            auto: *autos.choose(rng).unwrap(),
        })
        .collect()
}

fn apply_change(item: &mut ItemView, change: &ItemChange) {
    change.apply_to(item);
}

#[derive(Debug)]
struct Person {
    id: ParticipantId,
    connections: u32,
    removed: bool,
    /// The reply to each of this participant's commands, by command id - 1.
    replies: Vec<Reply>,
}

/// One randomized session: the room, the people in it and a watcher's mirror.
struct Fuzz {
    fx: Fx,
    rng: StdRng,
    people: Vec<Person>,
    mirror: Mirror,
    /// Every item and round id ever seen, to send stale ones.
    items_seen: Vec<ItemId>,
    rounds_seen: Vec<RoundId>,
    /// How far the log has been delivered to the mirror.
    delivered: usize,
    /// Someone rejoined in this step.
    rejoined: bool,
    /// The round has every online voter's vote since a rejoin, with no check since.
    unchecked_round: bool,
}

fn text(rng: &mut StdRng) -> String {
    match rng.random_range(0..12) {
        0 => String::new(),
        1 => "   ".into(),
        2 => "x".repeat(rng.random_range(250..350)),
        3 => "y".repeat(rng.random_range(19_990..20_010)),
        4 => "bell\u{7}".into(),
        5 => "two\nlines".into(),
        6 => "é".repeat(rng.random_range(55..65)),
        7 => " padded ".into(),
        _ => format!("text {}", rng.random_range(0..50)),
    }
}

fn card(rng: &mut StdRng, room: &RoomSnapshot) -> String {
    match (rng.random_range(0..10), &room.round) {
        (0, _) => "4".into(),
        (1, _) => "5".repeat(10_000),
        (2, _) => String::new(),
        (_, Some(round)) => round.deck.cards.choose(rng).cloned().unwrap_or_default(),
        (_, None) => "5".into(),
    }
}

fn confidence(rng: &mut StdRng) -> Option<Confidence> {
    [
        None,
        Some(Confidence::Low),
        Some(Confidence::Medium),
        Some(Confidence::High),
    ]
    .choose(rng)
    .copied()
    .flatten()
}

/// Mostly none; otherwise a timebox of any length, some out of bounds.
fn rng_timebox(rng: &mut StdRng) -> Option<u32> {
    rng.random_bool(0.3)
        .then(|| rng.random_range(0..=MAX_TIMER_SECONDS + 10))
}

fn deck_choice(rng: &mut StdRng) -> Option<DeckChoice> {
    let kinds = [
        DeckKind::Fibonacci,
        DeckKind::ModifiedFibonacci,
        DeckKind::TShirt,
        DeckKind::PowersOfTwo,
    ];
    match rng.random_range(0..8) {
        0 => Some(DeckChoice {
            kind: *kinds.choose(rng).unwrap(),
            cards: Vec::new(),
            unsure: rng.random(),
            coffee: rng.random(),
        }),
        1 => Some(custom_deck(&["1", "2", "3"])),
        2 => Some(custom_deck(&["1", "1"])),
        3 => Some(custom_deck(&[])),
        _ => None,
    }
}

impl Fuzz {
    fn new(seed: u64) -> Self {
        let mut fx = Fx::build(
            RoomSettings {
                auto_reveal: seed % 2 == 0,
                ..settings()
            },
            seed,
        );
        let f = fx.join_facilitator("Fran", Role::Voter);
        let watcher = fx.join("Watcher", Role::Observer);
        let mut people = vec![Person {
            id: f,
            connections: 1,
            removed: false,
            replies: Vec::new(),
        }];
        for (i, role) in [Role::Voter, Role::Voter, Role::Voter, Role::Observer]
            .into_iter()
            .enumerate()
        {
            let id = fx.join(&format!("P{i}"), role);
            people.push(Person {
                id,
                connections: 1,
                removed: false,
                replies: Vec::new(),
            });
        }
        let mirror = Mirror {
            viewer: watcher,
            room: fx.snap(watcher),
        };
        let delivered = fx.log.len();
        Self {
            fx,
            rng: StdRng::seed_from_u64(seed ^ 0x5eed),
            people,
            mirror,
            items_seen: Vec::new(),
            rounds_seen: Vec::new(),
            delivered,
            rejoined: false,
            unchecked_round: false,
        }
    }

    fn seed(&self) -> u64 {
        self.fx.seed
    }

    fn pick_item(&mut self) -> ItemId {
        let live = &self.mirror.room.items;
        match self.rng.random_range(0..10) {
            0 => random_item_id(self.rng.random()),
            1 if !self.items_seen.is_empty() => *self.items_seen.choose(&mut self.rng).unwrap(),
            _ if !live.is_empty() => live.choose(&mut self.rng).unwrap().id,
            _ => random_item_id(0),
        }
    }

    fn maybe_item(&mut self) -> Option<ItemId> {
        self.rng.random_bool(0.7).then(|| self.pick_item())
    }

    fn pick_round(&mut self) -> RoundId {
        match (self.rng.random_range(0..10), &self.mirror.room.round) {
            (0, _) => random_round_id(self.rng.random()),
            (1, _) if !self.rounds_seen.is_empty() => {
                *self.rounds_seen.choose(&mut self.rng).unwrap()
            }
            (_, Some(round)) => round.id,
            (_, None) => random_round_id(0),
        }
    }

    fn pick_person(&mut self) -> ParticipantId {
        if self.rng.random_range(0..10) == 0 {
            return ParticipantId::from_random_bytes(self.rng.random());
        }
        self.people.choose(&mut self.rng).unwrap().id
    }

    fn random_command(&mut self) -> Command {
        let rng = &mut self.rng;
        match rng.random_range(0..38) {
            0..=2 => Command::CreateItem(NewItem {
                title: text(rng),
                description: if rng.random_bool(0.2) {
                    text(rng)
                } else {
                    String::new()
                },
                acceptance_criteria: String::new(),
                labels: if rng.random_bool(0.2) {
                    vec![text(rng)]
                } else {
                    Vec::new()
                },
                after: self.maybe_item(),
            }),
            3..=5 => {
                let item_id = self.pick_item();
                let rng = &mut self.rng;
                let change = match rng.random_range(0..10) {
                    9 => {
                        let mut value = || rng.random_bool(0.6).then(|| rng.random_range(0..=102));
                        ItemChange::Wsjf(readyroom_protocol::Wsjf {
                            business_value: value(),
                            time_criticality: value(),
                            risk_reduction: value(),
                            job_size: value(),
                        })
                    }
                    0 => ItemChange::Title(text(rng)),
                    1 => ItemChange::Description(text(rng)),
                    2 => ItemChange::AcceptanceCriteria(text(rng)),
                    3 => ItemChange::Labels(
                        (0..rng.random_range(0..25)).map(|_| text(rng)).collect(),
                    ),
                    4 => ItemChange::Links(vec![link(
                        [
                            "https://example.com/x",
                            "javascript:x",
                            "http://",
                            "https://a b",
                        ]
                        .choose(rng)
                        .unwrap(),
                    )]),
                    5 => ItemChange::Estimate(rng.random_bool(0.7).then(|| text(rng))),
                    6 => ItemChange::Status(
                        *[
                            ItemStatus::New,
                            ItemStatus::NeedsInfo,
                            ItemStatus::NeedsSplitting,
                            ItemStatus::Ready,
                        ]
                        .choose(rng)
                        .unwrap(),
                    ),
                    _ => {
                        let count = self.rng.random_range(0..4);
                        ItemChange::Dependencies((0..count).map(|_| self.pick_item()).collect())
                    }
                };
                update(item_id, change)
            }
            6 => {
                let trashed = self
                    .mirror
                    .room
                    .trash
                    .choose(&mut self.rng)
                    .map(|t| t.item_id);
                match trashed {
                    Some(item_id) if self.rng.random_bool(0.4) => Command::RestoreItem { item_id },
                    _ => Command::DeleteItem {
                        item_id: self.pick_item(),
                    },
                }
            }
            7..=9 => Command::MoveItem {
                item_id: self.pick_item(),
                after: self.maybe_item(),
                before: self.maybe_item(),
            },
            // Crowding the top and the second place mints ranks with zero bytes.
            10..=12 => {
                let item_id = self.pick_item();
                let first = self.mirror.room.items.first().map(|i| i.id);
                let after = first.filter(|_| self.rng.random_bool(0.5));
                Command::MoveItem {
                    item_id,
                    after,
                    before: None,
                }
            }
            13 => {
                let editing = self.rng.random_bool(0.7).then(|| Editing {
                    item_id: self.pick_item(),
                    field: ItemField::Description,
                });
                Command::SetEditing { editing }
            }
            14 => Command::Rename { name: text(rng) },
            15 => Command::SetRole {
                role: if rng.random_bool(0.7) {
                    Role::Voter
                } else {
                    Role::Observer
                },
            },
            16 => Command::StartRound {
                item_id: self.pick_item(),
                deck: deck_choice(&mut self.rng),
                dimension: self
                    .rng
                    .random_bool(0.3)
                    .then_some(WsjfDimension::BusinessValue),
                timebox_seconds: rng_timebox(&mut self.rng),
            },
            17..=19 => Command::Vote {
                round_id: self.pick_round(),
                card: card(&mut self.rng, &self.mirror.room),
                confidence: confidence(&mut self.rng),
            },
            35 => self.prevote_command(),
            36 => {
                let prevote = self
                    .mirror
                    .room
                    .prevotes
                    .as_ref()
                    .and_then(|p| p.rounds.choose(&mut self.rng))
                    .map(|r| (r.id, r.deck.cards.clone()));
                match prevote {
                    Some((round_id, cards)) if self.rng.random_bool(0.85) => Command::Vote {
                        round_id,
                        card: cards.choose(&mut self.rng).cloned().unwrap_or_default(),
                        confidence: confidence(&mut self.rng),
                    },
                    Some((round_id, _)) => Command::RetractVote { round_id },
                    None => Command::Ping,
                }
            }
            37 => self.sizing_command(),
            20 => Command::RetractVote {
                round_id: self.pick_round(),
            },
            21 => Command::Reveal {
                round_id: self.pick_round(),
            },
            22 => Command::Revote {
                round_id: self.pick_round(),
            },
            23 => {
                let round_id = self.pick_round();
                Command::AcceptEstimate {
                    round_id,
                    estimate: text(&mut self.rng),
                }
            }
            24 => Command::CancelRound {
                round_id: self.pick_round(),
            },
            25 => Command::SetCurrentItem {
                item_id: self.maybe_item(),
            },
            26 => Command::UpdateSettings(SettingsChange {
                name: rng.random_bool(0.3).then(|| text(rng)),
                default_deck: deck_choice(rng),
                auto_reveal: rng.random_bool(0.3).then(|| rng.random()),
                anonymous_reveal: rng.random_bool(0.2).then(|| rng.random()),
                suggest_split_at: rng.random_bool(0.2).then(|| {
                    rng.random_range(0..=readyroom_protocol::limits::MAX_SPLIT_SUGGESTION + 5)
                }),
                definition_of_ready: rng.random_bool(0.2).then(|| random_definition(rng)),
                timebox: rng.random_bool(0.2).then(|| RefinementTimebox {
                    sprint_days: rng
                        .random_range(0..=readyroom_protocol::limits::MAX_SPRINT_DAYS + 1),
                    share_percent: rng.random_range(0..=30),
                    sessions_per_sprint: rng.random_range(0..=25),
                }),
                consensus_percent: rng.random_bool(0.1).then(|| rng.random_range(40..=105)),
            }),
            27 => {
                if rng.random_bool(0.5) {
                    Command::StartTimer {
                        seconds: rng.random_range(0..=MAX_TIMER_SECONDS + 10),
                    }
                } else if rng.random_bool(0.5) {
                    Command::StopTimer
                } else if rng.random_bool(0.7) {
                    Command::StartSession
                } else {
                    Command::EndSession
                }
            }
            28 => match rng.random_range(0..3) {
                0 => Command::HandOverFacilitator {
                    participant_id: self.pick_person(),
                },
                1 => Command::ClaimFacilitator {
                    facilitator_token: if rng.random_bool(0.5) {
                        self.fx.facilitator_token.clone()
                    } else {
                        "guess".into()
                    },
                },
                _ => Command::RemoveParticipant {
                    participant_id: self.pick_person(),
                },
            },
            32 => {
                let item_id = self.pick_item();
                let remark_id = self.rng.random_range(0..6);
                match self.rng.random_range(0..4) {
                    0 => Command::AddRemark {
                        item_id,
                        kind: if self.rng.random_bool(0.5) {
                            readyroom_protocol::RemarkKind::Question
                        } else {
                            readyroom_protocol::RemarkKind::Decision
                        },
                        text: text(&mut self.rng),
                        owner: self.rng.random_bool(0.5).then(|| self.pick_person()),
                    },
                    1 => Command::EditRemark {
                        item_id,
                        remark_id,
                        text: text(&mut self.rng),
                        owner: None,
                    },
                    2 => Command::AnswerQuestion {
                        item_id,
                        remark_id,
                        answer: self.rng.random_bool(0.7).then(|| text(&mut self.rng)),
                    },
                    _ => Command::RemoveRemark { item_id, remark_id },
                }
            }
            30 => Command::CheckCriterion {
                item_id: self.pick_item(),
                criterion: self.rng.random_range(0..10),
                checked: self.rng.random_bool(0.7),
            },
            31 => Command::OverrideReady {
                item_id: self.pick_item(),
                ready: self.rng.random_bool(0.6),
            },
            29 => {
                let item_id = self.pick_item();
                let rng = &mut self.rng;
                let count = rng.random_range(0..=readyroom_protocol::limits::MAX_SPLIT_PARTS + 1);
                let parts = (0..count)
                    .map(|_| readyroom_protocol::SplitPart {
                        title: text(rng),
                        description: if rng.random_bool(0.3) {
                            text(rng)
                        } else {
                            String::new()
                        },
                        acceptance_criteria: String::new(),
                    })
                    .collect();
                Command::SplitItem { item_id, parts }
            }
            _ => Command::Ping,
        }
    }

    fn some_items(&mut self) -> Vec<ItemId> {
        let count = self.rng.random_range(0..4);
        (0..count).map(|_| self.pick_item()).collect()
    }

    fn prevote_command(&mut self) -> Command {
        match self.rng.random_range(0..6) {
            0 | 1 => Command::OpenPrevotes {
                item_ids: self.some_items(),
                deck: deck_choice(&mut self.rng),
                closes_at: (self.fx.now + self.rng.random_range(0..200_000)).saturating_sub(10_000),
            },
            2 => Command::RevealPrevotes,
            3 => Command::CancelPrevotes,
            4 => {
                let reviewed: Vec<ItemId> = self
                    .mirror
                    .room
                    .prevote_review
                    .iter()
                    .flat_map(|r| r.results.iter())
                    .filter(|r| r.consensus || self.rng.random_bool(0.1))
                    .map(|r| r.item_id)
                    .collect();
                Command::AcceptPrevotes { item_ids: reviewed }
            }
            _ => Command::DismissPrevoteReview,
        }
    }

    fn sizing_command(&mut self) -> Command {
        let board = self.mirror.room.sizing.clone();
        match (self.rng.random_range(0..8), board) {
            (0, _) => Command::OpenSizingBoard {
                item_ids: self.some_items(),
                deck: deck_choice(&mut self.rng),
            },
            (1, _) => Command::AcceptSizing,
            (2, _) => Command::CloseSizingBoard,
            (_, Some(board)) => Command::PlaceOnBoard {
                item_id: board
                    .placements
                    .choose(&mut self.rng)
                    .map_or_else(|| self.pick_item(), |p| p.item_id),
                column: if self.rng.random_bool(0.9) {
                    board.deck.cards.choose(&mut self.rng).cloned()
                } else {
                    None
                },
            },
            (_, None) => Command::PlaceOnBoard {
                item_id: self.pick_item(),
                column: Some("5".into()),
            },
        }
    }

    fn online(&self) -> Vec<usize> {
        (0..self.people.len())
            .filter(|i| self.people[*i].connections > 0)
            .collect()
    }

    /// An online person acts; the facilitator more often than the rest.
    fn act(&mut self) {
        let online = self.online();
        let facilitator = self.mirror.room.facilitator;
        let voters: Vec<usize> = online
            .iter()
            .copied()
            .filter(|i| {
                let id = self.people[*i].id;
                self.mirror
                    .room
                    .participants
                    .iter()
                    .any(|p| p.id == id && p.role == Role::Voter)
            })
            .collect();
        let round = self.mirror.room.round.clone();
        // Now and then a voter plays a card of the current round, or the facilitator moves the
        // round on, so that rounds complete.
        let (at, command) = match round.filter(|_| self.rng.random_bool(0.3)) {
            Some(round) if !voters.is_empty() && self.rng.random_bool(0.7) => {
                let at = *voters.choose(&mut self.rng).unwrap();
                let card = round.deck.cards.choose(&mut self.rng).unwrap().clone();
                (
                    at,
                    Command::Vote {
                        round_id: round.id,
                        card,
                        confidence: None,
                    },
                )
            }
            Some(round) => {
                let Some(at) = online
                    .iter()
                    .copied()
                    .find(|i| Some(self.people[*i].id) == facilitator)
                else {
                    return;
                };
                let round_id = round.id;
                let command = match self.rng.random_range(0..4) {
                    0 => Command::Reveal { round_id },
                    1 => Command::Revote { round_id },
                    2 => Command::AcceptEstimate {
                        round_id,
                        estimate: "8".into(),
                    },
                    _ => Command::StartRound {
                        item_id: self.pick_item(),
                        deck: None,
                        dimension: None,
                        timebox_seconds: None,
                    },
                };
                (at, command)
            }
            _ => {
                let at = online
                    .iter()
                    .copied()
                    .find(|i| Some(self.people[*i].id) == facilitator && self.rng.random_bool(0.4))
                    .or_else(|| online.choose(&mut self.rng).copied());
                let Some(at) = at else {
                    return;
                };
                (at, self.random_command())
            }
        };
        self.command(at, command);
    }

    /// `people[at]` sends a command under its next id; the reply is kept for resends.
    fn command(&mut self, at: usize, command: Command) {
        let id = self.people[at].id;
        let outcome = self.fx.cmd(id, command);
        assert!(!outcome.duplicate, "seed {}", self.seed());
        self.people[at].replies.push(outcome.reply);
        let cmd = self.fx.last_cmd[&id];
        assert_eq!(usize::try_from(cmd).unwrap(), self.people[at].replies.len());
        self.deliver();
    }

    /// A hostile client hammers the top of the backlog, which runs ranks down to zero bytes,
    /// then squeezes items in just below the top.
    fn burst(&mut self) {
        let editors: Vec<usize> = self
            .online()
            .into_iter()
            .filter(|i| {
                let id = self.people[*i].id;
                let room = &self.mirror.room;
                room.facilitator == Some(id)
                    || room
                        .participants
                        .iter()
                        .any(|p| p.id == id && p.role == Role::Voter)
            })
            .collect();
        let Some(at) = editors.choose(&mut self.rng).copied() else {
            return;
        };
        for n in 0..140 {
            let items = &self.mirror.room.items;
            if items.len() < 3 {
                return;
            }
            let item_id = items.choose(&mut self.rng).unwrap().id;
            let after = (n >= 130).then(|| items[0].id);
            self.command(
                at,
                Command::MoveItem {
                    item_id,
                    after,
                    before: None,
                },
            );
        }
    }

    /// Someone resends one of its earlier command ids.
    fn resend(&mut self) {
        let Some(at) = self.online().choose(&mut self.rng).copied() else {
            return;
        };
        let person = &self.people[at];
        if person.replies.is_empty() {
            return;
        }
        let last = person.replies.len();
        let cmd = self.rng.random_range(1..=last);
        let expected = person.replies[cmd - 1].clone();
        let id = person.id;
        let outcome = self
            .fx
            .send(id, CommandId::try_from(cmd).unwrap(), Command::Ping);
        let seed = self.seed();
        assert!(outcome.duplicate, "seed {seed}");
        if last - cmd < REMEMBERED_REPLIES {
            assert_eq!(
                outcome.reply, expected,
                "seed {seed}: resend of {cmd} (last {last})"
            );
        } else {
            assert_eq!(
                error_code(&outcome),
                Some(ErrorCode::StaleCommand),
                "seed {seed}"
            );
        }
    }

    /// A new participant joins (or fails to), or a known one reconnects with its token.
    fn join(&mut self, rejoin: bool) {
        let seed = self.seed();
        let role = if self.rng.random_bool(0.6) {
            Role::Voter
        } else {
            Role::Observer
        };
        let mut request = request(&text(&mut self.rng), role);
        if rejoin {
            let at = self.rng.random_range(0..self.people.len());
            request.participant_token = Some(self.fx.tokens[&self.people[at].id].clone());
        } else {
            match self.rng.random_range(0..10) {
                0 => request.protocol = 99,
                1 => request.facilitator_token = Some("wrong".into()),
                2 => request.facilitator_token = Some(self.fx.facilitator_token.clone()),
                _ => {}
            }
        }
        let result = self.fx.try_join(&request);
        if let Some(token) = &request.participant_token {
            let at = self
                .people
                .iter()
                .position(|p| self.fx.tokens[&p.id] == *token)
                .unwrap();
            let person = &mut self.people[at];
            if person.removed || request.protocol != PROTOCOL_VERSION {
                assert!(
                    result.is_err(),
                    "seed {seed}: a removed participant came back"
                );
                return;
            }
            if person.connections >= readyroom_protocol::limits::MAX_CONNECTIONS_PER_PARTICIPANT {
                let error = result.unwrap_err();
                assert_eq!(error.code, ErrorCode::TooManyConnections, "seed {seed}");
                return;
            }
            let joined = result.unwrap();
            assert_eq!(joined.participant_id, person.id, "seed {seed}");
            assert_eq!(
                usize::try_from(joined.last_cmd).unwrap(),
                person.replies.len(),
                "seed {seed}"
            );
            person.connections += 1;
            self.rejoined = true;
        } else if let Ok(joined) = result {
            assert!(
                request.protocol == PROTOCOL_VERSION
                    && request.facilitator_token.as_deref() != Some("wrong")
            );
            self.people.push(Person {
                id: joined.participant_id,
                connections: 1,
                removed: false,
                replies: Vec::new(),
            });
        }
    }

    fn disconnect(&mut self) {
        if let Some(at) = self.online().choose(&mut self.rng).copied() {
            self.people[at].connections -= 1;
            let id = self.people[at].id;
            self.fx.disconnect(id);
        }
    }

    /// Delivers the new events to the watcher, and plays the shell's part when someone is removed.
    fn deliver(&mut self) {
        let seed = self.seed();
        while self.delivered < self.fx.log.len() {
            let frame = self.fx.log[self.delivered].clone();
            self.delivered += 1;
            let seen = super::secrecy::view_for(&frame, self.mirror.viewer).into_owned();
            self.mirror.apply(&seen, seed);
            match &frame.event {
                Event::ItemCreated { item } => self.items_seen.push(item.id),
                Event::RoundStarted { round } => self.rounds_seen.push(round.id),
                Event::ParticipantRemoved { participant_id } => {
                    let person = self
                        .people
                        .iter_mut()
                        .find(|p| p.id == *participant_id)
                        .unwrap();
                    person.removed = true;
                    let connections = std::mem::take(&mut person.connections);
                    for _ in 0..connections {
                        assert!(
                            self.fx.disconnect(*participant_id).is_empty(),
                            "seed {seed}"
                        );
                    }
                }
                _ => {}
            }
        }
    }

    fn check(&mut self, step: usize, full: bool) {
        let seed = self.seed();
        let server = self.fx.snap(self.mirror.viewer);
        let mirrored: Vec<ItemId> = self.mirror.room.items.iter().map(|i| i.id).collect();
        let shown: Vec<ItemId> = server.items.iter().map(|i| i.id).collect();
        assert_eq!(
            mirrored, shown,
            "seed {seed} step {step}: the watcher's order differs"
        );
        assert_ranks_sort_the_backlog(&server, &format!("seed {seed} step {step}"));
        if full {
            assert_eq!(
                self.mirror.room, server,
                "seed {seed} step {step}: the watcher's room differs"
            );
        }
        // Auto-reveal never leaves a round waiting for votes it already has.
        if let Some(round) = server
            .round
            .as_ref()
            .filter(|r| r.phase == RoundPhase::Voting)
        {
            let mut online_voters = server
                .participants
                .iter()
                .filter(|p| p.online && p.role == Role::Voter)
                .peekable();
            let waiting = server.settings.auto_reveal
                && online_voters.peek().is_some()
                && online_voters.all(|p| round.voted.contains(&p.id));
            // A rejoin may complete a round without revealing it (it is not a moment the rule is
            // checked); the round then waits until the next check.
            let excused = waiting && (self.unchecked_round || self.rejoined);
            assert!(
                !waiting || excused,
                "seed {seed} step {step}: auto-reveal did not fire"
            );
            self.unchecked_round = excused;
        } else {
            self.unchecked_round = false;
        }
        // Anyone's view of a round holds its own card and nobody else's.
        if let Some(person) = self.people.choose(&mut self.rng) {
            if let Some(round) = self.fx.snap(person.id).round {
                assert_eq!(
                    round.my_card.is_some(),
                    round.voted.contains(&person.id),
                    "seed {seed}"
                );
                if round.phase == RoundPhase::Voting {
                    assert_eq!(round.revealed, None, "seed {seed}");
                }
            }
        }
    }

    fn step(&mut self, step: usize) {
        self.rejoined = false;
        self.fx.now += self.rng.random_range(0..3_000);
        match self.rng.random_range(0..100) {
            0..=3 => self.join(self.people.len() >= 10),
            4..=10 => self.join(true),
            11..=17 => self.disconnect(),
            18..=21 => self.resend(),
            22 => {
                let stranger = ParticipantId::from_random_bytes(self.rng.random());
                let outcome = self.fx.send(stranger, 1, Command::Ping);
                assert_eq!(error_code(&outcome), Some(ErrorCode::UnknownParticipant));
            }
            23 => self.burst(),
            _ => self.act(),
        }
        self.deliver();
        self.check(step, step % 50 == 0);
    }
}

#[test]
fn randomized_sessions_keep_every_invariant() {
    let mut totals: HashMap<String, usize> = HashMap::new();
    let mut auto_reveals = 0;
    for seed in 0..8 {
        let mut fuzz = Fuzz::new(seed);
        for step in 0..3_000 {
            fuzz.step(step);
        }
        fuzz.check(3_000, true);
        check_public_copies(&fuzz.fx.log);
        for frame in &fuzz.fx.log {
            *totals.entry(kind(&frame.event)).or_default() += 1;
        }
        let auto = fuzz
            .fx
            .log
            .iter()
            .filter(|f| matches!(f.event, Event::RoundRevealed { auto: true, .. }))
            .count();
        auto_reveals += auto;
    }
    assert!(auto_reveals > 0, "no auto-reveal in any session");
    let mut listed: Vec<(&String, &usize)> = totals.iter().collect();
    listed.sort();
    println!("events over all seeds: {listed:?}");
    // The session must have reached every corner of the protocol.
    for kind in [
        "participant_joined",
        "participant_online",
        "participant_renamed",
        "role_changed",
        "participant_removed",
        "editing_changed",
        "facilitator_changed",
        "item_created",
        "item_updated",
        "item_deleted",
        "item_moved",
        "current_item_changed",
        "settings_changed",
        "timer_changed",
        "round_started",
        "vote_cast",
        "vote_retracted",
        "round_revealed",
        "round_cancelled",
        "estimate_accepted",
    ] {
        assert!(
            totals.get(kind).copied().unwrap_or(0) > 0,
            "no {kind} in any session"
        );
    }
}

#[test]
fn a_room_survives_serialisation_whole() {
    let (mut fx, [f, a, b, _o]) = team();
    let x = fx.add_item(a, "X");
    let y = fx.add_item(b, "Y");
    fx.ok(
        a,
        Command::MoveItem {
            item_id: y,
            after: None,
            before: Some(x),
        },
    );
    let round = fx.start_round(f, x);
    fx.vote(a, round, "3");
    let text = serde_json::to_string(&fx.room).unwrap();
    let restored: Room = serde_json::from_str(&text).unwrap();
    restored.check_invariants().unwrap();
    for viewer in [f, a, b] {
        assert_eq!(restored.snapshot_for(viewer), fx.room.snapshot_for(viewer));
    }
    assert_eq!(restored.seq(), fx.room.seq());
    assert!(
        serde_json::from_str::<Room>(&text.replace("\"rank\":\"", "\"rank\":\"zz")).is_err(),
        "a corrupt rank is refused"
    );
}

#[test]
fn after_a_restart_everyone_is_offline() {
    let (mut fx, [f, a, _b, _o]) = team();
    let x = fx.add_item(a, "X");
    fx.ok(
        a,
        Command::SetEditing {
            editing: Some(Editing {
                item_id: x,
                field: ItemField::Title,
            }),
        },
    );
    let before = fx.room.seq();
    let events = fx.room.reset_presence(NOW);
    fx.room.check_invariants().unwrap();
    assert!(
        fx.snap(f)
            .participants
            .iter()
            .all(|p| !p.online && p.editing.is_none())
    );
    assert_eq!(events.last().map(|e| e.seq), Some(fx.room.seq()));
    assert!(fx.room.seq() > before);
    assert!(fx.room.reset_presence(NOW).is_empty());
}
