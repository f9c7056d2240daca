//! The baseline: the smallest room-broadcast server on the same stack (tokio,
//! tokio-tungstenite), with Ready Room's buffer settings and none of its product logic. Every
//! text frame a client sends is relayed, unparsed, to every member of its room (the sender
//! included, which stands in for Ready Room's ack); a frame that looks like a `join` also gets a
//! one-line `welcome`. What the load generator measures against it is the physical limit of
//! this stack on this machine.
//!
//! With `room_task`, frames go through one task per room (the reader hands them over a
//! channel and the room's task relays them), the shape Ready Room has: the difference between
//! the two is what that hop costs, apart from any product logic.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use dashmap::DashMap;
use futures::{SinkExt, StreamExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};

/// Frames queued for one connection before it counts as too slow (Ready Room's default).
const OUTBOUND_QUEUE: usize = 512;
const WELCOME: &str = r#"{"type":"welcome"}"#;

#[derive(Debug)]
struct Member {
    id: u64,
    outbox: mpsc::Sender<Utf8Bytes>,
}

type Rooms = Arc<DashMap<String, Vec<Member>>>;
/// Each room's task, fed by its members' readers.
type RoomTasks = Arc<DashMap<String, mpsc::Sender<Utf8Bytes>>>;

/// Frames a room's task has queued before readers wait (Ready Room's room inbox).
const ROOM_INBOX: usize = 1024;

#[derive(Debug, Clone, Copy)]
pub struct Buffers {
    pub read: usize,
    pub write: usize,
}

/// Accepts connections until the listener fails; `/ws/rooms/{id}` picks the room.
pub async fn serve(listener: TcpListener, buffers: Buffers, room_task: bool) {
    let rooms: Rooms = Arc::default();
    let tasks: Option<RoomTasks> = room_task.then(Arc::default);
    let next_id = Arc::new(AtomicU64::new(0));
    let config = WebSocketConfig::default()
        .read_buffer_size(buffers.read)
        .write_buffer_size(buffers.write)
        .max_write_buffer_size(usize::MAX);
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        // As Ready Room does: a small reply must not wait for a delayed ACK.
        let _ = stream.set_nodelay(true);
        let id = next_id.fetch_add(1, Ordering::Relaxed);
        tokio::spawn(connection(
            stream,
            Arc::clone(&rooms),
            tasks.clone(),
            id,
            config,
        ));
    }
}

#[expect(
    clippy::result_large_err,
    reason = "the handshake callback's error type is tungstenite's, not ours"
)]
async fn connection(
    stream: TcpStream,
    rooms: Rooms,
    tasks: Option<RoomTasks>,
    id: u64,
    config: WebSocketConfig,
) {
    let mut path = String::new();
    let handshake = tokio_tungstenite::accept_hdr_async_with_config(
        stream,
        |request: &Request, response: Response| {
            request.uri().path().clone_into(&mut path);
            Ok(response)
        },
        Some(config),
    )
    .await;
    let Ok(socket) = handshake else {
        return;
    };
    let room = path.rsplit('/').next().unwrap_or_default().to_owned();
    let (outbox, queued) = mpsc::channel(OUTBOUND_QUEUE);
    rooms.entry(room.clone()).or_default().push(Member {
        id,
        outbox: outbox.clone(),
    });
    let room_task = tasks.map(|tasks| {
        tasks
            .entry(room.clone())
            .or_insert_with(|| spawn_room_task(Arc::clone(&rooms), room.clone()))
            .clone()
    });
    let (sink, mut incoming) = socket.split();
    let writer = tokio::spawn(write_batches(sink, queued));
    while let Some(Ok(message)) = incoming.next().await {
        let Message::Text(text) = message else {
            continue;
        };
        if is_join(&text) && outbox.try_send(Utf8Bytes::from_static(WELCOME)).is_err() {
            break;
        }
        match &room_task {
            Some(task) => {
                if task.send(text).await.is_err() {
                    break;
                }
            }
            None => relay(&rooms, &room, &text),
        }
    }
    leave(&rooms, &room, id);
    writer.abort();
}

/// `{"cmd":N,"type":"join",…}`, as the load generator sends it.
fn is_join(text: &str) -> bool {
    text.split_once(r#""type":""#)
        .is_some_and(|(_, rest)| rest.starts_with("join\""))
}

/// Hands the frame to every member's queue; a member whose queue is full misses it, and its
/// writer notices nothing: the load generator counts what never arrives.
fn relay(rooms: &Rooms, room: &str, text: &Utf8Bytes) {
    if let Some(members) = rooms.get(room) {
        for member in members.iter() {
            let _ = member.outbox.try_send(text.clone());
        }
    }
}

fn spawn_room_task(rooms: Rooms, room: String) -> mpsc::Sender<Utf8Bytes> {
    let (inbox, mut frames) = mpsc::channel::<Utf8Bytes>(ROOM_INBOX);
    tokio::spawn(async move {
        while let Some(frame) = frames.recv().await {
            relay(&rooms, &room, &frame);
        }
    });
    inbox
}

fn leave(rooms: &Rooms, room: &str, id: u64) {
    rooms.remove_if_mut(room, |_, members| {
        members.retain(|member| member.id != id);
        members.is_empty()
    });
}

/// Writes whatever is queued, then flushes once: one syscall per burst, as Ready Room's writer.
async fn write_batches<S>(mut sink: S, mut queued: mpsc::Receiver<Utf8Bytes>)
where
    S: futures::Sink<Message> + Unpin,
{
    while let Some(first) = queued.recv().await {
        if sink.feed(Message::Text(first)).await.is_err() {
            return;
        }
        while let Ok(next) = queued.try_recv() {
            if sink.feed(Message::Text(next)).await.is_err() {
                return;
            }
        }
        if sink.flush().await.is_err() {
            return;
        }
    }
}
