//! The Ready Room server library. `main.rs` only parses arguments and calls [`run`].
//!
//! - [`room`]: the pure room core (no I/O, no async).
//! - `actor`: one task per room owning its core; `registry`: the live rooms.
//! - `connection`, `outbox`, `wire`: WebSocket connections, their bounded queues, framing.
//! - `http`, `web`, `qr`: routes, the embedded web client, the team link as a QR code.

mod accept;
mod actor;
mod client_addr;
mod clock;
pub mod cluster;
mod config;
mod connection;
mod http;
pub mod insights;
mod journal;
pub mod metrics;
mod outbox;
mod qr;
mod rate;
mod registry;
pub mod room;
pub mod storage;
pub mod suggest;
pub mod tracker;
mod web;
pub mod webhooks;
pub mod wire;

use std::future::Future;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

pub use config::Config;

/// Why the server could not run.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Storage(#[from] storage::StorageError),
}

/// Connections waiting to be accepted. Everyone reconnecting at once after a restart is a
/// burst of thousands of handshakes; tokio's default backlog (1024) would drop SYNs and make
/// some of them wait a second for the retransmission. The kernel caps it at `somaxconn`.
pub const LISTEN_BACKLOG: u32 = 4096;

/// A listener on `addr` with [`LISTEN_BACKLOG`].
///
/// # Errors
/// The address cannot be bound (in use, not local, no permission).
pub fn listen(addr: std::net::SocketAddr) -> std::io::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        tokio::net::TcpSocket::new_v4()?
    } else {
        tokio::net::TcpSocket::new_v6()?
    };
    // A restarted server can bind again while the old connections linger in TIME_WAIT.
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(LISTEN_BACKLOG)
}

/// Serves until `shutdown` completes, then stops accepting, closes every WebSocket with code
/// 1012 after delivering what was already queued for it, and lets each room finish the
/// commands it had received. Whatever has not finished `shutdown_grace` later is cut; every
/// room still stores what it applied.
///
/// # Errors
/// The listener fails, or the data directory cannot be opened (damaged, from a newer build).
pub async fn run(
    listener: TcpListener,
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), RunError> {
    let Some(url) = config.database_url.clone() else {
        let storage = storage::Storage::open(&config, None).await?;
        return serve(listener, config, storage, None, shutdown).await;
    };
    let cluster_config = cluster_config(&config, listener.local_addr()?);
    let fences = storage::Fences::new(&cluster_config.node_id, cluster_config.lease);
    if config.trusted_proxies.is_empty() {
        tracing::warn!(
            "no --trusted-proxy: if other nodes share this database, the requests they forward \
             here count against their addresses, not their clients'; list the nodes' network \
             with --trusted-proxy"
        );
    }
    let storage = storage::Storage::open(&config, Some(fences.clone())).await?;
    let stop_leases = CancellationToken::new();
    let cluster =
        cluster::Cluster::start(&url, cluster_config, fences, stop_leases.clone()).await?;
    let served = serve(listener, config, storage, Some(cluster), shutdown).await;
    stop_leases.cancel();
    served
}

/// This node's identity among several, from the flags or from where it listens.
fn cluster_config(config: &Config, listening: std::net::SocketAddr) -> cluster::ClusterConfig {
    let hostname = || {
        std::fs::read_to_string("/etc/hostname")
            .ok()
            .map(|name| name.trim().to_owned())
            .filter(|name| !name.is_empty())
            .or_else(|| std::env::var("HOSTNAME").ok())
            .unwrap_or_else(|| "localhost".to_owned())
    };
    let host = if listening.ip().is_unspecified() {
        hostname()
    } else {
        match listening.ip() {
            std::net::IpAddr::V4(ip) => ip.to_string(),
            std::net::IpAddr::V6(ip) => format!("[{ip}]"),
        }
    };
    cluster::ClusterConfig {
        node_id: config
            .node_id
            .clone()
            .unwrap_or_else(|| format!("{}:{}", hostname(), listening.port())),
        advertise_url: config
            .advertise_url
            .clone()
            .unwrap_or_else(|| format!("http://{host}:{}", listening.port())),
        lease: config.lease.max(std::time::Duration::from_secs(1)),
    }
}

/// [`run`] on storage opened elsewhere (tests inject a backend that fails on demand).
///
/// # Errors
/// The listener fails.
pub async fn run_with_storage(
    listener: TcpListener,
    config: Config,
    storage: Option<storage::Storage>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), RunError> {
    serve(listener, config, storage, None, shutdown).await
}

async fn serve(
    listener: TcpListener,
    config: Config,
    storage: Option<storage::Storage>,
    cluster: Option<Arc<cluster::Cluster>>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), RunError> {
    let actor_config = actor::ActorConfig {
        replay_window: config.replay_window,
        max_replay: config.outbound_queue / 2,
        replay_bytes: config.outbound_bytes,
        snapshot_every: config.snapshot_every.max(1),
        idle_unload: config.idle_unload,
        unvisited_unload: config.unvisited_unload,
        room_bytes_burst: config.room_bytes_burst,
        room_bytes_per_second: config.room_bytes_per_second,
    };
    let stop = CancellationToken::new();
    if config.metrics {
        let metrics = metrics::enable();
        let stop_upkeep = stop.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(metrics::UPKEEP_EVERY);
            loop {
                tokio::select! {
                    () = stop_upkeep.cancelled() => break,
                    _ = every.tick() => metrics.upkeep(),
                }
            }
        });
    }
    let closing = storage.clone();
    let stop_webhooks = CancellationToken::new();
    let dispatcher = storage.clone().map(|storage| {
        let mut settings = config.webhooks;
        settings.concurrency = settings.concurrency.max(1);
        settings.attempts = settings.attempts.max(1);
        webhooks::spawn(storage, settings, cluster.is_some(), stop_webhooks.clone())
    });
    let counts = client_addr::ConnectionCounts::new(
        config.max_connections_per_address,
        config.max_connections,
    );
    let state = http::AppState {
        creations: Arc::new(rate::PerAddress::new(
            config.room_creation_burst,
            config.room_creations_per_minute,
        )),
        joins: Arc::new(rate::PerAddress::new(
            config.join_burst,
            config.joins_per_minute,
        )),
        imports: Arc::new(tokio::sync::Semaphore::new(
            config.max_concurrent_imports.max(1),
        )),
        importing: Arc::new(dashmap::DashSet::new()),
        suggestions: Arc::new(tokio::sync::Semaphore::new(
            config.max_concurrent_suggestions.max(1),
        )),
        large_frames: outbox::LargeFrames::new(config.large_frame_budget),
        counts: Arc::clone(&counts),
        proxies: client_addr::TrustedProxies::new(config.trusted_proxies.clone()),
        registry: registry::Registry::new(
            storage,
            cluster,
            config.max_rooms,
            config.room_inbox,
            actor_config,
        ),
        config: Arc::new(config),
        shutdown: stop.clone(),
        connections: TaskTracker::new(),
    };
    spawn_housekeeping(&state, &stop);
    let app = http::router(state.clone());
    let trigger = stop.clone();
    tokio::spawn(async move {
        shutdown.await;
        trigger.cancel();
    });
    tracing::info!(addr = %listener.local_addr()?, "Ready Room listening");
    let admission = accept::Admission {
        counts,
        proxies: state.proxies.clone(),
        header_timeout: state.config.header_timeout,
        grace: state.config.shutdown_grace,
    };
    let deadline = accept::serve(listener, app, admission, stop).await;
    tracing::info!("closing connections");
    state.connections.close();
    if tokio::time::timeout_at(deadline, state.connections.wait())
        .await
        .is_err()
    {
        tracing::warn!("some WebSockets were still closing at the shutdown deadline");
    }
    state.registry.shut_down(deadline).await;
    stop_webhooks.cancel();
    if let Some(dispatcher) = dispatcher {
        let _ = dispatcher.await;
    }
    if let Some(storage) = closing {
        storage.close().await;
    }
    tracing::info!("stopped");
    Ok(())
}

/// Retention sweeps, and forgetting quiet addresses in the per-address rate limits.
fn spawn_housekeeping(state: &http::AppState, stop: &CancellationToken) {
    let limits = [Arc::clone(&state.creations), Arc::clone(&state.joins)];
    let stop_pruning = stop.clone();
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            tokio::select! {
                () = stop_pruning.cancelled() => return,
                _ = ticks.tick() => {}
            }
            for limit in &limits {
                limit.prune();
            }
        }
    });
    let Some(retention) = state.config.retention else {
        return;
    };
    let registry = Arc::clone(&state.registry);
    let sweep = state.config.retention_sweep;
    let stop_sweeping = stop.clone();
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(sweep);
        loop {
            tokio::select! {
                () = stop_sweeping.cancelled() => return,
                _ = ticks.tick() => {}
            }
            let retention_ms = u64::try_from(retention.as_millis()).unwrap_or(u64::MAX);
            registry
                .delete_stale(clock::now_ms().saturating_sub(retention_ms))
                .await;
        }
    });
}
