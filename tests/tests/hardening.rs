//! Abuse that needs no special machinery, each answered by a bound, against the server in this
//! process with small limits: stalled and cross-site uploads, cross-site WebSockets, address
//! rationing behind a proxy, joins that never come, capacity, huge legal traffic, shutdown
//! and storage failures.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code: a failed expectation is a failed test"
)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use readyroom_protocol::{Command, ErrorCode, ItemChange, Role, RoomId, ServerMessage, Timestamp};
use readyroom_server::storage::{
    Backend, DeliveryLog, QueuedDelivery, SqliteBackend, Storage, StorageError, StoredRoom, Write,
};
use readyroom_tests::{
    Config, RECEIVE_TIMEOUT, RoomCreated, TestServer, eventually, join_request, loopback, new_item,
};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Sends a raw HTTP request head (and `body`), then reads what comes back until the server
/// closes or `RECEIVE_TIMEOUT` passes. Returns the status line.
async fn raw_request(server: &TestServer, head: &str, body: &[u8]) -> (TcpStream, String) {
    raw_request_from(server, loopback(1), head, body).await
}

async fn tcp_from(server: &TestServer, source: std::net::IpAddr) -> TcpStream {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind((source, 0).into()).unwrap();
    socket.connect(server.addr).await.unwrap()
}

async fn raw_request_from(
    server: &TestServer,
    source: std::net::IpAddr,
    head: &str,
    body: &[u8],
) -> (TcpStream, String) {
    let mut stream = tcp_from(server, source).await;
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(body).await.unwrap();
    let status = read_status(&mut stream).await;
    (stream, status)
}

async fn read_status(stream: &mut TcpStream) -> String {
    let mut response = Vec::new();
    let mut buffer = [0u8; 1024];
    let read = tokio::time::timeout(RECEIVE_TIMEOUT, async {
        loop {
            let n = stream.read(&mut buffer).await.unwrap_or(0);
            response.extend_from_slice(&buffer[..n]);
            if n == 0 || response.windows(4).any(|w| w == b"\r\n\r\n") {
                break;
            }
        }
    })
    .await;
    assert!(read.is_ok(), "no response in time");
    String::from_utf8_lossy(&response)
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned()
}

fn import_head(server: &TestServer, length: usize) -> String {
    format!(
        "POST /api/rooms/import HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n\
         Content-Length: {length}\r\n\r\n",
        server.addr
    )
}

#[tokio::test]
async fn imports_are_checked_before_their_bodies_are_read_and_stalled_ones_time_out() {
    let server = TestServer::start_with(Config {
        max_concurrent_imports: 2,
        body_timeout: Duration::from_millis(500),
        ..Config::default()
    })
    .await;
    // Two uploads from two addresses that announce 20 MB and stall after 1 KB take both
    // places...
    let mut stalled = Vec::new();
    for source in [loopback(2), loopback(3)] {
        let mut stream = tcp_from(&server, source).await;
        stream
            .write_all(import_head(&server, 20_000_000).as_bytes())
            .await
            .unwrap();
        stream.write_all(&[b' '; 1024]).await.unwrap();
        stalled.push(stream);
    }
    // ...(once the server has taken both in, others are turned away unread: a second upload
    // from one of those addresses, and one from an address with none in flight)...
    for source in [loopback(2), loopback(4)] {
        let busy = async {
            loop {
                let head = import_head(&server, 20_000_000);
                let (_, status) = raw_request_from(&server, source, &head, b"").await;
                if status.contains("503") {
                    break status;
                }
            }
        };
        tokio::time::timeout(RECEIVE_TIMEOUT, busy).await.unwrap();
    }
    // ...and each is answered 408 once its body is overdue, freeing its place.
    for stream in &mut stalled {
        let status = read_status(stream).await;
        assert!(status.contains("408"), "{status}");
    }
    let export = json!({"format": "something else"}).to_string();
    let (_, status) = raw_request(
        &server,
        &import_head(&server, export.len()),
        export.as_bytes(),
    )
    .await;
    assert!(status.contains("400"), "a place is free again: {status}");
}

#[tokio::test]
async fn bodies_must_be_json_so_other_sites_cannot_post_them() {
    let server = TestServer::start().await;
    for path in ["/api/rooms", "/api/rooms/import"] {
        for content_type in [
            None,
            Some("text/plain"),
            Some("application/x-www-form-urlencoded"),
        ] {
            let mut request = server.http().post(server.url(path)).body("{}");
            if let Some(content_type) = content_type {
                request = request.header("content-type", content_type);
            }
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), 415, "{path} {content_type:?}");
            let error: serde_json::Value = response.json().await.unwrap();
            assert_eq!(error["code"], "unsupported_media_type");
        }
    }
    let response = server
        .http()
        .post(server.url("/api/rooms"))
        .header("content-type", "application/json; charset=utf-8")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
}

#[tokio::test]
async fn a_rationed_client_is_refused_before_its_body_is_read() {
    let server = TestServer::start_with(Config {
        room_creation_burst: 1,
        room_creations_per_minute: 1,
        ..Config::default()
    })
    .await;
    server.create_room().await;
    // It announces a body it never sends: the refusal comes anyway.
    let (_, status) = raw_request(&server, &import_head(&server, 20_000_000), b"").await;
    assert!(status.contains("429"), "{status}");
}

#[tokio::test]
async fn websockets_from_other_sites_are_refused() {
    let server = TestServer::start_with(Config {
        allowed_origins: vec!["https://intranet.example.com".into()],
        ..Config::default()
    })
    .await;
    let room = server.create_room().await;
    let own = format!("http://{}", server.addr);
    for origin in [own.as_str(), "https://intranet.example.com"] {
        let connected = server
            .connect_from(loopback(1), &room, &[("origin", origin)])
            .await;
        assert!(connected.is_ok(), "{origin}: {:?}", connected.err());
    }
    for origin in [
        "https://evil.example",
        "null",
        "http://localhost.evil.example",
    ] {
        let refused = server
            .connect_from(loopback(1), &room, &[("origin", origin)])
            .await
            .err()
            .unwrap_or_else(|| panic!("{origin} was let in"));
        assert!(refused.to_string().contains("403"), "{origin}: {refused}");
    }
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_allowance() {
    let server = TestServer::start_with(Config {
        max_connections_per_address: 2,
        trusted_proxies: vec!["127.0.0.1/32".parse().unwrap()],
        ..Config::default()
    })
    .await;
    let room = server.create_room().await;
    let forwarded = |client: &'static str| [("x-forwarded-for", client)];
    let mut open = Vec::new();
    for _ in 0..2 {
        open.push(
            server
                .connect_from(loopback(1), &room, &forwarded("192.0.2.7"))
                .await
                .unwrap(),
        );
    }
    let refused = server
        .connect_from(loopback(1), &room, &forwarded("192.0.2.7"))
        .await
        .expect_err("a third connection for one client");
    assert!(refused.to_string().contains("503"), "{refused}");
    // Another client behind the same proxy, and a forged header from an untrusted peer
    // (127.0.0.2 is no proxy: it is counted as itself).
    server
        .connect_from(loopback(1), &room, &forwarded("198.51.100.9"))
        .await
        .unwrap();
    for _ in 0..2 {
        open.push(
            server
                .connect_from(loopback(2), &room, &forwarded("192.0.2.8"))
                .await
                .unwrap(),
        );
    }
    assert!(
        server
            .connect_from(loopback(2), &room, &forwarded("192.0.2.9"))
            .await
            .is_err(),
        "127.0.0.2's own allowance is spent, whatever it claims"
    );
}

#[tokio::test]
async fn a_websocket_that_never_joins_is_closed_and_does_not_keep_its_room() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start_with(Config {
        data_dir: Some(dir.path().to_owned()),
        join_timeout: Duration::from_millis(300),
        unvisited_unload: Duration::from_millis(200),
        ..Config::default()
    })
    .await;
    let room = server.create_room().await;
    let mut idle = server.connect(&room).await;
    let close = idle.closed().await.expect("a close frame");
    assert_eq!(u16::from(close.code), 1008);
    // Nobody entered it: it leaves memory soon (and comes back when someone joins).
    eventually("the room has left memory", async || {
        server.health().await["rooms_loaded"] == 0
    })
    .await;
    let (_ana, welcome) = server.join_facilitator(&room, "Ana").await;
    assert_eq!(welcome.room.settings.name, "Sprint 42 refinement");
}

#[tokio::test]
async fn a_refused_join_does_not_buy_a_connection_more_time() {
    let server = TestServer::start_with(Config {
        join_timeout: Duration::from_millis(300),
        ..Config::default()
    })
    .await;
    let room = server.create_room().await;
    let mut stranger = server.connect(&room).await;
    stranger
        .request(Command::Join(readyroom_tests::rejoin_request(
            "0123456789abcdef0123456789abcdef",
        )))
        .await
        .refused(ErrorCode::InvalidToken);
    let close = stranger.closed().await.expect("a close frame");
    assert_eq!(u16::from(close.code), 1008);
}

#[tokio::test]
async fn a_client_that_keeps_sending_past_its_rate_is_cut_off() {
    let server = TestServer::start_with(Config {
        rate_burst: 5,
        rate_per_second: 0,
        ..Config::default()
    })
    .await;
    let room = server.create_room().await;
    let (mut ben, _) = server.join(&room, "Ben", Role::Voter).await;
    // Binary frames count like any other: the first few are answered, then a whole burst's
    // worth is refused, and the connection is closed.
    for _ in 0..20 {
        if ben
            .try_send_message(tokio_tungstenite::tungstenite::Message::binary(vec![0_u8]))
            .await
            .is_err()
        {
            break;
        }
    }
    let close = ben.closed().await.expect("a close frame");
    assert_eq!(u16::from(close.code), 1008);
}

#[tokio::test]
async fn joins_are_rationed_per_address() {
    let server = TestServer::start_with(Config {
        join_burst: 3,
        joins_per_minute: 1,
        ..Config::default()
    })
    .await;
    let room = server.create_room().await;
    let mut clients = Vec::new();
    for name in ["A", "B", "C"] {
        clients.push(server.join(&room, name, Role::Voter).await.0);
    }
    let mut fourth = server.connect(&room).await;
    fourth
        .request(Command::Join(join_request("D", Role::Voter, None)))
        .await
        .refused(ErrorCode::RateLimited);
    // Another address has its own allowance.
    let mut elsewhere = server.connect_from(loopback(2), &room, &[]).await.unwrap();
    elsewhere.join("E", Role::Voter, None).await;
}

#[tokio::test]
async fn simultaneous_creations_never_overshoot_the_room_cap() {
    let server = TestServer::start_with(Config {
        max_rooms: 5,
        ..Config::default()
    })
    .await;
    let attempts = (0..20).map(|_| {
        server
            .http()
            .post(server.url("/api/rooms"))
            .json(&json!({}))
            .send()
    });
    let statuses: Vec<u16> = futures::future::join_all(attempts)
        .await
        .into_iter()
        .map(|response| response.unwrap().status().as_u16())
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        5,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 503).count(),
        15,
        "{statuses:?}"
    );
    assert_eq!(server.health().await["rooms_loaded"], 5);
}

#[tokio::test]
async fn a_room_writing_more_than_its_budget_is_slowed_not_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start_with(Config {
        data_dir: Some(dir.path().to_owned()),
        room_bytes_burst: 400_000,
        room_bytes_per_second: 1,
        ..Config::default()
    })
    .await;
    let noisy = server.create_room().await;
    let quiet = server.create_room().await;
    let (mut ana, _) = server.join_facilitator(&noisy, "Ana").await;
    let (mut ben, _) = server.join_facilitator(&quiet, "Ben").await;
    let item = ana.create_item("Huge").await;
    let huge = "word ".repeat(4_000);
    let mut limited = false;
    for _ in 0..20 {
        let exchange = ana
            .request(Command::UpdateItem {
                item_id: item.id,
                change: ItemChange::Description(huge.clone()),
            })
            .await;
        if let ServerMessage::Error { code, .. } = exchange.reply {
            assert_eq!(code, ErrorCode::RateLimited);
            limited = true;
            break;
        }
    }
    assert!(limited, "20 updates of 20 kB each fit a 400 kB budget");
    ben.request(new_item("Unaffected")).await.acked();
}

#[tokio::test]
async fn connections_beyond_the_server_cap_are_closed_on_arrival() {
    // Three WebSockets and the test's kept-alive HTTP connection.
    let server = TestServer::start_with(Config {
        max_connections: 4,
        ..Config::default()
    })
    .await;
    let room = server.create_room().await;
    let (_a, _) = server.join(&room, "A", Role::Voter).await;
    let (_b, _) = server.join(&room, "B", Role::Voter).await;
    let (_c, _) = server.join(&room, "C", Role::Voter).await;
    // A fourth connection is closed on arrival.
    let url = format!("ws://{}/ws/rooms/{}", server.addr, room.room_id);
    assert!(tokio_tungstenite::connect_async(url).await.is_err());
}

// ---------------------------------------------------------------------------------------------
// Shutdown and storage failures
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn shutdown_answers_every_command_it_applied() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config {
        data_dir: Some(dir.path().to_owned()),
        rate_burst: 100_000,
        rate_per_second: 100_000,
        ..Config::default()
    };
    let server = TestServer::start_with(config.clone()).await;
    let room = server.create_room().await;
    let (mut ana, welcome) = server.join_facilitator(&room, "Ana").await;
    let mut sent = Vec::new();
    // Below MAX_ITEMS_PER_ROOM, so that every one applied is an item.
    for i in 0..900 {
        sent.push(ana.send(new_item(&format!("Item {i}"))).await);
    }
    let stopping = tokio::spawn(server.shutdown());
    // Everything up to the close frame.
    let close = ana.closed().await.expect("a close frame");
    assert_eq!(u16::from(close.code), 1012);
    stopping.await.unwrap();
    let answered: std::collections::BTreeSet<u64> = ana
        .frames
        .iter()
        .filter_map(|text| match serde_json::from_str::<ServerMessage>(text) {
            Ok(ServerMessage::Ack { cmd, .. } | ServerMessage::Error { cmd: Some(cmd), .. }) => {
                Some(cmd)
            }
            _ => None,
        })
        .collect();

    let server = TestServer::start_with(config).await;
    let (_, reply) = server.rejoin(&room, &welcome.participant_token, None).await;
    let ServerMessage::Welcome(after) = reply else {
        panic!("{reply:?}")
    };
    let applied: Vec<u64> = sent
        .into_iter()
        .filter(|cmd| *cmd <= after.last_cmd)
        .collect();
    let unanswered: Vec<&u64> = applied
        .iter()
        .filter(|cmd| !answered.contains(cmd))
        .collect();
    assert!(
        unanswered.is_empty(),
        "{} of {} applied commands were never answered, e.g. {:?}",
        unanswered.len(),
        applied.len(),
        unanswered.first()
    );
    assert_eq!(after.room.items.len(), applied.len());
}

/// SQLite that fails one commit when told to.
struct FailsOnce {
    inner: SqliteBackend,
    fail_next: Arc<AtomicBool>,
}

impl Backend for FailsOnce {
    fn commit(&mut self, writes: &[Write]) -> Result<(), StorageError> {
        if self.fail_next.swap(false, Ordering::SeqCst) {
            return Err(StorageError::Decode("injected failure".into()));
        }
        self.inner.commit(writes)
    }

    fn load(
        &mut self,
        room: RoomId,
        replay_window: usize,
    ) -> Result<Option<StoredRoom>, StorageError> {
        self.inner.load(room, replay_window)
    }

    fn stale_rooms(&mut self, before: Timestamp) -> Result<Vec<RoomId>, StorageError> {
        self.inner.stale_rooms(before)
    }

    fn due_deliveries(
        &mut self,
        now: Timestamp,
        limit: usize,
        per_room: usize,
    ) -> Result<Vec<QueuedDelivery>, StorageError> {
        self.inner.due_deliveries(now, limit, per_room)
    }

    fn next_delivery_at(&mut self) -> Result<Option<Timestamp>, StorageError> {
        self.inner.next_delivery_at()
    }

    fn delivery_log(
        &mut self,
        room: RoomId,
        webhook_id: uuid::Uuid,
    ) -> Result<DeliveryLog, StorageError> {
        self.inner.delivery_log(room, webhook_id)
    }
}

#[tokio::test]
async fn a_failed_commit_closes_the_room_and_nothing_of_it_is_written_afterwards() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("readyroom.sqlite3");
    let fail_next = Arc::new(AtomicBool::new(false));
    let inner = SqliteBackend::open(&path, true).unwrap();
    let reader = inner.reader().unwrap();
    let writer = FailsOnce {
        inner,
        fail_next: Arc::clone(&fail_next),
    };
    let storage = Storage::with_backends(Box::new(writer), Box::new(reader));
    let server = TestServer::start_with_storage(
        Config {
            data_dir: Some(dir.path().to_owned()),
            ..Config::default()
        },
        Some(storage),
    )
    .await;
    let room: RoomCreated = server.create_room().await;
    let (mut ana, welcome) = server.join_facilitator(&room, "Ana").await;
    let (mut ben, _) = server.join(&room, "Ben", Role::Voter).await;
    ana.create_item("Stored").await;
    fail_next.store(true, Ordering::SeqCst);
    let lost = ana.send(new_item("Never stored")).await;
    for client in [&mut ana, &mut ben] {
        let close = client.closed().await.expect("a close frame");
        assert_eq!(u16::from(close.code), 1011);
    }
    assert!(
        !ana.frames.iter().any(|text| text.contains("Never stored")),
        "nothing of the failed batch went out"
    );
    // Storage works again: the room comes back as last committed, without the failed batch
    // (had the old room gone on writing, its snapshot would hold it).
    let (mut again, reply) = server.rejoin(&room, &welcome.participant_token, None).await;
    let ServerMessage::Welcome(after) = reply else {
        panic!("{reply:?}")
    };
    let titles: Vec<&str> = after.room.items.iter().map(|i| i.title.as_str()).collect();
    assert_eq!(titles, ["Stored"]);
    assert!(
        after.last_cmd < lost,
        "the failed command is not remembered"
    );
    // Resending it applies it now.
    again.send_with_id(lost, new_item("Never stored")).await;
    assert!(matches!(
        again.reply_to(lost).await,
        ServerMessage::Ack { .. }
    ));
}

#[tokio::test]
async fn invalid_utf8_closes_with_1007() {
    let server = TestServer::start().await;
    let room = server.create_room().await;
    let (mut ben, _) = server.join(&room, "Ben", Role::Voter).await;
    ben.send_raw_text_frame(&[0x7b, 0xff, 0xfe, 0x7d]).await;
    let close = ben.closed().await.expect("a close frame");
    assert_eq!(u16::from(close.code), 1007);
}

#[tokio::test]
async fn answering_the_servers_pings_never_costs_a_client_its_connection() {
    let server = TestServer::start_with(Config {
        rate_burst: 3,
        rate_per_second: 0,
        ping_interval: Duration::from_millis(50),
        ..Config::default()
    })
    .await;
    let room = server.create_room().await;
    let (mut ben, _) = server.join(&room, "Ben", Role::Voter).await;
    // The rest of the allowance, spent.
    for _ in 0..2 {
        ben.request(Command::Ping).await;
    }
    // While it reads, its client answers the server's pings with pongs: none of them count.
    assert!(ben.recv_within(Duration::from_millis(400)).await.is_none());
    ben.request(Command::Ping)
        .await
        .refused(ErrorCode::RateLimited);
}

#[tokio::test]
async fn a_room_larger_than_the_whole_large_frame_budget_can_still_be_joined() {
    let server = TestServer::start_with(Config {
        outbound_bytes: 4 * 1024,
        large_frame_budget: 1024,
        ..Config::default()
    })
    .await;
    let room = server.create_room().await;
    let (mut ana, _) = server.join_facilitator(&room, "Ana").await;
    let item = ana.create_item("Long").await;
    ana.request(Command::UpdateItem {
        item_id: item.id,
        change: ItemChange::Description("word ".repeat(2_000)),
    })
    .await
    .acked();
    // Its welcome (over 10 kB) is larger than the connection's queue and the whole budget.
    for name in ["Ben", "Cy"] {
        let (_, welcome) = server.join(&room, name, Role::Voter).await;
        assert_eq!(welcome.room.items.len(), 1);
    }
}
