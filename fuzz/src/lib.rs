//! What the fuzz targets run, one function per target, shared with the test that replays the
//! corpus (`tests/corpus.rs`), so every input AFL++ ever kept is checked on every test run.

use rand::SeedableRng;
use rand::rngs::StdRng;
use readyroom_protocol::{
    ClientMessage, DeckChoice, JoinRequest, PROTOCOL_VERSION, ParticipantId, Role, RoomId,
    RoomSettings,
};
use readyroom_server::room::{Ctx, Room};

/// A client frame, as the server reads one: it is parsed or refused with a code, never a panic.
pub fn frames(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = readyroom_server::wire::parse_client(text);
        let _ = readyroom_server::wire::probe_cmd(text);
    }
}

/// Replaces `@item0`…`@item9` (by backlog position), `@trash0`…`@trash9` (oldest first), `@round`
/// and `@p0`…`@p2` by the room's
/// real ids, which no mutation could guess.
fn name_ids(text: &str, room: &Room, people: &[(ParticipantId, String)]) -> String {
    if !text.contains('@') {
        return text.to_owned();
    }
    let Some((viewer, _)) = people.first() else {
        return text.to_owned();
    };
    let snapshot = room.snapshot_for(*viewer);
    let mut named = text.to_owned();
    for (at, item) in snapshot.items.iter().enumerate().take(10) {
        named = named.replace(&format!("@item{at}"), &item.id.to_string());
    }
    for (at, trashed) in snapshot.trash.iter().enumerate().take(10) {
        named = named.replace(&format!("@trash{at}"), &trashed.item_id.to_string());
    }
    if let Some(round) = &snapshot.round {
        named = named.replace("@round", &round.id.to_string());
    }
    for (at, round) in snapshot
        .prevotes
        .iter()
        .flat_map(|prevotes| prevotes.rounds.iter())
        .enumerate()
        .take(10)
    {
        named = named.replace(&format!("@prevote{at}"), &round.id.to_string());
    }
    for (at, (id, _)) in people.iter().enumerate() {
        named = named.replace(&format!("@p{at}"), &id.to_string());
    }
    named
}

/// A tracker's CSV file: read or refused with `invalid_csv`, never a panic; what is read is
/// imported into a room twice (the second time updating by key), and the room's invariants hold.
///
/// # Panics
/// When an invariant breaks: that is the finding.
pub fn csv(data: &[u8]) {
    let Ok(parsed) = readyroom_server::tracker::csv_import::parse(data, None, &[]) else {
        return;
    };
    let mut rng = StdRng::seed_from_u64(7);
    let ctx = &mut Ctx {
        now: 1_767_268_800_000,
        rng: &mut rng,
    };
    let (mut room, _) = Room::create(RoomId::from_random_bytes([1; 16]), fuzz_settings(), ctx);
    let batch = readyroom_server::tracker::ImportBatch {
        tracker: parsed.tracker,
        tracker_url: Some("https://tracker.example".into()),
        items: parsed.items,
    };
    for _ in 0..2 {
        let _ = room.import_items(ctx, &batch);
        if let Err(broken) = room.check_invariants() {
            panic!("invariant broken after an import: {broken}");
        }
    }
}

fn fuzz_settings() -> RoomSettings {
    RoomSettings {
        name: "Fuzz".into(),
        default_deck: DeckChoice::default(),
        auto_reveal: false,
        anonymous_reveal: false,
        suggest_split_at: readyroom_protocol::DEFAULT_SPLIT_SUGGESTION,
        definition_of_ready: readyroom_protocol::default_definition_of_ready(),
        timebox: readyroom_protocol::RefinementTimebox::default(),
        consensus_percent: readyroom_protocol::DEFAULT_CONSENSUS_PERCENT,
    }
}

/// A room driven by three people (facilitator, voter, observer) through a script: one line per
/// step, whose first byte picks who acts and how (leave, come back, or send the rest of the
/// line as a client message, with ids written as in [`name_ids`]). The core's invariants must hold after every step.
///
/// # Panics
/// When an invariant breaks: that is the finding.
pub fn room(data: &[u8]) {
    let mut rng = StdRng::seed_from_u64(7);
    let mut now = 1_767_268_800_000_u64;
    let (mut room, facilitator_token) = Room::create(
        RoomId::from_random_bytes([1; 16]),
        fuzz_settings(),
        &mut Ctx { now, rng: &mut rng },
    );
    let mut people: Vec<(ParticipantId, String)> = Vec::new();
    for (name, role, leads) in [
        ("Fran", Role::Voter, true),
        ("Vic", Role::Voter, false),
        ("Olga", Role::Observer, false),
    ] {
        let request = JoinRequest {
            protocol: PROTOCOL_VERSION,
            name: name.into(),
            role,
            facilitator_token: leads.then(|| facilitator_token.clone()),
            participant_token: None,
            resume: None,
        };
        let Ok(joined) = room.join(&mut Ctx { now, rng: &mut rng }, &request, None) else {
            panic!("a first join was refused");
        };
        people.push((joined.participant_id, joined.token_digest));
    }
    // Every step's events also go through the webhooks' filter, which must never panic and
    // must call only for what a webhook subscribed to.
    let subscribed = [
        readyroom_protocol::WebhookEvent::EstimateAccepted,
        readyroom_protocol::WebhookEvent::ItemReady,
        readyroom_protocol::WebhookEvent::SessionEnded,
    ];
    let (added, _) = room.apply_api(
        &mut Ctx { now, rng: &mut rng },
        &readyroom_server::room::api::ApiChange::CreateWebhook {
            url: "https://hooks.example.com/fuzz".into(),
            events: subscribed.to_vec(),
            secret: readyroom_server::room::webhooks::SigningSecret::new("whsec_fuzz".into()),
        },
    );
    assert!(added.is_ok(), "a first webhook was refused");
    for line in data.split(|byte| *byte == b'\n') {
        let Some((&op, rest)) = line.split_first() else {
            continue;
        };
        let Some((who, token)) = people.get(usize::from(op % 3)) else {
            continue;
        };
        now += u64::from(op) * 250;
        let ctx = &mut Ctx { now, rng: &mut rng };
        match op / 3 % 8 {
            0 => {
                room.disconnect(now, *who);
            }
            1 => {
                let request = JoinRequest {
                    protocol: PROTOCOL_VERSION,
                    name: String::new(),
                    role: Role::Voter,
                    facilitator_token: None,
                    participant_token: Some(token.clone()),
                    resume: None,
                };
                let _ = room.join(ctx, &request, None);
            }
            _ => {
                let text = String::from_utf8_lossy(rest);
                let text = name_ids(&text, &room, &people);
                if let Ok(message) = serde_json::from_str::<ClientMessage>(&text) {
                    let outcome = room.handle(ctx, *who, message.cmd, message.command);
                    for call in room.webhook_calls(&outcome.events) {
                        assert!(
                            subscribed.contains(&call.event),
                            "{:?} was not asked for",
                            call.event
                        );
                    }
                }
            }
        }
        if let Err(broken) = room.check_invariants() {
            panic!("invariant broken: {broken}");
        }
    }
}
