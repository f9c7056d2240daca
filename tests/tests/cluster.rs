//! Several nodes on one PostgreSQL database: one room is served by one node at a time, clients
//! reach it through any node, and a node that lost its lease cannot write. (Failover under
//! load and rolling restarts are in `crash.rs`.)
#![cfg(unix)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code: a failed expectation is a failed test"
)]

use std::time::Duration;

use readyroom_protocol::{Command, Event, Role, ServerMessage};
use readyroom_tests::process::{ServerProcess, server_binary};
use readyroom_tests::{Config, RECEIVE_TIMEOUT, TestDatabase, TestServer, new_item};

fn node_config(database: &TestDatabase, node: &str) -> Config {
    Config {
        database_url: Some(database.url().parse().unwrap()),
        node_id: Some(node.to_owned()),
        lease: Duration::from_secs(2),
        trusted_proxies: vec!["127.0.0.0/8".parse().unwrap()],
        metrics: true,
        ..Config::default()
    }
}

async fn health(server: &TestServer) -> serde_json::Value {
    server.health().await
}

#[tokio::test]
async fn clients_on_three_nodes_share_one_room_served_by_one_node() {
    let database = TestDatabase::create().await;
    let mut nodes = Vec::new();
    for name in ["a", "b", "c"] {
        nodes.push(TestServer::start_with(node_config(&database, name)).await);
    }
    let room = nodes[0].create_room().await;
    let (mut ana, _) = nodes[1].join_facilitator(&room, "Ana").await;
    let (mut ben, _) = nodes[2].join(&room, "Ben", Role::Voter).await;
    let item = ana.create_item("Served by one node").await;
    let created = ben
        .event_where(|frame| matches!(frame.event, Event::ItemCreated { .. }))
        .await;
    assert!(matches!(created.event, Event::ItemCreated { item: ref seen } if seen.id == item.id));
    let round = ana.start_round(item.id).await;
    ben.vote(round.id, "5").await;
    ana.vote(round.id, "8").await;
    let revealed = ana.request(Command::Reveal { round_id: round.id }).await;
    revealed.acked();
    ben.event_where(|frame| matches!(frame.event, Event::RoundRevealed { .. }))
        .await;

    // The API, through a node that does not serve the room, answers as the room's own node.
    let items = nodes[2]
        .get_with_token(
            &nodes[2].url(&format!("/api/rooms/{}/export", room.room_id)),
            &room.facilitator_token,
        )
        .await;
    assert_eq!(items.status(), 200);
    assert!(items.text().await.unwrap().contains("Served by one node"));

    // One node serves it; the others forward.
    let owned: Vec<u64> = {
        let mut owned = Vec::new();
        for node in &nodes {
            owned.push(health(node).await["node"]["rooms_owned"].as_u64().unwrap());
        }
        owned
    };
    assert_eq!(owned, [1, 0, 0], "rooms owned by a, b, c");
    let loaded = health(&nodes[1]).await["rooms_loaded"].as_u64().unwrap();
    assert_eq!(loaded, 0, "a forwarding node holds no copy of the room");
    assert_eq!(health(&nodes[0]).await["node"]["id"], "a");
    let metrics = nodes[0]
        .http()
        .get(nodes[0].url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("readyroom_rooms_owned 1"), "{metrics}");
    for node in nodes {
        node.shutdown().await;
    }
}

/// A room's questions about another room (a linked team room) are answered while another
/// node serves that room, from what it stored.
#[tokio::test]
async fn a_team_room_served_by_another_node_can_be_linked_and_read() {
    use reqwest::Method;
    use serde_json::json;

    let database = TestDatabase::create().await;
    let a = TestServer::start_with(node_config(&database, "a")).await;
    let b = TestServer::start_with(node_config(&database, "b")).await;
    let last_sprint = a.create_room().await;
    let this_sprint = b.create_room().await;
    let (mut ana, _) = a.join_facilitator(&last_sprint, "Ana").await;
    ana.create_item("Estimated last sprint").await;
    let (status, issued) = a
        .call(
            &last_sprint,
            Method::POST,
            "/tokens",
            &last_sprint.facilitator_token,
            Some(json!({ "name": "suggestions", "scope": "read" })),
        )
        .await;
    assert_eq!(status, 201, "{issued}");
    let (status, linked) = b
        .call(
            &this_sprint,
            Method::POST,
            "/team-rooms",
            &this_sprint.facilitator_token,
            Some(json!({ "room_id": last_sprint.room_id, "token": issued["token"] })),
        )
        .await;
    assert_eq!(status, 201, "{linked}");
    let (_, listed) = b
        .call(
            &this_sprint,
            Method::GET,
            "/team-rooms",
            &this_sprint.facilitator_token,
            None,
        )
        .await;
    assert_eq!(listed[0]["sharing"], true, "{listed}");
    // Read where it is stored, not taken over: the room stays with its node.
    assert_eq!(health(&a).await["node"]["rooms_owned"], 1);
    assert_eq!(health(&b).await["node"]["rooms_owned"], 1);
    a.shutdown().await;
    b.shutdown().await;
}

/// A node paused (SIGSTOP) past its lease loses the room to another node. When it wakes up,
/// nothing its clients send is acknowledged or stored.
#[tokio::test]
async fn a_node_whose_lease_was_taken_while_it_was_paused_cannot_write() {
    let database = TestDatabase::create().await;
    let binary = server_binary();
    let args = |node: &str| {
        vec![
            "--database-url".to_owned(),
            database.url(),
            "--node-id".to_owned(),
            node.to_owned(),
            "--lease-seconds".to_owned(),
            "1".to_owned(),
        ]
    };
    let paused = ServerProcess::start(&binary, args("paused")).await;
    let other = ServerProcess::start(&binary, args("other")).await;
    let first = TestServer::external(paused.addr);
    let room = first.create_room().await;
    let (mut ana, _) = first.join_facilitator(&room, "Ana").await;
    ana.create_item("Before the pause").await;

    paused.signal("STOP");
    let second = TestServer::external(other.addr);
    let mut ben = second
        .connect_when_served(&room, Duration::from_secs(10))
        .await;
    ben.join("Ben", Role::Voter, None).await;
    ben.request(new_item("After the takeover")).await.acked();

    paused.signal("CONT");
    // Ana's connection still reaches the paused node, which no longer holds the room.
    let cmd = ana.send(new_item("From the fenced node")).await;
    let deadline = tokio::time::Instant::now() + RECEIVE_TIMEOUT;
    loop {
        let wait = deadline.saturating_duration_since(tokio::time::Instant::now());
        match ana.try_recv_within(wait).await {
            Ok(Some(ServerMessage::Ack { cmd: acked, .. })) => {
                assert_ne!(acked, cmd, "a fenced node acknowledged a command");
            }
            Ok(Some(_)) => {}
            // The node stopped the room: the connection closes, nothing was acknowledged.
            Ok(None) | Err(_) => break,
        }
    }

    let mut check = second
        .connect_when_served(&room, Duration::from_secs(10))
        .await;
    let welcome = check.join("Check", Role::Observer, None).await;
    let titles: Vec<&str> = welcome
        .room
        .items
        .iter()
        .map(|item| item.title.as_str())
        .collect();
    assert_eq!(titles, ["Before the pause", "After the takeover"]);
    let stored: i64 = database
        .connect()
        .await
        .query_one(
            "SELECT count(*) FROM inputs WHERE input LIKE '%From the fenced node%'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(stored, 0, "the fenced node stored an input");
}

/// Whatever a node believes, the database refuses its writes to a room once the room's lease
/// carries another token: checked inside the commit's own transaction. A room the node still
/// holds is stored all the same, even in the same group commit.
#[tokio::test]
async fn the_database_refuses_writes_under_a_lease_token_that_is_not_the_rooms() {
    use readyroom_protocol::RoomId;
    use readyroom_server::storage::{Fences, LoggedInput, Storage, StorageError, Write};

    let database = TestDatabase::create().await;
    let fences = Fences::new("node", Duration::from_secs(10));
    let storage =
        Storage::open_postgres(&database.url().parse().unwrap(), true, Some(fences.clone()))
            .await
            .unwrap();
    let sql = database.connect().await;
    let lost = RoomId(uuid::Uuid::new_v4());
    let kept = RoomId(uuid::Uuid::new_v4());
    for (room, token) in [(lost, 41_i64), (kept, 51)] {
        sql.execute(
            "INSERT INTO room_leases (room_id, node, address, token, expires_at)
             VALUES ($1, 'node', 'http://127.0.0.1:1', $2, now() + interval '1 minute')",
            &[&room.to_string(), &token],
        )
        .await
        .unwrap();
        fences.grant(room, token);
        storage
            .write(Write::CreateRoom {
                room,
                epoch: "epoch".into(),
                snapshot: "{}".into(),
                now: 1,
            })
            .await
            .unwrap();
    }
    let append = |room, n| Write::Append {
        room,
        inputs: vec![LoggedInput {
            n,
            input: format!("{{\"marker\":\"input {n}\"}}"),
            events: "[]".into(),
        }],
        now: 2,
        outbox: Vec::new(),
    };

    // Another node took the room over; then an earlier run of this very node (same name, the
    // token it was granted then) tries.
    for (node, token) in [("other", 42_i64), ("node", 43)] {
        sql.execute(
            "UPDATE room_leases SET node = $2, token = $3 WHERE room_id = $1",
            &[&lost.to_string(), &node, &token],
        )
        .await
        .unwrap();
        let refused = storage.submit(append(lost, 1));
        let stored = storage.submit(append(kept, 1));
        let refused = refused.await;
        assert!(
            matches!(refused.as_ref().map_err(|error| &**error), Err(StorageError::Fenced { rooms }) if rooms == &[lost]),
            "{refused:?}"
        );
        stored.await.unwrap();
        sql.execute(
            "DELETE FROM inputs WHERE room_id = $1",
            &[&kept.to_string()],
        )
        .await
        .unwrap();
    }
    let written: i64 = sql
        .query_one(
            "SELECT count(*) FROM inputs WHERE room_id = $1",
            &[&lost.to_string()],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(written, 0, "a fenced write was stored");
    storage.close().await;
}
