//! `readyroom`: runs the server. Everything but argument parsing lives in the library.

use std::net::SocketAddr;
use std::time::Duration;

use clap::Parser;
use tracing_subscriber::EnvFilter;

/// jemalloc, not the system allocator: every outgoing frame is allocated by a room's task and
/// freed by connections' tasks on other threads, and glibc's arena locks became the busiest
/// futex of the server in a reveal storm (loadgen: p99 146 → 111 ms, in memory). It costs
/// about 1.5 KiB more per idle participant.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// Ready Room: real-time backlog refinement and planning poker for remote teams.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// Address to listen on.
    #[arg(long, env = "READYROOM_ADDR", default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// Log filter, e.g. `info` or `readyroom_server=debug`.
    #[arg(long, env = "READYROOM_LOG", default_value = "info")]
    log: String,
    /// Public base URL for the links handed out (e.g. behind a reverse proxy).
    #[arg(long, env = "READYROOM_PUBLIC_URL")]
    public_url: Option<String>,
    /// Where rooms are stored (created on first start).
    #[arg(long, env = "READYROOM_DATA_DIR", default_value = "readyroom-data")]
    data_dir: std::path::PathBuf,
    /// Keep rooms in memory only: nothing survives a restart.
    #[arg(long, env = "READYROOM_IN_MEMORY", conflicts_with = "data_dir")]
    in_memory: bool,
    /// Store rooms in this PostgreSQL database instead of `--data-dir`, e.g.
    /// `postgres://readyroom@db.internal/readyroom` (TLS when the server offers it, checked
    /// against this machine's trusted roots; `?sslmode=disable` turns it off). Migrated on
    /// start. Prefer the environment variable: a command line is visible to other users.
    #[arg(
        long,
        env = "READYROOM_DATABASE_URL",
        hide_env_values = true,
        conflicts_with = "in_memory"
    )]
    database_url: Option<readyroom_server::storage::DatabaseUrl>,
    /// With `--database-url`: this node's name, unique among the nodes sharing the database
    /// (default `<hostname>:<port>`). A node restarted with the same name takes its rooms back
    /// at once; another waits for their leases to run out.
    #[arg(long, env = "READYROOM_NODE_ID", requires = "database_url")]
    node_id: Option<String>,
    /// With `--database-url`: where the other nodes reach this one, e.g.
    /// `http://10.0.0.12:8080` (default `http://<--addr>`, with the host name when listening
    /// on every interface). Requests for a room this node serves are forwarded here.
    #[arg(long, env = "READYROOM_ADVERTISE_URL", requires = "database_url")]
    advertise_url: Option<String>,
    /// With `--database-url`: seconds a node's lease on a room lasts without renewal (renewed
    /// every third of it): how long a room waits before another node takes it over from one
    /// that died. A node stopping gracefully hands its rooms over at once.
    #[arg(long, env = "READYROOM_LEASE_SECONDS", default_value_t = 6,
          value_parser = clap::value_parser!(u64).range(1..=300))]
    lease_seconds: u64,
    /// Delete rooms nobody has used for this many days (0: keep them forever).
    #[arg(long, env = "READYROOM_RETENTION_DAYS", default_value_t = 90)]
    retention_days: u64,
    /// `full` fsyncs every commit; `off` leaves flushing to the OS (faster; a power cut, not a
    /// crash, can then lose the last changes).
    #[arg(long, env = "READYROOM_SYNC", default_value = "full", value_parser = ["full", "off"])]
    sync: String,
    /// Size (KiB) at which the input log starts a new segment file. Segments are deleted once
    /// every room in them has a later snapshot, so the log's disk use is about this times the
    /// segments busy rooms still need.
    #[arg(long, env = "READYROOM_LOG_SEGMENT_KIB", default_value_t = 64 * 1024,
          value_parser = clap::value_parser!(u64).range(64..=4 * 1024 * 1024))]
    log_segment_kib: u64,
    /// Inputs a room applies between two snapshots: fewer means faster loading and less log
    /// kept, more means fewer snapshot writes.
    #[arg(long, env = "READYROOM_SNAPSHOT_EVERY", default_value_t = 1000,
          value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    snapshot_every: u64,
    #[command(flatten)]
    limits: Limits,
    #[command(flatten)]
    webhooks: Webhooks,
    /// Serve `/metrics` in Prometheus' text format (rooms, connections, commands, commit
    /// latency and group size, slow connections, replay hits, webhooks). Anyone who can reach
    /// the server can read it: put it behind the reverse proxy's access rules.
    #[arg(long, env = "READYROOM_METRICS")]
    metrics: bool,
}

/// How outgoing webhooks are sent.
#[derive(Debug, clap::Args)]
struct Webhooks {
    /// Also send webhooks to loopback, private and link-local addresses (a receiver on this
    /// machine or the internal network). Off, a room cannot make the server reach them.
    #[arg(long, env = "READYROOM_WEBHOOK_ALLOW_PRIVATE")]
    webhook_allow_private: bool,
    /// Seconds before the first retry of a failed delivery; each later wait doubles, up to an
    /// hour.
    #[arg(long, env = "READYROOM_WEBHOOK_RETRY_SECONDS", default_value_t = 30, value_parser = seconds())]
    webhook_retry_seconds: u64,
    /// Attempts at one delivery before it counts as failed (12: about five hours).
    #[arg(long, env = "READYROOM_WEBHOOK_ATTEMPTS", default_value_t = 12,
          value_parser = clap::value_parser!(u32).range(1..=50))]
    webhook_attempts: u32,
    /// Seconds one attempt may take, connecting included.
    #[arg(long, env = "READYROOM_WEBHOOK_TIMEOUT", default_value_t = 10, value_parser = seconds())]
    webhook_timeout: u64,
    /// Webhook attempts under way at once, server-wide.
    #[arg(long, env = "READYROOM_MAX_CONCURRENT_WEBHOOKS", default_value_t = 4)]
    max_concurrent_webhooks: usize,
}

/// Bounds on what clients can make the server hold. The defaults suit a server on the
/// internet or behind one reverse proxy; SECURITY.md explains each.
#[derive(Debug, clap::Args)]
#[allow(clippy::struct_field_names, reason = "the flags' names")]
struct Limits {
    /// Reverse proxy whose `X-Forwarded-For` names the client (an address or a CIDR block;
    /// repeat or separate with commas).
    #[arg(
        long = "trusted-proxy",
        env = "READYROOM_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    trusted_proxies: Vec<ipnet::IpNet>,
    /// Origin, besides the server's own, whose pages may open rooms (e.g.
    /// `https://intranet.example.com`; repeat or separate with commas).
    #[arg(
        long = "allowed-origin",
        env = "READYROOM_ALLOWED_ORIGINS",
        value_delimiter = ','
    )]
    allowed_origins: Vec<String>,
    /// Open connections from one client address (an IPv6 /64 counts as one).
    #[arg(
        long,
        env = "READYROOM_MAX_CONNECTIONS_PER_ADDRESS",
        default_value_t = 256
    )]
    max_connections_per_address: usize,
    /// Open connections in all.
    #[arg(long, env = "READYROOM_MAX_CONNECTIONS", default_value_t = 100_000)]
    max_connections: usize,
    /// Rooms held in memory at once.
    #[arg(long, env = "READYROOM_MAX_ROOMS", default_value_t = 10_000)]
    max_rooms: usize,
    /// Seconds a request's headers may take to arrive.
    #[arg(long, env = "READYROOM_HEADER_TIMEOUT", default_value_t = 10, value_parser = seconds())]
    header_timeout: u64,
    /// Seconds a request's body may take to arrive.
    #[arg(long, env = "READYROOM_BODY_TIMEOUT", default_value_t = 30, value_parser = seconds())]
    body_timeout: u64,
    /// Seconds a new WebSocket has to join its room.
    #[arg(long, env = "READYROOM_JOIN_TIMEOUT", default_value_t = 10, value_parser = seconds())]
    join_timeout: u64,
    /// Rooms one address may create at once.
    #[arg(long, env = "READYROOM_ROOM_CREATION_BURST", default_value_t = 30)]
    room_creation_burst: u32,
    /// Rooms one address may create per minute after its burst.
    #[arg(
        long,
        env = "READYROOM_ROOM_CREATIONS_PER_MINUTE",
        default_value_t = 10
    )]
    room_creations_per_minute: u32,
    /// Joins one address may make at once.
    #[arg(long, env = "READYROOM_JOIN_BURST", default_value_t = 120)]
    join_burst: u32,
    /// Joins one address may make per minute after its burst.
    #[arg(long, env = "READYROOM_JOINS_PER_MINUTE", default_value_t = 240)]
    joins_per_minute: u32,
    /// Messages (and pings) one connection may send at once.
    #[arg(long, env = "READYROOM_MESSAGE_BURST", default_value_t = 200)]
    message_burst: u32,
    /// Messages (and pings) one connection may send per second after its burst.
    #[arg(long, env = "READYROOM_MESSAGES_PER_SECOND", default_value_t = 40)]
    messages_per_second: u32,
    /// Bytes one room may write to its log per second (KiB); its burst is 16 seconds' worth.
    #[arg(long, env = "READYROOM_ROOM_KIB_PER_SECOND", default_value_t = 1024)]
    room_kib_per_second: u32,
    /// Bytes queued for one connection before it counts as too slow (KiB).
    #[arg(long, env = "READYROOM_OUTBOUND_KIB", default_value_t = 4096)]
    outbound_kib: usize,
    /// Bytes of oversized frames (big rooms' `welcome`) being sent at once, server-wide (MiB).
    #[arg(long, env = "READYROOM_LARGE_FRAME_MIB", default_value_t = 128)]
    large_frame_mib: usize,
    /// Room imports read at once.
    #[arg(long, env = "READYROOM_MAX_CONCURRENT_IMPORTS", default_value_t = 2)]
    max_concurrent_imports: usize,
    /// Estimate suggestions worked out at once (each compares an item with the whole backlog).
    #[arg(
        long,
        env = "READYROOM_MAX_CONCURRENT_SUGGESTIONS",
        default_value_t = 2
    )]
    max_concurrent_suggestions: usize,
    /// Seconds shutdown waits for connections to finish before cutting them.
    #[arg(long, env = "READYROOM_SHUTDOWN_GRACE", default_value_t = 10, value_parser = seconds())]
    shutdown_grace: u64,
}

/// A number of seconds for a timeout: 1 s to a day (a deadline beyond that would be no bound,
/// and a huge one would overflow the clock's arithmetic).
fn seconds() -> clap::builder::RangedU64ValueParser<u64> {
    clap::value_parser!(u64).range(1..=86_400)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_new(&args.log)?)
        .init();
    raise_open_file_limit();
    let listener = readyroom_server::listen(args.addr)?;
    let addr = listener.local_addr()?;
    println!("Ready Room is running: open http://{addr}/ in your browser");
    let limits = args.limits;
    let config = readyroom_server::Config {
        public_url: args.public_url,
        data_dir: (!args.in_memory && args.database_url.is_none()).then_some(args.data_dir),
        database_url: args.database_url,
        node_id: args.node_id,
        advertise_url: args.advertise_url,
        lease: Duration::from_secs(args.lease_seconds),
        sync: args.sync == "full",
        log_segment_bytes: args.log_segment_kib * 1024,
        snapshot_every: args.snapshot_every,
        retention: (args.retention_days > 0)
            .then(|| Duration::from_secs(args.retention_days.saturating_mul(24 * 60 * 60))),
        trusted_proxies: limits.trusted_proxies,
        allowed_origins: limits.allowed_origins,
        max_connections_per_address: limits.max_connections_per_address,
        max_connections: limits.max_connections,
        max_rooms: limits.max_rooms,
        header_timeout: Duration::from_secs(limits.header_timeout),
        body_timeout: Duration::from_secs(limits.body_timeout),
        join_timeout: Duration::from_secs(limits.join_timeout),
        room_creation_burst: limits.room_creation_burst,
        room_creations_per_minute: limits.room_creations_per_minute,
        join_burst: limits.join_burst,
        joins_per_minute: limits.joins_per_minute,
        rate_burst: limits.message_burst,
        rate_per_second: limits.messages_per_second,
        room_bytes_per_second: limits.room_kib_per_second.saturating_mul(1024),
        room_bytes_burst: limits.room_kib_per_second.saturating_mul(16 * 1024),
        outbound_bytes: limits.outbound_kib.saturating_mul(1024),
        large_frame_budget: limits.large_frame_mib.saturating_mul(1024 * 1024),
        max_concurrent_imports: limits.max_concurrent_imports,
        max_concurrent_suggestions: limits.max_concurrent_suggestions,
        shutdown_grace: Duration::from_secs(limits.shutdown_grace),
        webhooks: readyroom_server::webhooks::WebhookSettings {
            allow_private: args.webhooks.webhook_allow_private,
            retry_delay: Duration::from_secs(args.webhooks.webhook_retry_seconds),
            attempts: args.webhooks.webhook_attempts,
            timeout: Duration::from_secs(args.webhooks.webhook_timeout),
            concurrency: args.webhooks.max_concurrent_webhooks.max(1),
        },
        metrics: args.metrics,
        ..readyroom_server::Config::default()
    };
    readyroom_server::run(listener, config, shutdown_signal()).await?;
    Ok(())
}

/// Every connection is a file descriptor; the usual soft limit (1024) would refuse
/// connections long before memory or CPU run out. The hard limit is the operator's to set.
fn raise_open_file_limit() {
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) => tracing::debug!(limit, "open-file limit"),
        Err(error) => tracing::warn!(%error, "cannot raise the open-file limit"),
    }
}

/// Ctrl-C, or SIGTERM from a service manager.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
