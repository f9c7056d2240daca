//! Every message survives serialise → parse unchanged, and a few wire shapes are pinned exactly.

// Helpers outside `#[test]` functions are test code too: a failed unwrap is a failed test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::collections::BTreeSet;

use readyroom_protocol::{
    CardCount, Caret, ClientMessage, Command, Deck, DeckChoice, DeckKind, Editing, ErrorCode,
    Event, EventFrame, ItemChange, ItemField, ItemId, ItemRank, ItemStatus, ItemView, JoinRequest,
    Link, NewItem, Outliers, PROTOCOL_VERSION, ParticipantId, ParticipantView, Resume, Resumed,
    Role, RoomId, RoomSettings, RoomSnapshot, RoundId, RoundPhase, RoundRecord, RoundStats,
    RoundView, ServerMessage, SettingsChange, TextField, TextRevisions, Timer, VoteView, Welcome,
    json_schema,
};
use serde_json::{Value, json};

use common::{
    COMMAND_TYPES, ERROR_CODES, EVENT_TYPES, SERVER_MESSAGE_TYPES, command_type, error_code_name,
    event_type, server_message_type,
};

const T0: u64 = 1_763_940_000_000;
const EPOCH: &str = "5d7c1f0e-3b2a-4c8d-9e6f-0a1b2c3d4e5f";

fn participant(n: u8) -> ParticipantId {
    ParticipantId::from_random_bytes([n; 16])
}

fn item_id(n: u8) -> ItemId {
    ItemId::from_random_bytes([0x40 + n; 16])
}

fn round_id(n: u8) -> RoundId {
    RoundId::from_random_bytes([0x80 + n; 16])
}

fn fibonacci() -> Deck {
    let mut cards: Vec<String> = DeckKind::Fibonacci
        .preset_cards()
        .iter()
        .map(|c| (*c).to_owned())
        .collect();
    cards.extend(["?".to_owned(), "☕".to_owned()]);
    Deck {
        kind: DeckKind::Fibonacci,
        cards,
    }
}

fn record() -> RoundRecord {
    RoundRecord {
        round_id: round_id(1),
        number: 1,
        deck: fibonacci(),
        votes: vec![
            VoteView {
                participant_id: participant(1),
                card: "5".into(),
                confidence: Some(readyroom_protocol::Confidence::High),
            },
            VoteView {
                participant_id: participant(2),
                card: "8".into(),
                confidence: None,
            },
        ],
        stats: RoundStats {
            votes: 2,
            distribution: vec![
                CardCount {
                    card: "5".into(),
                    count: 1,
                },
                CardCount {
                    card: "8".into(),
                    count: 1,
                },
            ],
            average: Some(6.5),
            median: Some(6.5),
            mode: Some("8".into()),
            agreement: 0.5,
            consensus: false,
            outliers: Some(Outliers {
                low_card: "5".into(),
                low: vec![participant(1)],
                high_card: "8".into(),
                high: vec![participant(2)],
            }),
            confidence: readyroom_protocol::ConfidenceTally {
                low: 0,
                medium: 0,
                high: 1,
            },
        },
        revealed_at: T0 + 60_000,
        accepted: Some("8".into()),
        anonymous: false,
        dimension: None,
    }
}

fn item() -> ItemView {
    ItemView {
        id: item_id(1),
        rank: "80".into(),
        title: "Export the backlog as CSV".into(),
        description: "So that the PO can paste it into the roadmap.\nUTF-8, comma-separated."
            .into(),
        acceptance_criteria: "- one row per item\n- header row".into(),
        notes: "Finance wants it by the 5th.".into(),
        labels: vec!["export".into(), "reporting".into()],
        links: vec![Link {
            url: "https://tracker.example.com/browse/RR-101".into(),
            title: "RR-101".into(),
        }],
        dependencies: vec![item_id(2)],
        estimate: Some("8".into()),
        status: ItemStatus::Ready,
        history: vec![record()],
        created_at: T0,
        revisions: TextRevisions {
            title: 1,
            description: 4,
            acceptance_criteria: 0,
            notes: 2,
        },
        split_into: Vec::new(),
        split_from: None,
        wsjf: readyroom_protocol::Wsjf {
            business_value: Some(8),
            time_criticality: None,
            risk_reduction: Some(3),
            job_size: None,
        },
        checked: vec![1, 5],
        remarks: vec![readyroom_protocol::Remark {
            id: 3,
            kind: readyroom_protocol::RemarkKind::Question,
            text: "Which columns does finance need?".into(),
            owner: Some(participant(2)),
            answer: None,
            by: Some(participant(1)),
            at: T0,
        }],
        ready_override: Some(readyroom_protocol::ReadyOverride {
            by: Some(participant(1)),
            at: T0,
        }),
        external: Some(readyroom_protocol::ExternalRef {
            tracker: readyroom_protocol::Tracker::Jira,
            key: "SHOP-12".into(),
            url: Some("https://acme.atlassian.net/browse/SHOP-12".into()),
        }),
    }
}

fn settings() -> RoomSettings {
    RoomSettings {
        name: "Sprint 42 refinement".into(),
        default_deck: DeckChoice::default(),
        auto_reveal: true,
        anonymous_reveal: false,
        suggest_split_at: 13,
        definition_of_ready: readyroom_protocol::default_definition_of_ready(),
        timebox: readyroom_protocol::RefinementTimebox::default(),
        consensus_percent: readyroom_protocol::DEFAULT_CONSENSUS_PERCENT,
    }
}

fn alice() -> ParticipantView {
    ParticipantView {
        id: participant(1),
        name: "Alice".into(),
        role: Role::Voter,
        online: true,
        editing: Some(Editing {
            item_id: item_id(1),
            field: ItemField::Description,
        }),
    }
}

fn round_view(phase: RoundPhase) -> RoundView {
    RoundView {
        id: round_id(1),
        item_id: item_id(1),
        number: 1,
        deck: fibonacci(),
        phase,
        started_at: T0,
        voted: vec![participant(1), participant(2)],
        my_card: Some("5".into()),
        my_confidence: Some(readyroom_protocol::Confidence::Medium),
        revealed: (phase == RoundPhase::Revealed).then(record),
        dimension: None,
        anonymous: false,
        closes_at: None,
    }
}

fn snapshot() -> RoomSnapshot {
    RoomSnapshot {
        room_id: RoomId::from_random_bytes([7; 16]),
        seq: 42,
        settings: settings(),
        facilitator: Some(participant(1)),
        participants: vec![
            alice(),
            ParticipantView {
                id: participant(3),
                name: "Carol".into(),
                role: Role::Observer,
                online: false,
                editing: None,
            },
        ],
        items: vec![item()],
        current_item: Some(item_id(1)),
        round: Some(round_view(RoundPhase::Revealed)),
        timer: Some(Timer {
            started_at: T0,
            ends_at: T0 + 300_000,
            item_id: Some(item_id(1)),
        }),
        session: Some(readyroom_protocol::Session { started_at: T0 }),
        trash: vec![readyroom_protocol::TrashedItem {
            item_id: item_id(2),
            title: "Old idea".into(),
            deleted_at: T0,
            deleted_by: Some(participant(1)),
        }],
        prevotes: Some(prevotes()),
        prevote_review: Some(prevote_review()),
        sizing: Some(sizing_board()),
    }
}

fn prevotes() -> readyroom_protocol::Prevotes {
    let mut round = round_view(RoundPhase::Voting);
    round.closes_at = Some(T0 + 86_400_000);
    readyroom_protocol::Prevotes {
        closes_at: T0 + 86_400_000,
        rounds: vec![round],
    }
}

fn prevote_review() -> readyroom_protocol::PrevoteReview {
    readyroom_protocol::PrevoteReview {
        results: vec![readyroom_protocol::PrevoteResult {
            item_id: item_id(1),
            record: record(),
            consensus: false,
            spread: 1,
        }],
    }
}

fn sizing_board() -> readyroom_protocol::SizingBoard {
    readyroom_protocol::SizingBoard {
        deck: fibonacci(),
        placements: vec![
            readyroom_protocol::SizingPlacement {
                item_id: item_id(1),
                column: Some("5".into()),
                by: Some(participant(1)),
            },
            readyroom_protocol::SizingPlacement {
                item_id: item_id(2),
                column: None,
                by: None,
            },
        ],
    }
}

fn every_command() -> Vec<Command> {
    let custom = DeckChoice {
        kind: DeckKind::Custom,
        cards: vec!["1".into(), "2".into(), "4".into()],
        unsure: true,
        coffee: false,
    };
    vec![
        Command::Join(JoinRequest {
            protocol: PROTOCOL_VERSION,
            name: "Alice".into(),
            role: Role::Voter,
            facilitator_token: Some("9f86d081884c7d659a2feaa0c55ad015".into()),
            participant_token: Some("4b227777d4dd1fc61c6f884f48641d02".into()),
            resume: Some(Resume {
                epoch: EPOCH.into(),
                seq: 57,
            }),
        }),
        Command::Ping,
        Command::CreateItem(NewItem {
            title: "Export the backlog as CSV".into(),
            description: "For the roadmap.".into(),
            acceptance_criteria: "Header row.".into(),
            labels: vec!["export".into()],
            after: Some(item_id(2)),
        }),
        Command::UpdateItem {
            item_id: item_id(1),
            change: ItemChange::Links(vec![Link {
                url: "https://example.com".into(),
                title: String::new(),
            }]),
        },
        Command::EditText {
            item_id: item_id(1),
            field: TextField::Description,
            revision: 3,
            op: serde_json::from_str(r#"[5, "😀", -2, 1]"#).unwrap(),
            follows: None,
        },
        Command::EditText {
            item_id: item_id(1),
            field: TextField::Title,
            revision: 3,
            op: serde_json::from_str(r#"[6, "!"]"#).unwrap(),
            follows: Some(17),
        },
        Command::SplitItem {
            item_id: item_id(1),
            parts: vec![
                readyroom_protocol::SplitPart {
                    title: "Export as CSV".into(),
                    description: String::new(),
                    acceptance_criteria: "- one row per item".into(),
                },
                readyroom_protocol::SplitPart {
                    title: "Header row".into(),
                    ..Default::default()
                },
            ],
        },
        Command::CheckCriterion {
            item_id: item_id(1),
            criterion: 5,
            checked: true,
        },
        Command::OverrideReady {
            item_id: item_id(1),
            ready: false,
        },
        Command::AddRemark {
            item_id: item_id(1),
            kind: readyroom_protocol::RemarkKind::Decision,
            text: "UTF-8 only".into(),
            owner: None,
        },
        Command::EditRemark {
            item_id: item_id(1),
            remark_id: 3,
            text: "Which columns?".into(),
            owner: Some(participant(2)),
        },
        Command::AnswerQuestion {
            item_id: item_id(1),
            remark_id: 3,
            answer: Some("All of them".into()),
        },
        Command::RemoveRemark {
            item_id: item_id(1),
            remark_id: 3,
        },
        Command::DeleteItem {
            item_id: item_id(1),
        },
        Command::RestoreItem {
            item_id: item_id(1),
        },
        Command::MoveItem {
            item_id: item_id(1),
            after: Some(item_id(2)),
            before: None,
        },
        Command::SetEditing {
            editing: Some(Editing {
                item_id: item_id(1),
                field: ItemField::AcceptanceCriteria,
            }),
        },
        Command::SetCaret {
            caret: Some(Caret {
                item_id: item_id(1),
                field: ItemField::Description,
                revision: 4,
                anchor: 2,
                head: 9,
            }),
        },
        Command::SetCaret { caret: None },
        Command::SetCaret {
            caret: Some(Caret {
                item_id: item_id(1),
                field: ItemField::Labels,
                revision: 0,
                anchor: 0,
                head: 0,
            }),
        },
        Command::Rename {
            name: "Alice B.".into(),
        },
        Command::SetRole {
            role: Role::Observer,
        },
        Command::StartRound {
            item_id: item_id(1),
            deck: Some(custom.clone()),
            dimension: None,
            timebox_seconds: None,
        },
        Command::Vote {
            round_id: round_id(1),
            card: "☕".into(),
            confidence: None,
        },
        Command::RetractVote {
            round_id: round_id(1),
        },
        Command::Reveal {
            round_id: round_id(1),
        },
        Command::Revote {
            round_id: round_id(1),
        },
        Command::AcceptEstimate {
            round_id: round_id(1),
            estimate: "8".into(),
        },
        Command::CancelRound {
            round_id: round_id(1),
        },
        Command::OpenPrevotes {
            item_ids: vec![item_id(1), item_id(2)],
            deck: None,
            closes_at: T0 + 86_400_000,
        },
        Command::RevealPrevotes,
        Command::CancelPrevotes,
        Command::AcceptPrevotes {
            item_ids: vec![item_id(1)],
        },
        Command::DismissPrevoteReview,
        Command::OpenSizingBoard {
            item_ids: vec![item_id(1), item_id(2)],
            deck: Some(DeckChoice::default()),
        },
        Command::PlaceOnBoard {
            item_id: item_id(1),
            column: Some("5".into()),
        },
        Command::AcceptSizing,
        Command::CloseSizingBoard,
        Command::SetCurrentItem { item_id: None },
        Command::UpdateSettings(SettingsChange {
            name: Some("Sprint 43".into()),
            default_deck: Some(custom),
            auto_reveal: Some(false),
            anonymous_reveal: None,
            consensus_percent: Some(80),
            suggest_split_at: Some(20),
            timebox: Some(readyroom_protocol::RefinementTimebox {
                sprint_days: 15,
                share_percent: 10,
                sessions_per_sprint: 3,
            }),
            definition_of_ready: Some(vec![
                readyroom_protocol::ReadyCriterionDraft {
                    id: Some(1),
                    text: "Clear title and description".into(),
                    auto: None,
                },
                readyroom_protocol::ReadyCriterionDraft {
                    id: None,
                    text: "Estimated".into(),
                    auto: Some(readyroom_protocol::AutoCheck::Estimated),
                },
            ]),
        }),
        Command::StartTimer { seconds: 300 },
        Command::StopTimer,
        Command::StartSession,
        Command::EndSession,
        Command::HandOverFacilitator {
            participant_id: participant(2),
        },
        Command::ClaimFacilitator {
            facilitator_token: "9f86d081884c7d659a2feaa0c55ad015".into(),
        },
        Command::RemoveParticipant {
            participant_id: participant(3),
        },
    ]
}

fn every_event() -> Vec<Event> {
    vec![
        Event::ParticipantJoined {
            participant: alice(),
        },
        Event::ParticipantOnline {
            participant_id: participant(2),
            online: false,
        },
        Event::ParticipantRenamed {
            participant_id: participant(2),
            name: "Bob".into(),
        },
        Event::RoleChanged {
            participant_id: participant(2),
            role: Role::Voter,
        },
        Event::ParticipantRemoved {
            participant_id: participant(3),
        },
        Event::EditingChanged {
            participant_id: participant(2),
            editing: None,
        },
        Event::FacilitatorChanged {
            participant_id: Some(participant(2)),
        },
        Event::ItemCreated {
            item: Box::new(item()),
        },
        Event::ItemUpdated {
            item_id: item_id(1),
            change: ItemChange::Estimate(None),
        },
        Event::TextEdited {
            item_id: item_id(1),
            field: TextField::AcceptanceCriteria,
            revision: 4,
            op: serde_json::from_str(r#"[2, -3, "漢字"]"#).unwrap(),
            cmd: Some(9),
        },
        Event::ItemSplit {
            item_id: item_id(2),
            parts: vec![ItemView {
                split_from: Some(item_id(2)),
                ..item()
            }],
        },
        Event::CriterionChecked {
            item_id: item_id(1),
            criterion: 1,
            checked: false,
        },
        Event::ReadyOverridden {
            item_id: item_id(1),
            ready_override: None,
        },
        Event::RemarkAdded {
            item_id: item_id(1),
            remark: item().remarks[0].clone(),
        },
        Event::RemarkChanged {
            item_id: item_id(1),
            remark: readyroom_protocol::Remark {
                answer: Some("Amount and date".into()),
                ..item().remarks[0].clone()
            },
        },
        Event::RemarkRemoved {
            item_id: item_id(1),
            remark_id: 3,
        },
        Event::ItemDeleted {
            item_id: item_id(1),
        },
        Event::ItemRestored {
            item: Box::new(item()),
        },
        Event::TrashPurged {
            item_ids: vec![item_id(1)],
        },
        Event::ItemMoved {
            item_id: item_id(1),
            rank: "817f80".into(),
        },
        Event::ItemsReranked {
            ranks: vec![
                ItemRank {
                    item_id: item_id(2),
                    rank: "80".into(),
                },
                ItemRank {
                    item_id: item_id(1),
                    rank: "8180".into(),
                },
            ],
        },
        Event::ItemsImported {
            tracker: readyroom_protocol::Tracker::Jira,
            created: vec![item_id(1)],
            updated: vec![item_id(2)],
        },
        Event::CurrentItemChanged {
            item_id: Some(item_id(1)),
        },
        Event::SettingsChanged {
            settings: settings(),
        },
        Event::TimerChanged { timer: None },
        Event::SessionChanged {
            session: Some(readyroom_protocol::Session { started_at: 1 }),
        },
        Event::RoundStarted {
            round: Box::new(round_view(RoundPhase::Voting)),
        },
        Event::VoteCast {
            round_id: round_id(1),
            participant_id: participant(1),
            card: Some("13".into()),
            confidence: Some(readyroom_protocol::Confidence::Low),
        },
        Event::VoteRetracted {
            round_id: round_id(1),
            participant_id: participant(1),
        },
        Event::RoundRevealed {
            item_id: item_id(1),
            record: Box::new(record()),
            auto: true,
        },
        Event::RoundCancelled {
            round_id: round_id(1),
        },
        Event::EstimateAccepted {
            round_id: round_id(1),
            item_id: item_id(1),
            estimate: "8".into(),
            dimension: None,
        },
        Event::EstimateAccepted {
            round_id: round_id(2),
            item_id: item_id(1),
            estimate: "13".into(),
            dimension: Some(readyroom_protocol::WsjfDimension::BusinessValue),
        },
        Event::PrevotesOpened {
            prevotes: prevotes(),
        },
        Event::PrevotesCancelled,
        Event::PrevotesRevealed {
            review: prevote_review(),
        },
        Event::PrevoteReviewDismissed,
        Event::SizingOpened {
            board: sizing_board(),
        },
        Event::SizingPlaced {
            item_id: item_id(2),
            column: None,
        },
        Event::SizingClosed { accepted: true },
    ]
}

fn frame(seq: u64, event: Event) -> ServerMessage {
    ServerMessage::Event(Box::new(EventFrame {
        seq,
        at: T0 + seq,
        actor: (seq % 2 == 0).then(|| participant(1)),
        event,
    }))
}

fn every_server_message() -> Vec<ServerMessage> {
    vec![
        ServerMessage::Welcome(Box::new(Welcome {
            cmd: 1,
            protocol: PROTOCOL_VERSION,
            you: participant(1),
            participant_token: "4b227777d4dd1fc61c6f884f48641d02".into(),
            last_cmd: 17,
            epoch: EPOCH.into(),
            max_frame_bytes: 262_144,
            room: snapshot(),
        })),
        ServerMessage::Resumed(Box::new(Resumed {
            cmd: 1,
            protocol: PROTOCOL_VERSION,
            you: participant(1),
            last_cmd: 17,
            epoch: EPOCH.into(),
            from_seq: 42,
            seq: 45,
        })),
        ServerMessage::Ack {
            cmd: 18,
            seq: Some(43),
            duplicate: false,
            revision: None,
        },
        ServerMessage::Ack {
            cmd: 18,
            seq: Some(44),
            duplicate: false,
            revision: Some(13),
        },
        ServerMessage::Ack {
            cmd: 18,
            seq: None,
            duplicate: true,
            revision: None,
        },
        ServerMessage::Pong { cmd: 19 },
        ServerMessage::CaretMoved {
            participant_id: participant(2),
            caret: Some(Caret {
                item_id: item_id(1),
                field: ItemField::Title,
                revision: 0,
                anchor: 3,
                head: 3,
            }),
        },
        ServerMessage::Error {
            cmd: None,
            code: ErrorCode::MalformedJson,
            message: "expected value at line 1 column 1".into(),
        },
        frame(
            44,
            Event::ItemDeleted {
                item_id: item_id(1),
            },
        ),
    ]
}

/// Serialises, checks the `"type"` on the wire, parses back and compares.
fn round_trip<T>(value: &T, wire_type: &str) -> Value
where
    T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let text = serde_json::to_string(value).unwrap();
    let back: T = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{text}: {e}"));
    assert_eq!(&back, value, "{text}");
    let json: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["type"], wire_type, "{text}");
    json
}

fn assert_covers(names: &BTreeSet<&str>, all: &[&str]) {
    let all: BTreeSet<&str> = all.iter().copied().collect();
    assert_eq!(names, &all);
}

#[test]
fn every_command_round_trips() {
    let mut names = BTreeSet::new();
    for (cmd, command) in (1..).zip(every_command()) {
        let message = ClientMessage { cmd, command };
        let json = round_trip(&message, command_type(&message.command));
        assert_eq!(json["cmd"], cmd);
        names.insert(command_type(&message.command));
    }
    assert_covers(&names, COMMAND_TYPES);
}

#[test]
fn every_item_change_round_trips() {
    let changes = [
        ItemChange::Title("t".into()),
        ItemChange::Description("d\nd".into()),
        ItemChange::AcceptanceCriteria("a".into()),
        ItemChange::Labels(vec!["l".into()]),
        ItemChange::Links(Vec::new()),
        ItemChange::Dependencies(vec![item_id(2)]),
        ItemChange::Estimate(Some("13".into())),
        ItemChange::Estimate(None),
        ItemChange::Status(ItemStatus::NeedsSplitting),
    ];
    for change in changes {
        let field = serde_json::to_value(change.field()).unwrap();
        let message = ClientMessage {
            cmd: 1,
            command: Command::UpdateItem {
                item_id: item_id(1),
                change: change.clone(),
            },
        };
        let json = round_trip(&message, "update_item");
        assert_eq!(json["field"], field);
        let event = frame(
            1,
            Event::ItemUpdated {
                item_id: item_id(1),
                change,
            },
        );
        let json = round_trip(&event, "event");
        assert_eq!(json["event"]["field"], field);
    }
}

#[test]
fn every_server_message_and_event_round_trips() {
    let mut names = BTreeSet::new();
    for message in every_server_message() {
        round_trip(&message, server_message_type(&message));
        names.insert(server_message_type(&message));
    }
    assert_covers(&names, SERVER_MESSAGE_TYPES);

    let mut names = BTreeSet::new();
    for (seq, event) in (1..).zip(every_event()) {
        let name = event_type(&event);
        let json = round_trip(&frame(seq, event), "event");
        assert_eq!(json["event"]["type"], name);
        assert_eq!(json["seq"], seq);
        names.insert(name);
    }
    assert_covers(&names, EVENT_TYPES);
}

#[test]
fn update_item_wire_shape() {
    let id = "9b2f4e3a-5c6d-4e7f-8a9b-0c1d2e3f4a5b";
    let text =
        format!(r#"{{"cmd":3,"type":"update_item","item_id":"{id}","field":"title","value":"x"}}"#);
    let message: ClientMessage = serde_json::from_str(&text).unwrap();
    assert_eq!(
        message,
        ClientMessage {
            cmd: 3,
            command: Command::UpdateItem {
                item_id: id.parse().unwrap(),
                change: ItemChange::Title("x".into()),
            },
        }
    );
    assert_eq!(
        serde_json::to_value(&message).unwrap(),
        serde_json::from_str::<Value>(&text).unwrap()
    );

    let clear: ClientMessage = serde_json::from_value(json!({
        "cmd": 4, "type": "update_item", "item_id": id, "field": "estimate", "value": null
    }))
    .unwrap();
    assert!(matches!(
        clear.command,
        Command::UpdateItem {
            change: ItemChange::Estimate(None),
            ..
        }
    ));

    let wrong_value = json!({
        "cmd": 5, "type": "update_item", "item_id": id, "field": "labels", "value": "x"
    });
    assert!(serde_json::from_value::<ClientMessage>(wrong_value).is_err());
}

#[test]
fn optional_fields_may_be_omitted() {
    let id = "9b2f4e3a-5c6d-4e7f-8a9b-0c1d2e3f4a5b";

    let join: ClientMessage = serde_json::from_value(json!({
        "cmd": 1, "type": "join", "protocol": 1, "name": "Bob", "role": "observer"
    }))
    .unwrap();
    assert_eq!(
        join.command,
        Command::Join(JoinRequest {
            protocol: 1,
            name: "Bob".into(),
            role: Role::Observer,
            facilitator_token: None,
            participant_token: None,
            resume: None,
        })
    );
    assert_eq!(
        serde_json::to_value(&join).unwrap(),
        json!({"cmd": 1, "type": "join", "protocol": 1, "name": "Bob", "role": "observer"})
    );

    let start: ClientMessage =
        serde_json::from_value(json!({"cmd": 2, "type": "start_round", "item_id": id})).unwrap();
    assert!(matches!(
        start.command,
        Command::StartRound { deck: None, .. }
    ));
    assert_eq!(
        serde_json::to_value(&start).unwrap(),
        json!({"cmd": 2, "type": "start_round", "item_id": id})
    );

    let moved: ClientMessage =
        serde_json::from_value(json!({"cmd": 3, "type": "move_item", "item_id": id})).unwrap();
    assert!(matches!(
        moved.command,
        Command::MoveItem {
            after: None,
            before: None,
            ..
        }
    ));

    let create: ClientMessage =
        serde_json::from_value(json!({"cmd": 4, "type": "create_item", "title": "Spike"})).unwrap();
    assert_eq!(
        create.command,
        Command::CreateItem(NewItem {
            title: "Spike".into(),
            ..NewItem::default()
        })
    );

    let deck: DeckChoice = serde_json::from_value(json!({"kind": "t_shirt"})).unwrap();
    assert_eq!(
        deck,
        DeckChoice {
            kind: DeckKind::TShirt,
            cards: Vec::new(),
            unsure: true,
            coffee: true,
        }
    );

    let settings: ClientMessage =
        serde_json::from_value(json!({"cmd": 5, "type": "update_settings", "auto_reveal": false}))
            .unwrap();
    assert_eq!(
        settings.command,
        Command::UpdateSettings(SettingsChange {
            auto_reveal: Some(false),
            anonymous_reveal: None,
            ..SettingsChange::default()
        })
    );
}

#[test]
fn join_with_resume_wire_shape() {
    let token = "4b227777d4dd1fc61c6f884f48641d02";
    let wire = json!({
        "cmd": 1,
        "type": "join",
        "protocol": 1,
        "name": "Alice",
        "role": "voter",
        "participant_token": token,
        "resume": {"epoch": EPOCH, "seq": 57},
    });
    let message = ClientMessage {
        cmd: 1,
        command: Command::Join(JoinRequest {
            protocol: 1,
            name: "Alice".into(),
            role: Role::Voter,
            facilitator_token: None,
            participant_token: Some(token.into()),
            resume: Some(Resume {
                epoch: EPOCH.into(),
                seq: 57,
            }),
        }),
    };
    assert_eq!(serde_json::to_value(&message).unwrap(), wire);
    assert_eq!(
        serde_json::from_value::<ClientMessage>(wire).unwrap(),
        message
    );

    for incomplete in [
        json!({"epoch": EPOCH}),
        json!({"seq": 57}),
        json!({"epoch": EPOCH, "seq": -1}),
        json!({"epoch": 7, "seq": 57}),
    ] {
        let text = json!({
            "cmd": 1, "type": "join", "protocol": 1, "name": "Alice", "role": "voter",
            "participant_token": token, "resume": incomplete,
        });
        assert!(
            serde_json::from_value::<ClientMessage>(text.clone()).is_err(),
            "accepted {text}"
        );
    }
}

#[test]
fn resumed_and_welcome_wire_shapes() {
    let resumed = ServerMessage::Resumed(Box::new(Resumed {
        cmd: 1,
        protocol: PROTOCOL_VERSION,
        you: participant(1),
        last_cmd: 42,
        epoch: EPOCH.into(),
        from_seq: 57,
        seq: 60,
    }));
    let wire = json!({
        "type": "resumed",
        "cmd": 1,
        "protocol": PROTOCOL_VERSION,
        "you": participant(1).to_string(),
        "last_cmd": 42,
        "epoch": EPOCH,
        "from_seq": 57,
        "seq": 60,
    });
    assert_eq!(serde_json::to_value(&resumed).unwrap(), wire);
    assert_eq!(
        serde_json::from_value::<ServerMessage>(wire).unwrap(),
        resumed
    );

    let welcome = ServerMessage::Welcome(Box::new(Welcome {
        cmd: 1,
        protocol: PROTOCOL_VERSION,
        you: participant(1),
        participant_token: "4b227777d4dd1fc61c6f884f48641d02".into(),
        last_cmd: 42,
        epoch: EPOCH.into(),
        max_frame_bytes: 262_144,
        room: snapshot(),
    }));
    let json = serde_json::to_value(&welcome).unwrap();
    assert_eq!(json["epoch"], EPOCH);
    let mut without_epoch = json;
    without_epoch.as_object_mut().unwrap().remove("epoch");
    assert!(
        serde_json::from_value::<ServerMessage>(without_epoch).is_err(),
        "a welcome without an epoch was accepted"
    );
}

#[test]
fn server_wire_shapes() {
    let ack = ServerMessage::Ack {
        cmd: 7,
        seq: Some(12),
        duplicate: false,
        revision: None,
    };
    assert_eq!(
        serde_json::to_value(&ack).unwrap(),
        json!({"type": "ack", "cmd": 7, "seq": 12})
    );
    let duplicate = ServerMessage::Ack {
        cmd: 7,
        seq: None,
        duplicate: true,
        revision: None,
    };
    assert_eq!(
        serde_json::to_value(&duplicate).unwrap(),
        json!({"type": "ack", "cmd": 7, "seq": null, "duplicate": true})
    );

    let error = ServerMessage::Error {
        cmd: None,
        code: ErrorCode::UnknownType,
        message: "no such type".into(),
    };
    assert_eq!(
        serde_json::to_value(&error).unwrap(),
        json!({"type": "error", "cmd": null, "code": "unknown_type", "message": "no such type"})
    );

    let public_vote = frame(
        5,
        Event::VoteCast {
            round_id: round_id(1),
            participant_id: participant(2),
            card: None,
            confidence: None,
        },
    );
    assert_eq!(
        serde_json::to_value(&public_vote).unwrap(),
        json!({
            "type": "event",
            "seq": 5,
            "at": T0 + 5,
            "actor": null,
            "event": {
                "type": "vote_cast",
                "round_id": round_id(1).to_string(),
                "participant_id": participant(2).to_string(),
            },
        })
    );
}

#[test]
fn every_error_code_round_trips_under_its_name() {
    for name in ERROR_CODES {
        let code: ErrorCode = serde_json::from_value(json!(name)).unwrap();
        assert_eq!(error_code_name(&code), *name);
        assert_eq!(serde_json::to_value(code).unwrap(), *name);
    }
}

#[test]
fn unknown_or_incomplete_messages_are_refused() {
    for text in [
        r#"{"cmd":1,"type":"teleport"}"#,
        r#"{"cmd":1}"#,
        r#"{"type":"ping"}"#,
        r#"{"cmd":-1,"type":"ping"}"#,
        r#"{"cmd":1,"type":"vote","card":"5"}"#,
        r#"{"cmd":1,"type":"join","protocol":1,"name":"Bob","role":"judge"}"#,
        r#"{"cmd":1,"type":"delete_item","item_id":"not-a-uuid"}"#,
        "[]",
    ] {
        assert!(
            serde_json::from_str::<ClientMessage>(text).is_err(),
            "accepted {text}"
        );
    }
    for text in [
        r#"{"type":"goodbye"}"#,
        r#"{"type":"event","seq":1,"at":1,"actor":null,"event":{"type":"item_teleported"}}"#,
        r#"{"type":"error","cmd":null,"code":"no_such_code","message":""}"#,
    ] {
        assert!(
            serde_json::from_str::<ServerMessage>(text).is_err(),
            "accepted {text}"
        );
    }
}

/// Calls `f` on every `$ref` in a schema.
fn each_ref(value: &Value, f: &mut impl FnMut(&str)) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                match (key.as_str(), child) {
                    ("$ref", Value::String(target)) => f(target),
                    _ => each_ref(child, f),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|child| each_ref(child, f)),
        _ => {}
    }
}

#[test]
fn json_schema_describes_both_directions() {
    let schema = json_schema();
    assert!(schema.is_object());
    assert_eq!(schema["protocol_version"], PROTOCOL_VERSION);
    assert!(schema["properties"]["client_message"].is_object());
    assert!(schema["properties"]["server_message"].is_object());

    let text = schema.to_string();
    for name in COMMAND_TYPES
        .iter()
        .chain(SERVER_MESSAGE_TYPES)
        .chain(EVENT_TYPES)
    {
        assert!(text.contains(&format!("\"{name}\"")), "{name} missing");
    }

    let mut refs = 0;
    each_ref(&schema, &mut |target| {
        let pointer = target
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("external $ref {target}"));
        assert!(schema.pointer(pointer).is_some(), "dangling $ref {target}");
        refs += 1;
    });
    assert!(refs > 0);
}
