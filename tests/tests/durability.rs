//! Rooms survive restarts; clients resume where they were; a resent command is never applied
//! twice, before or after a restart.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test helpers: a failed expectation is a failed test"
)]

use readyroom_protocol::{
    Command, Event, ItemChange, JoinRequest, Resume, Role, RoomSnapshot, ServerMessage,
};
use readyroom_tests::{Config, Store, TestServer, eventually, new_item, on_both_backends};

on_both_backends!(
    a_restart_brings_back_rooms_items_rounds_votes_and_people,
    resumes_and_resends_work_across_a_restart,
    snapshot_plus_tail_equals_full_replay,
    an_idle_room_leaves_memory_and_comes_back_whole,
    rooms_past_their_retention_are_deleted_but_not_rooms_in_use,
    the_database_is_private_and_holds_no_token,
    imports_and_api_changes_survive_a_restart_and_api_secrets_are_not_stored,
);

/// The parts of a snapshot that must survive a restart: everything but presence.
fn lasting(room: &RoomSnapshot) -> serde_json::Value {
    let mut value = serde_json::to_value(room).unwrap();
    for p in value["participants"].as_array_mut().unwrap() {
        p["online"] = serde_json::Value::Null;
        p["editing"] = serde_json::Value::Null;
    }
    value["seq"] = serde_json::Value::Null;
    value
}

async fn a_restart_brings_back_rooms_items_rounds_votes_and_people(store: Store) {
    let server = TestServer::start_on(&store).await;
    let room = server.create_room().await;
    let (mut ana, _) = server.join_facilitator(&room, "Ana").await;
    let (mut ben, _) = server.join(&room, "Ben", Role::Voter).await;
    let login = ana.create_item("Log in with SSO").await;
    let export = ana.create_item("Export CSV").await;
    ana.request(Command::MoveItem {
        item_id: export.id,
        after: None,
        before: Some(login.id),
    })
    .await
    .acked();
    ana.request(Command::OverrideReady {
        item_id: login.id,
        ready: true,
    })
    .await
    .acked();
    let round = ana.start_round(login.id).await;
    ben.vote(round.id, "8").await;
    let last = ana.vote(round.id, "5").await.unwrap();
    let (_, before) = server.join(&room, "Check", Role::Observer).await;
    assert!(before.room.seq > last);
    let ben_token = ben.token.clone().unwrap();
    let ana_token = ana.token.clone().unwrap();
    server.shutdown().await;

    let server = TestServer::start_on(&store).await;
    let (mut ben, reply) = server.rejoin(&room, &ben_token, None).await;
    let ServerMessage::Welcome(welcome) = reply else {
        panic!("{reply:?}")
    };
    // Everything but presence is as it was; Ben's own vote is his again.
    assert_eq!(lasting(&welcome.room), {
        let mut expected = lasting(&before.room);
        // Ben sees his own card, the observer did not.
        expected["round"]["my_card"] = serde_json::json!("8");
        expected
    });
    let others_online: Vec<_> = welcome
        .room
        .participants
        .iter()
        .filter(|p| p.online && p.id != welcome.you)
        .collect();
    assert!(
        others_online.is_empty(),
        "nobody else is connected after a restart"
    );
    assert_eq!(welcome.room.items[0].title, "Export CSV");
    // Ana comes back as the facilitator and can reveal.
    let (mut ana, reply) = server.rejoin(&room, &ana_token, None).await;
    let ServerMessage::Welcome(ana_welcome) = reply else {
        panic!("{reply:?}")
    };
    assert_eq!(ana_welcome.room.facilitator, Some(ana_welcome.you));
    let revealed = ana.request(Command::Reveal { round_id: round.id }).await;
    revealed.acked();
    let record = revealed.find(|e| match e {
        Event::RoundRevealed { record, .. } => Some(record.clone()),
        _ => None,
    });
    assert_eq!(record.votes.len(), 2);
    ben.event_where(|e| matches!(e.event, Event::RoundRevealed { .. }))
        .await;
}

#[tokio::test]
async fn a_client_resumes_with_exactly_the_events_it_missed() {
    let server = TestServer::start().await;
    let room = server.create_room().await;
    let (mut ana, _) = server.join_facilitator(&room, "Ana").await;
    let (mut ben, ben_welcome) = server.join(&room, "Ben", Role::Voter).await;
    let item = ana.create_item("Search").await;
    let started = ana.request_round(item.id).await;
    let round = started.started_round();
    let ben_seq = started.acked().unwrap();
    ben.events_until(ben_seq).await;
    let token = ben.token.clone().unwrap();
    ben.close().await;

    // While Ben is away: he goes offline, Ana votes and renames the item.
    ana.vote(round.id, "13").await;
    let last = ana
        .request(Command::UpdateItem {
            item_id: item.id,
            change: ItemChange::Title("Full-text search".into()),
        })
        .await
        .acked()
        .unwrap();

    let resume = Resume {
        epoch: ben_welcome.epoch.clone(),
        seq: ben_seq,
    };
    let (mut ben, reply) = server.rejoin(&room, &token, Some(resume)).await;
    let ServerMessage::Resumed(resumed) = reply else {
        panic!("expected resumed, got {reply:?}")
    };
    assert_eq!(resumed.from_seq, ben_seq);
    let missed = ben.events_until(resumed.seq).await;
    let seqs: Vec<u64> = missed.iter().map(|e| e.seq).collect();
    assert_eq!(
        seqs,
        ((ben_seq + 1)..=resumed.seq).collect::<Vec<_>>(),
        "every missed event, once, in order"
    );
    assert!(resumed.seq > last);
    assert!(missed.iter().any(|e| matches!(&e.event, Event::ItemUpdated { change: ItemChange::Title(t), .. } if t == "Full-text search")));
    // Ana's card stays secret in the replay.
    assert!(
        missed
            .iter()
            .all(|e| !matches!(e.event, Event::VoteCast { card: Some(_), .. }))
    );
    let leaked: Vec<&String> = ben.frames.iter().filter(|f| f.contains("\"13\"")).collect();
    assert!(
        leaked.is_empty(),
        "a replayed vote leaked its card: {leaked:?}"
    );
    ben.expect_silence().await;

    // A stale epoch gets the whole room instead.
    let (_, reply) = server
        .rejoin(
            &room,
            &token,
            Some(Resume {
                epoch: "another-epoch".into(),
                seq: ben_seq,
            }),
        )
        .await;
    assert!(matches!(reply, ServerMessage::Welcome(_)), "{reply:?}");
}

async fn resumes_and_resends_work_across_a_restart(store: Store) {
    let server = TestServer::start_on(&store).await;
    let room = server.create_room().await;
    let (mut ana, welcome) = server.join_facilitator(&room, "Ana").await;
    let create = new_item("Only once");
    let cmd = ana.send(create.clone()).await;
    let seq = ana.collect_reply(cmd).await.acked().unwrap();
    let token = ana.token.clone().unwrap();
    server.shutdown().await;

    let server = TestServer::start_on(&store).await;
    let (mut ana, reply) = server
        .rejoin(
            &room,
            &token,
            Some(Resume {
                epoch: welcome.epoch.clone(),
                seq,
            }),
        )
        .await;
    let ServerMessage::Resumed(resumed) = reply else {
        panic!("expected resumed, got {reply:?}")
    };
    assert_eq!(resumed.last_cmd, cmd);
    // The restart took Ana offline; she learns that, and that she is back.
    let missed = ana.events_until(resumed.seq).await;
    assert!(
        missed
            .iter()
            .any(|e| matches!(e.event, Event::ParticipantOnline { online: false, .. }))
    );
    assert!(matches!(
        missed.last().unwrap().event,
        Event::ParticipantOnline { online: true, .. }
    ));
    // Resending the acknowledged command changes nothing.
    ana.send_with_id(cmd, create).await;
    let again = ana.collect_reply(cmd).await;
    assert!(
        matches!(again.reply, ServerMessage::Ack { duplicate: true, seq: s, .. } if s == Some(seq)),
        "{:?}",
        again.reply
    );
    let (_, check) = server.join(&room, "Check", Role::Observer).await;
    assert_eq!(check.room.items.len(), 1);
}

/// Loading from a snapshot plus the tail of the log gives the same room as replaying all of it.
async fn snapshot_plus_tail_equals_full_replay(store: Store) {
    let mut restored = Vec::new();
    for snapshot_every in [3, 1_000_000] {
        let store = store.fresh_like().await;
        let config = store.config(Config {
            snapshot_every,
            ..Config::default()
        });
        let server = TestServer::start_with(config.clone()).await;
        let room = server.create_room().await;
        let (mut ana, _) = server.join_facilitator(&room, "Ana").await;
        let mut ids = Vec::new();
        for i in 0..7 {
            ids.push(ana.create_item(&format!("Item {i}")).await.id);
        }
        ana.request(Command::MoveItem {
            item_id: ids[6],
            after: None,
            before: Some(ids[0]),
        })
        .await
        .acked();
        ana.request(Command::DeleteItem { item_id: ids[3] })
            .await
            .acked();
        let round = ana.request_round(ids[1]).await.started_round();
        ana.vote(round.id, "2").await;
        ana.request(Command::Reveal { round_id: round.id })
            .await
            .acked();
        let (_, before) = server.join(&room, "Check", Role::Observer).await;
        let token = ana.token.clone().unwrap();
        server.shutdown().await;
        let server = TestServer::start_with(config).await;
        let (_, reply) = server.rejoin(&room, &token, None).await;
        let ServerMessage::Welcome(after) = reply else {
            panic!("{reply:?}")
        };
        let mut expected = lasting(&before.room);
        expected["round"]["my_card"] = serde_json::json!("2");
        assert_eq!(
            lasting(&after.room),
            expected,
            "snapshot_every = {snapshot_every}"
        );
        let titles: Vec<String> = after.room.items.iter().map(|i| i.title.clone()).collect();
        restored.push(titles);
    }
    assert_eq!(restored[0], restored[1]);
}

#[tokio::test]
async fn a_damaged_or_newer_database_stops_the_server_with_a_clear_error() {
    // Garbage where the database should be.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("readyroom.sqlite3"),
        b"this is not a database, it is a shopping list",
    )
    .unwrap();
    let error = startup_error(dir.path()).await;
    assert!(error.to_string().contains("damaged"), "{error}");
    assert_eq!(
        std::fs::read(dir.path().join("readyroom.sqlite3")).unwrap(),
        b"this is not a database, it is a shopping list",
        "the file was left alone"
    );

    // A database from a newer schema version.
    let dir = tempfile::tempdir().unwrap();
    {
        let server = TestServer::start_in(dir.path()).await;
        server.create_room().await;
        server.shutdown().await;
    }
    bump_schema_version(&dir.path().join("readyroom.sqlite3"));
    let error = startup_error(dir.path()).await;
    assert!(error.to_string().contains("newer"), "{error}");

    // A truncated database.
    let dir = tempfile::tempdir().unwrap();
    {
        let server = TestServer::start_in(dir.path()).await;
        for _ in 0..20 {
            server.create_room().await;
        }
        server.shutdown().await;
    }
    let path = dir.path().join("readyroom.sqlite3");
    checkpoint(&path);
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    let error = startup_error(dir.path()).await;
    assert!(error.to_string().contains("damaged"), "{error}");
}

async fn rooms_loaded(server: &TestServer) -> u64 {
    server.health().await["rooms_loaded"].as_u64().unwrap()
}

async fn an_idle_room_leaves_memory_and_comes_back_whole(store: Store) {
    let config = store.config(Config {
        idle_unload: std::time::Duration::from_millis(100),
        ..Config::default()
    });
    let server = TestServer::start_with(config).await;
    let room = server.create_room().await;
    let (mut ana, _) = server.join_facilitator(&room, "Ana").await;
    ana.create_item("Kept while unloaded").await;
    let token = ana.token.clone().unwrap();
    assert_eq!(rooms_loaded(&server).await, 1);
    ana.close().await;
    eventually("the idle room is unloaded", async || {
        rooms_loaded(&server).await == 0
    })
    .await;
    let (_, reply) = server.rejoin(&room, &token, None).await;
    let ServerMessage::Welcome(welcome) = reply else {
        panic!("{reply:?}")
    };
    assert_eq!(welcome.room.items[0].title, "Kept while unloaded");
    assert_eq!(welcome.room.facilitator, Some(welcome.you));
    assert_eq!(rooms_loaded(&server).await, 1);
}

/// A room unloaded for idleness keeps nothing in the input log: once its snapshot is stored
/// (and a later commit has made it durable), the segments holding its inputs are deleted,
/// and it still comes back whole.
#[tokio::test]
async fn an_idle_rooms_log_segments_are_deleted_and_it_comes_back_from_its_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config {
        data_dir: Some(dir.path().to_owned()),
        idle_unload: std::time::Duration::from_millis(100),
        log_segment_bytes: 4096,
        ..Config::default()
    };
    let server = TestServer::start_with(config).await;
    let room = server.create_room().await;
    let (mut ana, _) = server.join_facilitator(&room, "Ana").await;
    for n in 0..30 {
        ana.create_item(&format!("Item {n}")).await;
    }
    let token = ana.token.clone().unwrap();
    let first_segment = dir.path().join("log").join("000000000001.seg");
    assert!(first_segment.exists());
    ana.close().await;
    eventually("the idle room is unloaded", async || {
        rooms_loaded(&server).await == 0
    })
    .await;
    // Another room's commits follow the snapshot; the first of them is synced, then the
    // segments nobody needs go.
    let other = server.create_room().await;
    let (mut ben, _) = server.join_facilitator(&other, "Ben").await;
    eventually("the idle room's segments are deleted", async || {
        ben.create_item("Keeps the log moving").await;
        !first_segment.exists()
    })
    .await;
    let (_, reply) = server.rejoin(&room, &token, None).await;
    let ServerMessage::Welcome(welcome) = reply else {
        panic!("{reply:?}")
    };
    assert_eq!(welcome.room.items.len(), 30);
    assert_eq!(welcome.room.items[29].title, "Item 29");
}

async fn rooms_past_their_retention_are_deleted_but_not_rooms_in_use(store: Store) {
    let config = store.config(Config {
        idle_unload: std::time::Duration::from_millis(50),
        retention: Some(std::time::Duration::from_millis(300)),
        retention_sweep: std::time::Duration::from_millis(50),
        ..Config::default()
    });
    let server = TestServer::start_with(config).await;
    let abandoned = server.create_room().await;
    let in_use = server.create_room().await;
    let (_ana, _) = server.join_facilitator(&in_use, "Ana").await;
    assert!(store.holds_room(&abandoned.room_id).await);
    eventually("the abandoned room is deleted", async || {
        !store.holds_room(&abandoned.room_id).await
    })
    .await;
    assert!(store.holds_room(&in_use.room_id).await);
    let still = server
        .http()
        .get(server.url(&format!("/api/rooms/{}", in_use.room_id)))
        .send()
        .await
        .unwrap();
    assert_eq!(still.status(), 200, "a room with people in it is kept");
}

#[tokio::test]
async fn a_postgresql_database_from_a_newer_build_or_out_of_reach_stops_the_server_clearly() {
    let store = Store::postgres().await;
    {
        let server = TestServer::start_on(&store).await;
        server.create_room().await;
        server.shutdown().await;
    }
    let Store::Postgres(database) = &store else {
        unreachable!()
    };
    database
        .connect()
        .await
        .batch_execute("UPDATE readyroom_schema SET version = 999")
        .await
        .unwrap();
    let error = startup_error_with(store.config(Config::default())).await;
    assert!(error.to_string().contains("newer"), "{error}");

    // A port nothing listens on: the message names the database, not the password.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let config = Config {
        database_url: Some(
            format!("postgres://someone:hunter2@127.0.0.1:{port}/rooms")
                .parse()
                .unwrap(),
        ),
        ..Config::default()
    };
    let error = startup_error_with(config).await.to_string();
    assert!(
        error.contains("cannot connect") && error.contains("rooms"),
        "{error}"
    );
    assert!(!error.contains("hunter2"), "{error}");
}

/// Why a server on `dir` refuses to start (it must refuse).
async fn startup_error(dir: &std::path::Path) -> readyroom_server::RunError {
    startup_error_with(Config {
        data_dir: Some(dir.to_owned()),
        ..Config::default()
    })
    .await
}

async fn startup_error_with(config: Config) -> readyroom_server::RunError {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    readyroom_server::run(listener, config, std::future::pending())
        .await
        .unwrap_err()
}

fn bump_schema_version(path: &std::path::Path) {
    let conn = rusqlite_connection(path);
    conn.pragma_update(None, "user_version", 999).unwrap();
}

fn checkpoint(path: &std::path::Path) {
    let conn = rusqlite_connection(path);
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode = DELETE;")
        .unwrap();
}

fn rusqlite_connection(path: &std::path::Path) -> rusqlite::Connection {
    rusqlite::Connection::open(path).unwrap()
}

#[tokio::test]
async fn a_room_exports_for_its_facilitator_and_imports_into_a_new_room() {
    let server = TestServer::start().await;
    let room = server.create_room().await;
    let (mut ana, _) = server.join_facilitator(&room, "Ana").await;
    let (mut ben, _) = server.join(&room, "Ben", Role::Voter).await;
    let first = ana.create_item("First").await;
    let second = ana.create_item("Second").await;
    ana.request(Command::UpdateItem {
        item_id: second.id,
        change: ItemChange::Dependencies(vec![first.id]),
    })
    .await
    .acked();
    let round = ana.start_round(first.id).await;
    ben.vote(round.id, "5").await;
    ana.reveal_and_accept(round.id, "5").await;
    // An unrevealed vote must not travel in an export.
    let second_round = ana.start_round(second.id).await;
    ben.vote(second_round.id, "89").await;

    let url = server.url(&format!("/api/rooms/{}/export", room.room_id));
    let response = server.get_with_token(&url, &room.facilitator_token).await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    let text = response.text().await.unwrap();
    assert!(
        !text.contains(&room.facilitator_token) && !text.contains(ben.token.as_deref().unwrap()),
        "no tokens in an export"
    );
    assert!(
        !text.contains("Zq8"),
        "no unrevealed vote (nor its round) in an export"
    );
    let export: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(export["format"], "readyroom.room");

    let imported = server
        .http()
        .post(server.url("/api/rooms/import"))
        .header("content-type", "application/json")
        .body(text)
        .send()
        .await
        .unwrap();
    assert_eq!(imported.status(), 201);
    let created: readyroom_tests::RoomCreated = imported.json().await.unwrap();
    assert_ne!(created.room_id, room.room_id);
    let (_, welcome) = server.join_facilitator(&created, "Ana again").await;
    let titles: Vec<&str> = welcome
        .room
        .items
        .iter()
        .map(|i| i.title.as_str())
        .collect();
    assert_eq!(titles, ["First", "Second"]);
    assert_eq!(welcome.room.items[0].estimate.as_deref(), Some("5"));
    assert_eq!(welcome.room.items[0].history.len(), 1);
    assert_eq!(welcome.room.items[1].dependencies, vec![first.id]);
    assert!(welcome.room.round.is_none());
    let names: Vec<&str> = welcome
        .room
        .participants
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(
        names,
        ["Ana", "Ben", "Ana again"],
        "people keep their names for the history"
    );

    let bad = server
        .http()
        .post(server.url("/api/rooms/import"))
        .header("content-type", "application/json")
        .body(r#"{"format":"something else"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
}

async fn the_database_is_private_and_holds_no_token(store: Store) {
    let server = TestServer::start_on(&store).await;
    let room = server.create_room().await;
    let (mut ana, ana_welcome) = server.join_facilitator(&room, "Ana").await;
    let (mut ben, ben_welcome) = server.join(&room, "Ben", Role::Voter).await;
    ben.request(Command::ClaimFacilitator {
        facilitator_token: room.facilitator_token.clone(),
    })
    .await
    .acked();
    ana.request(new_item("Written down")).await.acked();
    // A second join on a joined connection is refused, and its tokens stored nowhere.
    ben.request(Command::Join(JoinRequest {
        facilitator_token: Some(room.facilitator_token.clone()),
        ..readyroom_tests::rejoin_request(&ana_welcome.participant_token)
    }))
    .await
    .refused(readyroom_protocol::ErrorCode::AlreadyJoined);
    // A token presented again still works: the room compares digests.
    let (_, again) = server
        .rejoin(&room, &ana_welcome.participant_token, None)
        .await;
    assert!(matches!(again, ServerMessage::Welcome(_)), "{again:?}");
    server.shutdown().await;

    #[cfg(unix)]
    if let Some(dir) = store.dir() {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join("readyroom.sqlite3"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{mode:o}");
        let log = dir.join("log");
        let mode = std::fs::metadata(&log).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700, "the log's directory: {mode:o}");
        for segment in std::fs::read_dir(&log).unwrap() {
            let mode = segment.unwrap().metadata().unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "a log segment: {mode:o}");
        }
    }
    let stored = store.everything_stored().await;
    assert!(stored.contains("Written down"), "the room is in there");
    for token in [
        &room.facilitator_token,
        &ana_welcome.participant_token,
        &ben_welcome.participant_token,
    ] {
        assert!(
            !stored.contains(token.as_str()),
            "a token is stored as it is"
        );
    }
}

async fn imports_and_api_changes_survive_a_restart_and_api_secrets_are_not_stored(store: Store) {
    let server = TestServer::start_on(&store).await;
    let room = server.create_room().await;
    server
        .import_csv(
            &room,
            "key,title,estimate\nK-1,Imported before the restart,5\n",
        )
        .await;
    let created: serde_json::Value = server
        .http()
        .post(server.url(&format!("/api/rooms/{}/tokens", room.room_id)))
        .bearer_auth(&room.facilitator_token)
        .json(&serde_json::json!({"name": "sync", "scope": "write"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let secret = created["token"].as_str().unwrap().to_owned();
    let response = server
        .http()
        .post(server.url(&format!("/api/rooms/{}/items", room.room_id)))
        .bearer_auth(&secret)
        .json(&serde_json::json!({"title": "Added over the API"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    server.shutdown().await;

    let stored = store.everything_stored().await;
    assert!(
        stored.contains("Imported before the restart") && !stored.contains(&secret),
        "an API token's secret is stored nowhere"
    );

    let server = TestServer::start_on(&store).await;
    let items: serde_json::Value = server
        .get_with_token(
            &server.url(&format!("/api/rooms/{}/items", room.room_id)),
            &secret,
        )
        .await
        .json()
        .await
        .unwrap();
    let titles: Vec<&str> = items
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        ["Imported before the restart", "Added over the API"]
    );
    assert_eq!(items[0]["external"]["key"], "K-1");
    server.shutdown().await;
}
