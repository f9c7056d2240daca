//! Ready Room's load generator: R rooms × P participants speaking the real protocol over real
//! WebSockets, against Ready Room and against a minimal broadcast server on the same stack (the
//! baseline), one after the other in one invocation. Each server runs in its own process
//! (this binary in a hidden `serve-*` mode) so its memory and CPU time can be read from
//! `/proc`. Prints a table per scenario with the ratio Ready Room / baseline of each figure,
//! judges the targets, and writes the same as JSON. The whole comparison:
//!
//! ```sh
//! cargo run --release -p readyroom-bench --bin loadgen
//! ```
//!
//! Scenarios: `idle` (memory per participant), `meeting` (everyone types into a long
//! description once a second, as text operations, moves items now and then; every room runs
//! poker rounds), `meeting-replace` (the same, each edit sending the whole description),
//! `reveal-storm` (every room reveals at the same instant) and `join-storm` (everyone connects
//! and joins at once).

mod baseline;
mod client;
mod dialect;
mod metrics;
mod process;
mod report;
mod scenarios;
mod serve;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::dialect::Target;
use crate::report::{Figures, ScenarioReport};
use crate::scenarios::{Scenario, Shape};

/// The allocator `readyroom` uses (see its `main.rs`), for both servers and the clients alike.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[derive(Debug, Parser)]
#[command(args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    mode: Option<Mode>,
    #[command(flatten)]
    run: RunArgs,
}

#[derive(Debug, Subcommand)]
#[command(rename_all = "kebab-case")]
enum Mode {
    /// Runs the baseline server (started by the load generator itself).
    #[command(hide = true, name = "serve-baseline")]
    Baseline {
        #[arg(long)]
        addr: SocketAddr,
        #[arg(long)]
        threads: Option<usize>,
    },
    /// Runs the baseline relaying through one task per room (started by the load generator).
    #[command(hide = true, name = "serve-room-task")]
    RoomTask {
        #[arg(long)]
        addr: SocketAddr,
        #[arg(long)]
        threads: Option<usize>,
    },
    /// Runs Ready Room (started by the load generator itself).
    #[command(hide = true, name = "serve-readyroom")]
    Readyroom {
        #[arg(long)]
        addr: SocketAddr,
        #[arg(long)]
        in_memory: bool,
        #[arg(long)]
        threads: Option<usize>,
        #[arg(long)]
        database_url: Option<String>,
        #[arg(long)]
        node_id: Option<String>,
    },
}

#[derive(Debug, clap::Args)]
struct RunArgs {
    /// Scenarios to run, in this order.
    #[arg(long, value_delimiter = ',', default_values = ["idle", "meeting", "meeting-replace", "reveal-storm", "join-storm"])]
    scenarios: Vec<Scenario>,
    /// Servers to run them against.
    #[arg(long, value_delimiter = ',', default_values = ["baseline", "room-task", "readyroom"])]
    targets: Vec<Target>,
    /// Rooms in the meeting, reveal-storm and join-storm scenarios.
    #[arg(long, default_value_t = 1000)]
    rooms: usize,
    /// Participants per room (the first is the facilitator), in every scenario.
    #[arg(long, default_value_t = 10)]
    participants: usize,
    /// Participants held in the idle scenario; several numbers run it several times.
    #[arg(long, value_delimiter = ',', default_values = ["10000", "50000"])]
    idle: Vec<usize>,
    /// Measured seconds of the meeting.
    #[arg(long, default_value_t = 30.0)]
    seconds: f64,
    /// Unmeasured seconds of meeting before that.
    #[arg(long, default_value_t = 5.0)]
    warmup: f64,
    /// Meeting: characters in each item's description when it starts (it grows by what is
    /// typed, up to 3,000 more).
    #[arg(long, default_value_t = 3_000)]
    description_chars: usize,
    /// Reveal storms in a row.
    #[arg(long, default_value_t = 5)]
    storms: usize,
    /// Loopback source addresses the clients spread over (127.0.0.1, 127.0.0.2, …), each
    /// good for ~28,000 connections to one server port.
    #[arg(long, default_value_t = 4)]
    sources: usize,
    /// Ready Room keeps rooms in memory only (the default stores them, fsyncing every commit).
    #[arg(long)]
    in_memory: bool,
    /// Worker threads of each server under test (tokio's default, one per core, without it):
    /// `--server-threads 1` against `2` shows how throughput grows with cores.
    #[arg(long)]
    server_threads: Option<usize>,
    /// The `readyroom-postgres*` targets: a PostgreSQL connection string from which each run
    /// creates (and afterwards drops) a database of its own.
    #[arg(
        long,
        default_value = "host=127.0.0.1 port=5432 user=postgres dbname=postgres sslmode=disable"
    )]
    postgres: String,
    /// Where to write the figures as JSON.
    #[arg(long, default_value = "target/loadgen.json")]
    json: PathBuf,
    /// A few rooms for a few seconds: proves the instrument works, measures nothing.
    #[arg(long)]
    smoke: bool,
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    // Everything runs on tokio's multi-threaded runtime, as `readyroom` does (one worker per
    // core unless told otherwise).
    let runtime = |threads: Option<usize>| {
        let mut builder = tokio::runtime::Builder::new_multi_thread();
        if let Some(threads) = threads {
            builder.worker_threads(threads.max(1));
        }
        builder.enable_all().build()
    };
    match cli.mode {
        Some(Mode::Baseline { addr, threads }) => {
            runtime(threads)?.block_on(serve::baseline(addr, false))
        }
        Some(Mode::RoomTask { addr, threads }) => {
            runtime(threads)?.block_on(serve::baseline(addr, true))
        }
        Some(Mode::Readyroom {
            addr,
            in_memory,
            threads,
            database_url,
            node_id,
        }) => runtime(threads)?.block_on(serve::readyroom(addr, in_memory, database_url, node_id)),
        None => runtime(None)?.block_on(run(cli.run)),
    }
}

async fn run(mut args: RunArgs) -> anyhow::Result<()> {
    process::POSTGRES_ADMIN.get_or_init(|| args.postgres.clone());
    if args.smoke {
        args.rooms = 4;
        args.participants = 4;
        args.idle = vec![16];
        args.seconds = 2.0;
        args.warmup = 0.5;
        args.storms = 2;
    }
    if args.participants < 2 || args.rooms == 0 || args.seconds.is_nan() || args.seconds <= 0.0 {
        anyhow::bail!("--participants must be at least 2, --rooms and --seconds positive");
    }
    let longest = readyroom_protocol::limits::MAX_LONG_TEXT_CHARS - 4_000;
    if args.description_chars > longest {
        anyhow::bail!(
            "--description-chars may be at most {longest} (the server's limit, less growth)"
        );
    }
    // The load generator and each server hold one descriptor per connection; the servers
    // inherit this limit.
    let open_files = rlimit::increase_nofile_limit(u64::MAX).unwrap_or(1024);
    let _ = client::now_us();
    let mut reports = Vec::new();
    let mut skipped = Vec::new();
    for &scenario in &args.scenarios {
        let sizes = if scenario == Scenario::Idle {
            args.idle.clone()
        } else {
            vec![args.rooms * args.participants]
        };
        for clients in sizes {
            let rooms = clients.div_ceil(args.participants);
            let needed = u64::try_from(clients).unwrap_or(u64::MAX) + 256;
            if needed > open_files {
                let why = format!(
                    "{scenario:?} with {clients} participants needs {needed} open files per \
                     process; this machine allows {open_files} (the hard limit)"
                );
                println!("\nskipped: {why}");
                skipped.push(why);
                continue;
            }
            let mut results = Vec::new();
            for &target in &args.targets {
                let shape = Shape {
                    target,
                    in_memory: args.in_memory,
                    server_threads: args.server_threads,
                    rooms,
                    participants: args.participants,
                    sources: args.sources,
                    edits: scenario.edits(),
                    description_chars: args.description_chars,
                };
                eprintln!("{scenario:?} × {}: {clients} participants…", target.name());
                let outcome = match scenario {
                    Scenario::Idle => scenarios::idle(shape).await,
                    Scenario::Meeting | Scenario::MeetingReplace => {
                        scenarios::meeting(
                            shape,
                            Duration::from_secs_f64(args.warmup.max(0.0)),
                            Duration::from_secs_f64(args.seconds),
                        )
                        .await
                    }
                    Scenario::RevealStorm => scenarios::reveal_storm(shape, args.storms).await,
                    Scenario::JoinStorm => scenarios::join_storm(shape).await,
                }
                .with_context(|| format!("{scenario:?} against {}", target.name()))?;
                results.push((target, Figures::of(scenario, &outcome)));
            }
            let mut report = ScenarioReport::new(scenario, rooms, args.participants, results);
            if scenario.is_meeting() {
                report.description_chars = Some(args.description_chars);
            }
            report.print();
            reports.push(report);
        }
    }
    let verdicts = report::verdicts(&reports);
    report::print_verdicts(&verdicts);
    for why in &skipped {
        println!("  NOT RUN {why}");
    }
    let json = serde_json::json!({
        "command": std::env::args().collect::<Vec<_>>().join(" "),
        "unix_time": std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|since| since.as_secs())
            .unwrap_or_default(),
        "machine": machine(),
        "open_files": open_files,
        "server_threads": args.server_threads,
        "ready_room_storage": if args.in_memory { "in-memory" } else { "sqlite, fsync on commit" },
        "scenarios": reports,
        "targets": verdicts,
        "skipped": skipped,
    });
    if let Some(parent) = args.json.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(&args.json, serde_json::to_vec_pretty(&json)?)?;
    println!("\nJSON: {}", args.json.display());
    Ok(())
}

/// Cores and memory, for the record.
fn machine() -> serde_json::Value {
    let memory_kib = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find_map(|line| line.strip_prefix("MemTotal:"))
                .and_then(|rest| rest.split_whitespace().next()?.parse::<u64>().ok())
        });
    serde_json::json!({
        "cores": std::thread::available_parallelism().map_or(1, usize::from),
        "memory_gib": memory_kib.map(|kib| kib as f64 / (1024.0 * 1024.0)),
    })
}
