//! What the benchmark binaries share.

pub mod bench_database;

use std::time::Duration;

use anyhow::{Context, bail};
use futures::{Stream, StreamExt};
use tokio_tungstenite::tungstenite::{Error, Message};

/// The next text frame from the server, skipping pings and pongs; an error if none comes
/// within `timeout` or the server closes the connection.
///
/// # Errors
/// Timeout, a closed connection or a WebSocket error.
pub async fn next_text<S>(socket: &mut S, timeout: Duration) -> anyhow::Result<String>
where
    S: Stream<Item = Result<Message, Error>> + Unpin,
{
    loop {
        let frame = tokio::time::timeout(timeout, socket.next())
            .await
            .context("no message from the server in time")?
            .context("the server closed the connection")??;
        match frame {
            Message::Text(text) => return Ok(text.as_str().to_owned()),
            Message::Close(frame) => bail!("the server closed the connection: {frame:?}"),
            _ => {}
        }
    }
}
