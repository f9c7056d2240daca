//! The `serve-*` modes: the process the load generator starts for each server under test.
//! Both print `listening on <addr>` first and stop when their stdin closes.

use std::net::SocketAddr;

use anyhow::Context;
use tokio::io::AsyncReadExt;
use tokio::net::TcpListener;

use crate::baseline;

pub async fn readyroom(
    addr: SocketAddr,
    in_memory: bool,
    database_url: Option<String>,
    node_id: Option<String>,
) -> anyhow::Result<()> {
    // Quiet unless asked (`LOADGEN_SERVER_LOG=readyroom_server=debug`): a log line per
    // connection would be measured too.
    let filter = std::env::var("LOADGEN_SERVER_LOG").unwrap_or_else(|_| "warn".to_owned());
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
    // `LOADGEN_METRICS=1`: metrics on, scraped every second (Prometheus' default is every
    // 15 s), to measure what they cost.
    let metrics = std::env::var_os("LOADGEN_METRICS").is_some();
    let data = if in_memory || database_url.is_some() {
        None
    } else {
        Some(tempfile::tempdir().context("cannot make a data directory")?)
    };
    let config = readyroom_server::Config {
        data_dir: data.as_ref().map(|dir| dir.path().to_owned()),
        database_url: database_url
            .map(|url| url.parse())
            .transpose()
            .map_err(anyhow::Error::msg)?,
        node_id,
        // One client address creates every room of the run, and a few addresses carry every
        // participant: the per-address rations guard against abuse, not capacity.
        room_creation_burst: u32::MAX,
        room_creations_per_minute: u32::MAX,
        join_burst: u32::MAX,
        joins_per_minute: u32::MAX,
        max_connections_per_address: usize::MAX,
        metrics,
        ..readyroom_server::Config::default()
    };
    let listener = listen(addr)?;
    if metrics {
        tokio::spawn(scrape(listener.local_addr()?));
    }
    readyroom_server::run(listener, config, stdin_closed()).await?;
    drop(data);
    Ok(())
}

/// GETs `/metrics` every second, as Prometheus would (more often), until the process ends.
async fn scrape(addr: SocketAddr) {
    let client = reqwest::Client::new();
    let url = format!("http://{addr}/metrics");
    let mut every = tokio::time::interval(std::time::Duration::from_secs(1));
    loop {
        every.tick().await;
        match client.get(&url).send().await {
            Ok(response) => {
                let _ = response.text().await;
            }
            Err(error) => eprintln!("scraping /metrics: {error}"),
        }
    }
}

/// The baseline relay; with `room_task`, through one task per room.
pub async fn baseline(addr: SocketAddr, room_task: bool) -> anyhow::Result<()> {
    let defaults = readyroom_server::Config::default();
    let listener = listen(addr)?;
    let buffers = baseline::Buffers {
        read: defaults.read_buffer,
        write: defaults.write_buffer,
    };
    tokio::select! {
        () = baseline::serve(listener, buffers, room_task) => {}
        () = stdin_closed() => {}
    }
    Ok(())
}

/// Both servers listen as `readyroom` does, with the same backlog.
fn listen(addr: SocketAddr) -> anyhow::Result<TcpListener> {
    let listener = readyroom_server::listen(addr)?;
    println!("listening on {}", listener.local_addr()?);
    Ok(listener)
}

async fn stdin_closed() {
    let mut stdin = tokio::io::stdin();
    let mut buffer = [0_u8; 64];
    while let Ok(read) = stdin.read(&mut buffer).await {
        if read == 0 {
            break;
        }
    }
}
