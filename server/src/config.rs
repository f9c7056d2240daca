use std::path::PathBuf;
use std::time::Duration;

/// Everything an operator (or a test) can tune. [`Config::default`] is what production runs.
#[derive(Clone, Debug)]
pub struct Config {
    /// Base URL for the links handed out at room creation, e.g. `https://rooms.example.com`.
    /// Without it, links are built from the request's `Host` header.
    pub public_url: Option<String>,
    /// Where rooms are stored. `None` keeps them in memory only (tests, benchmarks).
    pub data_dir: Option<PathBuf>,
    /// A PostgreSQL database to store rooms in instead of `data_dir`; several nodes may share
    /// it, each room served by one of them at a time.
    pub database_url: Option<crate::storage::DatabaseUrl>,
    /// This node's name among those sharing the database; by default `<hostname>:<port>`.
    pub node_id: Option<String>,
    /// Where the other nodes reach this one; by default `http://<listen address>`, with the
    /// host name when listening on every interface.
    pub advertise_url: Option<String>,
    /// How long a node's lease on a room lasts without renewal: how long a room waits before
    /// another node takes it over from one that died.
    pub lease: Duration,
    /// fsync every commit (the safe default). Off, a power cut can lose the last commits; a
    /// crash of the process alone still cannot.
    pub sync: bool,
    /// Where one segment of the input log ends and the next begins (bytes).
    pub log_segment_bytes: u64,
    /// Events kept per room for clients resuming after a short disconnection.
    pub replay_window: usize,
    /// Inputs between two snapshots of a room.
    pub snapshot_every: u64,
    /// A stored room nobody has been connected to for this long leaves memory (it is loaded
    /// again on the next join).
    pub idle_unload: Duration,
    /// A stored room nobody has entered since it was loaded (created, looked up, or reached
    /// by a socket that never joined) leaves memory after this, so that it does not hold a
    /// place among `max_rooms` for long.
    pub unvisited_unload: Duration,
    /// Stored rooms untouched for this long are deleted; `None` keeps them forever.
    pub retention: Option<Duration>,
    /// How often to look for rooms past their retention.
    pub retention_sweep: Duration,
    /// Rooms one client address may create at once, and per minute after that.
    pub room_creation_burst: u32,
    pub room_creations_per_minute: u32,
    /// Rooms held at once; creating more answers `too_many_rooms`.
    pub max_rooms: usize,
    /// Frames queued for one connection before it counts as too slow and is closed.
    pub outbound_queue: usize,
    /// Bytes queued for one connection before it counts as too slow (a single larger frame,
    /// such as a big room's snapshot, still goes out alone).
    pub outbound_bytes: usize,
    /// Commands queued for one room before senders wait.
    pub room_inbox: usize,
    pub ping_interval: Duration,
    /// A connection that sends nothing (not even a pong) for this long is closed.
    pub idle_timeout: Duration,
    pub rate_burst: u32,
    pub rate_per_second: u32,
    /// WebSocket read buffer per connection. tungstenite's default (128 KiB) would cost more
    /// than everything else a connection holds.
    pub read_buffer: usize,
    /// Bytes gathered before a write reaches the socket; a flush writes whatever is gathered.
    pub write_buffer: usize,
    /// Open connections (HTTP and WebSocket alike) from one client address, an IPv6 /64
    /// counting as one address.
    pub max_connections_per_address: usize,
    /// Open connections in all; more are closed as they arrive.
    pub max_connections: usize,
    /// Reverse proxies whose `X-Forwarded-For` names the client. Connections from them are
    /// limited per forwarded client instead of per proxy.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Origins, besides the server's own, whose pages may open WebSockets
    /// (e.g. `https://intranet.example.com`).
    pub allowed_origins: Vec<String>,
    /// A request's headers must have arrived this long after it began (or after the previous
    /// request on a kept-alive connection).
    pub header_timeout: Duration,
    /// A request's body must have arrived within this.
    pub body_timeout: Duration,
    /// A WebSocket that has not joined its room within this is closed.
    pub join_timeout: Duration,
    /// Joins one client address may make at once, and per minute after that.
    pub join_burst: u32,
    pub joins_per_minute: u32,
    /// Room imports read at once, server-wide (each body may be as large as a room).
    pub max_concurrent_imports: usize,
    /// Estimate suggestions worked out at once, server-wide (each compares an item with the
    /// whole backlog, tens of milliseconds for a thousand items).
    pub max_concurrent_suggestions: usize,
    /// Bytes a room may write to its log at once, and per second after that; commands beyond
    /// it are refused with `rate_limited`.
    pub room_bytes_burst: u32,
    pub room_bytes_per_second: u32,
    /// Bytes of frames larger than a connection's own queue budget (a big room's `welcome`)
    /// being written at once, server-wide; more wait their turn.
    pub large_frame_budget: usize,
    /// How long shutdown waits for requests and connections to finish before cutting them.
    pub shutdown_grace: Duration,
    /// Where and how webhooks are sent.
    pub webhooks: crate::webhooks::WebhookSettings,
    /// Serve `/metrics` (Prometheus' text format) and record what it shows.
    pub metrics: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            public_url: None,
            data_dir: None,
            database_url: None,
            node_id: None,
            advertise_url: None,
            lease: Duration::from_secs(6),
            sync: true,
            log_segment_bytes: crate::storage::DEFAULT_SEGMENT_BYTES,
            replay_window: 4096,
            snapshot_every: 1000,
            idle_unload: Duration::from_secs(10 * 60),
            unvisited_unload: Duration::from_secs(30),
            retention: Some(Duration::from_secs(90 * 24 * 60 * 60)),
            retention_sweep: Duration::from_secs(60 * 60),
            max_rooms: 10_000,
            room_creation_burst: 30,
            room_creations_per_minute: 10,
            outbound_queue: 512,
            outbound_bytes: 4 * 1024 * 1024,
            room_inbox: 1024,
            ping_interval: Duration::from_secs(15),
            idle_timeout: Duration::from_secs(45),
            rate_burst: 200,
            rate_per_second: 40,
            read_buffer: 4 * 1024,
            write_buffer: 8 * 1024,
            max_connections_per_address: 256,
            max_connections: 100_000,
            trusted_proxies: Vec::new(),
            allowed_origins: Vec::new(),
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            join_timeout: Duration::from_secs(10),
            join_burst: 120,
            joins_per_minute: 240,
            max_concurrent_imports: 2,
            max_concurrent_suggestions: 2,
            room_bytes_burst: 16 * 1024 * 1024,
            room_bytes_per_second: 1024 * 1024,
            large_frame_budget: 128 * 1024 * 1024,
            shutdown_grace: Duration::from_secs(10),
            webhooks: crate::webhooks::WebhookSettings {
                allow_private: false,
                retry_delay: Duration::from_secs(30),
                attempts: 12,
                timeout: Duration::from_secs(10),
                concurrency: 4,
            },
            metrics: false,
        }
    }
}
