//! Connections that die, fall behind, or outlive the server.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test helpers: a failed expectation is a failed test"
)]

use std::time::Duration;

use readyroom_protocol::{Command, Event, ItemChange, NewItem, Role, ServerMessage};
use readyroom_tests::{Client, Config, TestServer, new_item};

#[tokio::test]
async fn a_connection_that_stops_answering_is_closed_and_marked_offline() {
    let config = Config {
        ping_interval: Duration::from_millis(100),
        idle_timeout: Duration::from_millis(600),
        ..Config::default()
    };
    let server = TestServer::start_with(config).await;
    let room = server.create_room().await;
    let (mut ana, _) = server.join_facilitator(&room, "Ana").await;
    let (mut silent, silent_welcome) = server.join(&room, "Sid", Role::Voter).await;
    // Ana keeps reading, so her client answers the pings; Sid's client reads nothing, so it
    // answers none. Ana sees Sid go offline and is never disconnected herself.
    let offline = ana
        .event_where(|e| matches!(e.event, Event::ParticipantOnline { participant_id, online: false } if participant_id == silent_welcome.you))
        .await;
    assert_eq!(offline.actor, None);
    // The server waits for the client's answer to its close frame, so it arrives.
    let close = silent.closed().await.expect("a close frame");
    assert_eq!(u16::from(close.code), 4000);
    ana.expect_silence().await;
    assert!(matches!(
        ana.request(Command::Ping).await.reply,
        ServerMessage::Pong { .. }
    ));
}

/// A server with short outbound queues and no rate limit, where Ana (facilitator) floods a
/// room until its other member, `name`, who never reads, has been cut off. Returns the server,
/// Ana's client and the silent one.
async fn flood_a_voter_who_never_reads(name: &str) -> (TestServer, Client, Client) {
    let config = Config {
        outbound_queue: 16,
        rate_burst: 100_000,
        rate_per_second: 100_000,
        ..Config::default()
    };
    let server = TestServer::start_with(config).await;
    let room = server.create_room().await;
    let (mut ana, _) = server.join_facilitator(&room, "Ana").await;
    let mut silent = server.connect_with_small_buffer(&room).await;
    let welcome = silent.join(name, Role::Voter, None).await;
    let item = ana.create_item("Big").await;
    // Large events, many of them: far more than the silent client's socket buffers can hold.
    let went_offline = flood_until_offline(&mut ana, item.id, welcome.you).await;
    assert!(went_offline, "{name} was never cut off");
    (server, ana, silent)
}

#[tokio::test]
async fn a_client_too_slow_to_read_is_cut_off_without_slowing_the_room() {
    let (_server, _ana, mut slow) = flood_a_voter_who_never_reads("Slo").await;
    // Its buffers are full; once it reads again, the close frame follows what was queued.
    let close = slow.closed().await.expect("a close frame");
    assert_eq!(u16::from(close.code), 4002);
}

#[tokio::test]
async fn shutdown_closes_every_connection_with_1012_after_delivering_what_was_queued() {
    let server = TestServer::start().await;
    let room = server.create_room().await;
    let (mut ana, _) = server.join_facilitator(&room, "Ana").await;
    let (mut ben, _) = server.join(&room, "Ben", Role::Voter).await;
    let acked = ana.request(new_item("Before")).await.acked();
    server.shutdown().await;
    // Ben still receives the event that was queued for him, then the close.
    let event = ben.event().await;
    assert_eq!(Some(event.seq), acked);
    for client in [&mut ana, &mut ben] {
        let close = client.closed().await.expect("a close frame");
        assert_eq!(u16::from(close.code), 1012);
        assert_eq!(close.reason.as_str(), "server shutting down");
    }
}

#[tokio::test]
async fn a_room_larger_than_any_buffer_can_still_be_joined() {
    let config = Config {
        rate_burst: 100_000,
        rate_per_second: 100_000,
        ..Config::default()
    };
    let server = TestServer::start_with(config).await;
    let room = server.create_room().await;
    let (mut ana, _) = server.join_facilitator(&room, "Ana").await;
    // About 2.7 MB of backlog: more than tungstenite's default write limits.
    let mut last = 0;
    for i in 0..70 {
        last = ana
            .send(Command::CreateItem(NewItem {
                title: format!("Item {i}"),
                description: "é".repeat(19_000),
                ..NewItem::default()
            }))
            .await;
    }
    assert!(matches!(
        ana.reply_to(last).await,
        ServerMessage::Ack { .. }
    ));
    let (_, welcome) = server.join(&room, "Late", Role::Observer).await;
    assert_eq!(welcome.room.items.len(), 70);
}

#[tokio::test]
async fn a_peer_that_never_reads_does_not_hold_up_shutdown() {
    let (server, _ana, stuck) = flood_a_voter_who_never_reads("Stuck").await;
    // `shutdown` fails the test if the server has not stopped within its deadline.
    server.shutdown().await;
    drop(stuck);
}

#[tokio::test]
async fn one_participant_cannot_open_unbounded_connections() {
    let server = TestServer::start().await;
    let room = server.create_room().await;
    let (ana, _) = server.join_facilitator(&room, "Ana").await;
    let token = ana.token.clone().unwrap();
    let mut tabs = Vec::new();
    for _ in 1..readyroom_protocol::limits::MAX_CONNECTIONS_PER_PARTICIPANT {
        let (tab, reply) = server.rejoin(&room, &token, None).await;
        assert!(matches!(reply, ServerMessage::Welcome(_)), "{reply:?}");
        tabs.push(tab);
    }
    let (_, reply) = server.rejoin(&room, &token, None).await;
    assert!(
        matches!(
            reply,
            ServerMessage::Error {
                code: readyroom_protocol::ErrorCode::TooManyConnections,
                ..
            }
        ),
        "{reply:?}"
    );
    // Closing one makes room for another.
    tabs.pop().unwrap().close().await;
    let mut again = None;
    for _ in 0..50 {
        let (tab, reply) = server.rejoin(&room, &token, None).await;
        if matches!(reply, ServerMessage::Welcome(_)) {
            again = Some(tab);
            break;
        }
    }
    assert!(again.is_some(), "a closed connection frees its place");
}

/// Edits a description with large texts, many times over, until `reader` is reported offline
/// (true) or 1,500 edits have gone out (false): far more than a client that does not read can
/// buffer.
async fn flood_until_offline(
    editor: &mut Client,
    item_id: readyroom_protocol::ItemId,
    reader: readyroom_protocol::ParticipantId,
) -> bool {
    for i in 0..1500 {
        // Three bytes a character: close to the largest event an edit can cause.
        let text = format!("{i} {}", "€".repeat(19_000));
        let exchange = editor
            .request(Command::UpdateItem {
                item_id,
                change: ItemChange::Description(text),
            })
            .await;
        exchange.acked();
        if exchange.events.iter().any(|e| {
            matches!(e.event, Event::ParticipantOnline { participant_id, online: false } if participant_id == reader)
        }) {
            return true;
        }
    }
    false
}
