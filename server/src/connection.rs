//! One WebSocket connection: a reader that turns frames into room messages and a writer that
//! drains the connection's outbox, gathering everything queued into one flush.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use futures::stream::{SplitSink, SplitStream};
use futures::{SinkExt, StreamExt};
use readyroom_protocol::limits::MAX_FRAME_BYTES;
use readyroom_protocol::{Command, ErrorCode, ServerMessage};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::actor::{ConnId, RoomMsg};
use crate::config::Config;
use crate::outbox::{Closer, Outbox, Receiver, close_code};
use crate::rate::TokenBucket;
use crate::registry::RoomHandle;
use crate::wire::{BadFrame, encode, parse_client, probe_cmd};

/// The most frames one flush gathers, so that a flood for one client cannot delay its first
/// frames indefinitely.
const MAX_BATCH: usize = 256;

/// Frames a connection's batch keeps room for between bursts.
const USUAL_BATCH: usize = 4;

static NEXT_CONN: AtomicU64 = AtomicU64::new(1);

pub async fn serve(
    socket: WebSocket,
    mut room: RoomHandle,
    reload: impl AsyncFn() -> Option<RoomHandle>,
    config: Arc<Config>,
    shutdown: CancellationToken,
) {
    let conn: ConnId = NEXT_CONN.fetch_add(1, Ordering::Relaxed);
    let (outbox, queue) = Outbox::new(config.outbound_queue, config.outbound_bytes);
    let closer = Arc::clone(&queue.closer);
    // The room may have just been unloaded for idleness; then it is loaded again.
    let mut attempts = 0;
    while room
        .tx
        .send(RoomMsg::Attach {
            conn,
            outbox: outbox.clone(),
        })
        .await
        .is_err()
    {
        attempts += 1;
        match reload().await {
            Some(again) if attempts < 3 => room = again,
            _ => return,
        }
    }
    let (sink, stream) = socket.split();
    let writer = tokio::spawn(write_loop(
        sink,
        queue,
        config.ping_interval,
        config.idle_timeout,
    ));
    // The server's token is shared by every connection, and polling it takes its lock: a
    // child per connection keeps that lock out of the per-frame path (loadgen, meeting).
    let shutdown = shutdown.child_token();
    read_loop(stream, conn, &room, &outbox, &closer, &config, &shutdown).await;
    // Detaching after the last command keeps the order: the room answers everything this
    // connection sent, then drops its outbox, and the writer ends once the answers are out.
    drop(outbox);
    let _ = room.tx.send(RoomMsg::Detach { conn }).await;
    let _ = writer.await;
    tracing::debug!(conn, "connection closed");
}

async fn read_loop(
    mut stream: SplitStream<WebSocket>,
    conn: ConnId,
    room: &RoomHandle,
    outbox: &Outbox,
    closer: &Closer,
    config: &Config,
    shutdown: &CancellationToken,
) {
    let mut bucket = TokenBucket::new(config.rate_burst, f64::from(config.rate_per_second));
    // One timer for the connection's life, moved only when it fires: a timeout per frame
    // registered and cancelled a timer in the runtime's timer wheel for every message.
    let mut last_heard = Instant::now();
    let idle = tokio::time::sleep(config.idle_timeout);
    // Created once, not per frame: each creation registers a waiter under a lock.
    let stopping = shutdown.cancelled();
    let closed = closer.closed_now();
    tokio::pin!(idle, stopping, closed);
    loop {
        let frame = tokio::select! {
            () = &mut stopping => {
                closer.set_reason(close_code::RESTARTING, "server shutting down");
                return;
            }
            () = &mut closed => return,
            () = &mut idle => {
                let deadline = last_heard + config.idle_timeout;
                if deadline <= Instant::now() {
                    return closer.close_now(close_code::IDLE, "no traffic; connection presumed dead");
                }
                idle.as_mut().reset(deadline);
                continue;
            }
            frame = stream.next() => frame,
        };
        last_heard = Instant::now();
        let message = match frame {
            None => return,
            Some(Err(error)) => {
                tracing::debug!(conn, %error, "read failed");
                if is_capacity_error(&error) {
                    closer.close_now(close_code::TOO_BIG, "frame larger than 1 MiB");
                }
                return;
            }
            Some(Ok(message)) => message,
        };
        let text = match message {
            Message::Text(text) => text,
            Message::Binary(_) => {
                reject(
                    outbox,
                    BadFrame {
                        cmd: None,
                        code: ErrorCode::UnsupportedFrame,
                        message:
                            "send JSON text frames; binary frames are not part of the protocol"
                                .into(),
                    },
                );
                continue;
            }
            Message::Close(_) => return,
            // tungstenite answers pings itself; receiving anything already proves liveness.
            Message::Ping(_) | Message::Pong(_) => continue,
        };
        if !bucket.take() {
            reject(
                outbox,
                BadFrame {
                    cmd: probe_cmd(text.as_str()),
                    code: ErrorCode::RateLimited,
                    message: format!(
                        "more than {} messages per second; this one was dropped",
                        config.rate_per_second
                    ),
                },
            );
            continue;
        }
        if text.len() > MAX_FRAME_BYTES {
            reject(
                outbox,
                BadFrame {
                    cmd: probe_cmd(text.as_str()),
                    code: ErrorCode::FrameTooLarge,
                    message: format!(
                        "frames are limited to {MAX_FRAME_BYTES} bytes; this one has {}",
                        text.len()
                    ),
                },
            );
            continue;
        }
        match parse_client(text.as_str()) {
            Ok(message) if message.command == Command::Ping => {
                outbox.push(encode(&ServerMessage::Pong { cmd: message.cmd }));
            }
            Ok(message) => {
                if room
                    .tx
                    .send(RoomMsg::Message { conn, message })
                    .await
                    .is_err()
                {
                    return;
                }
                // A busy room may hold the send for a while; that is not the client's silence.
                last_heard = Instant::now();
            }
            Err(bad) => reject(outbox, bad),
        }
    }
}

fn reject(outbox: &Outbox, bad: BadFrame) {
    outbox.push(encode(&bad.into_message()));
}

fn is_capacity_error(error: &axum::Error) -> bool {
    let text = error.to_string();
    text.contains("Space limit exceeded")
        || text.contains("too long")
        || text.contains("Message too big")
}

async fn write_loop(
    mut sink: SplitSink<WebSocket, Message>,
    mut queue: Receiver,
    ping_interval: Duration,
    write_timeout: Duration,
) {
    let closer = Arc::clone(&queue.closer);
    let mut ping = tokio::time::interval_at(Instant::now() + ping_interval, ping_interval);
    // Grown on demand and shrunk after a burst: a batch of MAX_BATCH frames held by every
    // idle connection was a third of the server's memory per participant (load generator).
    let mut batch = Vec::new();
    let closed = closer.closed_now();
    tokio::pin!(closed);
    loop {
        // Every write races the close switch and a deadline: a peer that stops reading must
        // not hold this task (and the frames it has taken) forever.
        let written = tokio::select! {
            biased;
            () = &mut closed => break,
            received = queue.recv_many(&mut batch, MAX_BATCH) => {
                if received == 0 {
                    break;
                }
                let bytes: usize = batch.iter().map(|frame| frame.as_str().len()).sum();
                let result = bounded(&closer, write_timeout, write_batch(&mut sink, &mut batch)).await;
                queue.written(bytes);
                batch.shrink_to(USUAL_BATCH);
                result
            }
            _ = ping.tick() => bounded(&closer, write_timeout, sink.send(Message::Ping(axum::body::Bytes::new()))).await,
        };
        match written {
            Some(Ok(())) => {}
            // The peer is gone or stuck; make the reader stop too.
            Some(Err(_)) => return closer.close_now(close_code::NORMAL, ""),
            None => {
                closer.close_now(close_code::TOO_SLOW, "could not keep up; rejoin");
                return;
            }
        }
    }
    let reason = closer.reason();
    let frame = CloseFrame {
        code: reason.code,
        reason: Utf8Bytes::from_static(reason.reason),
    };
    // The close switch has fired by now, so only the deadline bounds this last write.
    let _ = tokio::time::timeout(write_timeout, sink.send(Message::Close(Some(frame)))).await;
}

/// Runs a write unless the connection is closed meanwhile or the deadline passes (`None`).
/// Almost every write completes at once (the socket has room), so the deadline's timer is
/// only armed for one that has to wait, not registered and cancelled for every batch.
async fn bounded<T>(
    closer: &Closer,
    deadline: Duration,
    write: impl Future<Output = T>,
) -> Option<T> {
    let mut write = std::pin::pin!(write);
    if let std::task::Poll::Ready(result) = futures::poll!(write.as_mut()) {
        return Some(result);
    }
    tokio::select! {
        result = tokio::time::timeout(deadline, write) => result.ok(),
        () = closer.closed_now() => None,
    }
}

/// Writes every gathered frame with `feed` (which only buffers) and flushes once.
async fn write_batch(
    sink: &mut SplitSink<WebSocket, Message>,
    batch: &mut Vec<Utf8Bytes>,
) -> Result<(), axum::Error> {
    for frame in batch.drain(..) {
        sink.feed(Message::Text(frame)).await?;
    }
    sink.flush().await
}
