//! `/metrics` in Prometheus' text format (`--metrics`). Off, every handle below is the `metrics`
//! crate's no-op and recording costs a branch; on, a counter is an atomic add and a histogram
//! sample a push into a lock-free bucket, with no lookup by name on the hot path (the handles
//! are registered once). Gauges of what the server already counts (rooms live, connections)
//! are read when scraped, not kept up to date.
//!
//! The handles are process-wide: one server per process in production. Tests that run several
//! servers in one process share them, which only adds their counts together.

use std::sync::{LazyLock, OnceLock};
use std::time::Duration;

use metrics::{Counter, Gauge, Histogram, Key, Level, Metadata, Recorder, SharedString, Unit};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// How often histogram samples are folded into their buckets when nobody scrapes (without it
/// they would pile up).
pub const UPKEEP_EVERY: Duration = Duration::from_secs(5);

const COMMIT_SECONDS: &str = "readyroom_commit_seconds";
const COMMIT_WRITES: &str = "readyroom_commit_writes";

#[derive(Debug)]
pub struct Metrics {
    exporter: Option<PrometheusHandle>,
    /// Commands applied by rooms (each client message that reached its room).
    pub commands: Counter,
    pub commits: Counter,
    /// `fsync`s of the input log and the database.
    pub fsyncs: Counter,
    pub commit_seconds: Histogram,
    /// Writes (rooms' batches, snapshots, queue changes) per group commit.
    pub commit_writes: Histogram,
    /// Connections closed for not reading fast enough.
    pub slow_closes: Counter,
    /// Frames that may be lost (carets) not sent to a connection that was behind.
    pub dropped_frames: Counter,
    /// Rejoins answered from the replay window, and those that needed a whole `welcome`.
    pub replay_hits: Counter,
    pub replay_misses: Counter,
    pub webhooks_delivered: Counter,
    pub webhook_failures: Counter,
    /// Rooms this node took over from another node (whose lease had run out or was given up).
    pub takeovers: Counter,
    /// Writes the database refused because this node no longer held the room's lease.
    pub fencing_refusals: Counter,
    /// Rooms whose lease this node holds (several nodes on PostgreSQL).
    pub rooms_owned: Gauge,
    rooms_live: Gauge,
    connections_open: Gauge,
}

static ENABLED: OnceLock<Metrics> = OnceLock::new();
static DISABLED: LazyLock<Metrics> = LazyLock::new(Metrics::noop);

/// The server's metrics: the recording ones once [`enable`] has run, no-ops before.
pub fn get() -> &'static Metrics {
    ENABLED.get().unwrap_or(&DISABLED)
}

/// Turns recording on for this process (idempotent).
pub fn enable() -> &'static Metrics {
    ENABLED.get_or_init(Metrics::recording)
}

impl Metrics {
    fn noop() -> Self {
        Self {
            exporter: None,
            commands: Counter::noop(),
            commits: Counter::noop(),
            fsyncs: Counter::noop(),
            commit_seconds: Histogram::noop(),
            commit_writes: Histogram::noop(),
            slow_closes: Counter::noop(),
            dropped_frames: Counter::noop(),
            replay_hits: Counter::noop(),
            replay_misses: Counter::noop(),
            webhooks_delivered: Counter::noop(),
            webhook_failures: Counter::noop(),
            takeovers: Counter::noop(),
            fencing_refusals: Counter::noop(),
            rooms_owned: Gauge::noop(),
            rooms_live: Gauge::noop(),
            connections_open: Gauge::noop(),
        }
    }

    fn recording() -> Self {
        // Real histograms (buckets), not summaries: Prometheus can aggregate those across
        // servers and over time.
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(
                Matcher::Full(COMMIT_SECONDS.into()),
                &[
                    0.000_5, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0,
                ],
            )
            .and_then(|builder| {
                builder.set_buckets_for_metric(
                    Matcher::Full(COMMIT_WRITES.into()),
                    &[1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0],
                )
            })
            .map_or_else(
                |_| PrometheusBuilder::new().build_recorder(),
                PrometheusBuilder::build_recorder,
            );
        let counter = |name: &'static str, help: &'static str| {
            recorder.describe_counter(name.into(), None, SharedString::const_str(help));
            recorder.register_counter(&Key::from_static_name(name), &metadata())
        };
        let gauge = |name: &'static str, help: &'static str| {
            recorder.describe_gauge(name.into(), None, SharedString::const_str(help));
            recorder.register_gauge(&Key::from_static_name(name), &metadata())
        };
        let histogram = |name: &'static str, unit: Option<Unit>, help: &'static str| {
            recorder.describe_histogram(name.into(), unit, SharedString::const_str(help));
            recorder.register_histogram(&Key::from_static_name(name), &metadata())
        };
        Self {
            commands: counter(
                "readyroom_commands_total",
                "Commands rooms applied (or refused) from their connections.",
            ),
            commits: counter("readyroom_commits_total", "Group commits to storage."),
            fsyncs: counter(
                "readyroom_fsyncs_total",
                "fsyncs of the input log and the database (at most one of each per group commit).",
            ),
            commit_seconds: histogram(
                COMMIT_SECONDS,
                Some(Unit::Seconds),
                "Time one group commit took.",
            ),
            commit_writes: histogram(
                COMMIT_WRITES,
                None,
                "Writes (rooms' batches, snapshots, webhook queue changes) sharing one group commit.",
            ),
            slow_closes: counter(
                "readyroom_slow_closes_total",
                "Connections closed because they did not read fast enough.",
            ),
            dropped_frames: counter(
                "readyroom_dropped_frames_total",
                "Frames that may be lost (carets) not sent to a connection that was behind.",
            ),
            replay_hits: counter(
                "readyroom_replay_hits_total",
                "Resumes answered with the events missed.",
            ),
            replay_misses: counter(
                "readyroom_replay_misses_total",
                "Resumes the replay window could not answer (a whole welcome was sent).",
            ),
            webhooks_delivered: counter(
                "readyroom_webhooks_delivered_total",
                "Webhook deliveries a receiver took.",
            ),
            webhook_failures: counter(
                "readyroom_webhook_failed_attempts_total",
                "Webhook attempts that failed (each is retried until its last).",
            ),
            takeovers: counter(
                "readyroom_room_takeovers_total",
                "Rooms this node took over from another node, after its lease ran out or was given up.",
            ),
            fencing_refusals: counter(
                "readyroom_fencing_refusals_total",
                "Writes the database refused because this node no longer held the room's lease.",
            ),
            rooms_owned: gauge(
                "readyroom_rooms_owned",
                "Rooms whose lease this node holds (PostgreSQL storage).",
            ),
            rooms_live: gauge("readyroom_rooms_live", "Rooms in memory."),
            connections_open: gauge(
                "readyroom_connections_open",
                "Open connections, HTTP and WebSocket.",
            ),
            exporter: Some(recorder.handle()),
        }
    }

    /// The text a scrape gets, with the gauges read now; `None` when recording is off.
    #[must_use]
    pub fn render(&self, rooms_live: usize, connections_open: usize) -> Option<String> {
        let exporter = self.exporter.as_ref()?;
        self.rooms_live.set(count(rooms_live));
        self.connections_open.set(count(connections_open));
        Some(exporter.render())
    }

    /// Folds histogram samples into their buckets (see [`UPKEEP_EVERY`]).
    pub fn upkeep(&self) {
        if let Some(exporter) = &self.exporter {
            exporter.run_upkeep();
        }
    }
}

fn metadata() -> Metadata<'static> {
    Metadata::new(module_path!(), Level::INFO, Some(module_path!()))
}

#[allow(
    clippy::cast_precision_loss,
    reason = "a count of rooms or connections, far below 2^52"
)]
pub fn count(n: usize) -> f64 {
    n as f64
}
