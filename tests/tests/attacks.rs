//! Denial-of-service attacks on the real binary, each bounded in time. During each, a fresh
//! client from another address must still get a health answer, create a room and join it, and
//! the server's memory must stay within a bound far below what the attack cost before it was
//! answered (figures in SECURITY.md). The latencies and memory are printed, not asserted
//! against a clock: a slow machine makes them larger, not wrong.
#![cfg(unix)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code: a failed expectation is a failed test"
)]

use std::time::Duration;

use readyroom_protocol::{Command, ItemChange, Role};
use readyroom_tests::process::{ServerProcess, server_binary};
use readyroom_tests::{RECEIVE_TIMEOUT, TestServer, join_request, loopback};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;

/// The honest client: from its own address, it checks health, creates a room and joins it.
/// Returns how long that took.
async fn probe(server: &TestServer) -> Duration {
    let started = Instant::now();
    let http = TestServer::http_from(loopback(9));
    let health = http.get(server.url("/healthz")).send().await.unwrap();
    assert!(health.status().is_success());
    let room = server.create_room_from(loopback(9), "Probe").await;
    let mut client = server.connect_from(loopback(9), &room, &[]).await.unwrap();
    client.join("Probe", Role::Voter, None).await;
    started.elapsed()
}

#[tokio::test]
async fn a_ping_flood_from_a_client_that_never_reads_is_cut_off() {
    let server = ServerProcess::start(&server_binary(), ["--in-memory"]).await;
    let handle = TestServer::external(server.addr);
    let room = handle.create_room_from(loopback(3), "Target").await;
    let mut attacker = handle.connect(&room).await;
    attacker.join("Mallory", Role::Voter, None).await;
    let before = server.rss_kib();
    let started = Instant::now();
    let mut pings = 0_u64;
    let mut cut_off = false;
    let mut peak = before;
    while started.elapsed() < Duration::from_secs(10) {
        let ping = Message::Ping(vec![7_u8; 125].into());
        if attacker.try_send_message(ping).await.is_err() {
            cut_off = true;
            break;
        }
        pings += 1;
        if pings % 1_000 == 0 {
            peak = peak.max(server.rss_kib());
        }
    }
    let probe = probe(&handle).await;
    peak = peak.max(server.rss_kib());
    println!(
        "ping flood: {pings} pings sent, cut off after {:?}; RSS {before} → peak {peak} KiB; probe {probe:?}",
        started.elapsed()
    );
    assert!(cut_off, "the server was still taking pings after 10 s");
    assert!(
        peak - before < 32 * 1024,
        "the server grew by {} KiB",
        peak - before
    );
}

#[tokio::test]
async fn half_open_requests_are_capped_per_address_and_timed_out() {
    let server = ServerProcess::start(
        &server_binary(),
        [
            "--in-memory",
            "--max-connections-per-address",
            "64",
            "--header-timeout",
            "2",
        ],
    )
    .await;
    let handle = TestServer::external(server.addr);
    let before = server.rss_kib();
    let mut sockets = Vec::new();
    for _ in 0..300 {
        let socket = TcpSocket::new_v4().unwrap();
        socket.bind((loopback(1), 0).into()).unwrap();
        let mut stream = socket.connect(server.addr).await.unwrap();
        // Headers that never end.
        let _ = stream
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            .await;
        sockets.push(stream);
    }
    let probe = probe(&handle).await;
    // Beyond the cap, connections were closed on arrival; the rest wait for their headers.
    let checks = sockets.into_iter().map(|mut stream| async move {
        let closed = closed_within(&mut stream, Duration::from_millis(300)).await;
        (!closed).then_some(stream)
    });
    let mut open: Vec<TcpStream> = futures::future::join_all(checks)
        .await
        .into_iter()
        .flatten()
        .collect();
    println!(
        "slowloris: {} of 300 half-open requests held; RSS {before} → {} KiB; probe {probe:?}",
        open.len(),
        server.rss_kib()
    );
    assert!(open.len() <= 64, "{} held", open.len());
    // Those are closed once their headers are overdue.
    for stream in &mut open {
        assert!(
            closed_within(stream, RECEIVE_TIMEOUT).await,
            "a half-open request outlived the header timeout"
        );
    }
}

/// Whether the peer closes (or resets) the stream within `wait`.
async fn closed_within(stream: &mut TcpStream, wait: Duration) -> bool {
    let mut buffer = [0_u8; 512];
    let deadline = Instant::now() + wait;
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buffer)).await {
            Err(_) => return false,
            Ok(Ok(0) | Err(_)) => return true,
            // A response (408 or the like) before the end.
            Ok(Ok(_)) => {}
        }
    }
}

#[tokio::test]
async fn sigterm_stops_the_server_within_its_grace_whatever_is_half_open() {
    let mut server =
        ServerProcess::start(&server_binary(), ["--in-memory", "--shutdown-grace", "1"]).await;
    let handle = TestServer::external(server.addr);
    let room = handle.create_room_from(loopback(3), "Target").await;
    let (_joined, _) = handle.join(&room, "Ana", Role::Voter).await;
    let mut half_open = TcpStream::connect(server.addr).await.unwrap();
    half_open
        .write_all(b"POST /api/rooms HTTP/1.1\r\n")
        .await
        .unwrap();
    let started = Instant::now();
    let status = server
        .terminate(Duration::from_secs(8))
        .await
        .expect("the server was still running 8 s after SIGTERM");
    println!("shutdown with a half-open request: {:?}", started.elapsed());
    assert!(status.success(), "{status:?}");
}

#[tokio::test]
async fn rejoins_of_a_big_room_that_never_read_cost_a_bounded_amount() {
    let server = ServerProcess::start(
        &server_binary(),
        [
            "--in-memory",
            "--outbound-kib",
            "256",
            "--large-frame-mib",
            "8",
            "--join-burst",
            "1000",
            "--message-burst",
            "100000",
            "--messages-per-second",
            "100000",
        ],
    )
    .await;
    let handle = TestServer::external(server.addr);
    let room = handle.create_room_from(loopback(3), "Target").await;
    let (mut ana, _) = handle.join_facilitator(&room, "Ana").await;
    // 40 items of 80 kB each: a welcome of about 3.2 MB, beyond a connection's own budget.
    let description = "😀".repeat(20_000);
    for i in 0..40 {
        let item = ana.create_item(&format!("Item {i}")).await;
        ana.request(Command::UpdateItem {
            item_id: item.id,
            change: ItemChange::Description(description.clone()),
        })
        .await
        .acked();
    }
    let before = server.rss_kib();
    let mut attackers = Vec::new();
    for i in 0..40 {
        let mut attacker = handle.connect_with_small_buffer(&room).await;
        attacker
            .send(Command::Join(join_request(
                &format!("M{i}"),
                Role::Voter,
                None,
            )))
            .await;
        attackers.push(attacker);
    }
    let mut peak = server.rss_kib();
    let watching = Instant::now();
    while watching.elapsed() < Duration::from_secs(2) {
        peak = peak.max(server.rss_kib());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let probe = probe(&handle).await;
    ana.request(Command::Ping).await;
    println!(
        "welcome amplification: 40 unread joins of a {} kB room; RSS {before} → peak {peak} KiB; probe {probe:?}",
        40 * description.len() / 1000
    );
    assert!(
        peak - before < 64 * 1024,
        "the server grew by {} KiB",
        peak - before
    );
}

#[tokio::test]
async fn stalled_uploads_hold_no_memory() {
    let server = ServerProcess::start(&server_binary(), ["--in-memory"]).await;
    let handle = TestServer::external(server.addr);
    let before = server.rss_kib();
    // 24 clients, each announcing a 60 MB import and stalling after 1 MiB.
    let mut uploads = Vec::new();
    for last in 10..34 {
        let socket = TcpSocket::new_v4().unwrap();
        socket.bind((loopback(last), 0).into()).unwrap();
        let mut stream = socket.connect(server.addr).await.unwrap();
        let head = format!(
            "POST /api/rooms/import HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n\
             Content-Length: 60000000\r\n\r\n",
            server.addr
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        // The server may refuse (and close) before taking all of it.
        let _ = stream.write_all(&vec![b' '; 1024 * 1024]).await;
        uploads.push(stream);
    }
    let probe = probe(&handle).await;
    let after = server.rss_kib();
    println!(
        "stalled uploads: 24 × 60 MB announced, 1 MiB sent each; RSS {before} → {after} KiB; probe {probe:?}"
    );
    assert!(
        after.saturating_sub(before) < 32 * 1024,
        "the server grew by {} KiB",
        after - before
    );
}

#[tokio::test]
async fn a_room_sending_maximal_updates_is_slowed_and_its_neighbours_are_not() {
    let data = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(
        &server_binary(),
        [
            std::ffi::OsStr::new("--data-dir"),
            data.path().as_os_str(),
            std::ffi::OsStr::new("--sync"),
            std::ffi::OsStr::new("off"),
        ],
    )
    .await;
    let handle = TestServer::external(server.addr);
    let noisy = handle.create_room_from(loopback(3), "Noisy").await;
    let (mut ana, _) = handle.join_facilitator(&noisy, "Ana").await;
    let item = ana.create_item("Huge").await;
    let mut writers = Vec::new();
    for name in ["Ben", "Cid", "Dee"] {
        let (client, _) = handle.join(&noisy, name, Role::Voter).await;
        writers.push(client);
    }
    // Maximal legal updates (20,000 four-byte characters each), pipelined by three people for
    // three seconds as fast as they can: about 960 would pass their connections' rates (a
    // burst of 200 and 40 a second each), some 150 MB to store.
    let started = Instant::now();
    let text = |n: usize| {
        char::from_u32(0x1F600 + u32::try_from(n % 50).unwrap())
            .unwrap()
            .to_string()
            .repeat(20_000)
    };
    let mut sent = 0_usize;
    while started.elapsed() < Duration::from_secs(3) {
        for writer in &mut writers {
            writer
                .send(Command::UpdateItem {
                    item_id: item.id,
                    change: ItemChange::Description(text(sent)),
                })
                .await;
            sent += 1;
        }
    }
    let probe = probe(&handle).await;
    let stored: u64 = std::fs::read_dir(data.path())
        .unwrap()
        .map(|entry| entry.unwrap().metadata().unwrap().len())
        .sum();
    println!(
        "maximal updates: {sent} of 80 kB sent in 3 s; data directory {} MiB; probe {probe:?}",
        stored / (1024 * 1024)
    );
    assert!(
        stored < 64 * 1024 * 1024,
        "{} MiB written in 3 s",
        stored / (1024 * 1024)
    );
}
