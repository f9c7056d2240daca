//! The webhook queue as storage keeps it: deliveries queued in the same commit as the events
//! that caused them, the attempts made, and the log the facilitator reads. Backend-neutral;
//! `sqlite_deliveries` holds the SQL.

use readyroom_protocol::limits::MAX_PENDING_DELIVERIES;
use readyroom_protocol::{DeliveryStatus, DeliveryView, Timestamp, WebhookEvent};
use serde::{Deserialize, Serialize};

/// A delivery to queue.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct NewDelivery {
    pub id: uuid::Uuid,
    pub webhook_id: uuid::Uuid,
    pub event: WebhookEvent,
    pub url: String,
    pub secret: crate::room::webhooks::SigningSecret,
    /// The JSON body, signed and sent as it is on every attempt.
    pub body: String,
    pub created_at: Timestamp,
}

/// A change to a room's queue. Logged with the inputs that caused it (see `segment_log`).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum OutboxChange {
    Enqueue(NewDelivery),
    /// The webhook was deleted: its waiting deliveries and its log go with it.
    Forget {
        webhook_id: uuid::Uuid,
    },
    /// A failed delivery of this webhook is tried again now, from its first attempt.
    Retry {
        webhook_id: uuid::Uuid,
        delivery_id: uuid::Uuid,
        now: Timestamp,
    },
}

/// A delivery due for an attempt.
#[derive(Clone, Debug)]
pub struct QueuedDelivery {
    pub id: uuid::Uuid,
    pub room: readyroom_protocol::RoomId,
    pub event: WebhookEvent,
    pub url: String,
    pub secret: crate::room::webhooks::SigningSecret,
    pub body: String,
    /// Attempts made before this one.
    pub attempts: u32,
}

/// What an attempt came to.
#[derive(Clone, Debug)]
pub struct Attempt {
    pub delivery_id: uuid::Uuid,
    pub at: Timestamp,
    pub response_status: Option<u16>,
    pub error: Option<String>,
    pub next: AfterAttempt,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AfterAttempt {
    Delivered,
    RetryAt(Timestamp),
    GiveUp,
}

/// One webhook's log, the last attempted (or queued) first.
pub type DeliveryLog = Vec<DeliveryView>;

/// How a delivery's status is stored.
pub const PENDING: &str = "pending";
pub const DELIVERED: &str = "delivered";
pub const FAILED: &str = "failed";

pub fn status_named(name: &str) -> DeliveryStatus {
    match name {
        PENDING => DeliveryStatus::Pending,
        DELIVERED => DeliveryStatus::Delivered,
        _ => DeliveryStatus::Failed,
    }
}

/// The stored status and next attempt of an attempt's outcome.
pub fn after_attempt(next: AfterAttempt) -> (&'static str, Option<Timestamp>) {
    match next {
        AfterAttempt::Delivered => (DELIVERED, None),
        AfterAttempt::RetryAt(at) => (PENDING, Some(at)),
        AfterAttempt::GiveUp => (FAILED, None),
    }
}

/// A receiver down for days must not let one room fill the disk: past the bound, new
/// deliveries are recorded (the log says so) but not sent. Answers the new delivery's status,
/// first attempt and error, given how many of its room's deliveries are waiting.
pub fn queued_as(
    waiting: usize,
    created_at: Timestamp,
) -> (&'static str, Option<Timestamp>, Option<String>) {
    if waiting >= MAX_PENDING_DELIVERIES {
        (
            FAILED,
            None,
            Some(format!(
                "not sent: {MAX_PENDING_DELIVERIES} deliveries of this room were already waiting"
            )),
        )
    } else {
        (PENDING, Some(created_at), None)
    }
}

pub fn parse_event(name: &str) -> Result<WebhookEvent, String> {
    WebhookEvent::SUBSCRIBABLE
        .into_iter()
        .chain([WebhookEvent::Ping])
        .find(|event| event.name() == name)
        .ok_or_else(|| format!("unknown webhook event {name:?}"))
}

pub fn parse_uuid(text: &str) -> Result<uuid::Uuid, String> {
    text.parse()
        .map_err(|error| format!("bad id {text:?}: {error}"))
}
