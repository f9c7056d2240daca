//! `readyroom`: runs the server. Everything but argument parsing lives in the library.

use std::net::SocketAddr;

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
    /// Delete rooms nobody has used for this many days (0: keep them forever).
    #[arg(long, env = "READYROOM_RETENTION_DAYS", default_value_t = 90)]
    retention_days: u64,
    /// `full` fsyncs every commit; `off` leaves flushing to the OS (faster; a power cut, not a
    /// crash, can then lose the last changes).
    #[arg(long, env = "READYROOM_SYNC", default_value = "full", value_parser = ["full", "off"])]
    sync: String,
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
    let config = readyroom_server::Config {
        public_url: args.public_url,
        data_dir: (!args.in_memory).then_some(args.data_dir),
        sync: args.sync == "full",
        retention: (args.retention_days > 0).then(|| {
            std::time::Duration::from_secs(args.retention_days.saturating_mul(24 * 60 * 60))
        }),
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
