//! The frames between a connection's senders (its room, its reader) and its writer task.
//!
//! tokio's bounded channel allocates its first block of 32 slots and a cache-padded channel
//! struct up front, about 2.5 KiB per connection held by every idle participant (valgrind's
//! massif on the load generator's idle scenario). This queue allocates only while frames wait
//! and gives a burst's room back once drained.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::ws::Utf8Bytes;
use tokio::sync::Notify;

/// A drained queue whose buffer grew past this many frames gives the memory back.
const KEEP_SLOTS: usize = 16;

#[derive(Debug)]
struct Shared {
    frames: Mutex<VecDeque<Utf8Bytes>>,
    capacity: usize,
    /// Wakes the writer: a frame was queued, or the last sender went.
    ready: Notify,
    senders: AtomicUsize,
    receiver_gone: AtomicBool,
}

/// Why a frame was not queued.
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    Full,
    Closed,
}

/// The sending side; the queue ends for the writer once every clone is dropped.
#[derive(Debug)]
pub struct Sender(Arc<Shared>);

/// The writer's side.
#[derive(Debug)]
pub struct Receiver(Arc<Shared>);

/// A queue of at most `capacity` frames.
pub fn queue(capacity: usize) -> (Sender, Receiver) {
    let shared = Arc::new(Shared {
        frames: Mutex::new(VecDeque::new()),
        capacity: capacity.max(1),
        ready: Notify::new(),
        senders: AtomicUsize::new(1),
        receiver_gone: AtomicBool::new(false),
    });
    (Sender(Arc::clone(&shared)), Receiver(shared))
}

impl Sender {
    /// Queues a frame unless the queue is full or its writer is gone.
    pub fn try_send(&self, frame: Utf8Bytes) -> Result<(), Refused> {
        if self.is_closed() {
            return Err(Refused::Closed);
        }
        {
            let mut frames = self.0.frames.lock().map_err(|_| Refused::Closed)?;
            // Again under the lock: a writer that went meanwhile has cleared the queue, and a
            // frame left in it would keep its bytes (and a large frame's budget) for nothing.
            if self.is_closed() {
                return Err(Refused::Closed);
            }
            if frames.len() >= self.0.capacity {
                return Err(Refused::Full);
            }
            frames.push_back(frame);
        }
        // Stores a permit if the writer is not waiting yet: no wake-up is lost.
        self.0.ready.notify_one();
        Ok(())
    }

    /// Frames that could still be queued.
    pub fn free_slots(&self) -> usize {
        let waiting = self.0.frames.lock().map_or(self.0.capacity, |f| f.len());
        self.0.capacity.saturating_sub(waiting)
    }

    pub fn capacity(&self) -> usize {
        self.0.capacity
    }

    /// Whether the writer has gone.
    pub fn is_closed(&self) -> bool {
        self.0.receiver_gone.load(Ordering::Acquire)
    }
}

impl Clone for Sender {
    fn clone(&self) -> Self {
        self.0.senders.fetch_add(1, Ordering::Relaxed);
        Self(Arc::clone(&self.0))
    }
}

impl Drop for Sender {
    fn drop(&mut self) {
        if self.0.senders.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.0.ready.notify_one();
        }
    }
}

impl Receiver {
    /// Waits for frames and moves up to `limit` of them into `batch`; 0 once every sender is
    /// gone and nothing is left.
    pub async fn recv_many(&mut self, batch: &mut Vec<Utf8Bytes>, limit: usize) -> usize {
        loop {
            // Read before looking at the frames: a sender that queues its last frame and
            // goes between the two is then still seen as there, and its frame taken.
            let senders_left = self.0.senders.load(Ordering::Acquire) > 0;
            {
                let Ok(mut frames) = self.0.frames.lock() else {
                    return 0;
                };
                if !frames.is_empty() {
                    let taken = limit.max(1).min(frames.len());
                    batch.extend(frames.drain(..taken));
                    if frames.is_empty() && frames.capacity() > KEEP_SLOTS {
                        frames.shrink_to(KEEP_SLOTS);
                    }
                    return taken;
                }
            }
            if !senders_left {
                return 0;
            }
            self.0.ready.notified().await;
        }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        // Frames nobody will write: a large one gives its share of the server's budget back.
        // Marked gone under the lock, so that no sender queues one after the clearing.
        let frames = self.0.frames.lock();
        self.0.receiver_gone.store(true, Ordering::Release);
        if let Ok(mut frames) = frames {
            frames.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "test code")]

    use super::*;

    fn frame(text: &'static str) -> Utf8Bytes {
        Utf8Bytes::from_static(text)
    }

    #[tokio::test]
    async fn frames_come_out_in_order_bounded_and_the_end_is_seen() {
        let (tx, mut rx) = queue(2);
        let other = tx.clone();
        tx.try_send(frame("a")).unwrap();
        other.try_send(frame("b")).unwrap();
        assert_eq!(tx.try_send(frame("c")), Err(Refused::Full));
        assert_eq!(tx.free_slots(), 0);
        let mut batch = Vec::new();
        assert_eq!(rx.recv_many(&mut batch, 10).await, 2);
        assert_eq!(batch, [frame("a"), frame("b")]);
        drop(tx);
        other.try_send(frame("d")).unwrap();
        drop(other);
        batch.clear();
        assert_eq!(
            rx.recv_many(&mut batch, 10).await,
            1,
            "the last frame still comes"
        );
        assert_eq!(rx.recv_many(&mut batch, 10).await, 0, "then the end");
    }

    #[tokio::test]
    async fn a_waiting_writer_wakes_for_a_frame_and_senders_see_it_gone() {
        let (tx, mut rx) = queue(4);
        let waiting = tokio::spawn(async move {
            let mut batch = Vec::new();
            let taken = rx.recv_many(&mut batch, 4).await;
            (taken, batch, rx)
        });
        tokio::task::yield_now().await;
        tx.try_send(frame("x")).unwrap();
        let (taken, batch, rx) = tokio::time::timeout(std::time::Duration::from_secs(5), waiting)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((taken, batch), (1, vec![frame("x")]));
        drop(rx);
        assert!(tx.is_closed());
        assert_eq!(tx.try_send(frame("y")), Err(Refused::Closed));
    }
}
