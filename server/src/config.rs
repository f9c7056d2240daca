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
    /// fsync every commit (the safe default). Off, a power cut can lose the last commits; a
    /// crash of the process alone still cannot.
    pub sync: bool,
    /// Events kept per room for clients resuming after a short disconnection.
    pub replay_window: usize,
    /// Inputs between two snapshots of a room.
    pub snapshot_every: u64,
    /// A stored room nobody has been connected to for this long leaves memory (it is loaded
    /// again on the next join).
    pub idle_unload: Duration,
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
}

impl Default for Config {
    fn default() -> Self {
        Self {
            public_url: None,
            data_dir: None,
            sync: true,
            replay_window: 4096,
            snapshot_every: 1000,
            idle_unload: Duration::from_secs(10 * 60),
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
        }
    }
}
