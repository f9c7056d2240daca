//! What durability costs: the server in-process, once storing rooms in SQLite (a temporary
//! data directory, fsync on every commit: the default) and once in memory only. In each, `R`
//! rooms with one client each send `update_item` commands:
//!
//! - window 1 (send, wait for the ack, repeat): ack latency;
//! - window 32 (up to 32 commands unanswered): throughput.
//!
//! Prints ack latency percentiles and commands per second, and the ratio durable / in-memory
//! of each figure. The clients set TCP_NODELAY, as browsers do; the server is run exactly as
//! `readyroom` runs it unless `--listener-nodelay` is given. Run it in release mode:
//!
//! ```sh
//! cargo run --release -p readyroom-bench --bin durability -- --rooms 20 --seconds 3
//! ```

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::Parser;
use futures::SinkExt;
use hdrhistogram::Histogram;
use readyroom_protocol::{
    ClientMessage, Command, CommandId, Event, ItemChange, ItemId, JoinRequest, NewItem,
    PROTOCOL_VERSION, Role, ServerMessage,
};
use serde::Deserialize;
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// Ready Room durability benchmark: durable (SQLite, fsync) versus in-memory rooms.
#[derive(Debug, Parser)]
struct Args {
    /// Rooms, each with one client sending commands.
    #[arg(long, default_value_t = 20)]
    rooms: usize,
    /// Seconds each phase (window 1, window 32) runs, per mode.
    #[arg(long, default_value_t = 3.0)]
    seconds: f64,
    /// Unmeasured seconds of load before the measured phases of each mode.
    #[arg(long, default_value_t = 0.5)]
    warmup: f64,
    /// Where the durable mode's temporary data directory is made (default: the system's
    /// temporary directory). The disk under it is what is measured.
    #[arg(long)]
    data_parent: Option<PathBuf>,
    /// Set TCP_NODELAY on the listening socket (Linux hands it down to accepted connections),
    /// which the server itself does not do: shows what Nagle's algorithm costs.
    #[arg(long)]
    listener_nodelay: bool,
    /// Also measure rooms stored in PostgreSQL: a connection string to a database this may
    /// create (and afterwards drop) a database of its own from, e.g.
    /// `host=127.0.0.1 user=postgres dbname=postgres sslmode=disable`.
    #[arg(long)]
    postgres: Option<String>,
    /// Also write the figures to this file as JSON.
    #[arg(long)]
    json: Option<PathBuf>,
}

/// Where a mode keeps its rooms.
#[derive(Clone, Debug)]
enum Stored {
    Sqlite(PathBuf),
    Postgres(Box<readyroom_server::storage::DatabaseUrl>),
    InMemory,
}

/// Commands unanswered at most in the throughput phase.
const THROUGHPUT_WINDOW: usize = 32;
/// A reply that takes longer than this means something is broken, not slow.
const REPLY_TIMEOUT: Duration = Duration::from_secs(30);

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// A client back from a phase, with its latencies and the number of commands it counted.
type Driven = anyhow::Result<(BenchClient, Histogram<u64>, u64)>;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if args.rooms == 0 || !args.seconds.is_finite() || args.seconds <= 0.0 {
        bail!("--rooms and --seconds must be positive");
    }
    let phase = Duration::from_secs_f64(args.seconds);
    let warmup = Duration::from_secs_f64(args.warmup.max(0.0));

    let parent = args.data_parent.clone().unwrap_or_else(std::env::temp_dir);
    let dir = tempfile::tempdir_in(&parent)
        .with_context(|| format!("creating a data directory in {}", parent.display()))?;
    println!(
        "Ready Room durability benchmark: {} rooms × 1 client, update_item, {:.1} s per phase \
         (after {:.1} s warm-up); durable data in {}{}",
        args.rooms,
        args.seconds,
        args.warmup,
        dir.path().display(),
        if args.listener_nodelay {
            "; TCP_NODELAY on the listener"
        } else {
            ""
        }
    );
    let nodelay = args.listener_nodelay;
    let durable = measure(
        "durable",
        Stored::Sqlite(dir.path().to_owned()),
        args.rooms,
        warmup,
        phase,
        nodelay,
    )
    .await?;
    let postgres = match &args.postgres {
        Some(admin) => {
            let database = readyroom_bench::bench_database::BenchDatabase::create(admin).await?;
            let measured = measure(
                "postgres",
                Stored::Postgres(Box::new(
                    database.url().parse().map_err(anyhow::Error::msg)?,
                )),
                args.rooms,
                warmup,
                phase,
                nodelay,
            )
            .await;
            database.drop_it().await?;
            Some(measured?)
        }
        None => None,
    };
    let in_memory = measure(
        "in-memory",
        Stored::InMemory,
        args.rooms,
        warmup,
        phase,
        nodelay,
    )
    .await?;

    print_table(&durable, &in_memory);
    if let Some(postgres) = &postgres {
        print_table(postgres, &in_memory);
    }
    let floor = disk_floor(dir.path())?;
    println!(
        "\nthis disk's floor: append {FLOOR_RECORD_BYTES} B and fdatasync, {FLOOR_SAMPLES} times: \
         p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms (no group commit can be acknowledged sooner)",
        micros_to_ms(floor.value_at_quantile(0.5)),
        micros_to_ms(floor.value_at_quantile(0.99)),
        micros_to_ms(floor.max()),
    );
    if let Some(path) = &args.json {
        let json = serde_json::json!({
            "benchmark": "durability",
            "rooms": args.rooms,
            "seconds_per_phase": args.seconds,
            "warmup_seconds": args.warmup,
            "listener_nodelay": nodelay,
            "command": "update_item",
            "cpus": std::thread::available_parallelism().map_or(0, std::num::NonZero::get),
            "durable": durable.to_json(),
            "in_memory": in_memory.to_json(),
            "ratio_durable_over_in_memory": ratios_json(&durable, &in_memory),
            "postgres": postgres.as_ref().map(ModeResult::to_json),
            "ratio_postgres_over_in_memory": postgres
                .as_ref()
                .map(|postgres| ratios_json(postgres, &in_memory)),
            "disk_floor_ms": {
                "p50": micros_to_ms(floor.value_at_quantile(0.5)),
                "p99": micros_to_ms(floor.value_at_quantile(0.99)),
                "max": micros_to_ms(floor.max()),
            },
        });
        std::fs::write(path, serde_json::to_string_pretty(&json)? + "\n")
            .with_context(|| format!("writing {}", path.display()))?;
        println!("\nwrote {}", path.display());
    }
    Ok(())
}

/// A group commit's typical size in the meeting scenario (a few rooms' batches).
const FLOOR_RECORD_BYTES: usize = 2048;
const FLOOR_SAMPLES: usize = 2000;

/// What the disk under `dir` takes to make an append durable, measured the way the input log
/// makes its group commits durable: one `write` at the end of a file, one `fdatasync`.
fn disk_floor(dir: &std::path::Path) -> anyhow::Result<Histogram<u64>> {
    use std::io::Write;
    let path = dir.join("disk-floor");
    let mut file = std::fs::File::create(&path)?;
    let record = vec![7_u8; FLOOR_RECORD_BYTES];
    let mut latency = Histogram::<u64>::new(3)?;
    for _ in 0..FLOOR_SAMPLES {
        let started = std::time::Instant::now();
        file.write_all(&record)?;
        file.sync_data()?;
        latency.saturating_record(u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX));
    }
    std::fs::remove_file(&path)?;
    Ok(latency)
}

/// The figures of one phase.
#[derive(Debug, Clone)]
struct PhaseResult {
    /// Ack latency, microseconds.
    latency: Histogram<u64>,
    commands: u64,
    elapsed: Duration,
}

impl PhaseResult {
    fn per_second(&self) -> f64 {
        self.commands as f64 / self.elapsed.as_secs_f64()
    }

    fn millis(&self, quantile: f64) -> f64 {
        micros_to_ms(self.latency.value_at_quantile(quantile))
    }

    fn max_ms(&self) -> f64 {
        micros_to_ms(self.latency.max())
    }

    /// The figures in table order: p50, p90, p99, max (ms), commands/s.
    fn figures(&self) -> [f64; 5] {
        [
            self.millis(0.5),
            self.millis(0.9),
            self.millis(0.99),
            self.max_ms(),
            self.per_second(),
        ]
    }

    fn to_json(&self) -> serde_json::Value {
        let [p50, p90, p99, max, per_second] = self.figures();
        serde_json::json!({
            "p50_ms": p50, "p90_ms": p90, "p99_ms": p99, "max_ms": max,
            "commands_per_second": per_second, "commands": self.commands,
        })
    }
}

const FIGURES: [&str; 5] = ["p50 ms", "p90 ms", "p99 ms", "max ms", "commands/s"];

fn micros_to_ms(micros: u64) -> f64 {
    micros as f64 / 1000.0
}

/// One mode's results: latency (window 1) and throughput (window 32).
#[derive(Debug)]
struct ModeResult {
    name: &'static str,
    window_1: PhaseResult,
    window_32: PhaseResult,
}

impl ModeResult {
    fn phases(&self) -> [(&'static str, &PhaseResult); 2] {
        [("window 1", &self.window_1), ("window 32", &self.window_32)]
    }

    fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "window_1": self.window_1.to_json(),
            "window_32": self.window_32.to_json(),
        })
    }
}

fn ratios_json(durable: &ModeResult, in_memory: &ModeResult) -> serde_json::Value {
    let mut phases = serde_json::Map::new();
    for ((phase, d), (_, m)) in durable.phases().into_iter().zip(in_memory.phases()) {
        let mut figures = serde_json::Map::new();
        for ((name, d), m) in FIGURES.iter().zip(d.figures()).zip(m.figures()) {
            figures.insert((*name).to_owned(), serde_json::json!(ratio(d, m)));
        }
        phases.insert(phase.replace(' ', "_"), serde_json::Value::Object(figures));
    }
    serde_json::Value::Object(phases)
}

fn ratio(durable: f64, in_memory: f64) -> Option<f64> {
    (in_memory > 0.0).then(|| durable / in_memory)
}

fn print_table(durable: &ModeResult, in_memory: &ModeResult) {
    println!();
    println!(
        "{:<11} {:<11} {:>12} {:>12} {:>20}",
        "phase",
        "figure",
        durable.name,
        in_memory.name,
        format!("{} / in-memory", durable.name)
    );
    for ((phase, d), (_, m)) in durable.phases().into_iter().zip(in_memory.phases()) {
        for ((name, d), m) in FIGURES.iter().zip(d.figures()).zip(m.figures()) {
            let shown = ratio(d, m).map_or_else(
                || "-".to_owned(),
                |r| {
                    if r < 1.0 {
                        format!("{r:.3}×")
                    } else {
                        format!("{r:.2}×")
                    }
                },
            );
            let decimals = if *name == "commands/s" { 0 } else { 3 };
            println!("{phase:<11} {name:<11} {d:>12.decimals$} {m:>12.decimals$} {shown:>20}");
        }
    }
}

/// Starts a server storing rooms as `stored` says, runs both phases, stops it.
async fn measure(
    name: &'static str,
    stored: Stored,
    rooms: usize,
    warmup: Duration,
    phase: Duration,
    nodelay: bool,
) -> anyhow::Result<ModeResult> {
    let (data_dir, database_url) = match stored {
        Stored::Sqlite(dir) => (Some(dir), None),
        Stored::Postgres(url) => (None, Some(*url)),
        Stored::InMemory => (None, None),
    };
    let config = readyroom_server::Config {
        data_dir,
        database_url,
        sync: true,
        // One client per room sends as fast as it can; the per-connection rate limit (and the
        // per-room byte budget) would measure themselves.
        rate_burst: u32::MAX,
        rate_per_second: u32::MAX,
        room_bytes_burst: u32::MAX,
        room_bytes_per_second: u32::MAX,
        ..readyroom_server::Config::default()
    };
    let server = Server::start(config, nodelay).await?;
    let mut clients = Vec::with_capacity(rooms);
    for index in 0..rooms {
        clients.push(
            BenchClient::setup(server.addr, &server.http, index)
                .await
                .with_context(|| format!("{name}: setting up room {index}"))?,
        );
    }
    progress(&format!("{name}: warm-up"));
    if !warmup.is_zero() {
        (clients, _) = run_phase(clients, 1, warmup).await?;
    }
    progress(", window 1");
    let (clients, window_1) = run_phase(clients, 1, phase).await?;
    progress(&format!(", window {THROUGHPUT_WINDOW}"));
    let (clients, window_32) = run_phase(clients, THROUGHPUT_WINDOW, phase).await?;
    println!(", done");
    for client in clients {
        client.close().await;
    }
    server.stop().await?;
    Ok(ModeResult {
        name,
        window_1,
        window_32,
    })
}

/// Shows how far a mode has got, on one line.
fn progress(text: &str) {
    use std::io::Write as _;
    print!("{text}");
    let _ = std::io::stdout().flush();
}

/// Every client drives its room for `length`; returns the clients and the merged figures.
async fn run_phase(
    clients: Vec<BenchClient>,
    window: usize,
    length: Duration,
) -> anyhow::Result<(Vec<BenchClient>, PhaseResult)> {
    let start = Instant::now();
    let deadline = start + length;
    let tasks: Vec<JoinHandle<Driven>> = clients
        .into_iter()
        .map(|client| tokio::spawn(client.drive(window, deadline)))
        .collect();
    let mut latency = new_histogram()?;
    let mut commands = 0;
    let mut clients = Vec::with_capacity(tasks.len());
    for task in tasks {
        let (client, histogram, count) = task.await??;
        latency.add(&histogram)?;
        commands += count;
        clients.push(client);
    }
    Ok((
        clients,
        PhaseResult {
            latency,
            commands,
            elapsed: length,
        },
    ))
}

fn new_histogram() -> anyhow::Result<Histogram<u64>> {
    // 1 µs to 60 s, three significant digits.
    Ok(Histogram::new_with_bounds(1, 60_000_000, 3)?)
}

/// The server in this process, on an ephemeral port.
#[derive(Debug)]
struct Server {
    addr: SocketAddr,
    http: reqwest::Client,
    stop: oneshot::Sender<()>,
    task: JoinHandle<Result<(), readyroom_server::RunError>>,
}

impl Server {
    async fn start(config: readyroom_server::Config, nodelay: bool) -> anyhow::Result<Self> {
        let socket = tokio::net::TcpSocket::new_v4()?;
        socket.set_nodelay(nodelay)?;
        socket.bind(SocketAddr::from(([127, 0, 0, 1], 0)))?;
        let listener = socket.listen(1024)?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(readyroom_server::run(listener, config, async move {
            let _ = stopped.await;
        }));
        Ok(Self {
            addr,
            http: reqwest::Client::new(),
            stop,
            task,
        })
    }

    async fn stop(self) -> anyhow::Result<()> {
        let _ = self.stop.send(());
        tokio::time::timeout(REPLY_TIMEOUT, self.task)
            .await
            .context("the server did not stop")???;
        Ok(())
    }
}

#[derive(Debug, Deserialize)]
struct RoomCreated {
    room_id: String,
}

/// Just enough of a server message to match replies: decoding whole events would measure the
/// client.
#[derive(Debug, Deserialize)]
struct Reply {
    #[serde(rename = "type")]
    kind: String,
    cmd: Option<CommandId>,
}

/// One room's client: joined, with one item whose title it keeps changing.
#[derive(Debug)]
struct BenchClient {
    socket: Socket,
    last_cmd: CommandId,
    item: ItemId,
}

impl BenchClient {
    async fn setup(addr: SocketAddr, http: &reqwest::Client, index: usize) -> anyhow::Result<Self> {
        let response = http
            .post(format!("http://{addr}/api/rooms"))
            .json(&serde_json::json!({ "name": format!("Bench room {index}") }))
            .send()
            .await?
            .error_for_status()?;
        let room: RoomCreated = response.json().await?;
        let url = format!("ws://{addr}/ws/rooms/{}", room.room_id);
        // No Nagle delay on the client side, as browsers do.
        let (socket, _) = tokio_tungstenite::connect_async_with_config(url, None, true).await?;
        let mut client = Self {
            socket,
            last_cmd: 0,
            item: ItemId::from_random_bytes([0; 16]),
        };
        let join = Command::Join(JoinRequest {
            protocol: PROTOCOL_VERSION,
            name: format!("Bench {index}"),
            role: Role::Voter,
            facilitator_token: None,
            participant_token: None,
            resume: None,
        });
        client.send(0, join).await?;
        loop {
            match client.next_message().await? {
                ServerMessage::Welcome(welcome) => {
                    client.last_cmd = welcome.last_cmd;
                    break;
                }
                ServerMessage::Event(_) => {}
                other => bail!("joining: {other:?}"),
            }
        }
        client.last_cmd += 1;
        let create = Command::CreateItem(NewItem {
            title: "Bench item".to_owned(),
            ..NewItem::default()
        });
        client.send(client.last_cmd, create).await?;
        let mut item = None;
        loop {
            match client.next_message().await? {
                ServerMessage::Event(frame) => {
                    if let Event::ItemCreated { item: created } = frame.event {
                        item = Some(created.id);
                    }
                }
                ServerMessage::Ack { cmd, .. } if cmd == client.last_cmd => break,
                other => bail!("creating the item: {other:?}"),
            }
        }
        client.item = item.context("no item_created before the ack")?;
        Ok(client)
    }

    async fn send(&mut self, cmd: CommandId, command: Command) -> anyhow::Result<()> {
        let text = serde_json::to_string(&ClientMessage { cmd, command })?;
        self.socket.send(Message::text(text)).await?;
        Ok(())
    }

    /// The next text frame, within [`REPLY_TIMEOUT`].
    async fn next_text(&mut self) -> anyhow::Result<String> {
        readyroom_bench::next_text(&mut self.socket, REPLY_TIMEOUT).await
    }

    async fn next_message(&mut self) -> anyhow::Result<ServerMessage> {
        Ok(serde_json::from_str(&self.next_text().await?)?)
    }

    /// Sends `update_item` commands, at most `window` unanswered, until `deadline`; then waits
    /// for the rest of the replies. Counts (and records the latency of) the commands acked
    /// before the deadline.
    async fn drive(mut self, window: usize, deadline: Instant) -> Driven {
        let mut latency = new_histogram()?;
        let mut count = 0;
        let mut in_flight: VecDeque<(CommandId, Instant)> = VecDeque::with_capacity(window);
        loop {
            let mut queued = false;
            while in_flight.len() < window && Instant::now() < deadline {
                self.last_cmd += 1;
                let cmd = self.last_cmd;
                let command = Command::UpdateItem {
                    item_id: self.item,
                    change: ItemChange::Title(format!("Bench item {cmd}")),
                };
                let text = serde_json::to_string(&ClientMessage { cmd, command })?;
                self.socket.feed(Message::text(text)).await?;
                in_flight.push_back((cmd, Instant::now()));
                queued = true;
            }
            if queued {
                self.socket.flush().await?;
            }
            let Some(&(oldest, _)) = in_flight.front() else {
                break;
            };
            let text = self.next_text().await?;
            let reply: Reply = serde_json::from_str(&text)?;
            match (reply.kind.as_str(), reply.cmd) {
                ("event", _) => {}
                ("ack", Some(cmd)) => {
                    let now = Instant::now();
                    let Some(position) = in_flight.iter().position(|(c, _)| *c == cmd) else {
                        bail!("an ack of command {cmd}, which is not in flight (oldest {oldest})");
                    };
                    if let Some((_, sent)) = in_flight.remove(position) {
                        if now <= deadline {
                            let micros = now.duration_since(sent).as_micros();
                            latency.record(u64::try_from(micros).unwrap_or(u64::MAX).max(1))?;
                            count += 1;
                        }
                    }
                }
                _ => bail!("unexpected reply: {text}"),
            }
        }
        Ok((self, latency, count))
    }

    async fn close(mut self) {
        let _ = self.socket.close(None).await;
    }
}
