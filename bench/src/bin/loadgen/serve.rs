//! The `serve-*` modes: the process the load generator starts for each server under test.
//! Both print `listening on <addr>` first and stop when their stdin closes.

use std::net::SocketAddr;

use anyhow::Context;
use tokio::io::AsyncReadExt;
use tokio::net::TcpListener;

use crate::baseline;

pub async fn readyroom(addr: SocketAddr, in_memory: bool) -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter("warn")
        .with_writer(std::io::stderr)
        .init();
    let data = if in_memory {
        None
    } else {
        Some(tempfile::tempdir().context("cannot make a data directory")?)
    };
    let config = readyroom_server::Config {
        data_dir: data.as_ref().map(|dir| dir.path().to_owned()),
        // One client address creates every room of the run: the per-address ration guards
        // against abuse, not capacity.
        room_creation_burst: u32::MAX,
        room_creations_per_minute: u32::MAX,
        ..readyroom_server::Config::default()
    };
    let listener = listen(addr)?;
    readyroom_server::run(listener, config, stdin_closed()).await?;
    drop(data);
    Ok(())
}

pub async fn baseline(addr: SocketAddr) -> anyhow::Result<()> {
    let defaults = readyroom_server::Config::default();
    let listener = listen(addr)?;
    tokio::select! {
        () = baseline::serve(listener, defaults.read_buffer, defaults.write_buffer) => {}
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
