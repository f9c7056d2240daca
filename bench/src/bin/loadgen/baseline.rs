//! The baseline: the smallest room-broadcast server on the same stack (tokio,
//! tokio-tungstenite), with Ready Room's buffer settings and none of its product logic. Every
//! text frame a client sends is relayed, unparsed, to every member of its room (the sender
//! included, which stands in for Ready Room's ack); a frame that looks like a `join` also gets a
//! one-line `welcome`. What the load generator measures against it is the physical limit of
//! this stack on this machine.

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

/// Accepts connections until the listener fails; `/ws/rooms/{id}` picks the room.
pub async fn serve(listener: TcpListener, read_buffer: usize, write_buffer: usize) {
    let rooms: Rooms = Arc::default();
    let next_id = Arc::new(AtomicU64::new(0));
    let config = WebSocketConfig::default()
        .read_buffer_size(read_buffer)
        .write_buffer_size(write_buffer)
        .max_write_buffer_size(usize::MAX);
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        // As Ready Room does: a small reply must not wait for a delayed ACK.
        let _ = stream.set_nodelay(true);
        let id = next_id.fetch_add(1, Ordering::Relaxed);
        tokio::spawn(connection(stream, Arc::clone(&rooms), id, config));
    }
}

#[expect(
    clippy::result_large_err,
    reason = "the handshake callback's error type is tungstenite's, not ours"
)]
async fn connection(stream: TcpStream, rooms: Rooms, id: u64, config: WebSocketConfig) {
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
    let (sink, mut incoming) = socket.split();
    let writer = tokio::spawn(write_batches(sink, queued));
    while let Some(Ok(message)) = incoming.next().await {
        let Message::Text(text) = message else {
            continue;
        };
        if is_join(&text) && outbox.try_send(Utf8Bytes::from_static(WELCOME)).is_err() {
            break;
        }
        relay(&rooms, &room, &text);
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
