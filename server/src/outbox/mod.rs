//! A connection's bounded outbound queue, and the switch that closes the connection.
//!
//! The room actor never waits on a client: it pushes shared, pre-encoded frames with
//! `try_send`. A client that lets its queue fill up is closed with [`close_code::TOO_SLOW`]
//! rather than slowing down everyone else in its room.
//!
//! One frame may exceed a connection's byte budget: a big room's `welcome`. Such frames are
//! bounded server-wide instead ([`LargeFrames`]): each holds its bytes of a shared budget from
//! the moment it is queued until it has been written, so clients that join big rooms and never
//! read cannot make the server hold more than that budget.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::ws::Utf8Bytes;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_util::sync::CancellationToken;

mod queue;

use queue::Refused;

/// WebSocket close codes this server uses (see `docs/protocol.md`).
pub mod close_code {
    pub const NORMAL: u16 = 1000;
    pub const TOO_BIG: u16 = 1009;
    pub const RESTARTING: u16 = 1012;
    pub const IDLE: u16 = 4000;
    pub const REMOVED: u16 = 4001;
    pub const TOO_SLOW: u16 = 4002;
    pub const STORAGE_FAILED: u16 = 1011;
    pub const POLICY: u16 = 1008;
    pub const INVALID_TEXT: u16 = 1007;
    pub const TRY_AGAIN_LATER: u16 = 1013;
}

/// The largest frame the server sends (a `welcome` of a room at the edge of every limit); the
/// WebSocket write buffer is capped just above it.
pub const MAX_OUT_FRAME_BYTES: usize = 64 * 1024 * 1024;

/// The server-wide budget of bytes for frames larger than a connection's own budget.
#[derive(Clone, Debug)]
pub struct LargeFrames {
    bytes: Arc<Semaphore>,
    capacity: usize,
}

impl LargeFrames {
    pub fn new(budget: usize) -> Self {
        let capacity = budget.clamp(1, Semaphore::MAX_PERMITS);
        Self {
            bytes: Arc::new(Semaphore::new(capacity)),
            capacity,
        }
    }

    /// A share of `len` bytes. A frame larger than the whole budget takes all of it (so it
    /// goes out alone rather than never).
    fn reserve(&self, len: usize) -> Option<OwnedSemaphorePermit> {
        let len = u32::try_from(self.share_of(len)).ok()?;
        Arc::clone(&self.bytes).try_acquire_many_owned(len).ok()
    }

    fn share_of(&self, len: usize) -> usize {
        len.min(self.capacity)
    }
}

/// A share of [`LargeFrames`] taken ahead of the frame it is for.
#[derive(Debug)]
pub struct Reservation(Option<OwnedSemaphorePermit>);

/// A large frame's text together with its share of [`LargeFrames`]: the share goes back when
/// the last copy of the frame's bytes is dropped (the writer keeps its frames until they are
/// flushed). Carried inside the frame's own allocation, so queues of ordinary frames pay
/// nothing for it.
struct Reserved {
    text: Utf8Bytes,
    _share: OwnedSemaphorePermit,
}

impl AsRef<[u8]> for Reserved {
    fn as_ref(&self) -> &[u8] {
        self.text.as_str().as_bytes()
    }
}

fn with_share(text: Utf8Bytes, share: OwnedSemaphorePermit) -> Result<Utf8Bytes, Utf8Bytes> {
    let bytes = axum::body::Bytes::from_owner(Reserved {
        text,
        _share: share,
    });
    // Valid UTF-8 already; the check is a pass over a frame that is about to be written.
    Utf8Bytes::try_from(bytes).map_err(|_| Utf8Bytes::from_static(""))
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
    /// Set by the room once the connection's join was accepted (its reader keeps a deadline
    /// for that until then).
    joined: std::sync::atomic::AtomicBool,
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

    pub fn is_joined(&self) -> bool {
        self.joined.load(Ordering::Acquire)
    }
}

/// The sending side of a connection's queue.
#[derive(Clone, Debug)]
pub struct Outbox {
    tx: queue::Sender,
    closer: Arc<Closer>,
    /// Bytes queued and not yet written, shared with the writer, which subtracts what it
    /// writes. Frames vary from tens of bytes to a whole room, so the queue is bounded in
    /// bytes as well as in frames.
    queued: Arc<AtomicUsize>,
    max_bytes: usize,
    large: LargeFrames,
}

impl Outbox {
    pub fn new(capacity: usize, max_bytes: usize, large: LargeFrames) -> (Self, Receiver) {
        let (tx, rx) = queue::queue(capacity);
        let closer = Arc::new(Closer::default());
        let queued = Arc::new(AtomicUsize::new(0));
        let outbox = Self {
            tx,
            closer: Arc::clone(&closer),
            queued: Arc::clone(&queued),
            max_bytes,
            large,
        };
        (
            outbox,
            Receiver {
                rx,
                closer,
                queued,
                max_bytes,
            },
        )
    }

    /// Queues a frame. Returns false if the connection is gone or has just been closed for
    /// being too slow (or, for a frame beyond its own budget, because the server's budget for
    /// large frames is spent).
    pub fn push(&self, frame: Utf8Bytes) -> bool {
        match self.prepare(frame) {
            Ok(frame) => self.push_prepared(frame),
            Err(_) => {
                self.close_busy();
                false
            }
        }
    }

    /// Queues a frame that may be lost (presence), only while the connection keeps up: a
    /// quarter of its byte budget and half its frames. Returns whether it was queued.
    pub fn push_droppable(&self, frame: Utf8Bytes) -> bool {
        let behind = self.queued.load(Ordering::Relaxed) > self.max_bytes / 4
            || self.tx.free_slots() < self.tx.capacity() / 2;
        if behind {
            crate::metrics::get().dropped_frames.increment(1);
            return false;
        }
        self.push(frame)
    }

    /// Takes a frame's share of the server's large-frame budget, if it is larger than this
    /// connection's own budget; gives the frame back if that budget is spent. Taken when the
    /// frame is made, not when it is queued, so that frames waiting for their batch to be
    /// stored count too.
    pub fn prepare(&self, text: Utf8Bytes) -> Result<Utf8Bytes, Utf8Bytes> {
        self.prepare_reserved(text, Reservation(None))
    }

    /// Reserves ahead what a frame of about `len` bytes will take from the large-frame budget
    /// (nothing for one within this connection's own budget); `None` if it cannot be had now.
    /// A room reserves before it applies a join, so that a join it cannot answer is refused
    /// rather than applied and then cut off.
    pub fn reserve(&self, len: usize) -> Option<Reservation> {
        if len <= self.max_bytes {
            return Some(Reservation(None));
        }
        self.large
            .reserve(len)
            .map(|permit| Reservation(Some(permit)))
    }

    /// [`Outbox::prepare`] with what was reserved ahead, topped up (or given back in part) to
    /// the frame's real size.
    pub fn prepare_reserved(
        &self,
        text: Utf8Bytes,
        reserved: Reservation,
    ) -> Result<Utf8Bytes, Utf8Bytes> {
        let len = text.as_str().len();
        if len <= self.max_bytes {
            return Ok(text);
        }
        let len = self.large.share_of(len);
        let held = reserved
            .0
            .as_ref()
            .map_or(0, OwnedSemaphorePermit::num_permits);
        let permit = match reserved.0 {
            Some(mut permit) if held >= len => {
                drop(permit.split(held - len));
                permit
            }
            Some(mut permit) => match self.large.reserve(len - held) {
                Some(more) => {
                    permit.merge(more);
                    permit
                }
                None => return Err(text),
            },
            None => match self.large.reserve(len) {
                Some(permit) => permit,
                None => return Err(text),
            },
        };
        debug_assert_eq!(permit.num_permits(), len);
        with_share(text, permit)
    }

    /// Closes the connection because the server cannot send it what it asked for now.
    pub fn close_busy(&self) {
        self.closer.close_now(
            close_code::TRY_AGAIN_LATER,
            "server busy; rejoin in a moment",
        );
    }

    /// Queues a prepared frame (see [`Outbox::push`]).
    pub fn push_prepared(&self, frame: Utf8Bytes) -> bool {
        let len = queue_charge(frame.as_str().len(), self.max_bytes);
        let queued = self.queued.fetch_add(len, Ordering::Relaxed) + len;
        // One frame larger than the budget still goes out when nothing else is waiting: a
        // big room's snapshot must reach its joiner. It is paid for from the shared budget.
        if queued > self.max_bytes && queued > len {
            self.queued.fetch_sub(len, Ordering::Relaxed);
            self.close_slow();
            return false;
        }
        match self.tx.try_send(frame) {
            Ok(()) => true,
            Err(Refused::Full) => {
                self.queued.fetch_sub(len, Ordering::Relaxed);
                self.close_slow();
                false
            }
            Err(Refused::Closed) => {
                self.queued.fetch_sub(len, Ordering::Relaxed);
                false
            }
        }
    }

    fn close_slow(&self) {
        crate::metrics::get().slow_closes.increment(1);
        self.closer
            .close_now(close_code::TOO_SLOW, "could not keep up; rejoin");
    }

    pub fn close_now(&self, code: u16, reason: &'static str) {
        self.closer.close_now(code, reason);
    }

    /// The room accepted the connection's join.
    pub fn mark_joined(&self) {
        self.closer.joined.store(true, Ordering::Release);
    }

    pub fn is_closed(&self) -> bool {
        self.closer.is_closed_now() || self.tx.is_closed()
    }
}

/// What a frame counts against its connection's queue: a frame larger than the whole queue is
/// paid for by the server's large-frame budget instead, so that what comes after it (the
/// room's next events, for a joiner whose big welcome is still being written) can queue.
fn queue_charge(len: usize, max_bytes: usize) -> usize {
    if len > max_bytes { 0 } else { len }
}

/// The writer's side of a connection's queue.
#[derive(Debug)]
pub struct Receiver {
    rx: queue::Receiver,
    pub closer: Arc<Closer>,
    queued: Arc<AtomicUsize>,
    max_bytes: usize,
}

impl Receiver {
    /// Waits for frames and takes up to `limit` of them; 0 once every sender is gone.
    pub async fn recv_many(&mut self, batch: &mut Vec<Utf8Bytes>, limit: usize) -> usize {
        self.rx.recv_many(batch, limit).await
    }

    /// Records that `bytes` have left the queue.
    /// What `frames` count against the queue (see [`Receiver::written`]).
    pub fn charge(&self, frames: &[Utf8Bytes]) -> usize {
        frames
            .iter()
            .map(|frame| queue_charge(frame.as_str().len(), self.max_bytes))
            .sum()
    }

    /// Records that frames charged `bytes` have left the queue.
    pub fn written(&self, bytes: usize) {
        self.queued.fetch_sub(bytes, Ordering::Relaxed);
    }
}
