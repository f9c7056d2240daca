//! The webhook queue as storage keeps it: deliveries queued in the same commit as the events
//! that caused them, the attempts made, and the log the facilitator reads. Backend-neutral;
//! `sqlite_deliveries` holds the SQL.

use readyroom_protocol::{DeliveryView, Timestamp, WebhookEvent};
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
