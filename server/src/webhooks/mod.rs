//! Outgoing webhooks, the sending side. A room's actor queues deliveries in the same commit as
//! the events that caused them (`room::webhooks` works out which); one dispatcher task per
//! server takes due deliveries from storage, POSTs them, and records each attempt. The queue
//! lives in the database, so a restart loses nothing: what was waiting, or in flight when
//! the server stopped, is sent after it starts again (at least once; receivers tell repeats
//! apart by the delivery id).
//!
//! - `addresses`: where the server may send (no private networks unless allowed).
//! - `signature`: the `ReadyRoom-Signature` header.
//! - `sender`: one HTTP attempt.

mod addresses;
mod sender;
pub mod signature;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use readyroom_protocol::{RoomId, Timestamp, WebhookPayload};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

pub use addresses::{check_url, is_public};

use crate::clock::now_ms;
use crate::room::webhooks::WebhookCall;
use crate::storage::{AfterAttempt, Attempt, NewDelivery, QueuedDelivery, Storage, Write};

/// Longest wait between two attempts at one delivery.
const MAX_BACKOFF: Duration = Duration::from_secs(60 * 60);
/// Longest the dispatcher sleeps without looking at the queue (a safety net: commits that
/// queue deliveries wake it at once).
const IDLE_LOOK: Duration = Duration::from_secs(60);
/// The same with several nodes: deliveries other nodes queue wake nobody here, and the node
/// that sends webhooks may have died (another takes over on its next look).
const SHARED_IDLE_LOOK: Duration = Duration::from_secs(1);
/// After storage fails to answer, the dispatcher tries again this much later.
const STORAGE_RETRY: Duration = Duration::from_secs(5);

/// The operator's settings.
#[derive(Clone, Copy, Debug)]
pub struct WebhookSettings {
    /// Send to loopback, private and link-local addresses too.
    pub allow_private: bool,
    /// The wait after a first failed attempt; each later wait doubles, up to an hour.
    pub retry_delay: Duration,
    /// Attempts at one delivery before it counts as failed.
    pub attempts: u32,
    /// How long one attempt may take, connecting included.
    pub timeout: Duration,
    /// Attempts under way at once, server-wide.
    pub concurrency: usize,
}

/// A delivery for `call`, with its id and the body every attempt sends.
#[must_use]
pub fn delivery(room: RoomId, call: WebhookCall) -> NewDelivery {
    let id = uuid::Uuid::new_v4();
    let payload = WebhookPayload {
        id,
        event: call.event,
        room_id: room,
        occurred_at: call.occurred_at,
        data: call.data,
    };
    NewDelivery {
        id,
        webhook_id: call.webhook_id,
        event: call.event,
        url: call.url,
        secret: call.secret,
        // Plain data: it always encodes.
        body: serde_json::to_string(&payload).unwrap_or_default(),
        created_at: call.occurred_at,
    }
}

/// What follows attempt number `made` (1 for the first) failing: a retry after a wait that
/// doubles each time (with up to a tenth more, so that receivers coming back from an outage
/// are not hit by every room at the same instant), or giving up.
#[must_use]
pub fn after_failure(settings: &WebhookSettings, made: u32, now: Timestamp) -> AfterAttempt {
    if made >= settings.attempts {
        return AfterAttempt::GiveUp;
    }
    let doubling = 2_u32.saturating_pow(made.saturating_sub(1));
    let wait = settings
        .retry_delay
        .saturating_mul(doubling)
        .min(MAX_BACKOFF);
    let wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX);
    let jitter = rand::random_range(0..=wait_ms / 10);
    AfterAttempt::RetryAt(now.saturating_add(wait_ms).saturating_add(jitter))
}

/// Starts the dispatcher; it stops when `stop` fires (attempts under way are dropped and made
/// again after the next start).
/// With `shared`, the queue is shared with other nodes (see [`SHARED_IDLE_LOOK`]).
pub fn spawn(
    storage: Storage,
    settings: WebhookSettings,
    shared: bool,
    stop: CancellationToken,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        match sender::Sender::new(&settings) {
            Ok(sender) => {
                let mut dispatcher = Dispatcher::new(storage, settings, Arc::new(sender));
                if shared {
                    dispatcher.idle_look = SHARED_IDLE_LOOK;
                }
                dispatcher.run(stop).await;
            }
            Err(error) => tracing::error!(%error, "webhooks cannot be sent"),
        }
    })
}

struct Dispatcher {
    storage: Storage,
    settings: WebhookSettings,
    sender: Arc<sender::Sender>,
    in_flight: Arc<Mutex<HashMap<uuid::Uuid, RoomId>>>,
    attempts: JoinSet<()>,
    idle_look: Duration,
}

impl Dispatcher {
    fn new(storage: Storage, settings: WebhookSettings, sender: Arc<sender::Sender>) -> Self {
        Self {
            storage,
            settings,
            sender,
            in_flight: Arc::default(),
            attempts: JoinSet::new(),
            idle_look: IDLE_LOOK,
        }
    }

    async fn run(mut self, stop: CancellationToken) {
        let queued = self.storage.deliveries_changed();
        loop {
            let wait = match self.start_due().await {
                Ok(wait) => wait,
                Err(error) => {
                    tracing::warn!(%error, "cannot read the webhook queue");
                    STORAGE_RETRY
                }
            };
            tokio::select! {
                () = stop.cancelled() => break,
                () = queued.notified() => {}
                () = tokio::time::sleep(wait) => {}
                Some(_) = self.attempts.join_next() => {}
            }
        }
        self.attempts.abort_all();
    }

    /// Starts an attempt for each due delivery there is room for. Returns how long to wait
    /// before looking again, unless woken.
    async fn start_due(&mut self) -> Result<Duration, crate::storage::StorageError> {
        while self.attempts.try_join_next().is_some() {}
        let now = now_ms();
        let busy = self.in_flight.lock().map_or(0, |set| set.len());
        let free = self.settings.concurrency.saturating_sub(busy);
        // One room's receiver that never answers must not hold every slot for hours.
        let per_room = (self.settings.concurrency / 2).max(1);
        if free > 0 {
            let due = self
                .storage
                .due_deliveries(now, busy + free * per_room, per_room)
                .await?;
            for delivery in due {
                if self.attempts.len() >= self.settings.concurrency {
                    break;
                }
                let fresh = self.in_flight.lock().is_ok_and(|mut under_way| {
                    let of_room = under_way
                        .values()
                        .filter(|room| **room == delivery.room)
                        .count();
                    of_room < per_room && under_way.insert(delivery.id, delivery.room).is_none()
                });
                if fresh {
                    self.attempts.spawn(attempt(
                        self.storage.clone(),
                        Arc::clone(&self.sender),
                        self.settings,
                        delivery,
                        Arc::clone(&self.in_flight),
                    ));
                }
            }
        }
        // Deliveries due now but not started (all slots busy, or under way) wait for an
        // attempt to finish, which wakes the loop.
        Ok(match self.storage.next_delivery_at().await? {
            Some(next) if next > now => Duration::from_millis(next - now).min(self.idle_look),
            _ => self.idle_look,
        })
    }
}

async fn attempt(
    storage: Storage,
    sender: Arc<sender::Sender>,
    settings: WebhookSettings,
    delivery: QueuedDelivery,
    in_flight: Arc<Mutex<HashMap<uuid::Uuid, RoomId>>>,
) {
    let result = sender.send(&delivery).await;
    let at = now_ms();
    let made = delivery.attempts.saturating_add(1);
    let (response_status, error, next) = match result {
        Ok(status) if (200..300).contains(&status) => (Some(status), None, AfterAttempt::Delivered),
        Ok(status) => (
            Some(status),
            Some(format!("the receiver answered {status}")),
            after_failure(&settings, made, at),
        ),
        Err(error) => (None, Some(error), after_failure(&settings, made, at)),
    };
    let metrics = crate::metrics::get();
    match &next {
        AfterAttempt::Delivered => {
            metrics.webhooks_delivered.increment(1);
            tracing::debug!(delivery = %delivery.id, event = delivery.event.name(), "webhook delivered");
        }
        AfterAttempt::RetryAt(_) | AfterAttempt::GiveUp => {
            metrics.webhook_failures.increment(1);
            tracing::info!(
            delivery = %delivery.id,
            attempt = made,
            error = error.as_deref().unwrap_or_default(),
            gave_up = next == AfterAttempt::GiveUp,
            "webhook delivery failed"
            );
        }
    }
    let recorded = storage
        .write(Write::Attempted(Attempt {
            delivery_id: delivery.id,
            at,
            response_status,
            error,
            next,
        }))
        .await;
    if let Err(error) = recorded {
        tracing::warn!(%error, "cannot record a webhook attempt; it will be made again");
        // Still due in storage: held back here for a while, or the receiver would get it
        // again at once, over and over, for as long as storage fails.
        tokio::time::sleep(STORAGE_RETRY).await;
    }
    if let Ok(mut set) = in_flight.lock() {
        set.remove(&delivery.id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_up_to_an_hour_and_end_after_the_last_attempt() {
        let settings = WebhookSettings {
            allow_private: false,
            retry_delay: Duration::from_secs(30),
            attempts: 12,
            timeout: Duration::from_secs(10),
            concurrency: 4,
        };
        let waits: Vec<u64> = (1..12)
            .map(|made| match after_failure(&settings, made, 0) {
                AfterAttempt::RetryAt(at) => at / 1000,
                other => panic!("attempt {made}: {other:?}"),
            })
            .collect();
        for (made, wait) in (1_u32..).zip(&waits) {
            let base = (30 * 2_u64.pow(made - 1)).min(3600);
            assert!(
                (base..=base + base / 10).contains(wait),
                "attempt {made}: {wait}"
            );
        }
        assert_eq!(after_failure(&settings, 12, 0), AfterAttempt::GiveUp);
    }
}
