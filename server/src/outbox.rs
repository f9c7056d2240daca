//! A connection's bounded outbound queue, and the switch that closes the connection.
//!
//! The room actor never waits on a client: it pushes shared, pre-encoded frames with
//! `try_send`. A client that lets its queue fill up is closed with [`close_code::TOO_SLOW`]
//! rather than slowing down everyone else in its room.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::ws::Utf8Bytes;
use tokio::sync::mpsc;
use tokio::sync::mpsc::error::TrySendError;
use tokio_util::sync::CancellationToken;

/// WebSocket close codes this server uses (see `docs/protocol.md`).
pub mod close_code {
    pub const NORMAL: u16 = 1000;
    pub const TOO_BIG: u16 = 1009;
    pub const RESTARTING: u16 = 1012;
    pub const IDLE: u16 = 4000;
    pub const REMOVED: u16 = 4001;
    pub const TOO_SLOW: u16 = 4002;
    pub const STORAGE_FAILED: u16 = 1011;
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CloseReason {
    pub code: u16,
    pub reason: &'static str,
}

/// Shared between a connection's reader, its writer and whoever holds its [`Outbox`].
#[derive(Debug, Default)]
pub struct Closer {
    /// Cancelled to close at once, dropping whatever is still queued.
    now: CancellationToken,
    reason: Mutex<Option<CloseReason>>,
}

impl Closer {
    /// Closes the connection at once. The first reason given wins.
    pub fn close_now(&self, code: u16, reason: &'static str) {
        self.set_reason(code, reason);
        self.now.cancel();
    }

    /// Records why the connection will close once its queue has drained.
    pub fn set_reason(&self, code: u16, reason: &'static str) {
        if let Ok(mut slot) = self.reason.lock() {
            slot.get_or_insert(CloseReason { code, reason });
        }
    }

    pub fn reason(&self) -> CloseReason {
        self.reason
            .lock()
            .ok()
            .and_then(|slot| slot.clone())
            .unwrap_or(CloseReason {
                code: close_code::NORMAL,
                reason: "",
            })
    }

    pub async fn closed_now(&self) {
        self.now.cancelled().await;
    }

    pub fn is_closed_now(&self) -> bool {
        self.now.is_cancelled()
    }
}

/// The sending side of a connection's queue.
#[derive(Clone, Debug)]
pub struct Outbox {
    tx: mpsc::Sender<Utf8Bytes>,
    closer: Arc<Closer>,
    /// Bytes queued and not yet written, shared with the writer, which subtracts what it
    /// writes. Frames vary from tens of bytes to a whole room, so the queue is bounded in
    /// bytes as well as in frames.
    queued: Arc<AtomicUsize>,
    max_bytes: usize,
}

impl Outbox {
    pub fn new(capacity: usize, max_bytes: usize) -> (Self, Receiver) {
        let (tx, rx) = mpsc::channel(capacity.max(1));
        let closer = Arc::new(Closer::default());
        let queued = Arc::new(AtomicUsize::new(0));
        let outbox = Self {
            tx,
            closer: Arc::clone(&closer),
            queued: Arc::clone(&queued),
            max_bytes,
        };
        (outbox, Receiver { rx, closer, queued })
    }

    /// Queues a frame. Returns false if the connection is gone or has just been closed for
    /// being too slow.
    pub fn push(&self, frame: Utf8Bytes) -> bool {
        let len = frame.as_str().len();
        let queued = self.queued.fetch_add(len, Ordering::Relaxed) + len;
        // One frame larger than the budget still goes out when nothing else is waiting: a
        // big room's snapshot must reach its joiner.
        if queued > self.max_bytes && queued > len {
            self.queued.fetch_sub(len, Ordering::Relaxed);
            self.closer
                .close_now(close_code::TOO_SLOW, "could not keep up; rejoin");
            return false;
        }
        match self.tx.try_send(frame) {
            Ok(()) => true,
            Err(TrySendError::Full(_)) => {
                self.queued.fetch_sub(len, Ordering::Relaxed);
                self.closer
                    .close_now(close_code::TOO_SLOW, "could not keep up; rejoin");
                false
            }
            Err(TrySendError::Closed(_)) => {
                self.queued.fetch_sub(len, Ordering::Relaxed);
                false
            }
        }
    }

    pub fn close_now(&self, code: u16, reason: &'static str) {
        self.closer.close_now(code, reason);
    }

    pub fn is_closed(&self) -> bool {
        self.closer.is_closed_now() || self.tx.is_closed()
    }
}

/// The writer's side of a connection's queue.
#[derive(Debug)]
pub struct Receiver {
    rx: mpsc::Receiver<Utf8Bytes>,
    pub closer: Arc<Closer>,
    queued: Arc<AtomicUsize>,
}

impl Receiver {
    /// Waits for frames and takes up to `limit` of them; 0 once every sender is gone.
    pub async fn recv_many(&mut self, batch: &mut Vec<Utf8Bytes>, limit: usize) -> usize {
        self.rx.recv_many(batch, limit).await
    }

    /// Records that `bytes` have left the queue.
    pub fn written(&self, bytes: usize) {
        self.queued.fetch_sub(bytes, Ordering::Relaxed);
    }
}
