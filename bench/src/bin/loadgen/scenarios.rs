//! The scenarios, each run against one server process: set the rooms up, drive the clients,
//! read the server's usage before and after the measured part.

use std::net::Ipv4Addr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use anyhow::{Context, bail};
use futures::{StreamExt, TryStreamExt};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::client::{Client, Control, Edits, Room, Run};
use crate::dialect::Target;
use crate::metrics::Tally;
use crate::process::{ServerProcess, Usage};

/// Joins and room creations in flight at once during set-up (not during a join storm).
const SETUP_PARALLELISM: usize = 128;
/// Items each room's facilitator creates before the others join.
const ITEMS_PER_ROOM: usize = 5;
/// Time for the server to settle (allocator, lazy initialisation) before a memory reading.
const SETTLE: Duration = Duration::from_secs(2);
/// After a measured phase, for deliveries of what was sent inside it.
const DRAIN: Duration = Duration::from_secs(2);
/// jemalloc returns freed pages after about 10 s: an idle reading sooner would count the
/// joins' transient allocations as memory per participant.
const IDLE_SETTLE: Duration = Duration::from_secs(11);
/// A storm whose last delivery takes longer than this is reported as failed.
const STORM_TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scenario {
    Idle,
    /// Edits are text operations.
    Meeting,
    /// The same meeting, every edit sending the whole description.
    MeetingReplace,
    RevealStorm,
    JoinStorm,
}

impl Scenario {
    pub fn is_meeting(self) -> bool {
        matches!(self, Self::Meeting | Self::MeetingReplace)
    }

    /// How a meeting's edits are sent.
    pub fn edits(self) -> Option<Edits> {
        match self {
            Self::Meeting => Some(Edits::TextOps),
            Self::MeetingReplace => Some(Edits::Replace),
            Self::Idle | Self::RevealStorm | Self::JoinStorm => None,
        }
    }
}

/// One scenario's run against one server.
#[derive(Debug)]
pub struct Outcome {
    pub participants: usize,
    pub tally: Tally,
    /// Usage before the clients connected (idle, join storm) or before the measured phase.
    pub before: Usage,
    pub after: Usage,
    /// Length of the measured phase.
    pub measured: Duration,
    /// The load generator's CPU time over the same span as `before`..`after`.
    pub generator_cpu: Duration,
    /// Join storm: joins that failed.
    pub refused: usize,
}

impl Outcome {
    fn new(shape: Shape, tally: Tally, span: Spanned, refused: usize) -> Self {
        Self {
            participants: shape.clients(),
            tally,
            before: span.before,
            after: span.after,
            measured: span.elapsed,
            generator_cpu: span.generator_cpu,
            refused,
        }
    }
}

/// The server's usage and the generator's CPU time from the start of a phase…
struct Span {
    before: Usage,
    generator_before: Duration,
    started: Instant,
}

/// …to its end.
#[derive(Clone, Copy)]
struct Spanned {
    before: Usage,
    after: Usage,
    generator_cpu: Duration,
    elapsed: Duration,
}

impl Span {
    fn start(server: &ServerProcess) -> anyhow::Result<Self> {
        Ok(Self {
            before: server.usage()?,
            generator_before: server.generator_cpu()?,
            started: Instant::now(),
        })
    }

    fn end(self, server: &ServerProcess) -> anyhow::Result<Spanned> {
        Ok(Spanned {
            elapsed: self.started.elapsed(),
            before: self.before,
            after: server.usage()?,
            generator_cpu: server
                .generator_cpu()?
                .saturating_sub(self.generator_before),
        })
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Shape {
    pub target: Target,
    pub in_memory: bool,
    /// The server's worker threads, when not one per core.
    pub server_threads: Option<usize>,
    pub rooms: usize,
    pub participants: usize,
    pub sources: usize,
    /// A meeting's edits, and the length of the descriptions they go into.
    pub edits: Option<Edits>,
    pub description_chars: usize,
}

impl Shape {
    fn clients(&self) -> usize {
        self.rooms * self.participants
    }
}

/// N participants joined, nothing happening.
pub async fn idle(shape: Shape) -> anyhow::Result<Outcome> {
    let server = ServerProcess::spawn(shape.target, shape.in_memory, shape.server_threads).await?;
    tokio::time::sleep(SETTLE).await;
    let span = Span::start(&server)?;
    let (run, rooms) = prepare(&server, shape).await?;
    let clients = join_everyone(&run, &rooms, shape.participants).await?;
    // The clients keep reading (and answering the server's pings) while the server settles;
    // anyone dropped by then counts as a disconnect.
    let (controls, tasks) = start(clients);
    tokio::time::sleep(IDLE_SETTLE).await;
    // Memory, not a timed phase: no rates.
    let span = Spanned {
        elapsed: Duration::ZERO,
        ..span.end(&server)?
    };
    let tally = finish(controls, tasks).await?;
    server.stop().await?;
    Ok(Outcome::new(shape, tally, span, 0))
}

/// Everyone types into a description once a second and moves an item now and then; every room
/// runs rounds.
pub async fn meeting(shape: Shape, warmup: Duration, seconds: Duration) -> anyhow::Result<Outcome> {
    let server = ServerProcess::spawn(shape.target, shape.in_memory, shape.server_threads).await?;
    let (run, rooms) = prepare(&server, shape).await?;
    let clients = join_everyone(&run, &rooms, shape.participants).await?;
    let (controls, tasks) = start(clients);
    for control in &controls {
        let _ = control.send(Control::Meeting);
    }
    tokio::time::sleep(warmup).await;
    let span = Span::start(&server)?;
    run.start_measuring();
    tokio::time::sleep(seconds).await;
    run.stop_measuring();
    let span = span.end(&server)?;
    // Edits sent just before the window closed are still on their way.
    tokio::time::sleep(DRAIN).await;
    let tally = finish(controls, tasks).await?;
    server.stop().await?;
    Ok(Outcome::new(shape, tally, span, 0))
}

/// Every room has its votes in; every facilitator reveals at the same instant, `storms` times.
pub async fn reveal_storm(shape: Shape, storms: usize) -> anyhow::Result<Outcome> {
    let server = ServerProcess::spawn(shape.target, shape.in_memory, shape.server_threads).await?;
    let (run, rooms) = prepare(&server, shape).await?;
    let clients = join_everyone(&run, &rooms, shape.participants).await?;
    let facilitators: Vec<bool> = clients.iter().map(Client::is_facilitator).collect();
    let (controls, tasks) = start(clients);
    let facilitator_controls: Vec<_> = controls
        .iter()
        .zip(&facilitators)
        .filter(|(_, facilitator)| **facilitator)
        .map(|(control, _)| control)
        .collect();
    let deliveries = shape.rooms * shape.participants.saturating_sub(1);
    let span = Span::start(&server)?;
    run.start_measuring();
    for storm in 0..storms {
        run.all_votes_seen.store(0, Ordering::Relaxed);
        for control in &facilitator_controls {
            let _ = control.send(Control::StormRound);
        }
        wait_for(&run.all_votes_seen, shape.clients())
            .await
            .with_context(|| format!("storm {storm}: not everyone saw every vote"))?;
        run.reveals_seen.store(0, Ordering::Relaxed);
        // A moment ahead, so that every facilitator has the instruction before it is due.
        let at = Instant::now() + Duration::from_millis(100);
        for control in &facilitator_controls {
            let _ = control.send(Control::RevealAt(at));
        }
        wait_for(&run.reveals_seen, deliveries)
            .await
            .with_context(|| format!("storm {storm}: not every member saw the reveal"))?;
    }
    run.stop_measuring();
    let span = span.end(&server)?;
    let tally = finish(controls, tasks).await?;
    server.stop().await?;
    Ok(Outcome::new(shape, tally, span, 0))
}

/// Every participant connects and joins at the same moment.
pub async fn join_storm(shape: Shape) -> anyhow::Result<Outcome> {
    let server = ServerProcess::spawn(shape.target, shape.in_memory, shape.server_threads).await?;
    let (run, rooms) = prepare(&server, shape).await?;
    tokio::time::sleep(SETTLE).await;
    let span = Span::start(&server)?;
    let started = span.started;
    let joins: Vec<JoinHandle<anyhow::Result<Client>>> = rooms
        .iter()
        .enumerate()
        .flat_map(|(number, room)| {
            (0..shape.participants)
                .map(move |seat| (number * shape.participants + seat, room, seat))
        })
        .map(|(index, room, seat)| {
            tokio::spawn(Client::join(
                Arc::clone(&run),
                Arc::clone(room),
                index,
                seat == 0,
                started,
            ))
        })
        .collect();
    let mut tally = Tally::default();
    let mut clients = Vec::with_capacity(joins.len());
    let mut refused = 0;
    for join in joins {
        match join.await {
            Ok(Ok(client)) => clients.push(client),
            Ok(Err(error)) => {
                refused += 1;
                tally.error(&format!("{error:#}"));
            }
            Err(error) => bail!("a joining client panicked: {error}"),
        }
    }
    let span = span.end(&server)?;
    for client in clients {
        tally.merge(&client.tally);
        client.close().await;
    }
    server.stop().await?;
    Ok(Outcome::new(shape, tally, span, refused))
}

/// The rooms (created through the HTTP API on Ready Room; the baseline needs only ids).
async fn prepare(
    server: &ServerProcess,
    shape: Shape,
) -> anyhow::Result<(Arc<Run>, Vec<Arc<Room>>)> {
    let sources = (0..shape.sources.max(1))
        .map(|n| Ipv4Addr::new(127, 0, 0, u8::try_from(n + 1).unwrap_or(u8::MAX)))
        .collect();
    let run = Arc::new(Run::new(
        shape.target,
        sources,
        shape.edits,
        shape.description_chars,
    ));
    let rooms = match shape.target {
        Target::Baseline | Target::RoomTask => (0..shape.rooms)
            .map(|_| {
                Arc::new(Room::new(
                    uuid::Uuid::new_v4().to_string(),
                    server.addr,
                    None,
                    shape.participants,
                ))
            })
            .collect(),
        Target::Readyroom | Target::ReadyroomPostgres | Target::ReadyroomPostgres2 => {
            let http = reqwest::Client::new();
            let addrs = &server.addrs;
            futures::stream::iter(0..shape.rooms)
                .map(|number| {
                    // Created on each node in turn: the node that creates a room serves it.
                    let addr = addrs
                        .get(number % addrs.len().max(1))
                        .copied()
                        .unwrap_or(server.addr);
                    create_room(&http, addr, number, shape.participants)
                })
                .buffer_unordered(SETUP_PARALLELISM)
                .try_collect()
                .await?
        }
    };
    Ok((run, rooms))
}

#[derive(Debug, serde::Deserialize)]
struct Created {
    room_id: String,
    facilitator_token: String,
}

async fn create_room(
    http: &reqwest::Client,
    addr: std::net::SocketAddr,
    number: usize,
    size: usize,
) -> anyhow::Result<Arc<Room>> {
    let created: Created = http
        .post(format!("http://{addr}/api/rooms"))
        .json(&serde_json::json!({ "name": format!("Load room {number}") }))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    Ok(Arc::new(Room::new(
        created.room_id,
        addr,
        Some(created.facilitator_token),
        size,
    )))
}

/// Facilitators join and set their rooms up first; then everyone else joins.
async fn join_everyone(
    run: &Arc<Run>,
    rooms: &[Arc<Room>],
    size: usize,
) -> anyhow::Result<Vec<Client>> {
    let now = Instant::now();
    let mut clients: Vec<Client> = futures::stream::iter(rooms.iter().enumerate())
        .map(|(number, room)| async move {
            let mut client =
                Client::join(Arc::clone(run), Arc::clone(room), number * size, true, now).await?;
            client.prepare_room(ITEMS_PER_ROOM).await?;
            anyhow::Ok(client)
        })
        .buffer_unordered(SETUP_PARALLELISM)
        .try_collect()
        .await
        .context("a facilitator could not join")?;
    let others: Vec<Client> = futures::stream::iter(rooms.iter().enumerate())
        .flat_map(|(number, room)| {
            futures::stream::iter((1..size).map(move |seat| (number * size + seat, room)))
        })
        .map(|(index, room)| Client::join(Arc::clone(run), Arc::clone(room), index, false, now))
        .buffer_unordered(SETUP_PARALLELISM)
        .try_collect()
        .await
        .context("a participant could not join")?;
    clients.extend(others);
    Ok(clients)
}

type Controls = Vec<mpsc::UnboundedSender<Control>>;

fn start(clients: Vec<Client>) -> (Controls, Vec<JoinHandle<Tally>>) {
    clients
        .into_iter()
        .map(|client| {
            let (control, controls) = mpsc::unbounded_channel();
            (control, tokio::spawn(client.run(controls)))
        })
        .unzip()
}

/// Ends the phase: closes every control channel and sums what the clients counted.
async fn finish(controls: Controls, tasks: Vec<JoinHandle<Tally>>) -> anyhow::Result<Tally> {
    drop(controls);
    let mut tally = Tally::default();
    for task in tasks {
        tally.merge(&task.await.context("a client panicked")?);
    }
    Ok(tally)
}

async fn wait_for(counter: &AtomicUsize, target: usize) -> anyhow::Result<()> {
    let deadline = Instant::now() + STORM_TIMEOUT;
    while counter.load(Ordering::Relaxed) < target {
        if Instant::now() > deadline {
            bail!(
                "{} of {target} after {STORM_TIMEOUT:?}",
                counter.load(Ordering::Relaxed)
            );
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    Ok(())
}
