//! Bad input gets a clear error with a stable code; the connection and the room carry on.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test helpers: a failed expectation is a failed test"
)]

use readyroom_protocol::limits::{
    MAX_FRAME_BYTES, MAX_ITEMS_PER_ROOM, MAX_PARTICIPANTS_PER_ROOM, MAX_TITLE_CHARS,
    PLACES_KEPT_FOR_FACILITATOR,
};
use readyroom_protocol::{
    Command, ErrorCode, Event, ItemChange, ItemId, JoinRequest, Link, NewItem, PROTOCOL_VERSION,
    Role, RoundId, ServerMessage,
};
use readyroom_tests::{Client, Config, TestServer, join_request, new_item};
use tokio_tungstenite::tungstenite::Message;

/// The next message must be an error with this code (and, if given, this command id).
async fn expect_error(client: &mut Client, code: ErrorCode, cmd: Option<u64>) {
    match client.recv().await {
        ServerMessage::Error {
            code: got,
            cmd: got_cmd,
            message,
        } => {
            assert_eq!(got, code, "{message}");
            assert_eq!(got_cmd, cmd, "{message}");
            assert!(!message.is_empty());
        }
        other => panic!("expected {code:?}, got {other:?}"),
    }
}

/// The connection still answers.
async fn still_alive(client: &mut Client) {
    let exchange = client.request(Command::Ping).await;
    assert!(matches!(exchange.reply, ServerMessage::Pong { .. }));
}

#[tokio::test]
async fn unreadable_frames_are_answered_and_the_connection_carries_on() {
    let server = TestServer::start().await;
    let room = server.create_room().await;
    let (mut ben, _) = server.join(&room, "Ben", Role::Voter).await;

    let cases: [(&str, ErrorCode, Option<u64>); 9] = [
        ("{\"cmd\": 1, \"type\": ", ErrorCode::MalformedJson, Some(1)),
        ("{\"cmd\": 2", ErrorCode::MalformedJson, None),
        ("hello", ErrorCode::MalformedJson, None),
        ("[1, 2, 3]", ErrorCode::MalformedJson, None),
        (
            r#"{"cmd": 900, "type": "launch_rockets"}"#,
            ErrorCode::UnknownType,
            Some(900),
        ),
        (r#"{"cmd": 901}"#, ErrorCode::UnknownType, Some(901)),
        (
            r#"{"cmd": 902, "type": "vote"}"#,
            ErrorCode::InvalidMessage,
            Some(902),
        ),
        (
            r#"{"cmd": 903, "type": "vote", "round_id": "not-a-uuid", "card": "3"}"#,
            ErrorCode::InvalidMessage,
            Some(903),
        ),
        (r#"{"type": "ping"}"#, ErrorCode::InvalidMessage, None),
    ];
    for (text, code, cmd) in cases {
        ben.send_text(text).await;
        expect_error(&mut ben, code, cmd).await;
    }
    ben.send_message(Message::binary(vec![1u8, 2, 3])).await;
    expect_error(&mut ben, ErrorCode::UnsupportedFrame, None).await;

    let oversized = format!(
        r#"{{"cmd":5,"type":"rename","name":"{}"}}"#,
        "x".repeat(MAX_FRAME_BYTES)
    );
    ben.send_text(oversized).await;
    expect_error(&mut ben, ErrorCode::FrameTooLarge, Some(5)).await;
    still_alive(&mut ben).await;

    // A second join on a joined connection.
    let exchange = ben
        .request(Command::Join(join_request("Ben", Role::Voter, None)))
        .await;
    exchange.refused(ErrorCode::AlreadyJoined);
    still_alive(&mut ben).await;
}

#[tokio::test]
async fn a_frame_beyond_the_hard_limit_closes_with_1009() {
    let server = TestServer::start().await;
    let room = server.create_room().await;
    let (mut ben, _) = server.join(&room, "Ben", Role::Voter).await;
    let (mut ana, _) = server.join_facilitator(&room, "Ana").await;
    // Only the frame's header, announcing 2 MiB: the server refuses it from the header alone.
    // (Had the payload followed, the unread rest could reset the connection before the close
    // frame is read.)
    ben.send_raw_frame_header(2 * 1024 * 1024).await;
    let close = ben.closed().await.expect("a close frame");
    assert_eq!(u16::from(close.code), 1009);
    // Ben is gone from the room, which carries on for everyone else.
    ana.event_where(|e| matches!(e.event, Event::ParticipantOnline { online: false, .. }))
        .await;
    ana.request(new_item("Still here")).await.acked();
}

#[tokio::test]
async fn commands_before_joining_and_bad_joins_are_refused() {
    let server = TestServer::start().await;
    let room = server.create_room().await;
    let mut client = server.connect(&room).await;
    client
        .request(Command::Rename { name: "Eve".into() })
        .await
        .refused(ErrorCode::NotJoined);
    still_alive(&mut client).await;
    let join = |protocol: u32, name: &str| {
        Command::Join(JoinRequest {
            protocol,
            ..join_request(name, Role::Voter, None)
        })
    };
    client
        .request(join(PROTOCOL_VERSION + 1, "Eve"))
        .await
        .refused(ErrorCode::UnsupportedProtocol);
    client
        .request(join(PROTOCOL_VERSION, "   "))
        .await
        .refused(ErrorCode::InvalidValue);
    client
        .request(join(PROTOCOL_VERSION, &"n".repeat(61)))
        .await
        .refused(ErrorCode::InvalidValue);
    client
        .request(join(PROTOCOL_VERSION, "Eve\u{0007}"))
        .await
        .refused(ErrorCode::InvalidValue);
    let joined = client.request(join(PROTOCOL_VERSION, "Eve")).await;
    assert!(
        matches!(joined.reply, ServerMessage::Welcome(_)),
        "{:?}",
        joined.reply
    );
}

#[tokio::test]
async fn invalid_values_unknown_ids_and_stale_rounds_change_nothing() {
    let server = TestServer::start().await;
    let room = server.create_room().await;
    let (mut ana, _) = server.join_facilitator(&room, "Ana").await;
    let item = ana.create_item("Real").await;
    let ghost_item = ItemId(uuid::Uuid::new_v4());
    let cases = [
        (new_item(" "), ErrorCode::InvalidValue),
        (
            Command::CreateItem(NewItem {
                title: "t".repeat(MAX_TITLE_CHARS + 1),
                ..NewItem::default()
            }),
            ErrorCode::InvalidValue,
        ),
        (
            Command::CreateItem(NewItem {
                title: "after ghost".into(),
                after: Some(ghost_item),
                ..NewItem::default()
            }),
            ErrorCode::UnknownItem,
        ),
        (
            Command::UpdateItem {
                item_id: ghost_item,
                change: ItemChange::Title("x".into()),
            },
            ErrorCode::UnknownItem,
        ),
        (
            Command::UpdateItem {
                item_id: item.id,
                change: ItemChange::Description("d".repeat(20_001)),
            },
            ErrorCode::InvalidValue,
        ),
        (
            Command::UpdateItem {
                item_id: item.id,
                change: ItemChange::Links(vec![Link {
                    url: "javascript:alert(1)".into(),
                    title: String::new(),
                }]),
            },
            ErrorCode::InvalidValue,
        ),
        (
            Command::UpdateItem {
                item_id: item.id,
                change: ItemChange::Labels(vec!["l".into(); 21]),
            },
            ErrorCode::InvalidValue,
        ),
        (
            Command::UpdateItem {
                item_id: item.id,
                change: ItemChange::Dependencies(vec![item.id]),
            },
            ErrorCode::InvalidValue,
        ),
        (
            Command::UpdateItem {
                item_id: item.id,
                change: ItemChange::Estimate(Some("e".repeat(17))),
            },
            ErrorCode::InvalidValue,
        ),
        (
            Command::DeleteItem {
                item_id: ghost_item,
            },
            ErrorCode::UnknownItem,
        ),
        (
            Command::MoveItem {
                item_id: ghost_item,
                after: None,
                before: None,
            },
            ErrorCode::UnknownItem,
        ),
        (
            Command::MoveItem {
                item_id: item.id,
                after: Some(item.id),
                before: None,
            },
            ErrorCode::InvalidValue,
        ),
        (
            Command::Vote {
                round_id: RoundId(uuid::Uuid::new_v4()),
                card: "3".into(),
                confidence: None,
            },
            ErrorCode::NoActiveRound,
        ),
        (Command::StartTimer { seconds: 0 }, ErrorCode::InvalidValue),
        (
            Command::StartRound {
                item_id: ghost_item,
                deck: None,
                dimension: None,
                timebox_seconds: None,
            },
            ErrorCode::UnknownItem,
        ),
    ];
    for (command, code) in cases {
        ana.request(command).await.refused(code);
    }
    let round = ana.start_round(item.id).await;
    ana.request(Command::Vote {
        round_id: round.id,
        card: "4".into(),
        confidence: None,
    })
    .await
    .refused(ErrorCode::InvalidValue);
    ana.request_round(item.id)
        .await
        .refused(ErrorCode::RoundInProgress);
    ana.request(Command::AcceptEstimate {
        round_id: round.id,
        estimate: "3".into(),
    })
    .await
    .refused(ErrorCode::RoundNotRevealed);
    ana.request(Command::Reveal { round_id: round.id })
        .await
        .acked();
    ana.request(Command::Vote {
        round_id: round.id,
        card: "3".into(),
        confidence: None,
    })
    .await
    .refused(ErrorCode::RoundRevealed);
    let second = ana
        .request(Command::Revote { round_id: round.id })
        .await
        .started_round();
    ana.request(Command::Vote {
        round_id: round.id,
        card: "3".into(),
        confidence: None,
    })
    .await
    .refused(ErrorCode::StaleRound);
    ana.request(Command::Reveal { round_id: round.id })
        .await
        .refused(ErrorCode::StaleRound);
    ana.vote(second.id, "3").await;

    let (_, check) = server.join(&room, "Check", Role::Observer).await;
    assert_eq!(check.room.items.len(), 1);
    assert_eq!(check.room.items[0].title, "Real");
    assert_eq!(check.room.items[0].description, "");
    assert_eq!(check.room.round.unwrap().id, second.id);
}

#[tokio::test]
async fn rooms_refuse_items_and_people_beyond_their_limits() {
    let server = TestServer::start_with(Config {
        rate_burst: 100_000,
        rate_per_second: 100_000,
        join_burst: 100_000,
        max_connections_per_address: 10_000,
        ..Config::default()
    })
    .await;
    let room = server.create_room().await;
    let (mut ana, _) = server.join_facilitator(&room, "Ana").await;
    // Pipeline the creates, then read the replies.
    for i in 0..MAX_ITEMS_PER_ROOM {
        ana.send(Command::CreateItem(NewItem {
            title: format!("Item {i}"),
            ..NewItem::default()
        }))
        .await;
    }
    let last = ana.send(new_item("One too many")).await;
    let reply = ana.reply_to(last).await;
    assert!(
        matches!(
            reply,
            ServerMessage::Error {
                code: ErrorCode::TooManyItems,
                ..
            }
        ),
        "{reply:?}"
    );

    // A second room, so the joiners' snapshots stay small. Everyone stays: the room is full.
    let room = server.create_room().await;
    let (_ana, _) = server.join_facilitator(&room, "Ana").await;
    let mut people = Vec::new();
    for i in 1..MAX_PARTICIPANTS_PER_ROOM - PLACES_KEPT_FOR_FACILITATOR {
        let mut client = server.connect(&room).await;
        let welcome = client.join(&format!("P{i}"), Role::Observer, None).await;
        people.push((client, welcome.you));
    }
    let mut late = server.connect(&room).await;
    let join = Command::Join(join_request("Late", Role::Voter, None));
    late.request(join.clone())
        .await
        .refused(ErrorCode::RoomFull);
    // Once someone has left, a newcomer takes their place.
    let (first, first_id) = people.remove(0);
    first.close().await;
    let (mut watcher, _) = people.pop().unwrap();
    watcher
        .event_where(|e| {
            e.event
                == Event::ParticipantOnline {
                    participant_id: first_id,
                    online: false,
                }
        })
        .await;
    let exchange = late.request(join).await;
    assert!(
        matches!(exchange.reply, ServerMessage::Welcome(_)),
        "{:?}",
        exchange.reply
    );
    watcher
        .event_where(|e| {
            e.event
                == Event::ParticipantRemoved {
                    participant_id: first_id,
                }
        })
        .await;
}

#[tokio::test]
async fn floods_are_rate_limited_without_dropping_the_connection() {
    // No refill: the count below then holds however slowly the frames are processed.
    let server = TestServer::start_with(Config {
        rate_burst: 20,
        rate_per_second: 0,
        ..Config::default()
    })
    .await;
    let room = server.create_room().await;
    let (mut ben, _) = server.join(&room, "Ben", Role::Voter).await;
    for _ in 0..30 {
        ben.send(Command::Ping).await;
    }
    let mut pongs = 0;
    let mut limited = 0;
    for _ in 0..30 {
        match ben.recv().await {
            ServerMessage::Pong { .. } => pongs += 1,
            ServerMessage::Error {
                code: ErrorCode::RateLimited,
                cmd,
                ..
            } => {
                assert!(cmd.is_some(), "a dropped command's refusal names it");
                limited += 1;
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    // The join used one token of the burst.
    assert_eq!((pongs, limited), (19, 11));
}

#[tokio::test]
async fn unknown_rooms_are_not_found() {
    let server = TestServer::start().await;
    let url = format!("ws://{}/ws/rooms/{}", server.addr, uuid::Uuid::new_v4());
    let error = tokio_tungstenite::connect_async(url).await.unwrap_err();
    assert!(error.to_string().contains("404"), "{error}");
    let url = format!("ws://{}/ws/rooms/not-a-room", server.addr);
    assert!(tokio_tungstenite::connect_async(url).await.is_err());
}
