//! One WebSocket connection: a reader that turns frames into room messages and a writer that
//! drains the connection's outbox, gathering everything queued into one flush.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use futures::stream::{SplitSink, SplitStream};
use futures::{SinkExt, StreamExt};
use readyroom_protocol::limits::MAX_FRAME_BYTES;
use readyroom_protocol::{ClientMessage, Command, ErrorCode, ServerMessage};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use crate::actor::{ConnId, RoomHandle};
use crate::client_addr::{AddressKey, ConnectionSlot};
use crate::config::Config;
use crate::outbox::{Closer, LargeFrames, Outbox, Receiver, close_code};
use crate::rate::{PerAddress, TokenBucket};
use crate::wire::{BadFrame, encode, parse_client, probe_cmd};

/// The most frames one flush gathers, so that a flood for one client cannot delay its first
/// frames indefinitely.
const MAX_BATCH: usize = 256;

/// Frames a connection's batch keeps room for between bursts.
const USUAL_BATCH: usize = 4;

static NEXT_CONN: AtomicU64 = AtomicU64::new(1);

/// How long a closing connection waits to write its close frame, and then for the peer's
/// answer. Dropping a socket with unread input resets it, and a reset can destroy the close
/// frame in the peer's buffers before it is read: waiting for the peer's close (or end of
/// stream) is what makes the close code arrive.
const CLOSE_GRACE: Duration = Duration::from_secs(2);

/// What a connection gets from the server besides its socket and room.
#[derive(Debug)]
pub struct Context {
    pub config: Arc<Config>,
    pub shutdown: CancellationToken,
    /// Joins are rationed per client address: each one can cost a whole room's snapshot.
    pub joins: Arc<PerAddress>,
    pub client: AddressKey,
    pub large_frames: LargeFrames,
    /// The room it was opened for, to name in its log lines.
    pub room_id: readyroom_protocol::RoomId,
    /// For a client behind a trusted proxy, its place in the per-address connection count.
    pub _client_slot: Option<ConnectionSlot>,
}

/// Serves one WebSocket. It attaches to its room only once it asks to join, so a connection
/// that never joins neither counts in the room nor keeps it in memory, and it is closed when
/// it has not asked within `join_timeout`.
///
/// Not an `async fn`: its arguments would stay in the connection's task for its whole life
/// (an async fn's arguments are never overlapped with later state), and the socket before
/// it is split is large. Splitting it and starting the writer here leaves the task only what
/// the reader needs (massif, idle scenario).
pub fn serve(
    socket: WebSocket,
    room: RoomHandle,
    reload: impl AsyncFn() -> Option<RoomHandle>,
    context: Context,
) -> impl Future<Output = ()> {
    let conn: ConnId = NEXT_CONN.fetch_add(1, Ordering::Relaxed);
    // With `--log debug`, the connection's log lines name it and its room (never the client's
    // address).
    let span = tracing::debug_span!("connection", conn, room = %context.room_id);
    let config = &context.config;
    let (outbox, queue) = Outbox::new(
        config.outbound_queue,
        config.outbound_bytes,
        context.large_frames.clone(),
    );
    let closer = Arc::clone(&queue.closer);
    let (sink, stream) = socket.split();
    let writer = tokio::spawn(
        write_loop(sink, queue, config.ping_interval, config.idle_timeout).instrument(span.clone()),
    );
    let split = Split {
        conn,
        stream,
        writer,
        outbox,
        closer,
    };
    serve_split(split, room, reload, context).instrument(span)
}

/// A connection once its socket is split and its writer started.
struct Split {
    conn: ConnId,
    stream: SplitStream<WebSocket>,
    writer: tokio::task::JoinHandle<()>,
    outbox: Outbox,
    closer: Arc<Closer>,
}

async fn serve_split(
    split: Split,
    room: RoomHandle,
    reload: impl AsyncFn() -> Option<RoomHandle>,
    context: Context,
) {
    let Split {
        conn,
        mut stream,
        writer,
        outbox,
        closer,
    } = split;
    let config = &context.config;
    // The server's token is shared by every connection, and polling it takes its lock: a
    // child per connection keeps that lock out of the per-frame path (loadgen, meeting).
    let shutdown = context.shutdown.child_token();
    let mut reader = Reader {
        conn,
        room: Some(room),
        attached: false,
        reload,
        outbox,
        closer,
        bucket: TokenBucket::new(config.rate_burst, f64::from(config.rate_per_second)),
        refused_in_a_row: 0,
        context: &context,
    };
    reader.run(&mut stream, &shutdown).await;
    let Reader {
        room,
        attached,
        outbox,
        ..
    } = reader;
    // Detaching after the last command keeps the order: the room answers everything this
    // connection sent, then drops its outbox, and the writer ends once the answers are out.
    drop(outbox);
    if let (Some(room), true) = (room, attached) {
        room.detach(conn).await;
    }
    let _ = writer.await;
    linger(&mut stream).await;
    tracing::debug!(conn, "connection closed");
}

/// Reads (and drops) what the peer still sends until its close frame or end of stream, for
/// [`CLOSE_GRACE`] at most.
async fn linger(stream: &mut SplitStream<WebSocket>) {
    let _ = tokio::time::timeout(CLOSE_GRACE, async {
        while let Some(Ok(message)) = stream.next().await {
            if let Message::Close(_) = message {
                break;
            }
        }
    })
    .await;
}

struct Reader<'a, R> {
    conn: ConnId,
    /// `None` once the room is gone for good.
    room: Option<RoomHandle>,
    attached: bool,
    reload: R,
    outbox: Outbox,
    closer: Arc<Closer>,
    bucket: TokenBucket,
    /// Messages refused for the rate since the last one let through.
    refused_in_a_row: u32,
    context: &'a Context,
}

impl<R: AsyncFn() -> Option<RoomHandle>> Reader<'_, R> {
    async fn run(&mut self, stream: &mut SplitStream<WebSocket>, shutdown: &CancellationToken) {
        let config = &*self.context.config;
        // One timer for the connection's life, moved only when it fires: a timeout per frame
        // registered and cancelled a timer in the runtime's timer wheel for every message.
        let mut last_heard = Instant::now();
        let opened = last_heard;
        let idle = tokio::time::sleep(config.idle_timeout.min(config.join_timeout));
        // Created once, not per frame: each creation registers a waiter under a lock.
        let stopping = shutdown.cancelled();
        let closer = Arc::clone(&self.closer);
        let closed = closer.closed_now();
        tokio::pin!(idle, stopping, closed);
        loop {
            let frame = tokio::select! {
                () = &mut stopping => {
                    self.closer.set_reason(close_code::RESTARTING, "server shutting down");
                    return;
                }
                () = &mut closed => return,
                () = &mut idle => {
                    let now = Instant::now();
                    // Until a join is accepted (not merely asked for: a refused one leaves the
                    // connection in its room's care without a participant).
                    let joined = self.closer.is_joined();
                    if !joined && opened + config.join_timeout <= now {
                        return self.closer.close_now(close_code::POLICY, "join the room within seconds of connecting");
                    }
                    let deadline = last_heard + config.idle_timeout;
                    if deadline <= now {
                        return self.closer.close_now(close_code::IDLE, "no traffic; connection presumed dead");
                    }
                    let next = if joined { deadline } else { deadline.min(opened + config.join_timeout) };
                    idle.as_mut().reset(next);
                    continue;
                }
                frame = stream.next() => frame,
            };
            last_heard = Instant::now();
            let message = match frame {
                None => return,
                Some(Err(error)) => {
                    tracing::debug!(conn = self.conn, %error, "read failed");
                    if let Some((code, reason)) = close_for_read_error(&error) {
                        self.closer.close_now(code, reason);
                    }
                    return;
                }
                Some(Ok(message)) => message,
            };
            let text = match message {
                Message::Text(text) => text,
                Message::Binary(_) => {
                    if !self.take_allowance() {
                        return self
                            .closer
                            .close_now(close_code::POLICY, "too many messages");
                    }
                    self.reject(BadFrame {
                        cmd: None,
                        code: ErrorCode::UnsupportedFrame,
                        message:
                            "send JSON text frames; binary frames are not part of the protocol"
                                .into(),
                    });
                    continue;
                }
                Message::Close(_) => return,
                // tungstenite answers each ping with a pong of the same size, so pings cost
                // the server writes: they count like messages, and a client that goes on
                // pinging past its allowance is cut off. Pongs answer the server's own pings
                // and cost it nothing to read.
                Message::Ping(_) => {
                    if !self.take_allowance() {
                        return self
                            .closer
                            .close_now(close_code::POLICY, "too many control frames");
                    }
                    continue;
                }
                Message::Pong(_) => continue,
            };
            if !self.take_allowance() {
                return self
                    .closer
                    .close_now(close_code::POLICY, "too many messages");
            }
            if self.refused_in_a_row > 0 {
                self.reject(BadFrame {
                    cmd: probe_cmd(text.as_str()),
                    code: ErrorCode::RateLimited,
                    message: format!(
                        "more than {} messages per second; this one was dropped",
                        config.rate_per_second
                    ),
                });
                continue;
            }
            if text.len() > MAX_FRAME_BYTES {
                self.reject(BadFrame {
                    cmd: probe_cmd(text.as_str()),
                    code: ErrorCode::FrameTooLarge,
                    message: format!(
                        "frames are limited to {MAX_FRAME_BYTES} bytes; this one has {}",
                        text.len()
                    ),
                });
                continue;
            }
            let bytes = text.len();
            match parse_client(text.as_str()) {
                Ok(message) if message.command == Command::Ping => {
                    self.outbox
                        .push(encode(&ServerMessage::Pong { cmd: message.cmd }));
                }
                Ok(message) => {
                    // Boxed: a command and its way to the room would otherwise size every
                    // connection's task for them while it waits for the next frame (massif,
                    // idle scenario); one allocation per command is nothing beside parsing it.
                    if !Box::pin(self.forward(message, bytes)).await {
                        return;
                    }
                    // A busy room may hold the send for a while; that is not the client's silence.
                    last_heard = Instant::now();
                }
                Err(bad) => self.reject(bad),
            }
        }
    }

    /// Passes a command to the room, attaching first if this is the connection's first join.
    /// Returns false once the room is gone for good.
    async fn forward(&mut self, message: ClientMessage, bytes: usize) -> bool {
        if let Command::Join(_) = message.command {
            if !self.context.joins.take(self.context.client) {
                self.reject(BadFrame {
                    cmd: Some(message.cmd),
                    code: ErrorCode::RateLimited,
                    message: "too many joins from this address; try again in a few seconds".into(),
                });
                return true;
            }
            if !self.attached && !self.attach().await {
                return false;
            }
        } else if !self.attached {
            self.reject(BadFrame {
                cmd: Some(message.cmd),
                code: ErrorCode::NotJoined,
                message: "join the room first".into(),
            });
            return true;
        }
        let Some(room) = &self.room else {
            return false;
        };
        room.submit(self.conn, message, bytes).await
    }

    /// Attaches to the room; one that was unloaded for idleness meanwhile is loaded again.
    async fn attach(&mut self) -> bool {
        for _ in 0..3 {
            let Some(room) = &self.room else {
                return false;
            };
            if room.attach(self.conn, self.outbox.clone()).await {
                self.attached = true;
                return true;
            }
            self.room = (self.reload)().await;
        }
        false
    }

    /// Takes one message's worth of the rate. Returns false once a client has gone on
    /// sending for a whole burst's worth of refusals: it is not slowing down, so it is cut
    /// off rather than answered frame by frame. `refused_in_a_row` tells whether this one was
    /// refused.
    fn take_allowance(&mut self) -> bool {
        if self.bucket.take() {
            self.refused_in_a_row = 0;
            return true;
        }
        self.refused_in_a_row += 1;
        self.refused_in_a_row <= self.context.config.rate_burst.max(1)
    }

    fn reject(&self, bad: BadFrame) {
        self.outbox.push(encode(&bad.into_message()));
    }
}

/// How a failed read closes the connection, if the peer should be told why.
fn close_for_read_error(error: &axum::Error) -> Option<(u16, &'static str)> {
    let text = error.to_string();
    if text.contains("Space limit exceeded")
        || text.contains("too long")
        || text.contains("Message too big")
    {
        Some((close_code::TOO_BIG, "frame larger than 1 MiB"))
    } else if text.contains("UTF-8") || text.contains("utf-8") {
        Some((close_code::INVALID_TEXT, "text frames must be UTF-8"))
    } else {
        None
    }
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
                let bytes = queue.charge(&batch);
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
            // Closed while writing (the first reason given wins), or the deadline passed:
            // still say why, in case the peer reads again.
            None => {
                closer.close_now(close_code::TOO_SLOW, "could not keep up; rejoin");
                break;
            }
        }
    }
    let reason = closer.reason();
    let frame = CloseFrame {
        code: reason.code,
        reason: Utf8Bytes::from_static(reason.reason),
    };
    // The close switch has fired by now, so only the deadline bounds this last write.
    let _ = tokio::time::timeout(
        write_timeout.min(CLOSE_GRACE),
        sink.send(Message::Close(Some(frame))),
    )
    .await;
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

/// Writes every gathered frame with `feed` (which only buffers) and flushes once. The frames
/// (and a large one's share of the server's budget) are let go only once flushed.
async fn write_batch(
    sink: &mut SplitSink<WebSocket, Message>,
    batch: &mut Vec<Utf8Bytes>,
) -> Result<(), axum::Error> {
    for frame in batch.iter() {
        sink.feed(Message::Text(frame.clone())).await?;
    }
    let flushed = sink.flush().await;
    batch.clear();
    flushed
}
