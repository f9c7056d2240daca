//! Crash safety of the real binary: `readyroom` runs as a child process and is killed with
//! SIGKILL while three clients pipeline commands into a room; it is restarted on the same data
//! directory (or PostgreSQL database), the clients rejoin and resend what was not acknowledged, and then:
//!
//! - every command acknowledged before the kill, and every event seen, survived;
//! - each participant's `last_cmd` after the restart is consistent with the room: exactly the
//!   commands up to it were applied, and resending them is answered as a duplicate;
//! - every resent command is acknowledged, nothing is applied twice, nothing appears that was
//!   never sent.
//!
//! Kill points are random (between 100 and 600 ms into the load) from a seed printed at the
//! start; `READYROOM_CRASH_SEED=<seed>` replays one. The binary must have been built:
//! `cargo test --workspace --all-targets` builds it, `cargo test -p readyroom-tests` alone
//! does not (then run `cargo build -p readyroom-server` first).
#![cfg(unix)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code: a failed expectation is a failed test"
)]

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsString;
use std::time::{Duration, SystemTime};

use readyroom_protocol::{CommandId, Event, Resume, Role, RoomSnapshot, ServerMessage};
use readyroom_tests::process::{ServerProcess, server_binary};
use readyroom_tests::{Client, RECEIVE_TIMEOUT, RoomCreated, Store, TestServer, new_item};
use tokio::time::Instant;

/// Clients loading the room at once.
const CLIENTS: usize = 3;
/// Commands a client keeps unanswered at most.
const WINDOW: usize = 20;
/// Kill points: this many milliseconds into the load, plus up to `KILL_SPREAD_MS`.
const KILL_MIN_MS: u64 = 100;
const KILL_SPREAD_MS: u64 = 500;
/// The load gives up (and fails) if the server is still answering after this long.
const LOAD_LIMIT: Duration = Duration::from_secs(20);

#[tokio::test]
async fn acked_commands_survive_sigkill() {
    crash_cycles(Store::sqlite(), "full", 3, &[], Nodes::One, Stop::Kill).await;
}

#[tokio::test]
async fn acked_commands_survive_sigkill_on_postgresql() {
    crash_cycles(
        Store::postgres().await,
        "full",
        3,
        &[],
        Nodes::One,
        Stop::Kill,
    )
    .await;
}

/// Failover: the node serving the room dies under load; another takes the room over.
#[tokio::test]
async fn acked_commands_survive_sigkill_of_the_rooms_node_among_three() {
    crash_cycles(
        Store::postgres().await,
        "full",
        3,
        &[],
        Nodes::Three,
        Stop::Kill,
    )
    .await;
}

/// A rolling restart under load: each cycle stops the room's node with SIGTERM (all three
/// original nodes in turn, each replaced by a new one). The rooms move without waiting for
/// their leases, and no client sees anything but a reconnection.
#[tokio::test]
async fn a_rolling_restart_of_three_nodes_loses_nothing() {
    crash_cycles(
        Store::postgres().await,
        "full",
        3,
        &[],
        Nodes::Three,
        Stop::Terminate,
    )
    .await;
}

/// Log segments of 64 KiB and a snapshot every 20 inputs: the kills fall while segments are
/// started and deleted and snapshots stored, not only between appends.
#[tokio::test]
async fn acked_commands_survive_sigkill_during_segment_rollover_and_snapshots() {
    crash_cycles(
        Store::sqlite(),
        "full",
        4,
        &["--log-segment-kib", "64", "--snapshot-every", "20"],
        Nodes::One,
        Stop::Kill,
    )
    .await;
}

/// Without fsync a power cut may lose the last commits, but a crash of the process must not:
/// the data is in the operating system's cache.
#[tokio::test]
async fn acked_commands_survive_sigkill_without_fsync() {
    crash_cycles(Store::sqlite(), "off", 3, &[], Nodes::One, Stop::Kill).await;
}

/// How the servers under test are arranged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Nodes {
    /// One server, started again on the same storage after each kill.
    One,
    /// Three nodes sharing one PostgreSQL database. The room is created on the first, which
    /// serves it; its clients connect through the other two (which forward to it). The owner
    /// is killed; the clients come back through the nodes they used, one of which takes the
    /// room over once the lease runs out, and a new node replaces the dead one.
    Three,
}

/// How the room's server goes down in each cycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stop {
    /// SIGKILL: a crash.
    Kill,
    /// SIGTERM: a rolling restart. Nodes then hold leases far longer than the test waits for
    /// the room to come back: the dying node must hand its rooms over, not let them run out.
    Terminate,
}

impl Stop {
    /// The lease the nodes of [`Nodes::Three`] hold rooms with.
    fn lease_seconds(self) -> u64 {
        match self {
            Self::Kill => 2,
            Self::Terminate => 60,
        }
    }

    /// How long a room may go unserved after its node went down: the lease after a crash,
    /// and loading it.
    fn takeover_limit(self) -> Duration {
        match self {
            Self::Kill => Duration::from_secs(self.lease_seconds() + 8),
            Self::Terminate => Duration::from_secs(8),
        }
    }
}

/// Runs `cycles` load–kill–restart–verify rounds against one store, a new room in each; the
/// rooms of earlier cycles are checked again after every restart.
async fn crash_cycles(
    store: Store,
    sync: &str,
    cycles: usize,
    extra: &[&str],
    nodes: Nodes,
    stop: Stop,
) {
    let seed = std::env::var("READYROOM_CRASH_SEED").map_or_else(
        |_| {
            SystemTime::now()
                .duration_since(SystemTime::UNIX_EPOCH)
                .map_or(1, |d| (d.as_secs() << 30) ^ u64::from(d.subsec_nanos()))
        },
        |text| {
            text.parse()
                .expect("READYROOM_CRASH_SEED must be an integer")
        },
    );
    println!(
        "crash test (--sync {sync}, {nodes:?} node(s)): seed {seed}; replay with \
         READYROOM_CRASH_SEED={seed}"
    );
    let mut rng = SplitMix64(seed);
    let binary = server_binary();
    let args = server_args(&store, sync, extra);
    let mut launched = 0;
    let mut servers = Vec::new();
    for _ in 0..match nodes {
        Nodes::One => 1,
        Nodes::Three => 3,
    } {
        servers.push(start_node(&binary, &args, nodes, stop, &mut launched).await);
    }
    let mut takeovers = Vec::new();
    // Every room so far, with exactly the titles it must hold.
    let mut rooms: Vec<(RoomCreated, BTreeSet<String>)> = Vec::new();

    for cycle in 0..cycles {
        let kill_after = Duration::from_millis(KILL_MIN_MS + rng.next() % (KILL_SPREAD_MS + 1));
        let room = TestServer::external(servers[0].addr).create_room().await;
        // The node each client goes through, before and after the kill.
        let via = |index: usize| match nodes {
            Nodes::One => 0,
            Nodes::Three => 1 + index % 2,
        };
        let mut clients = Vec::new();
        let mut tokens = Vec::new();
        let mut epoch = String::new();
        for index in 0..CLIENTS {
            let (client, welcome) = TestServer::external(servers[via(index)].addr)
                .join(&room, &format!("Client {index}"), Role::Voter)
                .await;
            tokens.push(welcome.participant_token.clone());
            epoch = welcome.epoch;
            clients.push((client, welcome.last_cmd));
        }

        // Load, and kill the server in the middle of it.
        let start = Instant::now();
        let loads: Vec<_> = clients
            .into_iter()
            .enumerate()
            .map(|(index, (client, last_cmd))| {
                tokio::spawn(load(client, cycle, index, last_cmd, start))
            })
            .collect();
        tokio::time::sleep_until(start + kill_after).await;
        match stop {
            Stop::Kill => servers[0].kill().await,
            Stop::Terminate => {
                let status = servers[0].terminate(RECEIVE_TIMEOUT).await;
                assert!(
                    status.is_some_and(|status| status.success()),
                    "the node did not stop cleanly: {status:?}"
                );
            }
        }
        let killed_at = Instant::now();
        let mut reports = Vec::new();
        for load in loads {
            let report = tokio::time::timeout(RECEIVE_TIMEOUT, load)
                .await
                .expect("a client did not notice the server was gone")
                .unwrap();
            reports.push(report);
        }
        let sent: usize = reports.iter().map(|r| r.sent.len()).sum();
        let acked: usize = reports.iter().map(|r| r.acked.len()).sum();
        let context = format!("seed {seed}, cycle {cycle}, killed {kill_after:?} into the load");
        assert!(sent > 0, "nothing was sent ({context})");

        // Restart on the same data, or carry on without the dead node; everyone rejoins
        // before anyone resends.
        match nodes {
            Nodes::One => {
                servers[0] = start_node(&binary, &args, nodes, stop, &mut launched).await;
            }
            Nodes::Three => drop(servers.remove(0)),
        }
        let via = |index: usize| via(index).saturating_sub(usize::from(nodes == Nodes::Three));
        let mut rejoined = Vec::new();
        for (index, (token, report)) in tokens.iter().zip(&reports).enumerate() {
            // Through another node, a client resumes from what it saw.
            let resume = (nodes == Nodes::Three).then(|| Resume {
                epoch: epoch.clone(),
                seq: report.last_seq,
            });
            let (client, reply) = TestServer::external(servers[via(index)].addr)
                .rejoin_when_served(&room, token, resume, stop.takeover_limit())
                .await;
            if index == 0 {
                takeovers.push(killed_at.elapsed());
            }
            let last_cmd = match reply {
                ServerMessage::Welcome(welcome) if nodes == Nodes::One => {
                    assert_eq!(welcome.epoch, epoch, "the epoch changed ({context})");
                    welcome.last_cmd
                }
                ServerMessage::Resumed(resumed) if nodes == Nodes::Three => {
                    assert_eq!(resumed.epoch, epoch, "the epoch changed ({context})");
                    resumed.last_cmd
                }
                reply => panic!("client {index} was not taken back: {reply:?} ({context})"),
            };
            rejoined.push((client, last_cmd));
        }
        // The room as the restart (or the takeover) found it: nothing was sent since.
        let api = TestServer::external(servers[via(0)].addr);
        let (observer, welcome) = api.join(&room, "Observer", Role::Observer).await;
        observer.close().await;
        let titles = titles_once(&welcome.room, &context);
        for (index, (report, (_, last_cmd))) in reports.iter().zip(&rejoined).enumerate() {
            let newest_acked = report.acked.last().copied().unwrap_or(0);
            assert!(
                *last_cmd >= newest_acked,
                "client {index}: command {newest_acked} was acked before the kill but last_cmd is \
                 {last_cmd} after the restart ({context})"
            );
            let lost: Vec<&String> = report
                .acked
                .iter()
                .map(|cmd| &report.sent[cmd])
                .filter(|title| !titles.contains(*title))
                .collect();
            assert!(
                lost.is_empty(),
                "client {index}: acked commands lost in the crash: {lost:?} ({context})"
            );
            // Exactly the commands up to last_cmd were applied.
            let applied: BTreeSet<&String> = report
                .sent
                .range(..=*last_cmd)
                .map(|(_, title)| title)
                .collect();
            let present: BTreeSet<&String> = titles
                .iter()
                .filter(|title| title.starts_with(&format!("r{cycle}-c{index}-")))
                .collect();
            assert_eq!(
                present, applied,
                "client {index}: the room does not hold exactly the commands up to last_cmd \
                 {last_cmd} ({context})"
            );
        }
        let every_title: BTreeSet<String> = reports
            .iter()
            .flat_map(|r| r.sent.values().cloned())
            .collect();
        let unknown: Vec<&String> = titles.difference(&every_title).collect();
        assert!(
            unknown.is_empty(),
            "items nobody sent: {unknown:?} ({context})"
        );
        let unseen: Vec<&String> = reports
            .iter()
            .flat_map(|r| r.seen.iter())
            .filter(|title| !titles.contains(*title))
            .collect();
        assert!(
            unseen.is_empty(),
            "items whose item_created event was broadcast before the kill are gone: {unseen:?} \
             ({context})"
        );

        // Resend everything unanswered, with its original id, in order.
        let mut duplicates = 0;
        let mut applied_now = 0;
        for (index, (report, (mut client, last_cmd))) in reports.iter().zip(rejoined).enumerate() {
            let unanswered: Vec<(CommandId, &String)> = report
                .sent
                .iter()
                .filter(|(cmd, _)| !report.acked.contains(cmd))
                .map(|(cmd, title)| (*cmd, title))
                .collect();
            for (cmd, title) in &unanswered {
                client.send_with_id(*cmd, new_item(title)).await;
            }
            let mut pending: BTreeSet<CommandId> = unanswered.iter().map(|(cmd, _)| *cmd).collect();
            while !pending.is_empty() {
                match client.recv().await {
                    ServerMessage::Ack { cmd, duplicate, .. } => {
                        assert!(
                            pending.remove(&cmd),
                            "client {index}: unexpected ack of {cmd} ({context})"
                        );
                        assert_eq!(
                            duplicate,
                            cmd <= last_cmd,
                            "client {index}: resent command {cmd} (last_cmd {last_cmd}) should \
                             be a duplicate exactly if it had been applied ({context})"
                        );
                        if duplicate {
                            duplicates += 1;
                        } else {
                            applied_now += 1;
                        }
                    }
                    ServerMessage::Event(_) => {}
                    other => panic!("client {index}: a resend got {other:?} ({context})"),
                }
            }
            client.close().await;
        }
        println!(
            "cycle {cycle}: killed {kill_after:?} into the load; {sent} commands sent, {acked} \
             acked before the kill; {} resent: {duplicates} had been applied (duplicate ack), \
             {applied_now} applied now",
            sent - acked
        );
        rooms.push((room, every_title));
        if nodes == Nodes::Three {
            servers.push(start_node(&binary, &args, nodes, stop, &mut launched).await);
        }

        // Every room, this one and those of earlier cycles, holds exactly what was sent.
        for (number, (room, expected)) in rooms.iter().enumerate() {
            let mut observer = api.connect_when_served(room, stop.takeover_limit()).await;
            let welcome = observer.join("Observer", Role::Observer, None).await;
            let titles = titles_once(&welcome.room, &context);
            assert_eq!(
                &titles, expected,
                "room of cycle {number} after cycle {cycle} ({context})"
            );
            observer.close().await;
        }
    }
    for server in &mut servers {
        server.kill().await;
    }
    if nodes == Nodes::Three {
        println!("takeovers after {stop:?}, to the first client back in: {takeovers:?}");
    }
    if let Some(dir) = store.dir().filter(|_| extra.contains(&"--log-segment-kib")) {
        let newest = std::fs::read_dir(dir.join("log"))
            .unwrap()
            .filter_map(|entry| {
                let name = entry.unwrap().file_name();
                name.to_str()?.strip_suffix(".seg")?.parse::<u64>().ok()
            })
            .max()
            .unwrap();
        assert!(
            newest > cycles as u64,
            "the log started only {newest} segments: the kills cannot have hit a rollover"
        );
    }
}

/// The item titles of a snapshot; panics if one appears twice.
fn titles_once(room: &RoomSnapshot, context: &str) -> BTreeSet<String> {
    let mut titles = BTreeSet::new();
    for item in &room.items {
        assert!(
            titles.insert(item.title.clone()),
            "{:?} is in the room twice ({context})",
            item.title
        );
    }
    titles
}

/// What one client sent and heard before the server died.
#[derive(Debug, Default)]
struct LoadReport {
    /// Every command sent, by id, with the title of the item it creates.
    sent: BTreeMap<CommandId, String>,
    acked: BTreeSet<CommandId>,
    /// Titles of the `item_created` events received (from anyone's commands).
    seen: BTreeSet<String>,
    /// The last event received.
    last_seq: u64,
}

/// Commands a client may have sent `t` seconds into the load. The server takes a burst of 200
/// messages per connection and then 40 a second; staying under that (with a margin) keeps
/// every command accepted, and spreading the burst keeps commands in flight until the latest
/// kill point.
fn allowed(t: f64) -> f64 {
    (20.0 + 260.0 * t).min(180.0 + 38.0 * t)
}

/// The instant (seconds into the load) from which `count` commands are allowed.
fn allowed_from(count: f64) -> f64 {
    ((count - 20.0) / 260.0).max((count - 180.0) / 38.0)
}

/// Pipelines `create_item` commands (at most [`WINDOW`] unanswered) until the connection dies.
async fn load(
    mut client: Client,
    cycle: usize,
    index: usize,
    mut last_cmd: CommandId,
    start: Instant,
) -> LoadReport {
    let mut report = LoadReport::default();
    loop {
        let elapsed = start.elapsed();
        assert!(
            elapsed < LOAD_LIMIT,
            "client {index}: the server was still answering after {LOAD_LIMIT:?}"
        );
        let t = elapsed.as_secs_f64();
        while report.sent.len() - report.acked.len() < WINDOW
            && (report.sent.len() as f64) < allowed(t)
        {
            last_cmd += 1;
            let title = format!("r{cycle}-c{index}-{}", report.sent.len());
            if client
                .try_send_with_id(last_cmd, new_item(&title))
                .await
                .is_err()
            {
                // Sent or not, it was never answered: it counts as unanswered.
                report.sent.insert(last_cmd, title);
                return report;
            }
            report.sent.insert(last_cmd, title);
        }
        let window_full = report.sent.len() - report.acked.len() >= WINDOW;
        let wait = if window_full {
            RECEIVE_TIMEOUT
        } else {
            let next = allowed_from(report.sent.len() as f64 + 1.0);
            Duration::from_secs_f64((next - t).max(0.001))
        };
        match client.try_recv_within(wait).await {
            Ok(Some(ServerMessage::Ack { cmd, .. })) => {
                assert!(
                    report.sent.contains_key(&cmd),
                    "client {index}: ack of unknown command {cmd}"
                );
                assert!(
                    report.acked.insert(cmd),
                    "client {index}: command {cmd} acked twice"
                );
            }
            Ok(Some(ServerMessage::Event(frame))) => {
                report.last_seq = frame.seq;
                if let Event::ItemCreated { item } = &frame.event {
                    report.seen.insert(item.title.clone());
                }
            }
            Ok(Some(other)) => panic!("client {index}: unexpected {other:?}"),
            Ok(None) => assert!(
                !window_full,
                "client {index}: {WINDOW} commands unanswered for {RECEIVE_TIMEOUT:?}"
            ),
            Err(_) => return report,
        }
    }
}

/// Starts a server, or the next node of several.
async fn start_node(
    binary: &std::path::Path,
    args: &[OsString],
    nodes: Nodes,
    stop: Stop,
    launched: &mut usize,
) -> ServerProcess {
    *launched += 1;
    let mut args = args.to_vec();
    if nodes == Nodes::Three {
        for arg in [
            "--node-id".to_owned(),
            format!("node-{launched}"),
            "--lease-seconds".to_owned(),
            stop.lease_seconds().to_string(),
            "--trusted-proxy".to_owned(),
            "127.0.0.0/8".to_owned(),
        ] {
            args.push(arg.into());
        }
    }
    ServerProcess::start(binary, args).await
}

fn server_args(store: &Store, sync: &str, extra: &[&str]) -> Vec<OsString> {
    store
        .args()
        .into_iter()
        .chain(["--sync".into(), sync.into()])
        .chain(extra.iter().map(OsString::from))
        .collect()
}

/// A tiny seeded generator: the kill points only need to be reproducible.
#[derive(Debug)]
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}
